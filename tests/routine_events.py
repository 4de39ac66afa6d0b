"""Hand-made events of a whole routine, as the detectors will report them: the simulated
routine fixtures' labelled segments turned into ``Hold`` and ``RepSet`` events, and a
catalogue with a row for every exercise of the routine (the rows of core.catalogue are
being added by others; these tests must not depend on which have landed)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sensorcoach.core.catalogue import Exercise
from sensorcoach.core.events import Hold
from sensorcoach.core.reps import Rep, RepSet

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "recordings"


def _row(name: str, modes: tuple[str, ...], side: str | None = None,
         form: tuple[str, ...] = (), target: str = "",
         target_s: tuple[float, float] | None = None) -> Exercise:
    pair = None
    if side:
        pair = name.removesuffix(side) + ("right" if side == "left" else "left")
    return Exercise(name, modes, 0.0, None, side, "test", pair, form, target,
                    target_s=target_s)


def _sided(base: str, modes: tuple[str, ...], **kw: Any) -> tuple[Exercise, Exercise]:
    return (_row(f"{base}_left", modes, "left", **kw), _row(f"{base}_right", modes, "right",
                                                             **kw))


#: Every exercise of the routine (SPEC section 4 kinds), stretches with a 20-30 s target.
ROUTINE: tuple[Exercise, ...] = (
    _row("plank", ("hold",), form=("sag", "pike", "twist")),
    *_sided("side_plank", ("hold",), form=("sag", "pike", "twist")),
    *_sided("bird_dog", ("hold",), form=("hip_rotation", "roll_sway")),
    _row("glute_bridge", ("hold", "reps"), form=("sag",)),
    *_sided("single_leg_bridge", ("hold", "reps"), form=("pelvic_drop",)),
    _row("deadlift", ("reps",)),
    *_sided("single_leg_deadlift", ("reps",), form=("pelvic_rotation",)),
    _row("stretch_hamstring", ("stretch",), target_s=(20.0, 30.0)),
    _row("child_pose", ("stretch",), target_s=(20.0, 30.0)),
    _row("cat_cow", ("stretch", "reps"), target="6-12 cycles"),
    *_sided("knee_to_belly", ("stretch",), target_s=(20.0, 30.0)),
    *_sided("cross", ("stretch",), target_s=(20.0, 30.0)),
)
KINDS = {e.name for e in ROUTINE}


@dataclass(frozen=True)
class FormHold(Hold):
    """A hold with its form measures (``Hold.form`` as the detectors are adding it)."""

    form: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SidedRep(Rep):
    """A repetition with the single-leg deadlift's pelvic rotation (deg)."""

    pelvic_rotation_deg: float | None = None


#: The fields of ``Rep`` here (the repetition counter is changing: tempo and form fields).
REP_FIELDS = {f.name for f in fields(Rep)}


def make_rep(start_s: float, bottom_s: float, end_s: float, range_deg: float,
             lateral_lean_deg: float | None = None,
             pelvic_rotation_deg: float | None = None, down_s: float | None = None,
             up_s: float | None = None) -> Rep:
    """A repetition built through whichever ``Rep`` fields exist."""
    kw: dict[str, Any] = {"start_s": start_s, "bottom_s": bottom_s, "end_s": end_s,
                          "range_deg": range_deg, "lateral_lean_deg": lateral_lean_deg}
    if "down_s" in REP_FIELDS:
        kw.update(down_s=bottom_s - start_s if down_s is None else down_s,
                  up_s=end_s - bottom_s if up_s is None else up_s)
    if "form" in REP_FIELDS:
        kw["form"] = {} if pelvic_rotation_deg is None else {
            "pelvic_rotation_deg": pelvic_rotation_deg}
    return SidedRep(**kw, pelvic_rotation_deg=pelvic_rotation_deg)


def _rep(r: dict[str, Any]) -> Rep:
    bottom = r.get("bottom_s", r["start_s"] + r["down_s"])
    return make_rep(r["start_s"], bottom, r["end_s"], r["range_deg"],
                    r.get("lateral_lean_deg"), r.get("pelvic_rotation_deg"), r["down_s"],
                    r["up_s"])


def routine(name: str = "routine_50hz") -> tuple[list[Hold], list[RepSet], dict[str, Any]]:
    """The fixture's exercises as events (holds from the steady start to the end, scored
    from the simulated instability) and its labels."""
    labels = json.loads((FIX / f"{name}.labels.json").read_text())
    holds: list[Hold] = []
    reps: list[RepSet] = []
    for s in labels["segments"]:
        if s["kind"] not in KINDS:
            continue
        if s.get("mode") == "reps":
            reps.append(RepSet(s["kind"], tuple(_rep(r) for r in s["per_rep"])))
            continue
        form = {k: float(s[k]) for k in ("hip_rotation_deg", "roll_sway_deg",
                                           "pelvic_drop_deg", "roll_deg") if k in s}
        score = round(max(0.0, 100.0 - 15.0 * float(s.get("instability", 0.0))))
        holds.append(FormHold(s["kind"], s["steady_start_s"], s["end_s"], "rest",
                              {"score": score}, (), form=form))
    return holds, reps, labels
