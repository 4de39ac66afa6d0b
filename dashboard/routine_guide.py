"""The exercise list the live page's guided routine offers (dashboard/static/guide.js).

One entry per exercise of the catalogue (core.catalogue), its two sides together: how it
is done (hold, reps, stretch), the kinds the detectors report for it (one per side), the
category of a set of repetitions under way (the live status' ``set_kind``), whether its
sides are timed only when the set ends (``sides_at_end``) and a default target read from the
catalogue's usual target (its lower end: a start, not a goal).
"""

from __future__ import annotations

import re
from typing import Any

from sensorcoach.core.catalogue import CATALOGUE, Exercise
from sensorcoach.core.workout import exercise_label, split_kind

#: Exercises whose sides are timed only when the set ends (core.bird_dog tells them from
#: the alternation over the whole bout): the live timer runs from the bout on all fours
#: (the live status' ``bird_dog_s``), the side held shows once the bout has shown both.
TIMED_AT_END = frozenset({"bird_dog"})
#: Default target when a row's usual target names no range in that unit.
FALLBACK = {"hold": 20, "stretch": 20, "reps": 8}
_RANGE = re.compile(r"(\d+)-(\d+) (s|reps|slow cycles)\b")


def default_target(row: Exercise, mode: str) -> int:
    """The lower end of the row's usual target in ``mode``'s unit (s, or repetitions)."""
    if mode == "stretch" and row.target_s is not None:
        return round(row.target_s[0])
    unit = "s" if mode in ("hold", "stretch") else "reps"
    for lo, _hi, u in _RANGE.findall(row.target):
        if (u == "s") == (unit == "s"):
            return int(lo)
    return FALLBACK[mode]


def set_category(exercise: str) -> str:
    """What the live status calls a set of this exercise's repetitions under way."""
    if exercise.endswith("deadlift"):
        return "deadlift"
    if "bridge" in exercise:
        return "bridge"
    return exercise


def exercises() -> list[dict[str, Any]]:
    """The guide's exercises in catalogue order (JSON-ready)."""
    out: dict[str, dict[str, Any]] = {}
    for row in CATALOGUE:
        base, side, _ = split_kind(row.name)
        e = out.get(base)
        if e is None:
            label = exercise_label(base)
            e = out[base] = {
                "id": base, "label": label[:1].upper() + label[1:], "modes": list(row.modes),
                "kinds": {}, "sides": [], "target_text": re.sub(r"\s*\(.*?\)", "", row.target),
                "targets": {m: default_target(row, m) for m in row.modes},
                "set_kind": set_category(base), "sides_at_end": base in TIMED_AT_END}
        e["kinds"][side or ""] = row.name
        if side:
            e["sides"].append(side)
    for e in out.values():  # left before right: "next: side plank (left)"
        e["sides"].sort()
    return list(out.values())
