"""The routine on the feet: deadlift sets (hip hinges from standing), single-leg
deadlifts (named by the standing leg) and the standing hamstring stretch.

Geometry: :mod:`.routine_body`. A ``deadlift`` / ``single_leg_deadlift_left|right``
segment is one set: it starts with the first descent and ends when the last rep is back
up. Set-level keys (SPEC section 4's ``reps`` shape): ``count``, ``range_deg``,
``down_s``, ``up_s``, ``lateral_lean_deg`` (means over the reps; the lean is signed,
right +, as SPEC's ``lateral_deg``), and for single-leg sets ``stand_leg``,
``pelvic_rotation_deg`` (the free leg's hip opening, 3-15 deg, ``rotation_side_down``
the standing side). ``per_rep`` lists each rep: ``start_s``, ``bottom_s`` (bottom
reached), ``end_s`` (back at the top), ``range_deg`` (40-90 deg of flexion beyond
standing), ``down_s`` (1-3 s), ``up_s`` (1-2 s), ``lateral_lean_deg`` (0-8 deg either
way) and ``pelvic_rotation_deg``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sensorcoach.simulate import routine_body as rb
from sensorcoach.simulate.moves import Rng, pelvis_for
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.routine_body import RoutineTraits, roll_twist
from sensorcoach.simulate.routine_floor import _reps_summary
from sensorcoach.simulate.script import Script

DEADLIFT_RANGE_DEG = (40.0, 90.0)
DEADLIFT_DOWN_S = (1.0, 3.0)
DEADLIFT_UP_S = (1.0, 2.0)
DEADLIFT_REPS = (6, 12)
SINGLE_LEG_REPS = (5, 10)
LATERAL_LEAN_DEG = (0.0, 8.0)
PELVIC_ROTATION_DEG = (3.0, 15.0)
#: A waist sensor's share of a hip hinge (the pelvis hinges with the trunk).
WAIST_HINGE_SHARE = 0.8


def deadlift_set(s: Script, p: Person, rng: Rng, tr: RoutineTraits,
                 stand_leg: str | None = None) -> None:
    """One set of deadlifts (``stand_leg`` None, 6-12 reps) or single-leg deadlifts on
    ``stand_leg`` (5-10 reps), from standing and back to standing."""
    if s.posture != "standing":
        raise ValueError(f"a deadlift starts standing, not {s.posture}")
    kind = "deadlift" if stand_leg is None else f"single_leg_deadlift_{stand_leg}"
    lo, hi = DEADLIFT_REPS if stand_leg is None else SINGLE_LEG_REPS
    n = int(rng.integers(lo, hi + 1))
    weak = 1.0 if stand_leg is None else rb.weak_factor(p, stand_leg)
    flex0, lat0, tw0 = s.value("flex"), s.value("lat"), s.value("twist")
    px0, py0, pz0, pel0 = s.value("px"), s.value("py"), s.value("pz"), s.value("pelvis")
    yaw = math.radians(s.value("yaw"))
    s.enter(kind, 0.0, {}, posture="standing", mode="reps")
    t = s.t
    s.ramp("sway", t, t + 1.0, 0.3 * p.sway_deg)
    lean_sign = 1.0 if tr.lean_side == "right" else -1.0
    reps: list[dict[str, Any]] = []
    for i in range(n):
        rng_deg = float(np.clip(tr.deadlift_range_deg * rng.uniform(0.9, 1.1),
                                *DEADLIFT_RANGE_DEG))
        down = float(np.clip(tr.deadlift_down_s * rng.uniform(0.85, 1.15), *DEADLIFT_DOWN_S))
        up = float(np.clip(tr.deadlift_up_s * rng.uniform(0.85, 1.15), *DEADLIFT_UP_S))
        lean_mag = float(np.clip(tr.lean_deg * weak * rng.uniform(0.6, 1.4)
                                 + rng.normal(0.0, 0.5), *LATERAL_LEAN_DEG))
        lean = lean_sign * lean_mag
        bottom = float(rng.uniform(0.1, 0.5))
        back = 0.08 + 0.07 * rng_deg / 90.0
        drop = float(rng.uniform(0.03, 0.08))
        targets = {"flex": flex0 + rng_deg, "lat": lat0 + lean,
                   "px": px0 - back * math.cos(yaw), "py": py0 - back * math.sin(yaw),
                   "pz": pz0 - drop,
                   "pelvis": pel0 - (1.0 - WAIST_HINGE_SHARE) * rng_deg}
        rep: dict[str, Any] = {}
        if stand_leg is not None:
            rot = float(np.clip(tr.sldl_rotation_deg * weak * rng.uniform(0.8, 1.2),
                                *PELVIC_ROTATION_DEG))
            targets["twist"] = tw0 + roll_twist(stand_leg, False, rot)
            rep["pelvic_rotation_deg"] = round(rot, 2)
        t_bot = t + down
        for ch, v in targets.items():
            v0 = {"flex": flex0, "lat": lat0, "px": px0, "py": py0, "pz": pz0,
                  "pelvis": pel0, "twist": tw0}[ch]
            s.ramp(ch, t, t_bot, v)
            s.ramp(ch, t_bot + bottom, t_bot + bottom + up, v0)
        end = t_bot + bottom + up
        reps.append({"start_s": round(t, 3), "bottom_s": round(t_bot, 3),
                     "end_s": round(end, 3), "range_deg": round(rng_deg, 2),
                     "down_s": round(down, 3), "up_s": round(up, 3),
                     "lateral_lean_deg": round(lean, 2), **rep})
        t = end + (float(rng.uniform(0.4, 1.5)) if i < n - 1 else 0.0)
    _reps_summary(s, reps)
    if stand_leg is not None:
        s.current.params.update(stand_leg=stand_leg, rotation_side_down=stand_leg)
    s.advance(t - s.t)


def hamstring_stretch(s: Script, p: Person, rng: Rng, tr: RoutineTraits) -> None:
    """Standing, fold forward 60-100 deg beyond standing (hands toward the shins or a
    support) and hold still 20-30 s, easing 0-5 deg deeper on the exhales; labelled
    ``stretch_hamstring``. The way back up is the next segment's."""
    if s.posture != "standing":
        raise ValueError(f"the hamstring stretch starts standing, not {s.posture}")
    hold_s, target = rb.stretch_hold_s(rng)
    depth = float(np.clip(tr.hamstring_depth_deg * rng.uniform(0.95, 1.05), 60.0, 95.0))
    base = p.standing_offset_deg
    flex = base + depth
    entry = float(rng.uniform(2.0, 4.0))
    yaw = math.radians(s.value("yaw"))
    s.enter("stretch_hamstring", entry,
            {"flex": flex, "lat": s.value("lat"), "twist": 0.0, "sway": 0.2 * p.sway_deg,
             "px": s.value("px") - 0.08 * math.cos(yaw), "py": s.value("py") - 0.08 * math.sin(yaw),
             "pelvis": pelvis_for("standing", flex, p), "breath_deg": 1.2 * p.breath_deg},
            posture="standing", mode="hold", hold_s=round(hold_s, 2), target_s=target,
            reached=hold_s >= target)
    deeper = float(rng.uniform(0.0, 5.0))
    t0 = s.t + entry
    s.ramp("flex", t0 + 0.3 * hold_s, t0 + 0.8 * hold_s, flex + deeper)
    s.current.params.update(depth_deg=round(depth, 2), depth_end_deg=round(depth + deeper, 2))
    s.advance(entry + hold_s)
