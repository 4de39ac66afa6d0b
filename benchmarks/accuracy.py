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
    desk = Score()
    walking_slumps = 0
    upright_alerts = 0
    onset_errors: list[float] = []
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
        if f.name.startswith("desk"):
            desk.add(sc)
        walks = labelled(labels, "walking")
        in_walk = sum(1 for d in det if any(overlap(d, w) > 0.5 * (d[1] - d[0]) for w in walks))
        walking_slumps += in_walk
        onset = match([(e.onset_s, e.end_s) for e in result.slumps], lab)
        onset_errors += onset.start_errors
        if f.name.startswith("desk_upright"):
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
    print(f"slumps inside walking: {walking_slumps}; slump alerts on the upright-only day with "
          f"fidgets (desk_upright): {upright_alerts}")
    print(f"start error is from the threshold crossing (when the alert clock starts); measured "
          f"from the episode's onset_s (where the lean began) it is {fmt_err(onset_errors)} s "
          "(labels start where a gradual 5-60 s lean begins)")
    print(f"desk fixtures: slump P {desk.precision:.3f}, R {desk.recall:.3f}, F1 {desk.f1:.3f}; "
          f"target F1 >= 0.95 over the desk fixtures: {'met' if desk.f1 >= 0.95 else 'NOT met'}")
    print("(the ALL row adds the workout, rest and daily-living fixtures, where any detection "
          "is a false alarm: kneeling, floor sitting, standing at a counter)")
    print()
    holds_table(files)
    return 0


HOLD_KINDS = ("plank", "side_plank_left", "side_plank_right")


def truth_holds(labels: dict[str, object]) -> list[tuple[str, float, float, dict[str, object]]]:
    """Labelled holds timed from when the position is reached (``steady_start_s``): the
    label includes the entry movement, a hold timer does not."""
    out = []
    for seg in labels["segments"]:  # type: ignore[attr-defined]
        if seg["kind"] in HOLD_KINDS:
            out.append((seg["kind"], float(seg.get("steady_start_s", seg["start_s"])),
                        float(seg["end_s"]), seg))
    return out


def holds_table(files: list[Path]) -> None:
    from scipy.stats import spearmanr

    total = Score()
    dur_err: list[float] = []
    pairs: list[tuple[float, float]] = []
    imb_err: list[float] = []
    false_on_rest = 0
    print("holds (a detection matches a label of the same kind; errors median/max, s)")
    print(f"{'fixture':<34}{'rate':>6}{'lab':>5}{'det':>5}{'tp':>4}{'P':>6}{'R':>6}{'F1':>6}"
          f"{'start err':>11}{'end err':>9}{'dur err':>9}{'imb true':>9}{'imb det':>8}")
    for f in files:
        labels = load_labels(labels_path(f))
        truth = truth_holds(labels)
        rec = Recording.read(f)
        result = analyze(rec)
        sc = Score()
        for kind in HOLD_KINDS:
            det_k = [h for h in result.holds if h.kind == kind]
            lab_k = [x for x in truth if x[0] == kind]
            m = match([(h.start_s, h.end_s) for h in det_k], [(x[1], x[2]) for x in lab_k])
            sc.add(m)
            for h in det_k:
                for x in lab_k:
                    if overlap((h.start_s, h.end_s), (x[1], x[2])) > 0.5 * (x[2] - x[1]):
                        dur_err.append(h.duration_s - (x[2] - x[1]))
                        inst = x[3].get("instability")
                        if isinstance(inst, (int, float)):
                            pairs.append((float(inst), float(h.stability["score"])))
        total.add(sc)
        if not truth:
            false_on_rest += len(result.holds)
        left = sum(x[2] - x[1] for x in truth if x[0] == "side_plank_left")
        right = sum(x[2] - x[1] for x in truth if x[0] == "side_plank_right")
        imb_true = abs(left - right) / max(left, right) * 100 if left and right else None
        imb_det = result.to_dict()["symmetry"]["imbalance_pct"]
        if imb_true is not None and imb_det is not None:
            imb_err.append(abs(imb_det - imb_true))
        if not truth and not result.holds:
            continue
        print(f"{f.name:<34}{rec.sample_rate_hz:>6g}{len(truth):>5}{len(result.holds):>5}"
              f"{sc.tp:>4}{sc.precision:>6.2f}{sc.recall:>6.2f}{sc.f1:>6.2f}"
              f"{fmt_err(sc.start_errors):>11}{fmt_err(sc.end_errors):>9}"
              f"{'':>9}{'-' if imb_true is None else f'{imb_true:.1f}':>9}"
              f"{'-' if imb_det is None else f'{imb_det:.1f}':>8}")
    print(f"{'ALL':<34}{'':>6}{total.tp + total.fn:>5}{total.tp + total.fp:>5}{total.tp:>4}"
          f"{total.precision:>6.2f}{total.recall:>6.2f}{total.f1:>6.2f}"
          f"{fmt_err(total.start_errors):>11}{fmt_err(total.end_errors):>9}"
          f"{fmt_err(dur_err):>9}")
    rho = (spearmanr([-p[0] for p in pairs], [p[1] for p in pairs]).statistic if pairs
           else float("nan"))
    med_dur = median(abs(e) for e in dur_err) if dur_err else float("nan")
    print(f"holds on fixtures without holds (desk days, rest): {false_on_rest}")
    print(f"median |duration error|: {med_dur:.2f} s (target <= 1 s)")
    print(f"Spearman rank correlation, score vs simulated instability (lower is steadier): "
          f"{rho:.3f} over {len(pairs)} holds (target >= 0.9)")
    if imb_err:
        print(f"imbalance error: median {median(imb_err):.1f}, max {max(imb_err):.1f} "
              "percentage points (target within 5)")
    print(f"target hold F1 >= 0.95: {'met' if total.f1 >= 0.95 else 'NOT met'} "
          f"(F1 = {total.f1:.3f})")


if __name__ == "__main__":
    raise SystemExit(main())
