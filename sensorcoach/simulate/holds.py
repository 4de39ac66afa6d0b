"""Core holds (plank, side planks) and the rests between them, with a fatigue model.

Fatigue ``F`` runs from 0 (fresh) to 1 (failure). A hold of ``hold_s`` against an
effective capacity ``C`` (the person's capacity, shortened by leftover fatigue and, for
the weaker side, by ``side_ratio``) has effort ``e = hold_s / C`` and ends at
``F_end = F0 + (1 - F0) e^2``; inside the hold ``F`` rises as ``u^1.5`` (u = elapsed
fraction). Tremor follows the fatigue (Lippold): the 8-12 Hz part is
``tremor_mg (1 + fatigue_gain F)`` and a 4-6 Hz part ``1.2 fatigue_gain tremor_mg F^2``
appears. Tilt wander (0.1-1 Hz) is ``hold_sway_deg (1 + F)``. Rest lets fatigue
recover with a 60 s time constant.

Drift signs (trunk-segment model, documented for the detectors): a **sag** (hips drop)
raises the trunk's long axis, so the hold angle moves toward upright: plank flexion
decreases, side-plank |lateral| decreases. A **pike** (hips rise) moves it the other
way: plank flexion increases, side-plank |lateral| increases. A **twist** rolls the
trunk about its long axis (the ``twist`` channel), which shows mostly in the *other*
angle (lateral for a plank, flexion for a side plank).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sensorcoach.simulate.moves import Rng, go
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.script import Script

HOLD_KINDS = ("plank", "side_plank_left", "side_plank_right")
#: Which pose channel carries each hold's tilt (and so its sag/pike drift).
TILT_CHANNEL = {"plank": "flex", "side_plank_left": "lat", "side_plank_right": "lat"}
#: Postures a hold can be entered from directly.
ENTRY_POSTURES = {
    "plank": ("kneeling", "prone"),
    "side_plank_left": ("kneeling", "side_left"),
    "side_plank_right": ("kneeling", "side_right"),
}
#: Rest postures natural after each hold.
REST_AFTER = {
    "plank": ("kneeling", "child_pose", "prone"),
    "side_plank_left": ("kneeling", "side_left"),
    "side_plank_right": ("kneeling", "side_right"),
}
#: Pivot (hip) height change per degree of sag, m/deg: ~0.8 m of trunk and legs.
_PZ_PER_DEG = 0.008


def tremor_levels(p: Person, fatigue: float) -> tuple[float, float]:
    """(8-12 Hz RMS, 4-6 Hz RMS) in mg for fatigue level ``fatigue`` (0-1)."""
    f = min(max(fatigue, 0.0), 1.0)
    return p.tremor_mg * (1.0 + p.fatigue_gain * f), 1.2 * p.fatigue_gain * p.tremor_mg * f * f


def capacity_s(p: Person, kind: str) -> float:
    """Fresh hold capacity for ``kind`` in s (the weaker side is shorter)."""
    if kind == "plank":
        return p.plank_capacity_s
    side = "left" if kind == "side_plank_left" else "right"
    return p.side_capacity_s * (p.side_ratio if side == p.weaker_side else 1.0)


def hold(s: Script, p: Person, rng: Rng, kind: str, hold_s: float, fatigue0: float) -> float:
    """Enter and hold ``kind`` for about ``hold_s`` s of steady time; returns the fatigue
    at the end. Labels carry effort, drift, form breaks and how the hold ended."""
    cap = capacity_s(p, kind) * (1.0 - 0.5 * fatigue0)
    effort = min(hold_s / cap, 1.0)
    f_end = fatigue0 + (1.0 - fatigue0) * effort**2
    from_lying = s.posture not in ("kneeling",)
    tr = float(rng.uniform(1.5, 3.0) if from_lying else rng.uniform(3.0, 5.0))
    tremor0, fat0 = tremor_levels(p, fatigue0)
    seg = go(s, p, rng, kind, kind, tr,
             {"tremor": tremor0, "fatigue": fat0, "wobble": p.hold_sway_deg * (1 + fatigue0),
              "twist": 0.0},
             entered_from=s.posture, effort=round(effort, 3),
             capacity_s=round(cap, 1))
    ch = TILT_CHANNEL[kind]
    base = s.value(ch)
    sign = 1.0 if base > 0 else -1.0
    t0 = s.t + tr
    end = t0 + hold_s
    style = p.drift_style if rng.uniform() < 0.8 else ("pike" if p.drift_style == "sag" else "sag")
    drift = float(np.clip(p.drift_deg * effort**1.5 * rng.uniform(0.7, 1.3), 0.0, 15.0))
    direction = -sign if style == "sag" else sign
    pz0 = s.value("pz")

    # Form break: likelier the closer the hold gets to failure.
    breaks: list[dict[str, Any]] = []
    ended_by = "rest"
    p_break = p.form_break_prone * float(np.clip((f_end - 0.5) / 0.5, 0.0, 1.0))
    if hold_s >= 12.0 and rng.uniform() < p_break:
        t_break = end - float(rng.uniform(1.5, min(4.0, 0.3 * hold_s)))
        _drift(s, ch, base, direction, drift, t0, t_break)
        # Hips follow the angle: a sag lowers them (about 8 mm per degree).
        s.ramp("pz", t0, t_break, pz0 + _PZ_PER_DEG * drift * direction * sign)
        bkind = style if rng.uniform() < 0.65 else "twist"
        deg = float(rng.uniform(10.0, 20.0))
        rise = float(rng.uniform(0.25, 0.5))
        keep = float(rng.uniform(1.2, 2.5))
        breaks.append({"t_s": round(t_break, 2), "kind": bkind, "deg": round(deg, 2)})
        bch = "twist" if bkind == "twist" else ch
        bdir = (float(rng.choice([-1.0, 1.0])) if bkind == "twist"
                else (-sign if bkind == "sag" else sign))
        before, pz_before = s.value(bch), s.value("pz")
        s.ramp(bch, t_break, t_break + rise, before + bdir * deg)
        if bkind != "twist":
            s.ramp("pz", t_break, t_break + rise, pz_before + _PZ_PER_DEG * deg * bdir * sign)
        if rng.uniform() < 0.65:
            end = t_break + rise + keep
            ended_by = "form_break"
        else:
            back = t_break + rise + keep + 0.8
            s.ramp(bch, t_break + rise + keep, back, before)
            if bkind != "twist":
                s.ramp("pz", t_break + rise + keep, back, pz_before)
            end = max(end, back + 1.0)
    else:
        _drift(s, ch, base, direction, drift, t0, end)
        if drift > 0.05:
            s.ramp("pz", t0, end, pz0 + _PZ_PER_DEG * drift * direction * sign)

    # Fatigue-driven envelopes over the actual hold, sampled at a few knots.
    for frac in (0.35, 0.7, 1.0):
        f = fatigue0 + (f_end - fatigue0) * frac**1.5
        trem, fat = tremor_levels(p, f)
        tk = t0 + frac * (end - t0)
        for name, value in (("tremor", trem), ("fatigue", fat),
                            ("wobble", p.hold_sway_deg * (1.0 + f))):
            s.ramp(name, max(s.last_time(name), t0), tk, value)
    seg.params.update(hold_s=round(end - t0, 2), drift_deg=round(drift, 2), drift_kind=style,
                      form_breaks=breaks, ended_by=ended_by, base_deg=round(base, 2))
    s.advance(end - s.t)
    return f_end


def _drift(s: Script, ch: str, base: float, direction: float, drift: float, t0: float,
           t1: float) -> None:
    """Slow drift of the tilt channel: a quarter by mid-hold, the rest by ``t1``
    (fatigue accelerates it)."""
    if drift <= 0.05 or t1 - t0 < 2.0:
        return
    mid = t0 + 0.5 * (t1 - t0)
    s.ramp(ch, t0, mid, base + direction * 0.25 * drift)
    s.ramp(ch, mid, t1, base + direction * drift)


def rest(s: Script, p: Person, rng: Rng, posture: str, dur: float, fatigue: float,
         **params: Any) -> float:
    """Rest in ``posture`` for ``dur`` s (still, breathing harder after a hold, no
    tremor); returns the recovered fatigue."""
    tr = float(rng.uniform(1.5, 3.5))
    tr = min(tr, 0.5 * dur)
    exert = min(fatigue, 1.0)
    go(s, p, rng, "rest", posture, tr,
       {"breath_hz": p.breath_hz * (1.0 + 0.6 * exert), "breath_deg": p.breath_deg * (1.0 + exert),
        "twist": 0.0}, **params)
    # Breathing settles back toward rest as the person recovers.
    left = exert * math.exp(-dur / 60.0)
    s.ramp("breath_hz", s.t + tr, s.t + dur, p.breath_hz * (1.0 + 0.6 * left))
    s.ramp("breath_deg", s.t + tr, s.t + dur, p.breath_deg * (1.0 + left))
    s.advance(dur)
    return fatigue * math.exp(-dur / 60.0)
