"""Sets of repetitions as reported (SPEC section 4 ``reps``) and how a set is named.

:class:`Candidate` is one repetition as :class:`.reps.RepCounter` measured it, before its
set is named: a hinge set is single-leg when the pelvis rotates about the long axis (the
free hip opening), named by the standing leg, the side that goes down; a bridge set is
single-leg when the pelvis rolls (drops toward the unsupported side), named by the
supporting leg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core import catalogue

FloatArray = NDArray[np.float64]

HINGE, BRIDGE, CAT_COW = "hinge", "bridge", "cat_cow"


def _one_leg_deg(two_legged: str) -> float:
    """How far the pelvis turns in a single-leg set of ``two_legged`` (its catalogue row)."""
    row = catalogue.by_name(two_legged)
    if row is None or row.one_leg_deg is None:
        raise ValueError(f"catalogue row {two_legged!r} has no single-leg measure")
    return row.one_leg_deg


#: deg: a hinge set whose pelvis rotates this much (median) is single-leg.
SLDL_ROTATION_DEG = _one_leg_deg("deadlift")
#: deg: a bridge set whose pelvis rolls this much (median) is single-leg.
SLB_DROP_DEG = _one_leg_deg("glute_bridge")


@dataclass(frozen=True)
class Rep:
    """One repetition: ``bottom_s`` is its far end (a hinge's bottom, a bridge's top, the
    cow); ``down_s``/``up_s`` the lowering and rising phases (a deadlift's descent, a
    bridge's lowering, a cat-cow's sinking into the cow)."""

    start_s: float
    bottom_s: float
    end_s: float
    range_deg: float
    down_s: float
    up_s: float
    lateral_lean_deg: float | None = None
    """Signed, + right (as ``lateral_deg``); hinges with a forward direction only."""
    form: dict[str, float] = field(default_factory=dict)
    """``pelvic_rotation_deg`` (hinges) or ``pelvic_drop_deg`` (bridges), signed: + the
    right side down."""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"start_s": round(self.start_s, 2), "bottom_s": round(self.bottom_s, 2),
                             "end_s": round(self.end_s, 2), "range_deg": round(self.range_deg, 1),
                             "down_s": round(self.down_s, 2), "up_s": round(self.up_s, 2)}
        if self.lateral_lean_deg is not None:
            d["lateral_lean_deg"] = round(self.lateral_lean_deg, 1)
        d.update({k: round(abs(v), 1) for k, v in self.form.items()})
        return d


@dataclass(frozen=True)
class RepSet:
    """A set of repetitions (SPEC section 4 ``reps`` item)."""

    kind: str
    reps: tuple[Rep, ...]
    side: str | None = None
    """The standing leg (single-leg deadlift) or supporting leg (single-leg bridge)."""
    note: str | None = None
    """What was inferred to name the set without a forward calibration."""

    @property
    def start_s(self) -> float:
        return self.reps[0].start_s

    @property
    def end_s(self) -> float:
        return self.reps[-1].end_s

    @property
    def form(self) -> dict[str, float]:
        """Median of each form measure over the repetitions (deg, magnitude)."""
        keys = dict.fromkeys(k for r in self.reps for k in r.form)
        return {k: float(np.median([abs(r.form[k]) for r in self.reps if k in r.form]))
                for k in keys}

    def to_dict(self) -> dict[str, Any]:
        leans = [r.lateral_lean_deg for r in self.reps if r.lateral_lean_deg is not None]
        d: dict[str, Any] = {
            "kind": self.kind,
            "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2),
            "count": len(self.reps),
            "range_deg": round(float(np.median([r.range_deg for r in self.reps])), 1),
            "down_s": round(float(np.median([r.down_s for r in self.reps])), 2),
            "up_s": round(float(np.median([r.up_s for r in self.reps])), 2),
            "lateral_lean_deg": round(float(np.median(leans)), 1) if leans else None,
        }
        form = self.form
        if self.kind.startswith("single_leg_deadlift"):
            d.update(stand_leg=self.side, rotation_side_down=self.side,
                     pelvic_rotation_deg=round(form.get("pelvic_rotation_deg", 0.0), 1))
        elif self.kind.startswith("single_leg_bridge"):
            d.update(support=self.side, drop_side=_other(self.side),
                     pelvic_drop_deg=round(form.get("pelvic_drop_deg", 0.0), 1))
        if self.note:
            d["note"] = self.note
        d["per_rep"] = [r.to_dict() for r in self.reps]
        return d


def _other(side: str | None) -> str | None:
    return None if side is None else ("right" if side == "left" else "left")


@dataclass
class Candidate:
    """A measured repetition before its set is named (by :func:`hinge_set` or
    :func:`floor_set`)."""

    cat: str
    start_s: float
    far_s: float
    end_s: float
    range_deg: float
    out_s: float
    """Time from rest to the far end."""
    back_s: float
    """Time from leaving the far end back to rest."""
    lean: float | None
    form: dict[str, float]
    far_az: float
    """Side-down azimuth at the far end, deg, in the counter's frame."""
    roll: float
    """Roll at the far end relative to rest, deg (+ toward larger azimuth)."""
    rest_low: bool
    """Floor: the resting end is flat or head end down (a bridge's lying), not lifted
    (a cat-cow's cat); names floor sets while front and back are unknown."""
    bottom_u: FloatArray | None = None


def _with_form(r: Rep, key: str, v: float) -> Rep:
    return Rep(r.start_s, r.bottom_s, r.end_s, r.range_deg, r.down_s, r.up_s,
               r.lateral_lean_deg, {**r.form, key: v})


def _rep(c: Candidate, cat: str) -> Rep:
    """The repetition with its phases named as ``cat`` names them: a hinge and a cat-cow
    go down first (into the bottom, into the cow), a bridge lifts (up) first."""
    down, up = (c.back_s, c.out_s) if cat == BRIDGE else (c.out_s, c.back_s)
    return Rep(c.start_s, c.far_s, c.end_s, c.range_deg, down, up, c.lean, dict(c.form))


def hinge_set(cands: list[Candidate], note: str | None) -> RepSet:
    """A deadlift set, single-leg (and its standing leg) when the pelvis rotates."""
    reps = tuple(_rep(c, HINGE) for c in cands)
    rot = [c.form["pelvic_rotation_deg"] for c in cands if "pelvic_rotation_deg" in c.form]
    med = float(np.median(rot)) if rot else 0.0
    if rot and abs(med) >= SLDL_ROTATION_DEG:
        side = "right" if med > 0 else "left"
        return RepSet(f"single_leg_deadlift_{side}", reps, side, note)
    return RepSet("deadlift", reps, None, note)


def floor_set(cands: list[Candidate], cat: str, note: str | None) -> RepSet:
    """A cat-cow or bridge set (``cat``); a bridge is single-leg when the pelvis rolls."""
    reps = [_rep(c, cat) for c in cands]
    if cat == CAT_COW:
        return RepSet("cat_cow", tuple(reps), None, note)
    # back down, a roll toward larger azimuth puts the left side down
    drops = [-c.roll for c in cands]  # + right side down
    reps = [_with_form(r, "pelvic_drop_deg", d) for r, d in zip(reps, drops, strict=True)]
    med = float(np.median(drops))
    if abs(med) >= SLB_DROP_DEG:
        support = "left" if med > 0 else "right"  # the pelvis drops to the free side
        return RepSet(f"single_leg_bridge_{support}", tuple(reps), support, note)
    return RepSet("glute_bridge", tuple(reps), None, note)
