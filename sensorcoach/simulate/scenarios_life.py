"""Scenarios wider than the detectors: daily life with jogging, stairs, bends and lying;
a waist-worn phone's day; workouts of steady to shaky people with and without
calibration; a desk day with shallow leans, deep slumps and bends to the floor; and
gyro export faults. They use the ``wide`` population and the ``impacts`` gait by
default (see :mod:`.person`, :mod:`.gait`).
"""

from __future__ import annotations

import numpy as np

from sensorcoach.simulate import everyday as ev
from sensorcoach.simulate import holds as hl
from sensorcoach.simulate import moves as mv
from sensorcoach.simulate.context import Context
from sensorcoach.simulate.script import Script
from sensorcoach.simulate.signals import loguniform


def _scale(c: Context, s: Script, nominal_s: float, fallback_s: float) -> float:
    """Factor that stretches the flexible durations to the target length."""
    target = c.duration_s if c.duration_s is not None else fallback_s
    return max(0.3, (target - s.t - 150.0) / nominal_s)


def _slouch(s: Script, c: Context, dur: float) -> None:
    """Sit (labelled ``sitting``) and slouch part of the time: the trunk flexes 10-30 deg,
    the pelvis rolls back with it. From the waist this is sitting, not a slump."""
    p, rng = c.person, c.rng
    tr = min(float(rng.uniform(1.5, 3.0)), 0.5 * dur)
    mv.go(s, p, rng, "sitting", "sitting", tr,
          {"flex": 0.0, "lat": float(rng.normal(0.0, 1.0)), "twist": 0.0, "pz": 0.5})
    t0 = s.t + tr + float(rng.uniform(5.0, max(6.0, 0.3 * dur)))
    depth = float(rng.uniform(10.0, 30.0))
    onset = float(rng.uniform(5.0, 20.0))
    back = t0 + onset + float(rng.uniform(10.0, max(11.0, 0.4 * dur)))
    if back + 5.0 < s.t + dur:
        for ch, v in (("flex", depth), ("pelvis", -p.sit_pelvis_deg - 1.3 * depth)):
            s.ramp(ch, t0, t0 + onset, v)
        for ch, v in (("flex", 0.0), ("pelvis", -p.sit_pelvis_deg)):
            s.ramp(ch, back, back + 3.0, v)
        s.current.params["slouch_deg"] = round(depth, 2)
    s.advance(dur)


def _begin(s: Script, c: Context) -> None:
    if c.calibrate:
        mv.calibration(s, c.person, c.rng)


def build_daily_life(s: Script, c: Context) -> None:
    """A day's errands (default 30 min): sit (a reach to the floor), walk, stairs up,
    pick something up (stoop), jog 1-4 min, walk, stairs down, squat to the floor,
    sit (tie a shoe), walk, lie on a bed (supine, a side, supine), sit up, lie prone,
    kneel up, walk, sit. Labels: sitting, standing, walking (stairs), running, bending,
    lying, rest (kneeling up from prone)."""
    p, rng = c.person, c.rng
    u = rng.uniform
    _begin(s, c)
    flex = [u(60, 180), u(60, 180), u(20, 60), u(60, 240), u(30, 90), u(60, 180),
            u(20, 60), u(60, 180), u(30, 120), u(30, 90), u(30, 90), u(30, 120)]
    k = _scale(c, s, float(sum(flex)), 1800.0)
    d = [float(x) * k for x in flex]
    ev.sit(s, p, rng, 0.5 * d[0])
    ev.bend(s, p, rng, "floor_reach")
    ev.sit(s, p, rng, 0.5 * d[0])
    ev.stand(s, p, rng, float(u(4, 10)))
    mv.walk(s, p, rng, d[1], turns=1, first_turn_deg=float(u(60, 150)))
    ev.stairs(s, p, rng, float(u(10, 30)), up=True)
    mv.walk(s, p, rng, d[2])
    ev.stand(s, p, rng, float(u(3, 8)))
    ev.bend(s, p, rng, "stoop")
    ev.stand(s, p, rng, float(u(4, 10)))
    ev.jog(s, p, rng, d[3], turns=1)
    mv.walk(s, p, rng, d[4])
    ev.stairs(s, p, rng, float(u(10, 30)), up=False)
    ev.stand(s, p, rng, float(u(3, 8)))
    ev.bend(s, p, rng, "squat")
    ev.stand(s, p, rng, float(u(4, 10)))
    ev.sit(s, p, rng, 0.7 * d[5])
    ev.bend(s, p, rng, "shoe_tying")
    ev.sit(s, p, rng, 0.3 * d[5])
    ev.stand(s, p, rng, float(u(4, 10)))
    mv.walk(s, p, rng, d[6], first_turn_deg=float(u(-150, -60)))
    ev.stand(s, p, rng, float(u(3, 6)))
    ev.sit(s, p, rng, float(u(8, 15)))
    ev.lie(s, p, rng, "supine", d[7])
    ev.lie(s, p, rng, str(rng.choice(["side_left", "side_right"])), d[8])
    ev.lie(s, p, rng, "supine", float(u(8, 20)))
    ev.get_up(s, p, rng, float(u(8, 20)))
    ev.stand(s, p, rng, float(u(4, 10)))
    ev.lie(s, p, rng, "prone", d[9], pz=0.3)
    ev.get_up(s, p, rng, float(u(3, 6)))
    ev.stand(s, p, rng, float(u(4, 10)))
    mv.walk(s, p, rng, d[10], turns=1)
    ev.stand(s, p, rng, float(u(3, 8)))
    remaining = (c.duration_s - s.t) if c.duration_s is not None else d[11]
    ev.sit(s, p, rng, max(20.0, remaining))


def build_waist_day(s: Script, c: Context) -> None:
    """A phone on the belt (default 30 min, ``waist``, no calibration): sit (slouching
    part of the time), walk, pick something up, walk, sit, jog, walk, stairs up and
    down, squat, sit, lie down and get up, walk, sit. From the waist, sitting rolls the
    sensor back 10-40 deg: labelled ``sitting`` (with ``slouch_deg``), never ``slump``."""
    p, rng = c.person, c.rng
    u = rng.uniform
    _begin(s, c)
    flex = [u(120, 300), u(60, 180), u(30, 90), u(120, 300), u(60, 180), u(30, 90),
            u(60, 180), u(60, 150), u(30, 90), u(60, 180)]
    k = _scale(c, s, float(sum(flex)), 1800.0)
    d = [float(x) * k for x in flex]
    _slouch(s, c, d[0])
    ev.stand(s, p, rng, float(u(4, 10)))
    mv.walk(s, p, rng, d[1], turns=1, first_turn_deg=float(u(60, 150)))
    ev.stand(s, p, rng, float(u(3, 8)))
    ev.bend(s, p, rng, "stoop")
    ev.stand(s, p, rng, float(u(4, 10)))
    mv.walk(s, p, rng, d[2])
    _slouch(s, c, d[3])
    ev.stand(s, p, rng, float(u(4, 10)))
    ev.jog(s, p, rng, d[4], turns=1)
    mv.walk(s, p, rng, d[5])
    ev.stairs(s, p, rng, float(u(10, 30)), up=True)
    ev.stand(s, p, rng, float(u(5, 15)))
    ev.stairs(s, p, rng, float(u(10, 30)), up=False)
    ev.stand(s, p, rng, float(u(3, 8)))
    ev.bend(s, p, rng, "squat")
    ev.stand(s, p, rng, float(u(4, 10)))
    _slouch(s, c, d[6])
    ev.lie(s, p, rng, str(rng.choice(["supine", "side_left", "side_right"])), d[7])
    ev.get_up(s, p, rng, float(u(8, 20)))
    ev.stand(s, p, rng, float(u(4, 10)))
    mv.walk(s, p, rng, d[8])
    ev.stand(s, p, rng, float(u(3, 8)))
    remaining = (c.duration_s - s.t) if c.duration_s is not None else d[9]
    _slouch(s, c, max(20.0, remaining))


#: Rest postures between holds in the wide workout: lying on the front, back or side,
#: kneeling, child's pose (after a side plank, lying on that side is likeliest).
_WIDE_RESTS = {
    "plank": ("kneeling", "child_pose", "prone", "supine"),
    "side_plank_left": ("side_left", "side_left", "kneeling", "supine"),
    "side_plank_right": ("side_right", "side_right", "kneeling", "supine"),
}


def build_workout_wide(s: Script, c: Context) -> None:
    """A workout of anyone from a very steady athlete to a shaky beginner (natural
    length): tie a shoe seated, walk to the mat, pick it up (stoop), kneel; 2-3 sets of
    plank, side plank left and right held 5-180 s (10-95 % of a 40-240 s capacity, at
    5-35 deg elevation: forearm, straight-arm or knee planks), resting kneeling, in
    child's pose, prone, supine or on the side just used (10-90 s); kneel up, stand,
    bend to the floor to roll the mat up, walk away."""
    p, rng = c.person, c.rng
    u = rng.uniform
    _begin(s, c)
    ev.sit(s, p, rng, float(u(8, 20)), kind="upright" if c.calibrate else "sitting")
    ev.bend(s, p, rng, "shoe_tying")
    ev.sit(s, p, rng, float(u(4, 10)))
    ev.stand(s, p, rng, float(u(4, 8)))
    mv.walk(s, p, rng, float(u(8, 20)), first_turn_deg=float(u(60, 120)))
    ev.stand(s, p, rng, float(u(2, 5)))
    ev.bend(s, p, rng, "stoop")
    ev.stand(s, p, rng, float(u(3, 6)))
    fatigue = hl.rest(s, p, rng, "kneeling", float(u(8, 20)), 0.0)
    for k in range(int(rng.integers(2, 4))):
        for kind in hl.HOLD_KINDS:
            if s.posture not in hl.ENTRY_POSTURES[kind]:
                fatigue = hl.rest(s, p, rng, "kneeling", float(u(4, 8)), fatigue)
            cap = hl.capacity_s(p, kind) * (1.0 - 0.5 * fatigue)
            target = float(np.clip(cap * u(0.1, 0.95), 5.0, 180.0))
            fatigue = hl.hold(s, p, rng, kind, target, fatigue)
            posture = str(rng.choice(_WIDE_RESTS[kind]))
            fatigue = hl.rest(s, p, rng, posture, loguniform(rng, 10.0, 90.0), fatigue)
        del k
    if s.posture != "kneeling":
        fatigue = hl.rest(s, p, rng, "kneeling", float(u(4, 8)), fatigue)
    ev.stand(s, p, rng, float(u(3, 6)))
    ev.bend(s, p, rng, "stoop", hold_s=float(u(5, 20)))
    ev.stand(s, p, rng, float(u(3, 6)))
    remaining = (c.duration_s - s.t) if c.duration_s is not None else float(u(10, 20))
    mv.walk(s, p, rng, max(8.0, remaining))


def build_desk_wide(s: Script, c: Context) -> None:
    """A desk day of the wide population (default 30 min): 3-6 forward episodes from
    5 to 35 deg (``slump`` from :data:`~sensorcoach.simulate.person.SLUMP_MIN_DEG`,
    ``lean`` up to ``LEAN_MAX_DEG``), 1-3 reaches to the floor (trunk near horizontal 3-20 s, hands
    busy), a shoe tied, a walk break; fidgets and micro-shifts as on any desk day."""
    p, rng = c.person, c.rng
    u = rng.uniform
    _begin(s, c)
    events = (["slump"] * int(rng.integers(3, 7)) + ["floor"] * int(rng.integers(1, 4))
              + ["shoe", "walk"])
    order = [str(e) for e in rng.permutation(events)]
    target = c.duration_s if c.duration_s is not None else 1800.0
    holds = {i: loguniform(rng, 30.0, 300.0) for i, e in enumerate(order) if e == "slump"}
    busy = sum(holds.values()) + 40.0 * len(order) + 150.0
    gaps = rng.dirichlet(np.full(len(order) + 1, 2.0)) * max(target - s.t - busy, 60.0)
    gaps = np.maximum(gaps, 15.0)
    for i, e in enumerate(order):
        mv.sitting_stretch(s, p, rng, float(gaps[i]), return_s=float(u(1.5, 4.0)) if i else None)
        if e == "slump":
            mv.slump(s, p, rng, holds[i], mv.slump_onset_s(p, rng), c.placement)
        elif e == "floor":
            ev.bend(s, p, rng, "floor_reach")
        elif e == "shoe":
            ev.bend(s, p, rng, "shoe_tying")
        else:
            mv.stand_up(s, p, rng, float(u(5, 15)))
            mv.walk(s, p, rng, float(u(60, 150)), turns=1, first_turn_deg=float(u(90, 180)))
            mv.standing(s, p, rng, float(u(4, 10)), float(u(1.0, 2.0)),
                        face_yaw=s.state.get("seat_yaw", 0.0))
    remaining = target - s.t
    mv.sitting_stretch(s, p, rng, max(20.0, remaining), return_s=float(u(1.5, 4.0)))
