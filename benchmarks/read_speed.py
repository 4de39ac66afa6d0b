"""Recording read speed (rows/s) beside numpy.loadtxt, measured in the same run.

Usage: python benchmarks/read_speed.py [--rows N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from sensorcoach import Recording


def best_of(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    n = args.rows
    rng = np.random.default_rng(0)
    t = np.arange(n) / 100.0
    acc = rng.normal(0, 0.05, (n, 3)) + np.array([0.0, 0.0, 1.0])
    gyro = rng.normal(0, 2, (n, 3))
    rec = Recording.from_arrays(t, acc, gyro, sample_rate_hz=100)
    with tempfile.TemporaryDirectory() as d:
        csv = Path(d) / "day.csv"
        gz = Path(d) / "day.csv.gz"
        t0 = time.perf_counter()
        rec.write(csv)
        write_s = time.perf_counter() - t0
        rec.write(gz)
        mb = csv.stat().st_size / 1e6
        ours = best_of(lambda: Recording.read(csv))
        ours_gz = best_of(lambda: Recording.read(gz))
        peer = best_of(lambda: np.loadtxt(csv, delimiter=",", comments="#", skiprows=3), 1)
    print(f"rows: {n:,}  file: {mb:.1f} MB")
    print(f"{'reader':<28}{'seconds':>10}{'rows/s':>14}{'MB/s':>10}")
    for name, s in [("Recording.read .csv", ours), ("Recording.read .csv.gz", ours_gz),
                    ("numpy.loadtxt .csv (peer)", peer)]:
        print(f"{name:<28}{s:>10.3f}{n / s:>14,.0f}{mb / s:>10.1f}")
    print(f"Recording.write .csv: {n / write_s:,.0f} rows/s")
    print(f"speed-up over numpy.loadtxt: {peer / ours:.1f}x")


if __name__ == "__main__":
    main()
