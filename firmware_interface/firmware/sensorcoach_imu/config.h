/* Build-time choices of the sensorcoach reference firmware.  Edit, then build (README.md). */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

/* Exactly one IMU.  Defaults: XIAO nRF52840 Sense -> its LSM6DS3TR-C; Nano 33 BLE Rev2 ->
 * its BMI270; anything else (ESP32 boards) -> an MPU-6050 breakout on the default I2C pins. */
#if !defined(SC_IMU_USE_MPU6050) && !defined(SC_IMU_USE_LSM6DS3) && !defined(SC_IMU_USE_BMI270)
#if defined(ARDUINO_SEEED_XIAO_NRF52840_SENSE)
#define SC_IMU_USE_LSM6DS3 1
#elif defined(ARDUINO_ARDUINO_NANO33BLE)
#define SC_IMU_USE_BMI270 1
#else
#define SC_IMU_USE_MPU6050 1
#endif
#endif

#define SC_FW_MAJOR 1
#define SC_FW_MINOR 1
#define SC_FW_PATCH 0

#define SC_DEFAULT_RATE_HZ 50          /* until a set-rate command */
#define SC_SERIAL_BAUD 115200          /* ignored by native-USB boards */
#define SC_INFO_EVERY_US 10000000UL    /* device-info payload every 10 s while streaming */
#define SC_GYRO_CAL_SAMPLES 200        /* at boot, at rest: gyro bias average */
#define SC_GYRO_CAL_MAX_DPS 3.0f       /* moving if any sample differs more from the mean */
#define SC_NAME_PREFIX "sensorcoach-"  /* advertised name: prefix + 4 hex digits */

/* Optional buzzer or vibration motor (a coin motor through a transistor or a driver such
 * as the DRV2605 in PWM/EN mode; an active buzzer): off by default.  Define the GPIO that
 * switches it, e.g. -DSC_BUZZ_PIN=25 (ESP32) or -DSC_BUZZ_PIN=D2 (Nano 33 BLE, XIAO).
 * The buzz command (PROTOCOL.md, 0x14) turns it on for up to 5 s; the device-info status
 * bit 2 tells the host it is fitted.  SC_BUZZ_ACTIVE_LOW: the pin pulls the driver low. */
/* #define SC_BUZZ_PIN 25 */
#ifndef SC_BUZZ_ACTIVE_LOW
#define SC_BUZZ_ACTIVE_LOW 0
#endif

#define SC_MPU6050_ADDR 0x68           /* 0x69 when AD0 is high */
#define SC_LSM6DS3_ADDR 0x6A           /* 0x6B when SA0 is high (some breakouts) */

#endif
