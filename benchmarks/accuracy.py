"""Detection accuracy of ``analyze`` on every labelled fixture: slump precision, recall,
F1, start/end error; slumps inside walking; slump alerts on upright-only days.

Usage: python benchmarks/accuracy.py [FIXTURE_DIR]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from statistics import median

from sensorcoach import Recording
from sensorcoach.analysis import analyze
from sensorcoach.scoring import Score, labelled, labels_path, load_labels, match, overlap

ROOT = Path(__file__).resolve().parents[1]


def fmt_err(errs: list[float]) -> str:
    if not errs:
        return "-"
    return f"{median(abs(e) for e in errs):.1f}/{max(abs(e) for e in errs):.1f}"


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fixtures" / "recordings"
    files = sorted(p for p in folder.glob("*.csv*") if labels_path(p).exists())
    if not files:
        print(f"no labelled fixtures in {folder}")
        return 1
    total = Score()
    walking_slumps = 0
    upright_alerts = 0
    header = (f"{'fixture':<34}{'rate':>6}{'gyro':>5}{'cal':>7}{'lab':>5}{'det':>5}{'tp':>4}"
              f"{'P':>6}{'R':>6}{'F1':>6}{'start err s':>13}{'end err s':>11}{'walk':>5}"
              f"{'secs':>6}")
    print("slump episodes (errors: median/max of |detected - label|)")
    print(header)
    for f in files:
        labels = load_labels(labels_path(f))
        rec = Recording.read(f)
        t0 = time.perf_counter()
        result = analyze(rec)
        secs = time.perf_counter() - t0
        det = [(e.start_s, e.end_s) for e in result.slumps]
        lab = labelled(labels, "slump")
        sc = match(det, lab)
        total.add(sc)
        walks = labelled(labels, "walking")
        in_walk = sum(1 for d in det if any(overlap(d, w) > 0.5 * (d[1] - d[0]) for w in walks))
        walking_slumps += in_walk
        if not lab:
            upright_alerts += sum(1 for a in result.alerts if a.kind == "slump")
        print(f"{f.name:<34}{rec.sample_rate_hz:>6g}{'y' if rec.has_gyro else 'n':>5}"
              f"{result.calibration.method:>7}{len(lab):>5}{len(det):>5}{sc.tp:>4}"
              f"{sc.precision:>6.2f}{sc.recall:>6.2f}{sc.f1:>6.2f}"
              f"{fmt_err(sc.start_errors):>13}{fmt_err(sc.end_errors):>11}{in_walk:>5}"
              f"{secs:>6.2f}")
    print(f"{'ALL':<34}{'':>6}{'':>5}{'':>7}{total.tp + total.fn:>5}{total.tp + total.fp:>5}"
          f"{total.tp:>4}{total.precision:>6.2f}{total.recall:>6.2f}{total.f1:>6.2f}"
          f"{fmt_err(total.start_errors):>13}{fmt_err(total.end_errors):>11}"
          f"{walking_slumps:>5}")
    print(f"slumps inside walking: {walking_slumps}; slump alerts on fixtures without slumps: "
          f"{upright_alerts}")
    print(f"target slump F1 >= 0.95: {'met' if total.f1 >= 0.95 else 'NOT met'} "
          f"(F1 = {total.f1:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
