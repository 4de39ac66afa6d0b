"""Scoring one routine session's exercises against its labels (issue 15, SPEC section 3).

Every exercise is an :class:`Item`: a kind, a span, a *family* (``hold``: a timed item of
``Analysis.holds``, planks, bridges held, bird dog and the stretches; ``reps``: a set of
``Analysis.reps``, deadlifts, bridges done as repetitions, cat-cow) and, for a set, its
count. A label's family is its ``mode`` (``reps`` or not); a held label spans from
``steady_start_s`` (the stopwatch start) to ``end_s``, a set from ``start_s`` to ``end_s``.

Matching, per session (:func:`score_session`):

1. Per family and kind, detections and labels are paired one to one by intersection over
   union >= 0.5, greedy by IoU (the rule of :mod:`sensorcoach.scoring`; its ``match`` gives
   the fragments). A held pair is found; a set pair is found when its count is within
   +-1 of the label's (``COUNT_TOLERANCE``), else it is a miss and a false detection
   (``count off``). Stretch time error = detected duration - the label's ``hold_s``.
2. What is left is paired again by IoU whatever the kind or family: a detection of the
   other side's kind over a sided label (same family) is a **side wrong**; anything else
   is a **wrong kind** (e.g. a plank over a bird dog, a deadlift over a single-leg
   deadlift, a bridge hold over bridge repetitions). Both stay a miss of the label's kind
   and a false detection of the detection's kind.
3. Sides right (sided labels only) = labels paired with their own side (step 1, count
   aside) / those plus the side-wrong ones: how often the side was told right when the
   exercise was found at all.

Detections named ``*_a``/``*_b`` (sides unnamed, no forward direction, SPEC 4) are given
the left/right naming that fits the labels best, per exercise, and the note says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from sensorcoach.scoring import MIN_IOU, iou, match

#: A set's count is right within this many repetitions of the label's.
COUNT_TOLERANCE = 1
HOLD_KINDS = ("plank", "side_plank_left", "side_plank_right", "glute_bridge",
              "single_leg_bridge_left", "single_leg_bridge_right", "bird_dog_left",
              "bird_dog_right")
STRETCH_KINDS = ("stretch_hamstring", "child_pose", "knee_to_belly_left",
                 "knee_to_belly_right", "cross_left", "cross_right")
REP_KINDS = ("glute_bridge", "single_leg_bridge_left", "single_leg_bridge_right", "deadlift",
             "single_leg_deadlift_left", "single_leg_deadlift_right", "cat_cow")
#: Every exercise of the routine (SPEC 4), in the routine's order.
EXERCISE_KINDS = tuple(dict.fromkeys((*HOLD_KINDS, *REP_KINDS, *STRETCH_KINDS)))
UNNAMED = ("_a", "_b")


@dataclass(frozen=True)
class Item:
    """A labelled or detected exercise."""

    kind: str
    start_s: float
    end_s: float
    family: str = "hold"
    """``hold`` (timed, ``Analysis.holds``) or ``reps`` (a set, ``Analysis.reps``)."""
    count: int | None = None
    hold_s: float | None = None
    """A label's held time (its ``hold_s``), None for detections and sets."""

    @property
    def span(self) -> tuple[float, float]:
        return self.start_s, self.end_s

    @property
    def duration_s(self) -> float:
        return self.hold_s if self.hold_s is not None else self.end_s - self.start_s

    @property
    def how(self) -> str:
        if self.family == "reps":
            return "reps"
        return "stretch" if self.kind in STRETCH_KINDS else "hold"


@dataclass
class KindScore:
    """Counts for one (family, kind) row, added over sessions."""

    labelled: int = 0
    detected: int = 0
    tp: int = 0
    fragments: int = 0
    count_off: int = 0
    side_ok: int = 0
    side_wrong: int = 0
    wrong_kind: int = 0
    time_errors: list[float] = field(default_factory=list)
    count_errors: list[int] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.labelled if self.labelled else 1.0

    @property
    def f1(self) -> float:
        if not self.labelled and not self.detected:
            return 1.0
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, o: KindScore) -> None:
        for name in ("labelled", "detected", "tp", "fragments", "count_off", "side_ok",
                     "side_wrong", "wrong_kind"):
            setattr(self, name, getattr(self, name) + getattr(o, name))
        self.time_errors += o.time_errors
        self.count_errors += o.count_errors


Row = tuple[str, str]
"""(family, kind)."""


@dataclass
class SessionScore:
    rows: dict[Row, KindScore] = field(default_factory=dict)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(label kind/how, detected kind/how) of the pairs of step 2."""
    notes: list[str] = field(default_factory=list)

    def row(self, key: Row) -> KindScore:
        return self.rows.setdefault(key, KindScore())

    def add(self, o: SessionScore) -> None:
        for key, sc in o.rows.items():
            self.row(key).add(sc)
        self.confusions.update(o.confusions)
        self.notes += o.notes

    @property
    def total(self) -> KindScore:
        out = KindScore()
        for sc in self.rows.values():
            out.add(sc)
        return out


def other_side(kind: str) -> str | None:
    for a, b in (("_left", "_right"), ("_right", "_left")):
        if kind.endswith(a):
            return kind[: -len(a)] + b
    return None


def label_items(labels: dict[str, Any]) -> list[Item]:
    """The exercises of a label file (SPEC 4 kinds), each as an :class:`Item`."""
    out = []
    for s in labels.get("segments", []):
        kind = str(s["kind"])
        if kind not in EXERCISE_KINDS:
            continue
        end = float(s["end_s"])
        if s.get("mode") == "reps":
            out.append(Item(kind, float(s["start_s"]), end, "reps", count=int(s["count"])))
        else:
            start = float(s.get("steady_start_s", s["start_s"]))
            hold = s.get("hold_s")
            out.append(Item(kind, start, end, "hold",
                            hold_s=float(hold) if isinstance(hold, int | float) else None))
    return out


def rest_postures(labels: dict[str, Any]) -> list[Item]:
    """Rests labelled in an exercise's posture (``rest`` in ``child_pose`` between sets), as
    items of that kind, from ``steady_start_s``."""
    return [Item(str(s["posture"]), float(s.get("steady_start_s", s["start_s"])),
                 float(s["end_s"]))
            for s in labels.get("segments", [])
            if s["kind"] == "rest" and s.get("posture") in EXERCISE_KINDS]


def detected_items(result: Any) -> list[Item]:
    """An ``Analysis``' holds (stretches included) and sets of repetitions."""
    holds = [Item(h.kind, float(h.start_s), float(h.end_s), "hold") for h in result.holds]
    sets = [Item(r.kind, float(r.start_s), float(r.end_s), "reps", count=len(r.reps))
            for r in getattr(result, "reps", [])]
    return holds + sets


def greedy_pairs(det: Sequence[tuple[float, float]], lab: Sequence[tuple[float, float]],
                 min_iou: float = MIN_IOU) -> list[tuple[int, int]]:
    """One-to-one (detection, label) index pairs at IoU >= ``min_iou``, best IoU first
    (the pairing of :func:`sensorcoach.scoring.match`)."""
    cands = sorted(((iou(d, x), i, j) for i, d in enumerate(det) for j, x in enumerate(lab)),
                   key=lambda c: (-c[0], c[1], c[2]))
    used_d: set[int] = set()
    used_l: set[int] = set()
    out = []
    for v, i, j in cands:
        if v < min_iou or v <= 0:
            break
        if i in used_d or j in used_l:
            continue
        used_d.add(i)
        used_l.add(j)
        out.append((i, j))
    return out


def name_sides(det: list[Item], labels: list[Item]) -> tuple[list[Item], list[str]]:
    """Give ``X_a``/``X_b`` detections the left/right naming of X that matches the most
    labels (per exercise X and family); the notes say which naming was used."""
    bases = sorted({(d.family, d.kind[:-2]) for d in det if d.kind.endswith(UNNAMED)})
    notes = []
    for family, base in bases:
        best: tuple[int, list[Item], str] | None = None
        for a, b in (("left", "right"), ("right", "left")):
            names = {f"{base}_a": f"{base}_{a}", f"{base}_b": f"{base}_{b}"}
            cand = [Item(names[d.kind], d.start_s, d.end_s, d.family, d.count)
                    if d.family == family and d.kind in names else d for d in det]
            found = sum(len(greedy_pairs(
                [c.span for c in cand if c.family == family and c.kind == k],
                [x.span for x in labels if x.family == family and x.kind == k]))
                for k in (f"{base}_left", f"{base}_right"))
            if best is None or found > best[0]:
                best = (found, cand, f"{base}_a = {a}")
        assert best is not None
        det = best[1]
        notes.append(f"sides unnamed, scored as {best[2]}")
    return det, notes


def score_session(labels: Sequence[Item], detected: Sequence[Item]) -> SessionScore:
    """Score one session (see the module docstring)."""
    det, notes = name_sides(list(detected), list(labels))
    out = SessionScore(notes=notes)
    used_d: set[int] = set()
    used_l: set[int] = set()
    keys = sorted({(x.family, x.kind) for x in (*labels, *det)})
    for family, kind in keys:
        di = [i for i, d in enumerate(det) if (d.family, d.kind) == (family, kind)]
        lj = [j for j, x in enumerate(labels) if (x.family, x.kind) == (family, kind)]
        row = out.row((family, kind))
        spans_d = [det[i].span for i in di]
        spans_l = [labels[j].span for j in lj]
        base = match(spans_d, spans_l)
        row.labelled += len(lj)
        row.detected += len(di)
        row.fragments += base.fragments
        for a, b in greedy_pairs(spans_d, spans_l):
            d, lab = det[di[a]], labels[lj[b]]
            used_d.add(di[a])
            used_l.add(lj[b])
            if other_side(kind) is not None:
                row.side_ok += 1
            if family == "reps":
                err = (d.count or 0) - (lab.count or 0)
                row.count_errors.append(err)
                if abs(err) > COUNT_TOLERANCE:
                    row.count_off += 1
                    continue
            elif kind in STRETCH_KINDS:
                row.time_errors.append(d.duration_s - lab.duration_s)
            row.tp += 1
    rest_d = [i for i in range(len(det)) if i not in used_d]
    rest_l = [j for j in range(len(labels)) if j not in used_l]
    for a, b in greedy_pairs([det[i].span for i in rest_d], [labels[j].span for j in rest_l]):
        d, lab = det[rest_d[a]], labels[rest_l[b]]
        row = out.row((lab.family, lab.kind))
        if d.family == lab.family and d.kind == other_side(lab.kind):
            row.side_wrong += 1
        else:
            row.wrong_kind += 1
        out.confusions[(f"{lab.kind} ({lab.how})", f"{d.kind} ({d.how})")] += 1
    return out


def sides_right(score: SessionScore) -> tuple[int, int]:
    """(side right, side judged) over every sided row."""
    ok = sum(sc.side_ok for (_, k), sc in score.rows.items() if other_side(k))
    wrong = sum(sc.side_wrong for (_, k), sc in score.rows.items() if other_side(k))
    return ok, ok + wrong


def _order(key: Row) -> tuple[int, int, str]:
    family, kind = key
    rank = EXERCISE_KINDS.index(kind) if kind in EXERCISE_KINDS else len(EXERCISE_KINDS)
    how = 2 if kind in STRETCH_KINDS else (1 if family == "reps" else 0)
    return how, rank, kind


def abs_text(errs: Sequence[float], fmt: str = ".1f") -> str:
    if not errs:
        return "-"
    a = [abs(e) for e in errs]
    return f"{median(a):{fmt}}/{max(a):{fmt}}"


def table_lines(score: SessionScore) -> list[str]:
    """The per-kind table: labelled, detected, TP, P, R, F1, fragments, wrong kind,
    count off, sides right, stretch time and rep count errors (median/max of |error|)."""
    head = (f"{'exercise':<26}{'how':<8}{'lab':>5}{'det':>5}{'TP':>5}{'P':>6}{'R':>6}"
            f"{'F1':>6}{'frag':>5}{'kind':>5}{'cnt':>5}{'sides right':>13}"
            f"{'time err s':>12}{'count err':>11}")
    lines = [head]
    for key in sorted(score.rows, key=_order):
        sc = score.rows[key]
        family, kind = key
        how = "reps" if family == "reps" else ("stretch" if kind in STRETCH_KINDS else "hold")
        judged = sc.side_ok + sc.side_wrong
        sides = (f"{sc.side_ok}/{judged}" if judged else "-") if other_side(kind) else ""
        lines.append(
            f"{kind:<26}{how:<8}{sc.labelled:>5}{sc.detected:>5}{sc.tp:>5}"
            f"{sc.precision:>6.2f}{sc.recall:>6.2f}{sc.f1:>6.2f}{sc.fragments:>5}"
            f"{sc.wrong_kind:>5}{sc.count_off if family == 'reps' else '':>5}{sides:>13}"
            f"{abs_text(sc.time_errors) if kind in STRETCH_KINDS else '':>12}"
            f"{abs_text(sc.count_errors, 'g') if family == 'reps' else '':>11}")
    return lines
