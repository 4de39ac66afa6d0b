"""WitMotion serial decode throughput: vectorised decoder vs a byte-by-byte resync loop.

The byte loop follows the shape of the vendor's Python resolver (one byte appended to a
buffer at a time, header check, checksum at 11 bytes, shift by one on failure).  Both
decode the same bytes in the same run; the figures are MB/s of input.

Measurement: one warm-up run of each, then ``--rounds`` rounds that each time both
decoders back to back (so a change of machine load hits both alike); the figures are
the best of the rounds, and the spread of the per-round ratios is printed too.

    .venv/bin/python benchmarks/witmotion_decode.py [--mb 4] [--rounds 5]
"""

from __future__ import annotations

import argparse
import struct
import time
from collections.abc import Callable

import numpy as np

from firmware_interface.codecs import encode
from firmware_interface.codecs.witmotion import WitMotionSerialDecoder


def byte_loop_decode(data: bytes) -> list[tuple[float, ...]]:
    """Reference: byte-at-a-time resync decoder (acc + following gyro frame)."""
    buf: list[int] = []
    out: list[tuple[float, ...]] = []
    acc: tuple[float, ...] | None = None
    for byte in data:
        buf.append(byte)
        if buf[0] != 0x55:
            del buf[0]
            continue
        if len(buf) >= 2 and not 0x50 <= buf[1] <= 0x5F:
            del buf[0]
            continue
        if len(buf) < 11:
            continue
        if sum(buf[:10]) & 0xFF != buf[10]:
            del buf[0]
            continue
        v = struct.unpack("<hhhh", bytes(buf[2:10]))
        if buf[1] == 0x51:
            acc = (v[0] / 32768 * 16, v[1] / 32768 * 16, v[2] / 32768 * 16)
        elif buf[1] == 0x52 and acc is not None:
            out.append((*acc, v[0] / 32768 * 2000, v[1] / 32768 * 2000, v[2] / 32768 * 2000))
            acc = None
        else:
            acc = None
        del buf[:11]
    return out


def make_stream(megabytes: float, seed: int = 0) -> bytes:
    """WT901-like stream (0x51-0x54 per sample) with 0.1% bit flips and noise bursts."""
    rng = np.random.default_rng(seed)
    n = int(megabytes * 1e6 / 44)
    acc = rng.normal(0, 0.5, (n, 3))
    gyr = rng.normal(0, 100, (n, 3))
    raw = bytearray(encode.witmotion_serial(acc, gyr, extra_kinds=(0x53, 0x54)))
    flips = rng.integers(0, len(raw), len(raw) // 1000)
    for i in flips.tolist():
        raw[i] ^= 1 << int(rng.integers(0, 8))
    return bytes(raw)


def decode_fast(data: bytes) -> WitMotionSerialDecoder:
    """The vectorised decoder over the whole buffer (the decoder holds the counters)."""
    dec = WitMotionSerialDecoder(100.0)
    dec.feed(data)
    dec.finish()
    return dec


def timed(fn: Callable[[bytes], object], data: bytes, repeat: int = 1) -> float:
    """Best wall time (s) of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(data)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=4.0, help="stream size in MB (default 4)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="timed rounds of both decoders (default 5)")
    args = ap.parse_args()
    data = make_stream(args.mb)

    dec = decode_fast(data)  # warm-up, and the counters printed below
    ref = byte_loop_decode(data[: len(data) // 10])  # warm-up
    fast_s: list[float] = []
    loop_s: list[float] = []
    for _ in range(args.rounds):
        fast_s.append(timed(decode_fast, data, repeat=3))
        t0 = time.perf_counter()
        ref = byte_loop_decode(data)
        loop_s.append(time.perf_counter() - t0)
    mb = len(data) / 1e6
    fast, slow = mb / min(fast_s), mb / min(loop_s)
    ratios = sorted(ls / fs for fs, ls in zip(fast_s, loop_s, strict=True))
    print(f"input: {mb:.1f} MB (0.1% bit flips), same bytes for both, best of "
          f"{args.rounds} rounds")
    print(f"vectorised decoder : {fast:8.1f} MB/s  ({dec.stats.samples_ok} samples; "
          f"{dec.stats.summary()})")
    print(f"byte-by-byte loop  : {slow:8.2f} MB/s  ({len(ref)} samples)")
    print(f"speed-up           : {fast / slow:8.1f} x  (per round: {ratios[0]:.1f}-"
          f"{ratios[-1]:.1f} x)")


if __name__ == "__main__":
    main()
