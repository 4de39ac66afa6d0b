/* sensorcoach wire format v1: portable encoder.  See protocol.h and PROTOCOL.md. */
#include "protocol.h"

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

static void put_i16(uint8_t *p, int16_t v)
{
    put_u16(p, (uint16_t)v);  /* two's complement: well defined conversion to unsigned */
}

uint16_t sc_crc16_update(uint16_t crc, uint8_t byte)
{
    int i;
    crc ^= (uint16_t)((uint16_t)byte << 8);
    for (i = 0; i < 8; i++) {
        if (crc & 0x8000u) {
            crc = (uint16_t)((crc << 1) ^ 0x1021u);
        } else {
            crc = (uint16_t)(crc << 1);
        }
    }
    return crc;
}

uint16_t sc_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFFu;
    size_t i;
    for (i = 0; i < len; i++) {
        crc = sc_crc16_update(crc, data[i]);
    }
    return crc;
}

size_t sc_encode_sample(const sc_sample_t *s, uint8_t out[SC_PAYLOAD_LEN])
{
    int i;
    out[0] = SC_TYPE_SAMPLE;
    out[1] = s->flags;
    put_u16(out + 2, s->seq);
    put_u32(out + 4, s->t_us);
    for (i = 0; i < 3; i++) {
        put_i16(out + 8 + 2 * i, s->acc[i]);
        put_i16(out + 14 + 2 * i, s->gyro[i]);
    }
    return SC_PAYLOAD_LEN;
}

size_t sc_encode_info(const sc_info_t *info, uint8_t out[SC_PAYLOAD_LEN])
{
    out[0] = SC_TYPE_INFO;
    out[1] = SC_PROTOCOL_VERSION;
    out[2] = info->fw_major;
    out[3] = info->fw_minor;
    out[4] = info->fw_patch;
    out[5] = info->imu;
    out[6] = info->board;
    out[7] = info->status;
    put_u16(out + 8, info->acc_fs_g);
    put_u16(out + 10, info->gyro_fs_dps);
    put_u16(out + 12, info->rate_hz);
    put_u32(out + 14, info->t_us);
    put_u16(out + 18, info->next_seq);
    return SC_PAYLOAD_LEN;
}

size_t sc_frame_serial(const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
    size_t i;
    uint16_t crc;
    if (len == 0 || len > SC_MAX_PAYLOAD || cap < len + SC_SERIAL_OVERHEAD) {
        return 0;
    }
    out[0] = SC_SYNC0;
    out[1] = SC_SYNC1;
    out[2] = (uint8_t)len;
    for (i = 0; i < len; i++) {
        out[3 + i] = payload[i];
    }
    crc = sc_crc16(out + 2, len + 1);  /* length byte and payload */
    out[3 + len] = (uint8_t)(crc >> 8);
    out[4 + len] = (uint8_t)(crc & 0xFFu);
    return len + SC_SERIAL_OVERHEAD;
}

size_t sc_encode_command(const sc_command_t *cmd, uint8_t out[3])
{
    out[0] = cmd->type;
    if (cmd->type == SC_CMD_SET_RATE) {
        put_u16(out + 1, cmd->rate_hz);
        return 3;
    }
    if (cmd->type == SC_CMD_BUZZ) {
        put_u16(out + 1, cmd->duration_ms);
        return 3;
    }
    return 1;
}

int sc_decode_command(const uint8_t *payload, size_t len, sc_command_t *cmd)
{
    if (len == 0) {
        return 0;
    }
    cmd->type = 0;
    cmd->rate_hz = 0;
    cmd->duration_ms = 0;
    switch (payload[0]) {
    case SC_CMD_START:
    case SC_CMD_STOP:
    case SC_CMD_IDENTIFY:
        if (len != 1) {
            return 0;
        }
        cmd->type = payload[0];
        return 1;
    case SC_CMD_SET_RATE:
        if (len != 3) {
            return 0;
        }
        cmd->rate_hz = (uint16_t)(payload[1] | (uint16_t)(payload[2] << 8));
        if (cmd->rate_hz < SC_RATE_MIN_HZ || cmd->rate_hz > SC_RATE_MAX_HZ) {
            cmd->rate_hz = 0;
            return 0;
        }
        cmd->type = SC_CMD_SET_RATE;
        return 1;
    case SC_CMD_BUZZ:
        if (len != 3) {
            return 0;
        }
        cmd->duration_ms = (uint16_t)(payload[1] | (uint16_t)(payload[2] << 8));
        if (cmd->duration_ms > SC_BUZZ_MAX_MS) {
            cmd->duration_ms = 0;
            return 0;
        }
        cmd->type = SC_CMD_BUZZ;
        return 1;
    default:
        return 0;
    }
}

enum { P_SYNC0 = 0, P_SYNC1, P_LEN, P_BODY };

void sc_parser_init(sc_parser_t *p)
{
    p->state = P_SYNC0;
    p->len = 0;
    p->pos = 0;
    p->bad_crc = 0;
}

int sc_parser_feed(sc_parser_t *p, uint8_t byte, sc_command_t *cmd)
{
    uint16_t crc;
    size_t i;
    switch (p->state) {
    case P_SYNC0:
        if (byte == SC_SYNC0) {
            p->state = P_SYNC1;
        }
        return 0;
    case P_SYNC1:
        if (byte == SC_SYNC1) {
            p->state = P_LEN;
        } else if (byte != SC_SYNC0) {
            p->state = P_SYNC0;
        }
        return 0;
    case P_LEN:
        if (byte == 0 || byte > SC_MAX_PAYLOAD) {
            p->state = (byte == SC_SYNC0) ? P_SYNC1 : P_SYNC0;
            return 0;
        }
        p->len = byte;
        p->pos = 0;
        p->state = P_BODY;
        return 0;
    default:
        p->buf[p->pos++] = byte;
        if (p->pos < (uint8_t)(p->len + 2u)) {
            return 0;
        }
        p->state = P_SYNC0;
        crc = sc_crc16_update(0xFFFFu, p->len);
        for (i = 0; i < p->len; i++) {
            crc = sc_crc16_update(crc, p->buf[i]);
        }
        if (crc != (uint16_t)((p->buf[p->len] << 8) | p->buf[p->len + 1])) {
            p->bad_crc++;
            return 0;
        }
        return sc_decode_command(p->buf, p->len, cmd);
    }
}

static int16_t scale(float v, float lsb_per_unit, uint8_t *flags, uint8_t sat_flag)
{
    float x = v * lsb_per_unit;
    if (x >= 32767.0f) {
        *flags |= sat_flag;
        return 32767;
    }
    if (x <= -32768.0f) {
        *flags |= sat_flag;
        return -32768;
    }
    /* round half away from zero, without libm */
    return (int16_t)(x >= 0.0f ? (int32_t)(x + 0.5f) : -(int32_t)(-x + 0.5f));
}

int16_t sc_acc_from_g(float g, uint8_t *flags)
{
    return scale(g, SC_ACC_LSB_PER_G, flags, SC_FLAG_ACC_SAT);
}

int16_t sc_gyro_from_dps(float dps, uint8_t *flags)
{
    return scale(dps, SC_GYRO_LSB_PER_DPS, flags, SC_FLAG_GYRO_SAT);
}

static uint32_t period_of(uint16_t rate_hz)
{
    return (1000000u + rate_hz / 2u) / rate_hz;
}

void sc_stream_init(sc_stream_t *st, uint16_t rate_hz)
{
    if (rate_hz < SC_RATE_MIN_HZ || rate_hz > SC_RATE_MAX_HZ) {
        rate_hz = 50;
    }
    st->rate_hz = rate_hz;
    st->period_us = period_of(rate_hz);
    st->next_us = 0;
    st->seq = 0;
    st->pending_flags = SC_FLAG_BOOT;
    st->running = 0;
}

void sc_stream_start(sc_stream_t *st, uint32_t now_us)
{
    if (st->running) {
        return;
    }
    st->running = 1;
    st->next_us = now_us;
    st->pending_flags |= SC_FLAG_RESTART;
}

void sc_stream_stop(sc_stream_t *st)
{
    st->running = 0;
}

int sc_stream_set_rate(sc_stream_t *st, uint16_t rate_hz, uint32_t now_us)
{
    if (rate_hz < SC_RATE_MIN_HZ || rate_hz > SC_RATE_MAX_HZ) {
        return -1;
    }
    st->rate_hz = rate_hz;
    st->period_us = period_of(rate_hz);
    if (st->running) {
        st->next_us = now_us;
        st->pending_flags |= SC_FLAG_RESTART;
    }
    return 0;
}

int sc_stream_due(sc_stream_t *st, uint32_t now_us, uint16_t *seq, uint8_t *flags)
{
    uint32_t late, missed;
    if (!st->running) {
        return 0;
    }
    late = now_us - st->next_us;          /* modulo 2^32: micros() wraps */
    if (late >= 0x80000000u) {            /* negative: not due yet */
        return 0;
    }
    missed = late / st->period_us;
    *seq = (uint16_t)(st->seq + (uint16_t)(missed & 0xFFFFu));
    *flags = (uint8_t)(st->pending_flags | (missed ? SC_FLAG_OVERRUN : 0u));
    st->pending_flags = 0;
    st->seq = (uint16_t)(*seq + 1u);
    st->next_us += (missed + 1u) * st->period_us;
    return 1;
}

void sc_buzz_init(sc_buzz_t *b)
{
    b->until_ms = 0;
    b->on = 0;
}

void sc_buzz_start(sc_buzz_t *b, uint16_t duration_ms, uint32_t now_ms)
{
    if (duration_ms > SC_BUZZ_MAX_MS) {
        duration_ms = SC_BUZZ_MAX_MS;
    }
    b->until_ms = now_ms + duration_ms;  /* modulo 2^32: millis() wraps */
    b->on = duration_ms > 0;
}

int sc_buzz_active(sc_buzz_t *b, uint32_t now_ms)
{
    if (b->on && (now_ms - b->until_ms) < 0x80000000u) {  /* reached until_ms */
        b->on = 0;
    }
    return b->on;
}
