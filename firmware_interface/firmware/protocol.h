/*
 * sensorcoach wire format v1: portable encoder (C99, no Arduino, no malloc).
 *
 * The format is specified in PROTOCOL.md next to this file; test_vectors.json holds
 * samples and their expected bytes, checked by the Python test suite against both this
 * file (built with the host gcc) and the Python decoder.
 *
 * Byte order: little-endian everywhere, except the serial CRC which is sent MSB first.
 */
#ifndef SENSORCOACH_PROTOCOL_H
#define SENSORCOACH_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SC_PROTOCOL_VERSION 1u

/* GATT: vendor base 8fd1c75d-b897-4a33-8be8-d3e00f302b07 (uuid4), bytes 2-3 = role. */
#define SC_SERVICE_UUID "8fd10001-b897-4a33-8be8-d3e00f302b07"
#define SC_DATA_UUID "8fd10002-b897-4a33-8be8-d3e00f302b07"    /* notify: payloads */
#define SC_CONTROL_UUID "8fd10003-b897-4a33-8be8-d3e00f302b07" /* write: commands */
#define SC_INFO_UUID "8fd10004-b897-4a33-8be8-d3e00f302b07"    /* read: device info */

/* One BLE notification (default ATT MTU 23 - 3 bytes of header). */
#define SC_PAYLOAD_LEN 20u
/* Serial framing: A5 5A, length, payload, CRC-16 (MSB first). */
#define SC_SYNC0 0xA5u
#define SC_SYNC1 0x5Au
#define SC_SERIAL_OVERHEAD 5u
#define SC_MAX_PAYLOAD 64u
#define SC_SERIAL_FRAME_MAX (SC_MAX_PAYLOAD + SC_SERIAL_OVERHEAD)

/* Payload types: device -> host. */
#define SC_TYPE_SAMPLE 0x01u
#define SC_TYPE_INFO 0x02u
/* Payload types: host -> device (commands). */
#define SC_CMD_START 0x10u
#define SC_CMD_STOP 0x11u
#define SC_CMD_SET_RATE 0x12u
#define SC_CMD_IDENTIFY 0x13u
#define SC_CMD_BUZZ 0x14u      /* 14 lo hi: buzz for u16 ms (0 stops), boards with SC_BUZZ_PIN */

/* Sample flags. */
#define SC_FLAG_ACC_SAT 0x01u    /* an accelerometer axis is at the int16 limit */
#define SC_FLAG_GYRO_SAT 0x02u   /* a gyroscope axis is at the int16 limit */
#define SC_FLAG_CALIBRATED 0x04u /* gyro bias estimated and removed on the device */
#define SC_FLAG_RESTART 0x08u    /* first sample after start / set-rate: a pause, not loss */
#define SC_FLAG_BOOT 0x10u       /* first stream since power-up: seq and clock from zero */
#define SC_FLAG_OVERRUN 0x20u    /* the device missed sample slots before this one */

/* Wire scale (fixed in v1): int16 full scale = +-8 g and +-1000 deg/s. */
#define SC_ACC_FS_G 8u
#define SC_GYRO_FS_DPS 1000u
#define SC_ACC_LSB_PER_G 4096.0f       /* 32768 / 8 */
#define SC_GYRO_LSB_PER_DPS 32.768f    /* 32768 / 1000 */

/* Device-info status bits. */
#define SC_STATUS_STREAMING 0x01u
#define SC_STATUS_CALIBRATED 0x02u
#define SC_STATUS_BUZZER 0x04u  /* built with a buzzer / vibration motor (SC_BUZZ_PIN) */

/* Longest buzz one command asks for, ms: a lost "stop" never leaves the motor running. */
#define SC_BUZZ_MAX_MS 5000u

#define SC_RATE_MIN_HZ 1u
#define SC_RATE_MAX_HZ 1000u

/* IMU model and board codes of the device-info payload. */
enum sc_imu { SC_IMU_UNKNOWN = 0, SC_IMU_MPU6050 = 1, SC_IMU_LSM6DS3 = 2,
              SC_IMU_LSM6DS3TRC = 3, SC_IMU_BMI270 = 4 };
enum sc_board { SC_BOARD_UNKNOWN = 0, SC_BOARD_ESP32 = 1, SC_BOARD_NANO33BLE = 2,
                SC_BOARD_XIAO_NRF52840 = 3 };

typedef struct {
    uint16_t seq;     /* sample slot counter, wraps 65535 -> 0 */
    uint32_t t_us;    /* device clock (micros()), wraps 2^32 us = 4294.967296 s */
    int16_t acc[3];   /* 1/4096 g */
    int16_t gyro[3];  /* 1000/32768 deg/s */
    uint8_t flags;    /* SC_FLAG_* */
} sc_sample_t;

typedef struct {
    uint8_t fw_major, fw_minor, fw_patch;
    uint8_t imu;        /* enum sc_imu */
    uint8_t board;      /* enum sc_board */
    uint8_t status;     /* SC_STATUS_*: bit0 streaming, bit1 calibrated, bit2 buzzer */
    uint16_t acc_fs_g;      /* 8 in v1 */
    uint16_t gyro_fs_dps;   /* 1000 in v1 */
    uint16_t rate_hz;       /* nominal sample rate */
    uint32_t t_us;          /* device clock when the payload was built */
    uint16_t next_seq;      /* seq the next sample will carry */
} sc_info_t;

typedef struct {
    uint8_t type;       /* SC_CMD_*, 0 = none */
    uint16_t rate_hz;   /* SC_CMD_SET_RATE only */
    uint16_t duration_ms; /* SC_CMD_BUZZ only: 0..SC_BUZZ_MAX_MS, 0 stops */
} sc_command_t;

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0; "123456789" -> 0x29B1. */
uint16_t sc_crc16(const uint8_t *data, size_t len);
uint16_t sc_crc16_update(uint16_t crc, uint8_t byte);

/* Payload encoders: write SC_PAYLOAD_LEN bytes to out, return SC_PAYLOAD_LEN. */
size_t sc_encode_sample(const sc_sample_t *s, uint8_t out[SC_PAYLOAD_LEN]);
size_t sc_encode_info(const sc_info_t *info, uint8_t out[SC_PAYLOAD_LEN]);

/* Serial framing: A5 5A len payload crc_hi crc_lo.  Returns bytes written, or 0 when
 * len is 0 or above SC_MAX_PAYLOAD or cap is too small. */
size_t sc_frame_serial(const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/* Host-side command encoders (the firmware only decodes); return the payload length.
 * SC_CMD_SET_RATE carries rate_hz, SC_CMD_BUZZ duration_ms (u16 little-endian). */
size_t sc_encode_command(const sc_command_t *cmd, uint8_t out[3]);

/* Decode a command payload (a BLE write).  Returns 1 and fills *cmd when valid, else 0. */
int sc_decode_command(const uint8_t *payload, size_t len, sc_command_t *cmd);

/* Serial command parser: feed received bytes one at a time; resynchronises on A5 5A and
 * drops frames with a bad CRC. */
typedef struct {
    uint8_t state;
    uint8_t len;
    uint8_t pos;
    uint8_t buf[SC_MAX_PAYLOAD + 2];
    uint32_t bad_crc;   /* frames dropped for a bad CRC */
} sc_parser_t;

void sc_parser_init(sc_parser_t *p);
/* Returns 1 when `byte` completes a valid command frame (filled into *cmd), else 0. */
int sc_parser_feed(sc_parser_t *p, uint8_t byte, sc_command_t *cmd);

/* Scale helpers: physical value -> wire int16 with rounding; *flags gets `sat_flag` when
 * the value is clipped to the int16 range. */
int16_t sc_acc_from_g(float g, uint8_t *flags);
int16_t sc_gyro_from_dps(float dps, uint8_t *flags);

/* Sample scheduler: one slot every 1e6/rate_hz us of the device clock; handles micros()
 * wraparound.  seq counts slots, so slots missed by a late loop become seq gaps (flagged
 * SC_FLAG_OVERRUN) and the host counts them as lost samples. */
typedef struct {
    uint32_t period_us;
    uint32_t next_us;
    uint16_t seq;
    uint16_t rate_hz;
    uint8_t pending_flags;
    uint8_t running;
} sc_stream_t;

void sc_stream_init(sc_stream_t *st, uint16_t rate_hz);  /* stopped; next start is BOOT */
void sc_stream_start(sc_stream_t *st, uint32_t now_us);  /* no-op when running */
void sc_stream_stop(sc_stream_t *st);
/* Returns 0 on success, -1 when rate_hz is outside SC_RATE_MIN_HZ..SC_RATE_MAX_HZ. */
int sc_stream_set_rate(sc_stream_t *st, uint16_t rate_hz, uint32_t now_us);
/* Returns 1 when a sample is due at now_us: *seq and *flags are the sample's. */
int sc_stream_due(sc_stream_t *st, uint32_t now_us, uint16_t *seq, uint8_t *flags);

/* Buzzer timer (millis() clock, wraps 2^32 ms): on from a buzz command for its duration,
 * never blocking the sample loop; a new command replaces the one under way. */
typedef struct {
    uint32_t until_ms;
    uint8_t on;
} sc_buzz_t;

void sc_buzz_init(sc_buzz_t *b);
/* Buzz for duration_ms from now_ms (clipped to SC_BUZZ_MAX_MS); 0 stops. */
void sc_buzz_start(sc_buzz_t *b, uint16_t duration_ms, uint32_t now_ms);
/* Returns 1 while the buzzer should be on at now_ms, else 0 (and turns the timer off). */
int sc_buzz_active(sc_buzz_t *b, uint32_t now_ms);

#ifdef __cplusplus
}
#endif

#endif /* SENSORCOACH_PROTOCOL_H */
