"""Workout summaries over the routine's bouts (holds, stretches, sets of repetitions): the
routine's sets, each exercise's sets with their rests, left/right symmetry of every sided
exercise and the lean of the two-sided ones. Everything is read from the catalogue's rows
(core.catalogue): which exercise a kind belongs to, its side, whether it is a stretch, its
target; no exercise has its own code path.

The routine's sets (``group_sets``, SPEC section 4 ``sets``): a corrective routine is done
1-3 times through (bird dog, plank, side planks, bridges, deadlifts) with rests between.
A bout starts a new set when its exercise was already done in the current set and another
exercise came after it (so the alternating sides of bird dog, or side plank left then
right, stay in one set), or when the rest before it exceeds ``set_gap_s``. Stretches are
not part of the routine's sets (they come once, at the end); ``exercise_sets`` has them.

Each exercise's sets (``exercise_sets``, ``exercises``): every bout is one set of its
exercise, the two sides of a sided exercise together (side plank left, right, left is
side plank's sets 1-3), with the time held or the repetitions done, and the rest before
it: the time since the exercise's previous set when nothing else was done in between.

Symmetry (SPEC section 4): total and best side-plank time per side and
``imbalance_pct = |L - R| / max(L, R) * 100`` over totals (None unless both sides have a
bout), flagged above ``imbalance_flag_pct``: McGill's side-bridge norms treat a
right/left ratio far from 1.0 as the marker of imbalance. ``by_exercise`` has the same
comparison for every sided exercise (time for holds and stretches, repetitions for sets
of repetitions) with each side's steadiness and form; ``lean`` the lateral lean of the
two-sided ones (deadlift, glute bridge), flagged at ``form_break_deg`` or more.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensorcoach.core.catalogue import CATALOGUE, Exercise, by_name
from sensorcoach.core.events import Hold
from sensorcoach.core.reps import RepSet
from sensorcoach.core.settings import DEFAULT_SETTINGS

Bout = Hold | RepSet
#: Suffixes that name a side in a kind (``side_plank_a``/``b``: sides not told apart).
_SIDE_SUFFIXES = ("left", "right", "a", "b")
#: Exercise names that do not read as words with their underscores as spaces.
_PHRASES = {"stretch_hamstring": "hamstring stretch", "child_pose": "child's pose",
            "cat_cow": "cat-cow"}
#: Form measures a bout may carry (deg), looked up by these names on the event, in its
#: ``form`` mapping or its stability figures; rows name theirs in ``Exercise.form``.
_FORM_KEYS = ("pelvic_drop_deg", "pelvic_rotation_deg", "rotation_deg", "roll_deg")


@dataclass(frozen=True)
class Kind:
    """What a bout's kind is, read from the catalogue."""

    exercise: str
    """The exercise both sides share, e.g. ``side_plank`` for ``side_plank_left``."""
    side: str | None
    """``left``, ``right``, ``a`` or ``b``; None for a two-sided exercise."""
    mode: str
    """``hold``, ``stretch`` or ``reps`` (how this bout was done)."""
    row: Exercise | None
    """The kind's catalogue row (None for kinds without one, e.g. ``side_plank_a``)."""


def median(values: Iterable[float]) -> float:
    """The median of ``values`` (numpy's; the core imports numpy only)."""
    return float(np.median(np.fromiter(values, dtype=np.float64)))


def split_kind(kind: str, exercises: tuple[Exercise, ...] = CATALOGUE
               ) -> tuple[str, str | None, Exercise | None]:
    """(exercise, side, row) of a kind: the side from its catalogue row, else from a side
    suffix (``side_plank_a``, or a row not in this catalogue)."""
    row = by_name(kind, exercises)
    side = row.side if row is not None else None
    if side is None:
        side = next((s for s in _SIDE_SUFFIXES if kind.endswith("_" + s)), None)
    return (kind.removesuffix("_" + side) if side else kind), side, row


def kind_of(bout: Bout, exercises: tuple[Exercise, ...] = CATALOGUE) -> Kind:
    base, side, row = split_kind(bout.kind, exercises)
    modes = row.modes if row is not None else ()
    if isinstance(bout, RepSet):
        mode = "reps"
    else:
        mode = "stretch" if "stretch" in modes and "hold" not in modes else "hold"
    return Kind(base, side, mode, row)


def is_stretch(k: Kind) -> bool:
    """A stretch, held or counted (cat-cow): its row lists ``stretch`` among its modes."""
    return k.mode == "stretch" or (k.row is not None and "stretch" in k.row.modes)


def exercise_label(exercise: str) -> str:
    """An exercise's name as a person reads it (``side_plank`` -> ``side plank``)."""
    return _PHRASES.get(exercise, exercise.replace("_", " "))


def label(kind: str, exercises: tuple[Exercise, ...] = CATALOGUE) -> str:
    """A kind's name as a person reads it: ``side plank (left)``, ``bird dog (right)``,
    ``side plank (side A)``, ``deadlift``."""
    base, side, _ = split_kind(kind, exercises)
    name = exercise_label(base)
    if side in ("a", "b"):
        return f"{name} (side {side.upper()})"
    return f"{name} ({side})" if side else name


def _bouts(holds: Sequence[Hold], reps: Sequence[RepSet]) -> list[Bout]:
    return sorted([*holds, *reps], key=lambda b: b.start_s)


def _stat(b: Bout) -> dict[str, Any]:
    """The figure of one bout in a set: time held, or repetitions with range and tempo."""
    if isinstance(b, RepSet):
        d = b.to_dict()
        return {k: d[k] for k in ("count", "range_deg", "down_s", "up_s", "lateral_lean_deg")}
    return {"duration_s": round(b.duration_s, 1), "score": b.stability.get("score")}


def group_sets(holds: Sequence[Hold], set_gap_s: float,
               reps: Sequence[RepSet] = (),
               exercises: tuple[Exercise, ...] = CATALOGUE) -> list[dict[str, Any]]:
    """The routine's sets (see the module docstring): holds and sets of repetitions,
    stretches left out."""
    sets: list[list[tuple[Bout, Kind]]] = []
    for b in _bouts(holds, reps):
        k = kind_of(b, exercises)
        if is_stretch(k):
            continue
        cur = sets[-1] if sets else None
        if (cur is None or b.start_s - cur[-1][0].end_s > set_gap_s
                or (k.exercise != cur[-1][1].exercise
                    and any(x[1].exercise == k.exercise for x in cur))):
            sets.append([(b, k)])
        else:
            cur.append((b, k))
    out = []
    prev_end: float | None = None
    for i, s in enumerate(sets):
        bouts = [b for b, _ in s]
        rests = [round(y.start_s - x.end_s, 1) for x, y in itertools.pairwise(bouts)]
        out.append({
            "set": i + 1,
            "start_s": round(bouts[0].start_s, 2),
            "end_s": round(bouts[-1].end_s, 2),
            "holds": [{"kind": b.kind, "duration_s": round(b.duration_s, 1),
                       "score": b.stability.get("score")} for b in bouts
                      if isinstance(b, Hold)],
            "reps": [{"kind": b.kind, "start_s": round(b.start_s, 2), "count": len(b.reps)}
                     for b in bouts if isinstance(b, RepSet)],
            "exercises": list(dict.fromkeys(k.exercise for _, k in s)),
            "rests_s": rests,
            "rest_before_s": None if prev_end is None else round(bouts[0].start_s - prev_end, 1),
        })
        prev_end = bouts[-1].end_s
    return out


def exercise_sets(holds: Sequence[Hold], reps: Sequence[RepSet] = (),
                  exercises: tuple[Exercise, ...] = CATALOGUE) -> list[dict[str, Any]]:
    """Each exercise's sets in the order the exercises were first done (see the module
    docstring)."""
    bouts = _bouts(holds, reps)
    kinds = [kind_of(b, exercises) for b in bouts]
    order = list(dict.fromkeys(k.exercise for k in kinds))
    out = []
    for ex in order:
        idx = [i for i, k in enumerate(kinds) if k.exercise == ex]
        rows = [kinds[i].row for i in idx if kinds[i].row is not None]
        row = rows[0] if rows else None
        sets = []
        for n, i in enumerate(idx):
            b, k = bouts[i], kinds[i]
            prev = idx[n - 1] if n else None
            gap = None if prev is None else round(b.start_s - bouts[prev].end_s, 1)
            item: dict[str, Any] = {
                "set": n + 1, "kind": b.kind, "label": label(b.kind, exercises),
                "side": k.side, "mode": k.mode, "start_s": round(b.start_s, 2),
                "end_s": round(b.end_s, 2), **_stat(b),
                "rest_before_s": gap if prev is not None and prev == i - 1 else None,
                "since_last_s": gap}
            if k.mode == "stretch":
                item.update(_target(b, k.row))
            sets.append(item)
        timed = [h.duration_s for i in idx if isinstance(h := bouts[i], Hold)]
        counted = [len(r.reps) for i in idx if isinstance(r := bouts[i], RepSet)]
        out.append({
            "exercise": ex, "label": exercise_label(ex),
            "mode": "stretch" if any(is_stretch(kinds[i]) for i in idx) else
            ("reps" if not timed else "hold"),
            "sided": any(kinds[i].side is not None for i in idx),
            "side_told_by": row.side_told_by if row is not None and row.side else None,
            "target": row.target if row is not None else None,
            "sets": sets,
            "total_s": round(sum(timed), 1) if timed else None,
            "total_reps": sum(counted) if counted else None,
        })
    return out


def _target(b: Bout, row: Exercise | None) -> dict[str, Any]:
    """A stretch's target range (s) and whether its time reached the lower end."""
    target = row.target_s if row is not None else None
    if target is None:
        return {"target_s": None, "reached": None}
    held = b.duration_s if isinstance(b, Hold) else b.end_s - b.start_s
    return {"target_s": [target[0], target[1]], "reached": bool(held >= target[0])}


def symmetry(holds: Sequence[Hold], flag_pct: float,
             exercises: tuple[Exercise, ...] = CATALOGUE,
             reps: Sequence[RepSet] = (),
             lean_flag_deg: float = DEFAULT_SETTINGS.form_break_deg) -> dict[str, Any]:
    """Left/right side-plank totals and imbalance; with unnamed sides (``side_plank_a``/
    ``b``, no forward calibration) the same comparison between a and b; one entry per
    sided exercise that was done (``by_exercise``, side plank included), and the lean of
    two-sided exercises (``lean``)."""
    left = [h.duration_s for h in holds if h.kind == "side_plank_left"]
    right = [h.duration_s for h in holds if h.kind == "side_plank_right"]
    out = _compare(left, right, ("left", "right"), flag_pct)
    bouts = _bouts(holds, reps)
    kinds = [kind_of(b, exercises) for b in bouts]
    others: dict[str, Any] = {}
    leans: dict[str, Any] = {}
    for ex in dict.fromkeys(k.exercise for k in kinds):
        mine = [(b, k) for b, k in zip(bouts, kinds, strict=True) if k.exercise == ex]
        sides = {k.side for _, k in mine}
        if sides & {"left", "right"}:
            others[ex] = _sided(ex, mine, flag_pct, exercises)
        elif sides == {None}:
            lean = _lean([b for b, _ in mine], lean_flag_deg)
            if lean is not None:
                leans[ex] = {"label": exercise_label(ex), **lean}
    if others:
        out["by_exercise"] = others
    if leans:
        out["lean"] = leans
    side_a = [h.duration_s for h in holds if h.kind == "side_plank_a"]
    side_b = [h.duration_s for h in holds if h.kind == "side_plank_b"]
    if side_a or side_b:
        out.update(_compare(side_a, side_b, ("a", "b"), flag_pct, lead=not (left or right)))
    return out


def _sided(ex: str, mine: list[tuple[Bout, Kind]], flag_pct: float,
           exercises: tuple[Exercise, ...]) -> dict[str, Any]:
    """One sided exercise's comparison: time when it was held, else repetitions."""
    held = {s: [b.duration_s for b, k in mine if k.side == s and isinstance(b, Hold)]
            for s in ("left", "right")}
    done = {s: [len(b.reps) for b, k in mine if k.side == s and isinstance(b, RepSet)]
            for s in ("left", "right")}
    row = next((k.row for _, k in mine if k.row is not None), None)
    if held["left"] or held["right"]:
        measure, first, second = "time", held["left"], held["right"]
    else:
        measure, first, second = "reps", [float(x) for x in done["left"]], \
            [float(x) for x in done["right"]]
    out = _compare(first, second, ("left", "right"), flag_pct) if measure == "time" else {}
    tl, tr = sum(first), sum(second)
    imbalance = round(abs(tl - tr) / max(tl, tr) * 100, 1) if first and second else None
    weaker = None if imbalance is None or tl == tr else ("left" if tl < tr else "right")
    out.update({
        "label": exercise_label(ex), "measure": measure,
        "mode": "stretch" if any(is_stretch(k) for _, k in mine) else
        ("reps" if measure == "reps" else "hold"),
        "side_told_by": row.side_told_by if row is not None else None,
        "imbalance_pct": imbalance, "weaker_side": weaker,
        "flagged": bool(imbalance is not None and imbalance > flag_pct),
        "left": _side([b for b, k in mine if k.side == "left"], row),
        "right": _side([b for b, k in mine if k.side == "right"], row),
    })
    return out


def _side(bouts: list[Bout], row: Exercise | None) -> dict[str, Any]:
    """One side's time, repetitions, steadiness and form (deg) over its bouts."""
    held = [b for b in bouts if isinstance(b, Hold)]
    sets = [b for b in bouts if isinstance(b, RepSet)]
    out: dict[str, Any] = {"bouts": len(bouts)}
    if held:
        scores = [float(s) for h in held
                  if isinstance(s := h.stability.get("score"), int | float)]
        out.update({"total_s": round(sum(h.duration_s for h in held), 1),
                    "best_s": round(max(h.duration_s for h in held), 1),
                    "score": round(sum(scores) / len(scores)) if scores else None,
                    "form_breaks": sum(len(h.form_breaks) for h in held)})
    if sets:
        per_rep = [r for s in sets for r in s.reps]
        leans = [abs(float(r.lateral_lean_deg)) for r in per_rep
                 if r.lateral_lean_deg is not None]
        out.update({"reps": len(per_rep), "best_reps": max(len(s.reps) for s in sets),
                    "range_deg": round(median(r.range_deg for r in per_rep), 1),
                    "lateral_lean_deg": round(median(leans), 1) if leans else None})
    form = _form(bouts, row)
    if form:
        out["form"] = form
    return out


def _measure(obj: object, key: str) -> float | None:
    """``key`` (deg) on an event or a repetition: an attribute, an entry of its ``form``
    mapping or of its stability figures; None when it has none (detectors add form
    measures as they learn them)."""
    found = [getattr(obj, key, None)]
    for attr in ("form", "stability"):
        table = getattr(obj, attr, None)
        if isinstance(table, dict):
            found.append(table.get(key))
    for v in found:
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None


def _form(bouts: list[Bout], row: Exercise | None) -> dict[str, float]:
    """Median of each form measure (deg) the bouts carry: the row's own (``form``, as
    ``<name>_deg``) and the known ones (pelvic drop, rotation, roll)."""
    keys = list(dict.fromkeys([*(f"{f}_deg" for f in (row.form if row else ())),
                               *_FORM_KEYS]))
    out: dict[str, float] = {}
    for key in keys:
        vals = []
        for b in bouts:
            # per repetition when the repetitions carry it, else the bout's own figure
            per = [v for r in b.reps if (v := _measure(r, key)) is not None] \
                if isinstance(b, RepSet) else []
            own = _measure(b, key)
            vals += [abs(v) for v in per] if per else ([] if own is None else [abs(own)])
        if vals:
            out[key] = round(median(vals), 1)
    return out


def _lean(bouts: list[Bout], flag_deg: float) -> dict[str, Any] | None:
    """Lateral lean of a two-sided exercise: per repetition (deadlift) and the roll of
    holds that carry one (glute bridge); None without any."""
    reps = [r for b in bouts if isinstance(b, RepSet) for r in b.reps]
    per = [float(r.lateral_lean_deg) for r in reps if r.lateral_lean_deg is not None]
    per += [v for b in bouts if isinstance(b, Hold)
            for v in [_measure(b, "roll_deg")] if v is not None]
    if not per:
        return None
    mags = [abs(v) for v in per]
    # leans are signed (+ right) where the counter signs them (its repetitions carry a
    # ``form`` mapping); the first counter gave magnitudes only: no side then
    signed = any(v < 0 for v in per) or any(hasattr(r, "form") for r in reps)
    med = median(per)
    side = None if not signed or abs(med) < 0.05 else ("right" if med > 0 else "left")
    return {"lateral_lean_deg": round(median(mags), 1), "max_deg": round(max(mags), 1),
            "side": side, "measured": len(per),
            "flagged": bool(median(mags) >= flag_deg)}


def _compare(first: list[float], second: list[float], names: tuple[str, str],
             flag_pct: float, lead: bool = True) -> dict[str, Any]:
    tl, tr = sum(first), sum(second)
    imbalance = round(abs(tl - tr) / max(tl, tr) * 100, 1) if first and second else None
    weaker = None
    if imbalance is not None and tl != tr:
        weaker = names[0] if tl < tr else names[1]
    a, b = names
    out: dict[str, Any] = {
        f"side_plank_{a}_s": round(tl, 1),
        f"side_plank_{b}_s": round(tr, 1),
        f"best_{a}_s": round(max(first), 1) if first else None,
        f"best_{b}_s": round(max(second), 1) if second else None,
    }
    if lead:
        out.update({"imbalance_pct": imbalance, "weaker_side": weaker,
                    "flagged": bool(imbalance is not None and imbalance > flag_pct)})
    return out
