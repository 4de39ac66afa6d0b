/*
 * sensorcoach reference firmware: an IMU sampled at a set rate, sent as wire format v1
 * (../PROTOCOL.md) over BLE notifications and the USB serial port at the same time.
 *
 * Boards: ESP32 (NimBLE-Arduino) with an MPU-6050; Arduino Nano 33 BLE Rev2 (BMI270) and
 * Seeed XIAO nRF52840 Sense (LSM6DS3TR-C) with ArduinoBLE.  Build and flash: ../README.md.
 * Everything protocol-related is in protocol.c (host-tested); this file is the glue.
 */
#include <Arduino.h>

#include "config.h"
#include "protocol.h"
#include "imu.h"
#include "ble_link.h"

static sc_stream_t stream;
static sc_parser_t serial_parser;
static float gyro_bias[3] = {0.0f, 0.0f, 0.0f};
static bool calibrated = false;
static uint32_t last_info_us = 0;
static uint32_t identify_until_ms = 0;
static sc_buzz_t buzzer;
static char device_name[24];

static uint8_t board_code()
{
#if defined(ARDUINO_ARCH_ESP32)
    return SC_BOARD_ESP32;
#elif defined(ARDUINO_SEEED_XIAO_NRF52840_SENSE)
    return SC_BOARD_XIAO_NRF52840;
#elif defined(ARDUINO_ARDUINO_NANO33BLE)
    return SC_BOARD_NANO33BLE;
#else
    return SC_BOARD_UNKNOWN;
#endif
}

static uint16_t board_id16()
{
#if defined(ARDUINO_ARCH_ESP32)
    return (uint16_t)(ESP.getEfuseMac() >> 32);
#elif defined(NRF_FICR)
    return (uint16_t)(NRF_FICR->DEVICEID[0] & 0xFFFFu);
#else
    return 0;
#endif
}

/* The optional buzzer / vibration motor (config.h: SC_BUZZ_PIN, off by default). */
static uint8_t buzzer_status()
{
#ifdef SC_BUZZ_PIN
    return SC_STATUS_BUZZER;
#else
    return 0;
#endif
}

static void buzzer_write(bool on)
{
#ifdef SC_BUZZ_PIN
    digitalWrite(SC_BUZZ_PIN, (on != (SC_BUZZ_ACTIVE_LOW != 0)) ? HIGH : LOW);
#else
    (void)on;
#endif
}

static void build_info(uint8_t out[SC_PAYLOAD_LEN])
{
    sc_info_t info;
    info.fw_major = SC_FW_MAJOR;
    info.fw_minor = SC_FW_MINOR;
    info.fw_patch = SC_FW_PATCH;
    info.imu = imu_model();
    info.board = board_code();
    info.status = (uint8_t)((stream.running ? SC_STATUS_STREAMING : 0u) |
                            (calibrated ? SC_STATUS_CALIBRATED : 0u) | buzzer_status());
    info.acc_fs_g = SC_ACC_FS_G;
    info.gyro_fs_dps = SC_GYRO_FS_DPS;
    info.rate_hz = stream.rate_hz;
    info.t_us = micros();
    info.next_seq = stream.seq;
    sc_encode_info(&info, out);
}

/* One payload to every link: a BLE notification and a serial frame.  Serial is skipped
 * when no host has the port open or its buffer is full (the host sees a seq gap). */
static void send_payload(const uint8_t *payload, size_t n)
{
    uint8_t frame[SC_SERIAL_FRAME_MAX];
    size_t m = sc_frame_serial(payload, n, frame, sizeof frame);
    if (Serial && Serial.availableForWrite() >= (int)m) {
        Serial.write(frame, m);
    }
    ble_notify(payload, n);
}

static void send_info()
{
    uint8_t p[SC_PAYLOAD_LEN];
    build_info(p);
    ble_set_info(p, sizeof p);
    send_payload(p, sizeof p);
    last_info_us = micros();
}

static void handle_command(const sc_command_t *cmd)
{
    switch (cmd->type) {
    case SC_CMD_START:
        sc_stream_start(&stream, micros());  /* no-op when already streaming */
        break;
    case SC_CMD_STOP:
        sc_stream_stop(&stream);
        break;
    case SC_CMD_SET_RATE:
        if (cmd->rate_hz != stream.rate_hz) {
            sc_stream_set_rate(&stream, cmd->rate_hz, micros());
        }
        break;
    case SC_CMD_IDENTIFY:
        identify_until_ms = millis() + 3000;
        break;
    case SC_CMD_BUZZ:  /* answered on every board; buzzes where SC_BUZZ_PIN is fitted */
        sc_buzz_start(&buzzer, cmd->duration_ms, millis());
        break;
    default:
        return;
    }
    send_info();  /* every command is answered with the device info */
}

/* Gyro bias from SC_GYRO_CAL_SAMPLES samples at rest; skipped (not calibrated) if moving. */
static void calibrate_gyro()
{
    float sum[3] = {0, 0, 0}, lo[3] = {1e9f, 1e9f, 1e9f}, hi[3] = {-1e9f, -1e9f, -1e9f};
    float a[3], g[3];
    int n = 0;
    for (int k = 0; k < SC_GYRO_CAL_SAMPLES; k++) {
        if (imu_read(a, g)) {
            for (int i = 0; i < 3; i++) {
                sum[i] += g[i];
                lo[i] = min(lo[i], g[i]);
                hi[i] = max(hi[i], g[i]);
            }
            n++;
        }
        delay(5);
    }
    if (n < SC_GYRO_CAL_SAMPLES / 2) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (hi[i] - lo[i] > 2 * SC_GYRO_CAL_MAX_DPS) {
            return;
        }
    }
    for (int i = 0; i < 3; i++) {
        gyro_bias[i] = sum[i] / n;
    }
    calibrated = true;
}

void setup()
{
    uint8_t info[SC_PAYLOAD_LEN];
    Serial.begin(SC_SERIAL_BAUD);
    pinMode(LED_BUILTIN, OUTPUT);
    sc_buzz_init(&buzzer);
#ifdef SC_BUZZ_PIN
    pinMode(SC_BUZZ_PIN, OUTPUT);
    buzzer_write(false);
#endif
    sc_stream_init(&stream, SC_DEFAULT_RATE_HZ);
    sc_parser_init(&serial_parser);
    while (!imu_begin()) {  /* no IMU: blink fast and retry */
        for (int i = 0; i < 10; i++) {
            digitalWrite(LED_BUILTIN, i & 1);
            delay(100);
        }
    }
    calibrate_gyro();
    snprintf(device_name, sizeof device_name, SC_NAME_PREFIX "%04x", (unsigned)board_id16());
    build_info(info);
    ble_begin(device_name, info);
    sc_stream_start(&stream, micros());  /* streams from boot: the first sample is BOOT */
    send_info();
}

void loop()
{
    sc_command_t cmd;
    uint16_t seq;
    uint8_t flags;

    ble_poll();
    while (sc_command_pop(&cmd)) {
        handle_command(&cmd);
    }
    while (Serial.available() > 0) {
        if (sc_parser_feed(&serial_parser, (uint8_t)Serial.read(), &cmd)) {
            handle_command(&cmd);
        }
    }

    uint32_t now = micros();
    if (sc_stream_due(&stream, now, &seq, &flags)) {
        float a[3], g[3];
        if (imu_read(a, g)) {  /* a failed read loses the slot: the host sees the gap */
            sc_sample_t s;
            uint8_t payload[SC_PAYLOAD_LEN];
            s.seq = seq;
            s.t_us = now;
            if (calibrated) {
                flags |= SC_FLAG_CALIBRATED;
            }
            for (int i = 0; i < 3; i++) {
                s.acc[i] = sc_acc_from_g(a[i], &flags);
                s.gyro[i] = sc_gyro_from_dps(g[i] - gyro_bias[i], &flags);
            }
            s.flags = flags;
            sc_encode_sample(&s, payload);
            send_payload(payload, sizeof payload);
        }
    }
    if (stream.running && now - last_info_us >= SC_INFO_EVERY_US) {
        send_info();
    }
    /* LED: blinking while identifying, else on while streaming. */
    bool led = (int32_t)(identify_until_ms - millis()) > 0 ? (millis() / 125) & 1
                                                            : stream.running;
    digitalWrite(LED_BUILTIN, led ? HIGH : LOW);
    buzzer_write(sc_buzz_active(&buzzer, millis()) != 0);  /* never blocks the sample loop */
}
