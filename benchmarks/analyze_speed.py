"""Speed and peak memory of the whole analysis of an 8-hour day at 100 Hz (2.88 M samples)
beside the orientation filters a user would run instead, on the same arrays, in the same
run.

What is compared: ``analyze`` is the whole analysis (0.1 s frames: gyro check, gravity,
angles, activity, slumps, holds, alerts); the peers estimate orientation only, per
sample: ``vqf``'s C++ batch filter (``VQF.updateBatch``) and imufusion's AHRS (the C
Fusion library, called once per sample from Python as its examples do, quaternion kept
per sample).  Unit conversion for the peers is done before timing.

The day is longer than a recording may be (``firmware_interface.limits.MAX_ROWS``, 1.5 M
samples); the benchmark raises that limit for itself, as a program embedding sensorcoach
may.

Measurement (:func:`_harness.compare`): one warm-up call of each, then ``--rounds`` rounds
of all in alternating order; median and best.  Peak memory: one child process per work
item that loads its saved input (a :class:`Recording` for ours, converted (N, 3) arrays
for the peers) and does the work once; "input only" is our child without the work.

"analyze, 60 s pushes" is ``analyze`` with its one ``StreamAnalyzer.push`` of the whole
recording split into 60 s pushes (the analyser gives the same events for any blocks):
what a chunked ``analyze`` would cost, shown beside today's.

Usage: python benchmarks/analyze_speed.py [--hours 8] [--rounds 3] [--rows FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from _harness import Row, child_argv, compare, peak_rss_mib, write_rows
from numpy.typing import NDArray

from firmware_interface import limits
from sensorcoach import Recording, analysis
from sensorcoach.analysis import analyze
from sensorcoach.core.analyzer import Event, StreamAnalyzer

G = 9.80665
#: Samples a benchmark recording may hold (an 8-hour day at 100 Hz, with room).
BENCH_MAX_ROWS = 3_000_000


def allow_long_days() -> None:
    """Raise the recording sample limit for this process (see module docstring)."""
    limits.MAX_ROWS = max(limits.MAX_ROWS, BENCH_MAX_ROWS)


def day(hours: float, rate: float) -> Recording:
    """A long day: simulated 30-minute desk sessions (different seeds) laid end to end."""
    from sensorcoach.simulate import SimConfig, simulate

    allow_long_days()
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


class BlockFedAnalyzer(StreamAnalyzer):
    """The stream analyser with every push split into ``BLOCK_S`` pushes."""

    BLOCK_S = 60.0

    def push(self, t: NDArray[np.float64], acc: NDArray[np.float64],
             gyro: NDArray[np.float64] | None = None) -> list[Event]:
        step = max(1, round(self.BLOCK_S * self.sample_rate_hz))
        events: list[Event] = []
        for lo in range(0, t.size, step):
            hi = lo + step
            events += super().push(t[lo:hi], acc[:, lo:hi],
                                   None if gyro is None else gyro[:, lo:hi])
        return events


def analyze_in_blocks(rec: Recording) -> analysis.Analysis:
    """``analyze`` itself, with its analyser fed 60 s at a time."""
    names = vars(analysis)  # analyze looks StreamAnalyzer up here at call time
    orig = names["StreamAnalyzer"]
    names["StreamAnalyzer"] = BlockFedAnalyzer
    try:
        return analyze(rec)
    finally:
        names["StreamAnalyzer"] = orig


def save(rec: Recording, d: Path) -> None:
    """Each side's input, for the child processes: the recording's arrays and header for
    ours, converted (N, 3) arrays for the peers."""
    np.save(d / "t.npy", rec.t)
    np.save(d / "acc.npy", rec.acc_axes)
    assert rec.gyro_axes is not None
    np.save(d / "gyro.npy", rec.gyro_axes)
    (d / "head.json").write_text(json.dumps({
        "rate": rec.sample_rate_hz, "up": rec.calibration_upright_s,
        "fw": rec.calibration_forward_s, "meta": dict(rec.meta)}))
    gyr, acc = peer_arrays(rec)
    np.save(d / "imufusion_gyr.npy", gyr)
    np.save(d / "imufusion_acc.npy", acc)
    np.save(d / "vqf_gyr.npy", np.radians(gyr))
    np.save(d / "vqf_acc.npy", acc * G)


def load(d: Path) -> Recording:
    allow_long_days()
    h = json.loads((d / "head.json").read_text())
    return Recording.from_arrays(np.load(d / "t.npy"), np.load(d / "acc.npy"),
                                 np.load(d / "gyro.npy"), sample_rate_hz=h["rate"],
                                 calibration_upright_s=h["up"], calibration_forward_s=h["fw"],
                                 meta=h["meta"])


def peer_arrays(rec: Recording) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(gyro, acc) as (N, 3) C-contiguous arrays in deg/s and g."""
    assert rec.gyro_axes is not None
    return np.ascontiguousarray(rec.gyro_axes.T), np.ascontiguousarray(rec.acc_axes.T)


def run_vqf(gyr_rad: NDArray[np.float64], acc_ms2: NDArray[np.float64], rate: float) -> Any:
    from vqf import VQF

    return VQF(1.0 / rate).updateBatch(gyr_rad, acc_ms2)


def run_imufusion(gyr_dps: NDArray[np.float64], acc_g: NDArray[np.float64], rate: float
                  ) -> NDArray[np.float64]:
    import imufusion

    ahrs = imufusion.Ahrs()
    ahrs.set_sample_period(1.0 / rate)
    update, quat = ahrs.update_no_magnetometer, ahrs.get_quaternion
    out = np.empty((gyr_dps.shape[0], 4))
    for i in range(gyr_dps.shape[0]):
        update(gyr_dps[i], acc_g[i])
        out[i] = quat()
    return out


def _child(side: str, d_s: str) -> None:
    d = Path(d_s)
    if side in ("vqf", "imufusion"):
        rate = json.loads((d / "head.json").read_text())["rate"]
        run = run_vqf if side == "vqf" else run_imufusion
        run(np.load(d / f"{side}_gyr.npy"), np.load(d / f"{side}_acc.npy"), rate)
        return
    rec = load(d)
    if side == "ours":
        analyze(rec)
    elif side == "accel":
        analyze(rec, orientation="accel")
    elif side == "blocks":
        analyze_in_blocks(rec)
    # side == "input": the input alone


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rows", help="append the table rows (JSON lines) to this file")
    ap.add_argument("--child", nargs=2, metavar=("SIDE", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    rate = 100.0
    rec = day(args.hours, rate)
    n = rec.n_samples
    gyr, acc = peer_arrays(rec)
    gyr_rad, acc_ms2 = np.radians(gyr), acc * G
    res = compare({
        "ours": lambda: analyze(rec),
        "blocks": lambda: analyze_in_blocks(rec),
        "accel": lambda: analyze(rec, orientation="accel"),
        "vqf": lambda: run_vqf(gyr_rad, acc_ms2, rate),
        "imufusion": lambda: run_imufusion(gyr, acc, rate),
    }, rounds=args.rounds, warmup=1)
    with tempfile.TemporaryDirectory() as tmp:
        save(rec, Path(tmp))
        rss = {k: peak_rss_mib(child_argv(__file__, k, tmp))
               for k in ("input", "ours", "blocks", "accel", "vqf", "imufusion")}
    same = analyze(rec).to_dict() == analyze_in_blocks(rec).to_dict()
    print(f"analysis JSON fed in 60 s pushes identical to one push: {same}")
    print(f"{args.hours:g} h at {rate:g} Hz = {n:,} samples with gyro; median (best) of "
          f"{args.rounds} rounds; peak RSS of a child doing it once (input alone: "
          f"{rss['input']:.0f} MiB)")
    names = {"ours": "sensorcoach analyze (whole analysis, gyro checked, 0.1 s frames)",
             "blocks": "sensorcoach analyze, 60 s pushes (what a chunked analyze costs)",
             "accel": "sensorcoach analyze, orientation='accel' (whole analysis)",
             "vqf": "VQF.updateBatch (orientation only, per sample, C++)",
             "imufusion": "imufusion Ahrs per sample (orientation only, C via Python loop)"}
    for k, s in res.items():
        print(f"  {names[k]:<66} {s.median:6.2f} s ({s.best:.2f})  {n / s.median / 1e6:5.2f} "
              f"M samples/s  {rss[k]:4.0f} MiB")
    rows = []
    for ours, peer in (("ours", "vqf"), ("ours", "imufusion"), ("accel", "vqf")):
        rows.append(Row(
            work=f"analyze {args.hours:g} h at 100 Hz vs {peer}"
            + (" (accel only)" if ours == "accel" else ""),
            ours_name=names[ours], ours=res[ours], peer_name=names[peer], peer=res[peer],
            ours_rss_mib=rss[ours], peer_rss_mib=rss[peer],
            note=f"same {n / 1e6:.2f} M samples; our input alone {rss['input']:.0f} MiB RSS"
            + (f"; fed in 60 s pushes: {rss['blocks']:.0f} MiB, {res['blocks'].median:.2f} s, "
               f"{'same' if same else 'DIFFERENT'} analysis JSON" if ours == "ours" else "")))
    write_rows(args.rows, rows)


if __name__ == "__main__":
    main()
