"""Where the memory of the 8-hour 100 Hz analysis goes: the peak of Python-visible
allocations (``tracemalloc``, numpy arrays included) inside each stage, above what was
allocated when the stage began, and what the stage left allocated.

Stages are wrapped in place (nested stages count inside their callers); the input
arrays are loaded before tracing starts, so figures are what the stages add.  "Left at
return" is what a stage's calls left allocated (their results included), summed over
its calls.  Run with
``--blocks`` to see ``analyze`` with its analyser fed 60 s at a time.

Usage: python benchmarks/analyze_memory.py [--hours 8] [--blocks]
"""

from __future__ import annotations

import argparse
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import analyze_speed
from analyze_speed import analyze_in_blocks, day, load, save

from sensorcoach import analysis, recording
from sensorcoach.core import analyzer, framing, gyro_check, motion, orientation

MiB = 2**20


class StageMemory:
    """Per-stage (peak above entry, left at return) in bytes, nesting-aware."""

    def __init__(self) -> None:
        self.stack: list[int] = []
        self.seen: dict[str, tuple[int, int]] = {}

    def wrap(self, owner: Any, name: str) -> None:
        fn: Callable[..., Any] = getattr(owner, name)
        label = f"{getattr(owner, '__name__', owner)}.{name}"

        def wrapped(*a: Any, **k: Any) -> Any:
            cur, peak = tracemalloc.get_traced_memory()
            if self.stack:
                self.stack[-1] = max(self.stack[-1], peak)
            tracemalloc.reset_peak()
            self.stack.append(cur)
            try:
                return fn(*a, **k)
            finally:
                end, peak2 = tracemalloc.get_traced_memory()
                top = max(self.stack.pop(), peak2)
                old = self.seen.get(label, (0, 0))
                self.seen[label] = (max(old[0], top - cur), old[1] + end - cur)
                if self.stack:
                    self.stack[-1] = max(self.stack[-1], top)
                tracemalloc.reset_peak()

        setattr(owner, name, wrapped)


STAGES: list[tuple[Any, str]] = [
    (analysis, "calibrate"),
    (analyzer.StreamAnalyzer, "push"),
    (analyzer.StreamAnalyzer, "finish"),
    (analyzer.StreamAnalyzer, "series"),
    (analyzer.StreamAnalyzer, "_gravity"),
    (analyzer.StreamAnalyzer, "_settled"),
    (framing.Framer, "push"),
    (framing.Framer, "flush"),
    (framing, "make_frames"),
    (framing, "frame_ids"),
    (motion.MotionAnalyser, "__call__"),
    (orientation.AccelGravity, "__call__"),
    (orientation.GyroGravity, "__call__"),
    (gyro_check.GyroCheck, "push"),
    (recording.Recording, "gaps"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--blocks", action="store_true", help="feed the analyser 60 s at a time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        save(day(args.hours, 100.0), Path(tmp))
        rec = load(Path(tmp))
    mem = StageMemory()
    for owner, name in STAGES:
        mem.wrap(owner, name)
    # analyze looks these up in its module at call time: point them at the wrapped ones
    vars(analysis)["make_frames"] = framing.make_frames
    vars(analyzer)["gaps_before"] = framing.gaps_before
    tracemalloc.start()
    mem.wrap(analysis, "analyze")
    vars(analyze_speed)["analyze"] = analysis.analyze
    res = analyze_in_blocks(rec) if args.blocks else analysis.analyze(rec)
    tracemalloc.stop()
    input_mib = (rec.t.nbytes + rec.acc_axes.nbytes
                 + (0 if rec.gyro_axes is None else rec.gyro_axes.nbytes)) / MiB
    print(f"{args.hours:g} h at 100 Hz, {rec.n_samples:,} samples (input arrays {input_mib:.0f} "
          f"MiB, not counted below), {res.series.size:,} frames; "
          f"{'60 s pushes' if args.blocks else 'one push (analyze today)'}")
    print(f"{'stage':<40}{'peak above entry':>18}{'left at return':>16}  MiB")
    for label, (peak, kept) in sorted(mem.seen.items(), key=lambda kv: -kv[1][0]):
        print(f"{label:<40}{peak / MiB:>18.1f}{kept / MiB:>16.1f}")


if __name__ == "__main__":
    main()
