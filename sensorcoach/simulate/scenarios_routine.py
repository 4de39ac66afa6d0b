"""The whole corrective routine as one session (issue "The whole corrective routine").

``routine``: calibration seated (unless the scenario or config turns it off), walk to
the mat; 1-3 sets of: bird dog (2-4 holds per side, alternating, named by the lifted
leg), plank, side plank left and right, glute bridge and single-leg bridges left and
right (held or as reps, the person's habit), deadlifts and single-leg deadlifts left
and right; rests between exercises (kneeling, on all fours, lying, standing) and 30-90 s
between sets; then the five stretches held 20-30 s: standing hamstring, child's pose,
cat-cow (6-12 cycles), knee to belly left and right, cross left and right; kneel up,
stand and walk away. Sides start on the person's ``first_side``; the weaker side
(``Person.weaker_side``) holds shorter, does fewer reps and shows worse form (larger
pelvic drop, hip rotation, lean). The person's routine traits are in the first
segment's ``routine_traits``.
"""

from __future__ import annotations

import numpy as np

from sensorcoach.simulate import everyday as ev
from sensorcoach.simulate import holds as hl
from sensorcoach.simulate import moves as mv
from sensorcoach.simulate import routine_body as rb
from sensorcoach.simulate import routine_floor as rf
from sensorcoach.simulate import routine_standing as rs
from sensorcoach.simulate.context import Context
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.routine_body import RoutineTraits
from sensorcoach.simulate.script import Script

SETS = (1, 3)
BETWEEN_SETS_S = (30.0, 90.0)


def _sides(tr: RoutineTraits) -> tuple[str, str]:
    return tr.first_side, rb.other(tr.first_side)


def _to_floor_supine(s: Script, p: Person, rng: np.random.Generator) -> None:
    """From kneeling (or any floor posture) sit down on the floor and lie back."""
    if s.posture != "kneeling":
        rb.rest_in(s, p, rng, "kneeling", float(rng.uniform(3.0, 6.0)))
    tr = float(rng.uniform(2.0, 3.5))
    s.enter("rest", tr, {"flex": 0.0, "lat": 0.0, "twist": 0.0, "pz": rb.FLOOR_SIT_PZ,
                         "pelvis": mv.pelvis_for("sitting", 0.0, p), "sway": p.sway_deg},
            posture="sitting")
    s.current.params["posture"] = "floor_sitting"
    s.advance(tr + float(rng.uniform(2.0, 5.0)))
    rb.rest_in(s, p, rng, "supine", float(rng.uniform(5.0, 12.0)), tr=float(rng.uniform(2.0, 3.5)))


def _up_to_standing(s: Script, p: Person, rng: np.random.Generator) -> None:
    """From lying supine: sit up on the floor, kneel, stand."""
    tr = float(rng.uniform(2.5, 4.0))
    s.enter("rest", tr, {"flex": 0.0, "lat": 0.0, "twist": 0.0, "pz": rb.FLOOR_SIT_PZ,
                         "pelvis": mv.pelvis_for("sitting", 0.0, p), "sway": p.sway_deg},
            posture="sitting")
    s.current.params["posture"] = "floor_sitting"
    s.advance(tr + float(rng.uniform(2.0, 5.0)))
    rb.rest_in(s, p, rng, "kneeling", float(rng.uniform(3.0, 6.0)))
    rb.rest_in(s, p, rng, "standing", float(rng.uniform(4.0, 10.0)))


def _quadruped(s: Script, p: Person, rng: np.random.Generator, tr: RoutineTraits,
               dur: float) -> None:
    rb.rest_in(s, p, rng, "quadruped", dur, {"flex": rf.quadruped_flex(tr)})


def _core_block(s: Script, c: Context, tr: RoutineTraits, fatigue: float) -> float:
    """Bird dog, plank, side planks; returns the fatigue carried on."""
    p, rng = c.person, c.rng
    u = rng.uniform
    if s.posture != "kneeling":
        rb.rest_in(s, p, rng, "kneeling", float(u(3.0, 6.0)))
    _quadruped(s, p, rng, tr, float(u(3.0, 6.0)))
    a, b = _sides(tr)
    for _ in range(int(rng.integers(2, 5))):
        for side in (a, b):
            rf.bird_dog(s, p, rng, tr, side)
            _quadruped(s, p, rng, tr, float(u(1.5, 4.0)))
    for kind in hl.HOLD_KINDS:
        if s.posture not in hl.ENTRY_POSTURES[kind]:
            fatigue = hl.rest(s, p, rng, "kneeling", float(u(3.0, 6.0)), fatigue)
        cap = hl.capacity_s(p, kind) * (1.0 - 0.5 * fatigue)
        target = float(np.clip(cap * u(0.3, 0.9), 10.0, 90.0))
        fatigue = hl.hold(s, p, rng, kind, target, fatigue)
        posture = str(rng.choice(hl.REST_AFTER[kind]))
        fatigue = hl.rest(s, p, rng, posture, float(u(15.0, 45.0)), fatigue)
    return fatigue


def _bridge_block(s: Script, c: Context, tr: RoutineTraits) -> None:
    p, rng = c.person, c.rng
    _to_floor_supine(s, p, rng)
    rf.bridge(s, p, rng, tr, None)
    for side in _sides(tr):
        rb.rest_in(s, p, rng, "supine", float(rng.uniform(10.0, 30.0)))
        rf.bridge(s, p, rng, tr, side)
    rb.rest_in(s, p, rng, "supine", float(rng.uniform(8.0, 20.0)))
    _up_to_standing(s, p, rng)


def _deadlift_block(s: Script, c: Context, tr: RoutineTraits) -> None:
    p, rng = c.person, c.rng
    rs.deadlift_set(s, p, rng, tr)
    for side in _sides(tr):
        rb.rest_in(s, p, rng, "standing", float(rng.uniform(20.0, 60.0)))
        rs.deadlift_set(s, p, rng, tr, side)
    rb.rest_in(s, p, rng, "standing", float(rng.uniform(10.0, 30.0)))


def _stretches(s: Script, c: Context, tr: RoutineTraits) -> None:
    p, rng = c.person, c.rng
    u = rng.uniform
    rs.hamstring_stretch(s, p, rng, tr)
    rb.rest_in(s, p, rng, "standing", float(u(4.0, 10.0)))
    rb.rest_in(s, p, rng, "kneeling", float(u(3.0, 6.0)))
    rf.child_pose(s, p, rng)
    _quadruped(s, p, rng, tr, float(u(3.0, 6.0)))
    rf.cat_cow(s, p, rng, tr)
    _quadruped(s, p, rng, tr, float(u(2.0, 4.0)))
    _to_floor_supine(s, p, rng)
    for stretch in (rf.knee_to_belly, rf.cross):
        for side in _sides(tr):
            stretch(s, p, rng, tr, side)
            rb.rest_in(s, p, rng, "supine", float(u(4.0, 10.0)))
    _up_to_standing(s, p, rng)


def build_routine(s: Script, c: Context) -> None:
    """See the module docstring (natural length; ``duration_s`` trims the session or
    pads the final walk)."""
    p, rng = c.person, c.rng
    u = rng.uniform
    tr = rb.draw_traits(rng)
    if c.calibrate:
        mv.calibration(s, p, rng)
    ev.sit(s, p, rng, float(u(8.0, 20.0)), kind="upright" if c.calibrate else "sitting")
    s.segments[0].params["routine_traits"] = tr.to_dict()
    ev.stand(s, p, rng, float(u(4.0, 8.0)))
    mv.walk(s, p, rng, float(u(8.0, 20.0)), first_turn_deg=float(u(60.0, 120.0)))
    ev.stand(s, p, rng, float(u(3.0, 6.0)))
    fatigue = 0.0
    n_sets = int(rng.integers(SETS[0], SETS[1] + 1))
    for k in range(n_sets):
        rb.rest_in(s, p, rng, "kneeling", float(u(4.0, 8.0)))
        fatigue = _core_block(s, c, tr, fatigue)
        _bridge_block(s, c, tr)
        _deadlift_block(s, c, tr)
        if k < n_sets - 1:
            rb.rest_in(s, p, rng, "standing", float(u(*BETWEEN_SETS_S)))
            fatigue *= 0.5
    _stretches(s, c, tr)
    remaining = (c.duration_s - s.t) if c.duration_s is not None else float(u(10.0, 20.0))
    mv.walk(s, p, rng, max(8.0, remaining))
