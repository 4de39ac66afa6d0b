/*
 * Host test driver for protocol.c: reads one request per line on stdin and prints the
 * encoder's answer, for tests/test_fi_firmware_*.py (which feeds it the inputs of
 * test_vectors.json and compares the output with the vectors' bytes).
 *
 *   crc HEX                                   -> crc16 as 4 hex digits
 *   sample SEQ T_US AX AY AZ GX GY GZ FLAGS   -> payload hex, space, serial frame hex
 *   info MAJ MIN PATCH IMU BOARD STATUS ACCFS GYROFS RATE T_US NEXTSEQ -> same
 *   command TYPE ARG                          -> payload hex, space, serial frame hex
 *   decode HEX                                -> "TYPE ARG" or "invalid" (a BLE write)
 *   parse HEX                                 -> "TYPE ARG;" per command found, then
 *                                                "bad_crc N" (serial byte parser)
 *                                                (ARG: rate_hz, or duration_ms of a buzz)
 *   buzz DURATION START T1 T2 ...             -> "1" or "0" per T (buzzer on at T, ms)
 *   scale G DPS                               -> acc int16, gyro int16, flags
 *   stream RATE then "start T", "stop", "rate R T", "due T" lines, "end"
 *                                             -> "SEQ FLAGS" or "-" per due line
 *
 * Build: gcc -std=c99 -Wall -Wextra -Werror -pedantic -I.. ../protocol.c sc_vectors.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

static void print_hex(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}

static size_t parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned int v;
    while (s[0] && s[1] && n < cap && sscanf(s, "%2x", &v) == 1) {
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static unsigned arg_of(const sc_command_t *c)
{
    return (unsigned)(c->type == SC_CMD_BUZZ ? c->duration_ms : c->rate_hz);
}

static void print_payload_and_frame(const uint8_t *payload, size_t n)
{
    uint8_t frame[SC_SERIAL_FRAME_MAX];
    size_t m = sc_frame_serial(payload, n, frame, sizeof frame);
    print_hex(payload, n);
    printf(" ");
    print_hex(frame, m);
    printf("\n");
}

int main(void)
{
    char line[1024];
    char hex[512];
    uint8_t buf[256];
    uint8_t payload[SC_PAYLOAD_LEN];
    sc_stream_t st;
    int in_stream = 0;

    while (fgets(line, sizeof line, stdin)) {
        long v[12];
        unsigned long t;
        char word[16];
        if (sscanf(line, "%15s", word) != 1) {
            continue;
        }
        if (in_stream) {
            uint16_t seq;
            uint8_t flags;
            if (strcmp(word, "end") == 0) {
                in_stream = 0;
                printf("end\n");
            } else if (strcmp(word, "start") == 0 && sscanf(line, "%*s %lu", &t) == 1) {
                sc_stream_start(&st, (uint32_t)t);
            } else if (strcmp(word, "stop") == 0) {
                sc_stream_stop(&st);
            } else if (strcmp(word, "rate") == 0 && sscanf(line, "%*s %ld %lu", &v[0], &t) == 2) {
                printf("rate %d\n", sc_stream_set_rate(&st, (uint16_t)v[0], (uint32_t)t));
            } else if (strcmp(word, "due") == 0 && sscanf(line, "%*s %lu", &t) == 1) {
                if (sc_stream_due(&st, (uint32_t)t, &seq, &flags)) {
                    printf("%u %u\n", (unsigned)seq, (unsigned)flags);
                } else {
                    printf("-\n");
                }
            } else {
                printf("error\n");
            }
        } else if (strcmp(word, "crc") == 0 && sscanf(line, "%*s %511s", hex) == 1) {
            printf("%04x\n", (unsigned)sc_crc16(buf, parse_hex(hex, buf, sizeof buf)));
        } else if (strcmp(word, "sample") == 0 &&
                   sscanf(line, "%*s %ld %lu %ld %ld %ld %ld %ld %ld %ld", &v[0], &t, &v[1],
                          &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 9) {
            sc_sample_t s;
            int i;
            s.seq = (uint16_t)v[0];
            s.t_us = (uint32_t)t;
            for (i = 0; i < 3; i++) {
                s.acc[i] = (int16_t)v[1 + i];
                s.gyro[i] = (int16_t)v[4 + i];
            }
            s.flags = (uint8_t)v[7];
            print_payload_and_frame(payload, sc_encode_sample(&s, payload));
        } else if (strcmp(word, "info") == 0 &&
                   sscanf(line, "%*s %ld %ld %ld %ld %ld %ld %ld %ld %ld %lu %ld", &v[0], &v[1],
                          &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &t, &v[9]) == 11) {
            sc_info_t in;
            in.fw_major = (uint8_t)v[0];
            in.fw_minor = (uint8_t)v[1];
            in.fw_patch = (uint8_t)v[2];
            in.imu = (uint8_t)v[3];
            in.board = (uint8_t)v[4];
            in.status = (uint8_t)v[5];
            in.acc_fs_g = (uint16_t)v[6];
            in.gyro_fs_dps = (uint16_t)v[7];
            in.rate_hz = (uint16_t)v[8];
            in.t_us = (uint32_t)t;
            in.next_seq = (uint16_t)v[9];
            print_payload_and_frame(payload, sc_encode_info(&in, payload));
        } else if (strcmp(word, "command") == 0 &&
                   sscanf(line, "%*s %ld %ld", &v[0], &v[1]) == 2) {
            sc_command_t c;
            c.type = (uint8_t)v[0];
            c.rate_hz = (uint16_t)v[1];
            c.duration_ms = (uint16_t)v[1];
            print_payload_and_frame(buf, sc_encode_command(&c, buf));
        } else if (strcmp(word, "decode") == 0 && sscanf(line, "%*s %511s", hex) == 1) {
            sc_command_t c;
            size_t n = parse_hex(hex, buf, sizeof buf);
            if (sc_decode_command(buf, n, &c)) {
                printf("%u %u\n", (unsigned)c.type, arg_of(&c));
            } else {
                printf("invalid\n");
            }
        } else if (strcmp(word, "parse") == 0 && sscanf(line, "%*s %511s", hex) == 1) {
            sc_parser_t p;
            sc_command_t c;
            size_t i, n = parse_hex(hex, buf, sizeof buf);
            sc_parser_init(&p);
            for (i = 0; i < n; i++) {
                if (sc_parser_feed(&p, buf[i], &c)) {
                    printf("%u %u;", (unsigned)c.type, arg_of(&c));
                }
            }
            printf("bad_crc %lu\n", (unsigned long)p.bad_crc);
        } else if (strcmp(word, "scale") == 0) {
            float g, dps;
            uint8_t flags = 0;
            int16_t a, w;
            if (sscanf(line, "%*s %f %f", &g, &dps) != 2) {
                printf("error\n");
                continue;
            }
            a = sc_acc_from_g(g, &flags);
            w = sc_gyro_from_dps(dps, &flags);
            printf("%d %d %u\n", (int)a, (int)w, (unsigned)flags);
        } else if (strcmp(word, "buzz") == 0 &&
                   sscanf(line, "%*s %ld %lu", &v[0], &t) == 2) {
            sc_buzz_t b;
            const char *p = line;
            int skip = 3, n = 0;
            sc_buzz_init(&b);
            sc_buzz_start(&b, (uint16_t)v[0], (uint32_t)t);
            while (*p && skip > 0) {  /* past "buzz DURATION START" */
                while (*p == ' ') p++;
                while (*p && *p != ' ' && *p != '\n') p++;
                skip--;
            }
            while (sscanf(p, "%lu%n", &t, &n) == 1) {
                printf("%d", sc_buzz_active(&b, (uint32_t)t));
                p += n;
            }
            printf("\n");
        } else if (strcmp(word, "stream") == 0 && sscanf(line, "%*s %ld", &v[0]) == 1) {
            sc_stream_init(&st, (uint16_t)v[0]);
            in_stream = 1;
        } else {
            printf("error\n");
        }
        fflush(stdout);
    }
    return EXIT_SUCCESS;
}
