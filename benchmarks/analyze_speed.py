"""Speed of the whole desk analysis on an 8-hour day at 100 Hz (2.88 M samples), beside
the ``vqf`` package's C++ batch orientation filter (``VQF.updateBatch``) on the same arrays,
in the same run; peak memory of our analysis; and ``sensorcoach analyze`` end to end
(process start included) on a 1-hour 50 Hz CSV.

Usage: python benchmarks/analyze_speed.py [--hours 8]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from sensorcoach import Recording
from sensorcoach.analysis import analyze
from sensorcoach.simulate import SimConfig, simulate

G = 9.80665


def day(hours: float, rate: float) -> Recording:
    """A long day: simulated 30-minute desk sessions (different seeds) laid end to end."""
    parts = []
    n_parts = max(1, round(hours * 2))
    offset = 0.0
    first = None
    for i in range(n_parts):
        rec = simulate("desk", seed=100 + i,
                       config=SimConfig(sample_rate_hz=rate, mounting="nominal")).recording
        if first is None:
            first = rec
        parts.append((rec.t + offset, rec.acc_axes, rec.gyro_axes))
        offset += rec.t[-1] + 1.0 / rate
    assert first is not None
    t = np.concatenate([p[0] for p in parts])
    acc = np.concatenate([p[1] for p in parts], axis=1)
    gyro = np.concatenate([p[2] for p in parts if p[2] is not None], axis=1)
    return Recording.from_arrays(t, acc, gyro, sample_rate_hz=rate,
                                 calibration_upright_s=first.calibration_upright_s,
                                 calibration_forward_s=first.calibration_forward_s,
                                 meta={"placement": "upper_back"})


def best(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=8.0)
    args = ap.parse_args()
    rate = 100.0
    rec = day(args.hours, rate)
    n = rec.n_samples
    print(f"day: {args.hours:g} h at {rate:g} Hz = {n:,} samples (gyro)")

    from vqf import VQF

    gyr = np.ascontiguousarray(np.radians(rec.gyro_axes.T))  # type: ignore[union-attr]
    acc = np.ascontiguousarray(rec.acc_axes.T * G)
    vqf_s = best(lambda: VQF(1.0 / rate).updateBatch(gyr, acc), 2)
    ours_gyro = best(lambda: analyze(rec, orientation="gyro"))
    ours_acc = best(lambda: analyze(rec, orientation="accel"))
    print(f"{'what':<46}{'seconds':>9}{'Msamples/s':>12}{'vs VQF':>8}")
    for name, s in [("VQF.updateBatch (orientation only, C++) [peer]", vqf_s),
                    ("sensorcoach analyze, gyro-aided (whole analysis)", ours_gyro),
                    ("sensorcoach analyze, accelerometer only", ours_acc)]:
        print(f"{name:<46}{s:>9.3f}{n / s / 1e6:>12.2f}{s / vqf_s:>8.2f}")
    tracemalloc.start()
    analyze(rec)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of analyze on the day (tracemalloc, input arrays excluded): "
          f"{peak / 2**20:.0f} MiB")

    hour = day(1.0, 50.0)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "hour.csv"
        hour.write(path)
        exe = Path(sys.executable).with_name("sensorcoach")
        cmd = [str(exe), "analyze", str(path), "--json"]
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            runs.append(time.perf_counter() - t0)
        print(f"`sensorcoach analyze --json` on a 1-hour 50 Hz CSV ({hour.n_samples:,} rows, "
              f"{path.stat().st_size / 1e6:.0f} MB), process start included: "
              f"{min(runs):.2f} s (best of 3)")


if __name__ == "__main__":
    main()
