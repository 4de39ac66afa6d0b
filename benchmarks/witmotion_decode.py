"""WitMotion serial decode throughput: our vectorised decoder beside a plain
``bytes.find`` + ``struct`` decoder, on the same bytes, in the same run.

The peer is what a careful Python programmer writes without numpy: ``bytes.find`` jumps
to the next ``0x55`` header, the checksum is ``sum`` of a 10-byte slice, a good frame
advances 11 bytes (a bad one resyncs one byte later), and ``struct.unpack_from`` reads
the values; a sample is a ``0x51`` frame followed at once by a ``0x52`` frame (as in
ours).  It returns scaled acc/gyro arrays; ours also times every sample by slot, counts
drops and resolves overlapping candidates, so the peer does less work.

Measurement (:func:`_harness.compare`): one warm-up call of each, then ``--rounds``
rounds of both, alternating order; median and best of the rounds, as MB/s of input.

    .venv/bin/python benchmarks/witmotion_decode.py [--mb 4] [--rounds 7] [--rows FILE]
"""

from __future__ import annotations

import argparse
import struct
import tempfile
from pathlib import Path

import numpy as np
from _harness import Row, Stat, child_argv, compare, peak_rss_mib, write_rows
from numpy.typing import NDArray

from firmware_interface.codecs import encode
from firmware_interface.codecs.witmotion import (
    ACC_SCALE_G,
    GYRO_SCALE_DPS,
    WitMotionSerialDecoder,
)

_XYZ = struct.Struct("<hhh")


def find_struct_decode(data: bytes) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Peer: (acc g, gyro deg/s), each (n, 3), of every 0x51 frame followed directly by a
    0x52 frame, both with a good checksum."""
    find = data.find
    unpack = _XYZ.unpack_from
    acc_rows: list[tuple[int, int, int]] = []
    gyr_rows: list[tuple[int, int, int]] = []
    last = len(data) - 11
    acc: tuple[int, int, int] | None = None
    acc_end = -1
    i = find(b"\x55")
    while 0 <= i <= last:
        kind = data[i + 1]
        if kind & 0xF0 == 0x50 and sum(data[i:i + 10]) & 0xFF == data[i + 10]:
            if kind == 0x51:
                acc = unpack(data, i + 2)
                acc_end = i + 11
            elif kind == 0x52 and acc_end == i and acc is not None:
                acc_rows.append(acc)
                gyr_rows.append(unpack(data, i + 2))
            i = find(b"\x55", i + 11)
        else:
            i = find(b"\x55", i + 1)
    a = np.array(acc_rows, dtype=np.float64).reshape(-1, 3) * ACC_SCALE_G
    g = np.array(gyr_rows, dtype=np.float64).reshape(-1, 3) * GYRO_SCALE_DPS
    return a, g


def make_stream(megabytes: float, seed: int = 0, flip_rate: float = 1e-3) -> bytes:
    """WT901-like stream (0x51-0x54 per sample) with ``flip_rate`` of bytes bit-flipped."""
    rng = np.random.default_rng(seed)
    n = int(megabytes * 1e6 / 44)
    acc = rng.normal(0, 0.5, (n, 3))
    gyr = rng.normal(0, 100, (n, 3))
    raw = bytearray(encode.witmotion_serial(acc, gyr, extra_kinds=(0x53, 0x54)))
    flips = rng.integers(0, len(raw), int(len(raw) * flip_rate))
    for i in flips.tolist():
        raw[i] ^= 1 << int(rng.integers(0, 8))
    return bytes(raw)


def decode_ours(data: bytes) -> WitMotionSerialDecoder:
    """The vectorised decoder over the whole buffer (the decoder holds the counters)."""
    dec = WitMotionSerialDecoder(100.0)
    dec.feed(data)
    dec.finish()
    return dec


def _child(side: str, path: str) -> None:
    data = Path(path).read_bytes()
    if side == "ours":
        decode_ours(data)
    else:
        find_struct_decode(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=4.0, help="stream size in MB (default 4)")
    ap.add_argument("--rounds", type=int, default=7, help="timed rounds of both (default 7)")
    ap.add_argument("--rows", help="append the table rows (JSON lines) to this file")
    ap.add_argument("--child", nargs=2, metavar=("SIDE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    data = make_stream(args.mb)
    mb = len(data) / 1e6
    res = compare({"ours": lambda: decode_ours(data), "peer": lambda: find_struct_decode(data)},
                  rounds=args.rounds, warmup=1)
    dec = decode_ours(data)
    acc, _ = find_struct_decode(data)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "stream.bin"
        path.write_bytes(data)
        rss = {s: peak_rss_mib(child_argv(__file__, s, str(path))) for s in ("ours", "peer")}
    ours, peer = res["ours"], res["peer"]
    print(f"WitMotion serial decode of the same {mb:.1f} MB (0.1% of bytes bit-flipped), "
          f"median (best) of {args.rounds} rounds:")
    print(f"  ours, vectorised decoder : {mb / ours.median:7.1f} MB/s ({mb / ours.best:.1f}); "
          f"{dec.stats.samples_ok} samples; {dec.stats.summary()}")
    print(f"  peer, bytes.find + struct: {mb / peer.median:7.1f} MB/s ({mb / peer.best:.1f}); "
          f"{acc.shape[0]} samples")
    print(f"  speed-up (median): {peer.median / ours.median:.1f}x; peak RSS ours "
          f"{rss['ours']:.0f} MiB, peer {rss['peer']:.0f} MiB")
    write_rows(args.rows, [Row(
        work=f"WitMotion serial decode, {mb:.1f} MB",
        ours_name=f"WitMotionSerialDecoder.feed ({mb / ours.median:.0f} MB/s median)",
        ours=ours, peer_name=f"bytes.find + struct.unpack_from loop "
        f"({mb / peer.median:.1f} MB/s median; no time stamps or counters)",
        peer=peer, ours_rss_mib=rss["ours"], peer_rss_mib=rss["peer"],
        note="same bytes, 0.1% bit flips")])


if __name__ == "__main__":
    main()

__all__ = ["Stat", "decode_ours", "find_struct_decode", "make_stream"]
