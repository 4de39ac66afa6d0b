/* Thin IMU adapters: one of them is compiled (config.h).  Each gives
 *   bool imu_begin();                        // configure; false when the IMU is missing
 *   bool imu_read(float acc_g[3], float gyro_dps[3]);  // latest sample, sensor frame
 *   uint8_t imu_model();                     // enum sc_imu of protocol.h
 * Acceleration is specific force in g (+1 g up at rest), angular rate in deg/s.
 * Not built in CI (no board toolchains): register values are from the datasheets named. */
#ifndef SC_IMU_H
#define SC_IMU_H

#include <Arduino.h>
#include <Wire.h>

#include "config.h"
#include "protocol.h"

#if defined(SC_IMU_USE_MPU6050)
/* InvenSense MPU-6000/6050 register map rev 4.2: PWR_MGMT_1 0x6B, CONFIG 0x1A,
 * GYRO_CONFIG 0x1B (FS_SEL=2: +-1000 dps, 32.8 LSB/dps), ACCEL_CONFIG 0x1C (AFS_SEL=2:
 * +-8 g, 4096 LSB/g), ACCEL_XOUT_H 0x3B (14 bytes, big-endian), WHO_AM_I 0x75 = 0x68. */
static bool sc_i2c_write(uint8_t addr, uint8_t reg, uint8_t value)
{
    Wire.beginTransmission(addr);
    Wire.write(reg);
    Wire.write(value);
    return Wire.endTransmission() == 0;
}

static bool sc_i2c_read(uint8_t addr, uint8_t reg, uint8_t *out, uint8_t n)
{
    Wire.beginTransmission(addr);
    Wire.write(reg);
    if (Wire.endTransmission(false) != 0) {
        return false;
    }
    if (Wire.requestFrom(addr, n) != n) {
        return false;
    }
    for (uint8_t i = 0; i < n; i++) {
        out[i] = (uint8_t)Wire.read();
    }
    return true;
}

bool imu_begin()
{
    uint8_t who = 0;
    Wire.begin();
    Wire.setClock(400000);
    if (!sc_i2c_write(SC_MPU6050_ADDR, 0x6B, 0x80)) {  /* device reset */
        return false;
    }
    delay(100);
    return sc_i2c_write(SC_MPU6050_ADDR, 0x6B, 0x01)     /* wake, PLL on gyro X */
        && sc_i2c_write(SC_MPU6050_ADDR, 0x1A, 0x03)     /* DLPF ~44 Hz */
        && sc_i2c_write(SC_MPU6050_ADDR, 0x19, 0x00)     /* 1 kHz internal rate */
        && sc_i2c_write(SC_MPU6050_ADDR, 0x1B, 0x10)     /* +-1000 dps */
        && sc_i2c_write(SC_MPU6050_ADDR, 0x1C, 0x10)     /* +-8 g */
        && sc_i2c_read(SC_MPU6050_ADDR, 0x75, &who, 1) && (who == 0x68 || who == 0x98);
}

bool imu_read(float acc_g[3], float gyro_dps[3])
{
    uint8_t b[14];
    if (!sc_i2c_read(SC_MPU6050_ADDR, 0x3B, b, sizeof b)) {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        int16_t a = (int16_t)((uint16_t)b[2 * i] << 8 | b[2 * i + 1]);
        int16_t g = (int16_t)((uint16_t)b[8 + 2 * i] << 8 | b[9 + 2 * i]);
        acc_g[i] = a / 4096.0f;
        gyro_dps[i] = g / 32.8f;
    }
    return true;
}

uint8_t imu_model() { return SC_IMU_MPU6050; }

#elif defined(SC_IMU_USE_LSM6DS3)
/* ST LSM6DS3 / LSM6DS3TR-C: WHO_AM_I 0x0F = 0x69 / 0x6A, CTRL1_XL 0x10 (ODR 416 Hz,
 * +-8 g: 0.244 mg/LSB), CTRL2_G 0x11 (ODR 416 Hz, +-1000 dps: 35 mdps/LSB), CTRL3_C
 * 0x12 (BDU, IF_INC), OUTX_L_G 0x22: gyro then acc, 12 bytes little-endian.
 * XIAO nRF52840 Sense: the IMU has a power pin (PIN_LSM6DS3TR_C_POWER in Seeed's core)
 * and sits on the board's internal I2C bus; *unconfirmed* whether that is Wire or Wire1
 * in every core version: set SC_IMU_WIRE if Wire finds nothing. */
#ifndef SC_IMU_WIRE
#define SC_IMU_WIRE Wire
#endif
static uint8_t sc_lsm_who = 0;

static bool sc_i2c_write(uint8_t addr, uint8_t reg, uint8_t value)
{
    SC_IMU_WIRE.beginTransmission(addr);
    SC_IMU_WIRE.write(reg);
    SC_IMU_WIRE.write(value);
    return SC_IMU_WIRE.endTransmission() == 0;
}

static bool sc_i2c_read(uint8_t addr, uint8_t reg, uint8_t *out, uint8_t n)
{
    SC_IMU_WIRE.beginTransmission(addr);
    SC_IMU_WIRE.write(reg);
    if (SC_IMU_WIRE.endTransmission(false) != 0) {
        return false;
    }
    if (SC_IMU_WIRE.requestFrom(addr, n) != n) {
        return false;
    }
    for (uint8_t i = 0; i < n; i++) {
        out[i] = (uint8_t)SC_IMU_WIRE.read();
    }
    return true;
}

bool imu_begin()
{
#ifdef PIN_LSM6DS3TR_C_POWER
    pinMode(PIN_LSM6DS3TR_C_POWER, OUTPUT);
    digitalWrite(PIN_LSM6DS3TR_C_POWER, HIGH);
    delay(20);
#endif
    SC_IMU_WIRE.begin();
    SC_IMU_WIRE.setClock(400000);
    if (!sc_i2c_read(SC_LSM6DS3_ADDR, 0x0F, &sc_lsm_who, 1)) {
        return false;
    }
    return (sc_lsm_who == 0x69 || sc_lsm_who == 0x6A)
        && sc_i2c_write(SC_LSM6DS3_ADDR, 0x12, 0x44)     /* BDU, auto-increment */
        && sc_i2c_write(SC_LSM6DS3_ADDR, 0x10, 0x6C)     /* 416 Hz, +-8 g */
        && sc_i2c_write(SC_LSM6DS3_ADDR, 0x11, 0x68);    /* 416 Hz, +-1000 dps */
}

bool imu_read(float acc_g[3], float gyro_dps[3])
{
    uint8_t b[12];
    if (!sc_i2c_read(SC_LSM6DS3_ADDR, 0x22, b, sizeof b)) {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        int16_t g = (int16_t)((uint16_t)b[2 * i + 1] << 8 | b[2 * i]);
        int16_t a = (int16_t)((uint16_t)b[7 + 2 * i] << 8 | b[6 + 2 * i]);
        gyro_dps[i] = g * 0.035f;
        acc_g[i] = a * 0.000244f;
    }
    return true;
}

uint8_t imu_model() { return sc_lsm_who == 0x6A ? SC_IMU_LSM6DS3TRC : SC_IMU_LSM6DS3; }

#elif defined(SC_IMU_USE_BMI270)
/* Bosch BMI270 needs an 8 kB configuration blob at start-up: Arduino's library does that.
 * Its defaults (*unconfirmed* per library version): +-4 g, +-2000 dps, 100 Hz; rates
 * above the IMU's output rate repeat samples, and > +-1000 dps saturates on the wire. */
#include <Arduino_BMI270_BMM150.h>

bool imu_begin() { return IMU.begin() != 0; }

bool imu_read(float acc_g[3], float gyro_dps[3])
{
    float ax, ay, az, gx, gy, gz;
    if (!IMU.readAcceleration(ax, ay, az) || !IMU.readGyroscope(gx, gy, gz)) {
        return false;
    }
    acc_g[0] = ax; acc_g[1] = ay; acc_g[2] = az;
    gyro_dps[0] = gx; gyro_dps[1] = gy; gyro_dps[2] = gz;
    return true;
}

uint8_t imu_model() { return SC_IMU_BMI270; }

#else
#error "config.h: choose SC_IMU_USE_MPU6050, SC_IMU_USE_LSM6DS3 or SC_IMU_USE_BMI270"
#endif

#endif /* SC_IMU_H */
