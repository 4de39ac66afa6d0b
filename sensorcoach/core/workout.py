"""Workout summaries over holds: sets with rests, and left/right symmetry.

Sets: a corrective routine repeats plank, side plank left, side plank right, 1-3 times.
A hold starts a new set when its kind already appears in the current set or the rest
before it exceeds ``set_gap_s``.

Symmetry (SPEC section 4): total and best side-plank time per side and
``imbalance_pct = |L - R| / max(L, R) * 100`` over totals (None unless both sides have a
hold), flagged above ``imbalance_flag_pct``: McGill's side-bridge norms treat a
right/left ratio far from 1.0 as the marker of imbalance.
"""

from __future__ import annotations

import itertools
from typing import Any

from sensorcoach.core.catalogue import CATALOGUE, Exercise, pairs
from sensorcoach.core.events import Hold


def group_sets(holds: list[Hold], set_gap_s: float) -> list[dict[str, Any]]:
    sets: list[list[Hold]] = []
    for h in sorted(holds, key=lambda x: x.start_s):
        cur = sets[-1] if sets else None
        if (cur is None or any(x.kind == h.kind for x in cur)
                or h.start_s - cur[-1].end_s > set_gap_s):
            sets.append([h])
        else:
            cur.append(h)
    out = []
    prev_end: float | None = None
    for i, s in enumerate(sets):
        rests = [round(b.start_s - a.end_s, 1) for a, b in itertools.pairwise(s)]
        out.append({
            "set": i + 1,
            "start_s": round(s[0].start_s, 2),
            "end_s": round(s[-1].end_s, 2),
            "holds": [{"kind": h.kind, "duration_s": round(h.duration_s, 1),
                       "score": h.stability.get("score")} for h in s],
            "rests_s": rests,
            "rest_before_s": None if prev_end is None else round(s[0].start_s - prev_end, 1),
        })
        prev_end = s[-1].end_s
    return out


def symmetry(holds: list[Hold], flag_pct: float,
             exercises: tuple[Exercise, ...] = CATALOGUE) -> dict[str, Any]:
    """Left/right side-plank totals and imbalance; with unnamed sides (``side_plank_a``/
    ``b``, no forward calibration) the same comparison between a and b; and one entry
    per other sided exercise of the catalogue that was done (``by_exercise``)."""
    left = [h.duration_s for h in holds if h.kind == "side_plank_left"]
    right = [h.duration_s for h in holds if h.kind == "side_plank_right"]
    out = _compare(left, right, ("left", "right"), flag_pct)
    others: dict[str, Any] = {}
    for a, b in pairs(exercises):
        if a.name == "side_plank_left":
            continue  # reported at the top level (SPEC section 4)
        ta = [h.duration_s for h in holds if h.kind == a.name]
        tb = [h.duration_s for h in holds if h.kind == b.name]
        if ta or tb:
            base = a.name.removesuffix("_left")
            others[base] = _compare(ta, tb, ("left", "right"), flag_pct)
    if others:
        out["by_exercise"] = others
    side_a = [h.duration_s for h in holds if h.kind == "side_plank_a"]
    side_b = [h.duration_s for h in holds if h.kind == "side_plank_b"]
    if side_a or side_b:
        out.update(_compare(side_a, side_b, ("a", "b"), flag_pct, lead=not (left or right)))
    return out


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
