"""Detection accuracy of ``analyze`` on every labelled fixture (SPEC section 3 scoring).

Every ``*.csv``/``*.csv.gz`` with a ``.labels.json`` sidecar under the fixture folder is
scored (found by glob, none chosen by hand). A detection matches a label only at an
intersection over union >= 0.5, one to one (:mod:`sensorcoach.scoring`). Printed:
slump and hold precision/recall/F1 over all fixtures and per fixture, fragments, F1 per
fixture category, median hold duration error, stability score vs simulated instability
(Spearman), holds on fixtures without holds; with ``--sweep``, F1 when each hold and
slump setting moves by -30 %..+30 %.

Usage: python benchmarks/accuracy.py [FIXTURE_DIR] [--sweep]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from sensorcoach import Recording
from sensorcoach.analysis import Analysis, analyze
from sensorcoach.core import catalogue
from sensorcoach.core.settings import Settings
from sensorcoach.errors import SensorcoachError
from sensorcoach.scoring import (
    Score,
    labels_path,
    load_labels,
    match,
    match_kinds,
    overlap,
    spearman,
)

ROOT = Path(__file__).resolve().parents[1]
#: Label kinds scored here as holds: the timed rows of the exercise catalogue (holds and
#: stretches) when held (a label with ``mode`` ``reps`` is a rep set, scored in the
#: routine section). Routine kinds no catalogue row has yet are listed as not
#: recognised; any other label kind (upright, walking, running, bending, sitting,
#: standing, rest, lying...) is context.
HOLD_KINDS = tuple(e.name for e in (*catalogue.holds(), *catalogue.stretches()))
REP_KINDS = tuple(e.name for e in catalogue.reps())
ROUTINE_KINDS = tuple(k for k in (
    "glute_bridge", "single_leg_bridge_left", "single_leg_bridge_right", "bird_dog_left",
    "bird_dog_right", "stretch_hamstring", "child_pose", "knee_to_belly_left",
    "knee_to_belly_right", "cross_left", "cross_right", "deadlift",
    "single_leg_deadlift_left", "single_leg_deadlift_right", "cat_cow")
    if k not in HOLD_KINDS and k not in REP_KINDS)


def min_hold_s(kind: str, settings: Settings) -> float:
    """Shortest hold of ``kind`` that is reported (its row's ``min_s`` or hold_min_s)."""
    row = catalogue.by_name(kind)
    return row.min_s if row is not None and row.min_s is not None else settings.hold_min_s
UNNAMED_SIDES = {"side_plank_a", "side_plank_b"}
SWEEP_PREFIXES = ("hold_", "slump_", "bird_dog_", "stretch_")
SWEEP_FACTORS = (-0.30, -0.15, 0.15, 0.30)
SWEEP_FLAG_F1 = 0.05
MAX_ERROR_LINES = 40


@dataclass
class Fixture:
    path: Path
    labels: dict[str, Any]
    recording: Recording

    @property
    def name(self) -> str:
        return self.path.name.split(".")[0]

    @property
    def simulated(self) -> bool:
        return "scenario" in self.labels

    @property
    def category(self) -> str:
        """The labels' ``category``, else the simulated scenario (with its population
        when not the typical one), else ``real`` or the file name's first word."""
        if self.labels.get("category"):
            return str(self.labels["category"])
        if self.labels.get("scenario"):
            pop = self.labels.get("population")
            scenario = str(self.labels["scenario"])
            return scenario + (f"-{pop}" if pop and pop != "typical" and pop not in scenario
                               else "")
        return "real" if "real" in self.path.parts else self.name.split("_")[0]

    def segments(self, kinds: Sequence[str]) -> list[tuple[str, float, float]]:
        """Labelled spans of ``kinds``: slumps from where the lean begins, holds from when
        the position is reached (``steady_start_s``: a hold timer starts there)."""
        return [(s["kind"], _label_start(s), float(s["end_s"]))
                for s in self.labels.get("segments", [])
                if s["kind"] in kinds and not (s.get("mode") == "reps" and s["kind"] != "slump")]

    def rest_postures(self) -> list[tuple[str, float, float]]:
        """Rests labelled with their posture (``rest`` in ``child_pose``, say)."""
        return [(str(s["posture"]), _label_start(s), float(s["end_s"]))
                for s in self.labels.get("segments", [])
                if s["kind"] == "rest" and s.get("posture")]


def _label_start(seg: dict[str, Any]) -> float:
    key = "steady_start_s" if seg["kind"] in HOLD_KINDS and "steady_start_s" in seg else "start_s"
    return float(seg[key])


@dataclass
class Outcome:
    """Scores of one fixture under one set of settings."""

    slumps: Score
    holds: Score
    n_holds: int
    """Holds found, less those over a too-short label or a rest in that stretch's posture."""
    pairs: list[tuple[float, float, float]] = field(default_factory=list)
    """(simulated instability, score, mean acceleration in mg) of matched holds."""
    note: str = ""
    in_walking: int = 0
    errors: list[str] = field(default_factory=list)
    """False and missed holds, each with what the labels say was happening."""
    onset: Score = field(default_factory=Score)
    """Slumps matched with the episode's ``onset_s`` (where the lean began) as start."""
    imbalance_error: float | None = None


def hold_spans(result: Analysis, labels: list[tuple[str, float, float]]
               ) -> tuple[list[tuple[str, float, float]], str]:
    """Detected holds as (kind, start, end); unnamed sides (``side_plank_a``/``b``, no
    forward direction) are given the left/right naming that fits the labels best, and
    the note says so."""
    det = [(h.kind, h.start_s, h.end_s) for h in result.holds]
    if not any(k in UNNAMED_SIDES for k, _, _ in det):
        return det, ""
    best: tuple[int, list[tuple[str, float, float]], str] | None = None
    for a, b in (("left", "right"), ("right", "left")):
        names = {"side_plank_a": f"side_plank_{a}", "side_plank_b": f"side_plank_{b}"}
        cand = [(names.get(k, k), s, e) for k, s, e in det]
        tp = match_kinds(cand, labels, HOLD_KINDS).tp
        if best is None or tp > best[0]:
            best = (tp, cand, f"a={a}")
    assert best is not None
    return best[1], f"sides unnamed, scored as {best[2]}"


def evaluate(fx: Fixture, settings: Settings) -> tuple[Outcome, Analysis]:
    result = analyze(fx.recording, settings)
    slump_lab = [(s, e) for _, s, e in fx.segments(("slump",))]
    slumps = match([(e.start_s, e.end_s) for e in result.slumps], slump_lab)
    onset = match([(e.onset_s, e.end_s) for e in result.slumps], slump_lab)
    walks = [(s, e) for _, s, e in fx.segments(("walking", "running"))]
    in_walk = sum(1 for e in result.slumps if any(
        overlap((e.start_s, e.end_s), w) > 0.5 * (e.end_s - e.start_s) for w in walks))
    all_labels = fx.segments(HOLD_KINDS)
    # Holds shorter than hold_min_s are not holds (SPEC, issue 12): such a label is neither
    # owed a detection nor a false alarm when one is found over it.
    labels = [x for x in all_labels if x[2] - x[1] >= min_hold_s(x[0], settings)]
    short = [x for x in all_labels if x[2] - x[1] < min_hold_s(x[0], settings)]
    # a rest taken in a stretch's posture (child's pose between sets) is that stretch:
    # finding it is neither owed nor false
    short += [x for x in fx.rest_postures() if x[0] in HOLD_KINDS]
    det_all, note = hold_spans(result, labels)
    keep = [i for i, d in enumerate(det_all)
            if not any(_iou_ok((d[1], d[2]), (x[1], x[2])) and (x[0] == d[0] or x in all_labels)
                       for x in short)]
    det = [det_all[i] for i in keep]
    kept_holds = [result.holds[i] for i in keep]
    holds = match_kinds(det, labels, HOLD_KINDS)
    # detections of kinds no label could have are false alarms too
    holds.fp += sum(1 for k, _, _ in det if k not in HOLD_KINDS)
    pairs = []
    segs = [s for s in fx.labels.get("segments", []) if s["kind"] in HOLD_KINDS]
    for h, (k, s, e) in zip(kept_holds, det, strict=True):
        for seg in segs:
            lab = (_label_start(seg), float(seg["end_s"]))
            inst = seg.get("instability")
            if seg["kind"] == k and isinstance(inst, int | float) and _iou_ok((s, e), lab):
                mean_acc = h.stability.get("mean_acc_mg")
                pairs.append((float(inst), float(h.stability["score"]),
                              float("nan") if mean_acc is None else float(mean_acc)))
    side = {k: sum(e - s for kk, s, e in labels if kk == k)
            for k in ("side_plank_left", "side_plank_right")}
    imb_true = (abs(side["side_plank_left"] - side["side_plank_right"])
                / max(side.values()) * 100 if min(side.values()) > 0 else None)
    imb_det = result.to_dict()["symmetry"].get("imbalance_pct")
    imb_err = (abs(float(imb_det) - imb_true) if imb_true is not None and imb_det is not None
               else None)
    errors = hold_errors(fx, det, labels)
    return Outcome(slumps, holds, len(det), pairs, note, in_walk, errors, onset,
                   imb_err), result


def hold_errors(fx: Fixture, det: list[tuple[str, float, float]],
                labels: list[tuple[str, float, float]]) -> list[str]:
    """One line per false hold (with the labelled activity it overlaps most) and per
    missed hold (with the detections that overlap it)."""
    out = []
    for k, s, e in det:
        if any(k == lk and _iou_ok((s, e), (ls, le)) for lk, ls, le in labels):
            continue
        best = max(fx.labels.get("segments", []), default=None,
                   key=lambda g: overlap((s, e), (float(g["start_s"]), float(g["end_s"]))))
        what = "-" if best is None else best["kind"] + "".join(
            f" {best[x]}" for x in ("posture", "style") if x in best)
        out.append(f"{fx.name}: false {k} {s:.1f}-{e:.1f} s, during {what}")
    for lk, ls, le in labels:
        if any(k == lk and _iou_ok((s, e), (ls, le)) for k, s, e in det):
            continue
        near = [f"{k} {s:.1f}-{e:.1f}" for k, s, e in det if overlap((s, e), (ls, le)) > 0]
        out.append(f"{fx.name}: missed {lk} {ls:.1f}-{le:.1f} s"
                   + (f" (detected {', '.join(near)})" if near else " (nothing detected)"))
    return out


def _iou_ok(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return match([a], [b]).tp == 1


def load(folder: Path) -> tuple[list[Fixture], list[str]]:
    fixtures, problems = [], []
    for path in sorted(p for p in folder.rglob("*.csv*") if p.name.endswith((".csv", ".csv.gz"))):
        lp = labels_path(path)
        if not lp.exists():
            continue
        try:
            fixtures.append(Fixture(path, load_labels(lp), Recording.read(path)))
        except (SensorcoachError, ValueError, KeyError, OSError) as exc:
            problems.append(f"{path.name}: not scored: {exc}")
    return fixtures, problems


def f1_text(sc: Score) -> str:
    return "   -" if sc.n_labelled == 0 and sc.n_detected == 0 else f"{sc.f1:.2f}"


def med_abs(errs: list[float]) -> str:
    if not errs:
        return "-"
    return f"{median(abs(e) for e in errs):.1f}/{max(abs(e) for e in errs):.1f}"


def report(fixtures: list[Fixture]) -> dict[str, Any]:
    sim = sum(f.simulated for f in fixtures)
    data = (f"{sim} simulated" + (f" + {len(fixtures) - sim} real" if len(fixtures) > sim
                                  else "") + " fixtures")
    outs: list[tuple[Fixture, Outcome, Analysis]] = []
    for fx in fixtures:
        out, res = evaluate(fx, Settings())
        outs.append((fx, out, res))
    print(f"Detected vs labelled on ALL {data} (every labelled file under the folder); a "
          "detection matches a label at IoU >= 0.5, one to one, holds also by kind.")
    print(f"{'fixture':<30}{'category':<20}{'rate':>5}{'gyro':>5}{'cal':>7} | {'slumps lab':>10}"
          f"{'det':>4}{'tp':>4}{'F1':>6}{'frag':>5}{'walk':>5} | {'holds lab':>9}{'det':>4}"
          f"{'tp':>4}{'F1':>6}{'frag':>5}{'split':>6}{'kind':>5}")
    s_all, h_all = Score(), Score()
    s_cat: dict[str, Score] = defaultdict(Score)
    h_cat: dict[str, Score] = defaultdict(Score)
    free_holds: dict[str, list[int]] = defaultdict(list)
    notes = []
    for fx, o, res in outs:
        s_all.add(o.slumps)
        h_all.add(o.holds)
        s_cat[fx.category].add(o.slumps)
        h_cat[fx.category].add(o.holds)
        if not fx.segments(HOLD_KINDS):
            free_holds[fx.category].append(o.n_holds)
        if o.note:
            notes.append(f"{fx.name}: {o.note}")
        rec = fx.recording
        print(f"{fx.name:<30}{fx.category:<20}{rec.sample_rate_hz:>5g}"
              f"{'y' if rec.has_gyro else 'n':>5}{res.calibration.method:>7} | "
              f"{o.slumps.n_labelled:>10}{o.slumps.n_detected:>4}{o.slumps.tp:>4}"
              f"{f1_text(o.slumps):>6}{o.slumps.fragments:>5}{o.in_walking:>5} | "
              f"{o.holds.n_labelled:>9}{o.holds.n_detected:>4}{o.holds.tp:>4}"
              f"{f1_text(o.holds):>6}{o.holds.fragments:>5}{o.holds.split_labels:>6}"
              f"{o.holds.wrong_kind:>5}")
    for n in notes:
        print(f"  note: {n}")
    errors = [line for _, o, _ in outs for line in o.errors]
    for line in errors[:MAX_ERROR_LINES]:
        print(f"  hold error: {line}")
    if len(errors) > MAX_ERROR_LINES:
        print(f"  ... and {len(errors) - MAX_ERROR_LINES} more hold errors")
    labelled_kinds = {s["kind"] for fx in fixtures for s in fx.labels.get("segments", [])}
    routine = sorted(labelled_kinds & set(ROUTINE_KINDS))
    if routine:
        n = sum(1 for fx in fixtures for s in fx.labels.get("segments", [])
                if s["kind"] in ROUTINE_KINDS)
        print(f"routine exercises labelled but not in the catalogue yet (not recognised, "
              f"not scored): {n} labels of {', '.join(routine)}")
    kinds = sorted(labelled_kinds - set(HOLD_KINDS) - set(ROUTINE_KINDS) - {"slump"})
    print(f"label kinds not scored (context only): {', '.join(kinds) or '-'}")
    print()
    print(f"Over ALL {data}:")
    print(f"  slumps: P {s_all.precision:.3f}  R {s_all.recall:.3f}  F1 {s_all.f1:.3f}  "
          f"({s_all.tp} of {s_all.n_labelled} labelled, {s_all.n_detected} detected; "
          f"{s_all.fragments} fragments, {s_all.split_labels} labels cut in pieces; "
          f"start/end error median/max {med_abs(s_all.start_errors)} / "
          f"{med_abs(s_all.end_errors)} s, start at the threshold crossing)")
    onset = Score()
    for _, o, _ in outs:
        onset.add(o.onset)
    print(f"  slumps timed from onset_s (where the lean began, as the labels are): "
          f"F1 {onset.f1:.3f}, start/end error median/max {med_abs(onset.start_errors)} / "
          f"{med_abs(onset.end_errors)} s; slumps inside walking or running: "
          f"{sum(o.in_walking for _, o, _ in outs)}")
    print(f"  holds with kind: P {h_all.precision:.3f}  R {h_all.recall:.3f}  "
          f"F1 {h_all.f1:.3f}  ({h_all.tp} of {h_all.n_labelled} labelled, "
          f"{h_all.n_detected} detected; {h_all.fragments} fragments, {h_all.split_labels} "
          f"labels cut in pieces, {h_all.wrong_kind} right span but wrong kind)")
    short_n = sum(1 for fx in fixtures for x in fx.segments(HOLD_KINDS)
                  if x[2] - x[1] < min_hold_s(x[0], Settings()))
    if short_n:
        print(f"  ({short_n} labelled holds shorter than hold_min_s = "
              f"{Settings().hold_min_s:g} s are not holds: not scored)")
    print(f"F1 per fixture category ({data}; '-' = nothing labelled, nothing detected):")
    for cat in sorted(set(s_cat) | set(h_cat)):
        print(f"  {cat:<20} slumps F1 {f1_text(s_cat[cat])} ({s_cat[cat].tp}/"
              f"{s_cat[cat].n_labelled} lab, {s_cat[cat].n_detected} det)   holds F1 "
              f"{f1_text(h_cat[cat])} ({h_cat[cat].tp}/{h_cat[cat].n_labelled} lab, "
              f"{h_cat[cat].n_detected} det)")
    desk = Score()
    for cat, sc in s_cat.items():
        if cat.startswith("desk"):
            desk.add(sc)
    med_dur = (median(abs(e) for e in h_all.duration_errors) if h_all.duration_errors
               else float("nan"))
    pairs = [p for _, o, _ in outs for p in o.pairs]
    rho = spearman([-p[0] for p in pairs], [p[1] for p in pairs]) if pairs else float("nan")
    acc = [p for p in pairs if p[2] == p[2]]
    false_holds = sum(sum(v) for v in free_holds.values())
    print(f"Hold timing (matched holds, {data}): median |duration error| {med_dur:.2f} s; "
          f"start/end error median/max {med_abs(h_all.start_errors)} / "
          f"{med_abs(h_all.end_errors)} s")
    imb = [o.imbalance_error for _, o, _ in outs if o.imbalance_error is not None]
    if imb:
        print(f"Side-plank imbalance vs labelled hold times ({len(imb)} simulated workouts): "
              f"error median {median(imb):.1f}, max {max(imb):.1f} percentage points")
    print(f"Stability score vs the simulator's instability (tremor/10 mg + sway/deg) over "
          f"{len(pairs)} matched simulated holds: Spearman {rho:.3f}; beside it the "
          "published measure, mean pelvic acceleration (Barbado et al. 2018): vs instability "
          f"{spearman([p[0] for p in acc], [p[2] for p in acc]):.3f}, vs the score "
          f"{spearman([-p[1] for p in acc], [p[2] for p in acc]):.3f}")
    print("Holds on fixtures with no hold labelled (desk, daily life, rest; simulated): "
          + ", ".join(f"{c} {sum(v)} in {len(v)} files" for c, v in sorted(free_holds.items())))
    checks = [
        ("hold F1 with IoU and kind >= 0.97", h_all.f1 >= 0.97, f"{h_all.f1:.3f}"),
        ("median hold duration error <= 1 s", med_dur <= 1.0, f"{med_dur:.2f} s"),
        ("0 holds where none is labelled", false_holds == 0, str(false_holds)),
        ("stability Spearman >= 0.9", rho >= 0.9, f"{rho:.3f}"),
        ("desk slump F1 >= 0.97", desk.f1 >= 0.97, f"{desk.f1:.3f}"),
    ]
    print(f"Targets (issues 11 and 12), on {data}:")
    for what, ok, value in checks:
        print(f"  {what}: {value} {'met' if ok else 'NOT met'}")
    return {"slump_f1": s_all.f1, "hold_f1": h_all.f1}


def sweep_settings() -> list[str]:
    return [f.name for f in dataclasses.fields(Settings) if f.name.startswith(SWEEP_PREFIXES)]


def total_f1(fixtures: list[Fixture], settings: Settings) -> tuple[float, float]:
    s_all, h_all = Score(), Score()
    for fx in fixtures:
        out, _ = evaluate(fx, settings)
        s_all.add(out.slumps)
        h_all.add(out.holds)
    return s_all.f1, h_all.f1


def sweep(fixtures: list[Fixture], base: dict[str, Any]) -> None:
    sim = sum(f.simulated for f in fixtures)
    print()
    print(f"Sensitivity on ALL {len(fixtures)} fixtures ({sim} simulated): slump and hold F1 "
          "(IoU >= 0.5, holds by kind) when one setting moves, the others at defaults; "
          f"baseline slumps {base['slump_f1']:.3f}, holds {base['hold_f1']:.3f}. "
          f"! = F1 drops by more than {SWEEP_FLAG_F1} at +-15 %.")
    head = "".join(f"{f:+.0%}".rjust(13) for f in SWEEP_FACTORS)
    print(f"{'setting':<24}{'default':>9}{head}   (slumps/holds)")
    flagged = []
    defaults = Settings()
    t0, runs = time.perf_counter(), 0
    for name in sweep_settings():
        value = float(getattr(defaults, name))
        cells, bad = [], False
        for factor in SWEEP_FACTORS:
            try:
                st = dataclasses.replace(defaults, **{name: value * (1 + factor)})
                s_f1, h_f1 = total_f1(fixtures, st)
                runs += 1
            except (SensorcoachError, ValueError) as exc:
                cells.append(f"{'invalid':>13}")
                print(f"  ({name} x {1 + factor:.2f}: {exc})")
                continue
            drop = max(base["slump_f1"] - s_f1, base["hold_f1"] - h_f1)
            mark = "!" if abs(factor) < 0.2 and drop > SWEEP_FLAG_F1 else " "
            bad |= mark == "!"
            cells.append(f"{s_f1:.2f}/{h_f1:.2f}{mark}".rjust(13))
        if bad:
            flagged.append(name)
        print(f"{name:<24}{value:>9g}{''.join(cells)}")
    print("settings whose +-15 % drops F1 by more than 0.05: "
          + (", ".join(flagged) if flagged else "none")
          + f" (target none: {'met' if not flagged else 'NOT met'})")
    print(f"(sweep: {runs} passes over {len(fixtures)} fixtures in "
          f"{time.perf_counter() - t0:.0f} s)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT / "fixtures" / "recordings")
    ap.add_argument("--sweep", action="store_true",
                    help="also print F1 with each hold, bird dog, stretch and slump setting "
                    "moved -30..+30 %%")
    ap.add_argument("--routines", type=int, default=None, metavar="N",
                    help="simulated routine sessions scored in the routine section "
                         "(benchmarks/routine_accuracy.py; default: its DEFAULT_ROUTINES with "
                         "the project's fixture folder, 0 with another folder)")
    ap.add_argument("--sisfall", type=Path, default=None, metavar="DIR",
                    help="also count exercises on SisFall SA01-SA15/SE01-SE08 in a local copy "
                         "DIR (make accuracy passes $SISFALL_DIR)")
    ap.add_argument("--jobs", type=int, default=1, help="processes for --sisfall")
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder}: not a folder", file=sys.stderr)
        return 2
    if args.sisfall is not None and not args.sisfall.is_dir():
        print(f"error: {args.sisfall}: not a folder (a local copy of SisFall)", file=sys.stderr)
        return 2
    fixtures, problems = load(args.folder)
    for p in problems:
        print(p)
    if not fixtures:
        print(f"error: no labelled fixtures in {args.folder}", file=sys.stderr)
        return 2
    base = report(fixtures)
    if args.sweep:
        sweep(fixtures, base)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from routine_accuracy import routine_section

    routine_section(args.folder, args.routines, sisfall=args.sisfall, jobs=max(1, args.jobs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
