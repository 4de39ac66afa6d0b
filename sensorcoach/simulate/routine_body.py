"""The corrective routine's body: per-person exercise traits, the sign of a pelvic roll,
floor transitions and the generic timed hold the routine's exercises share.

Geometry (trunk-segment model of :mod:`sensorcoach.simulate`; the sensor sits on the
lower back, L5/sacrum, by default and follows the pelvis; angles are the segment's, with
upright sitting = 0). ``elev`` is the long axis's elevation above horizontal (head end
up +): ``flex = 90 - elev`` with the front down, ``flex = -90 + elev`` with the back
down. Per posture:

- **Supine** (back down): ``flex = -90``. A pelvis lifted above the shoulders points
  the long axis head-end *down*: ``flex = -90 - incline``. A **glute bridge** at the top
  (knee-hip-shoulder line straight, shoulders on the floor): incline 15-35 deg, from the
  knee height over the knee-to-shoulder length, asin(0.3-0.55 m / 0.85-1.05 m); the hip
  pivot rises ``0.8 sin(incline)`` m. *Design estimate* (segment lengths), no measured
  figure. Knee to belly tilts the pelvis posteriorly (the tailbone lifts): the same
  direction, 5-20 deg (*design estimate*), with the pelvis still on the floor.
- **Pelvic roll** about the long axis is the ``twist`` channel. Back down, ``+twist``
  puts the left side down; front down (hands and knees, a hip hinge) ``+twist`` puts
  the right side down (:func:`roll_twist` gives the sign from the side that goes down).
  A **single-leg bridge** drops the pelvis 2-15 deg toward the unsupported side (the
  range asked for in the issue; the published stop criteria are qualitative, so its
  scale is a *design estimate*). A **cross** (knees fallen to a side, shoulders flat)
  rolls the pelvis 30-70 deg toward that side (*design estimate*).
- **Hands and knees** (bird dog, cat-cow): hands under the shoulders (arms ~0.6 m),
  knees under the hips (thighs ~0.45-0.5 m): the lower back's long axis is -5 to +10
  deg from horizontal, head end up + (``flex = 80-95``; *design estimate*). In a bird
  dog the hip of the lifted leg tends to rise (the pelvis rotates open toward it,
  supporting side down) 2-12 deg in weaker people (issue figure), and the back arches
  0-6 deg (anterior tilt, flexion + of the sacrum; *design estimate*). Cat-cow tilts
  the pelvis 10-30 deg peak to peak (cow: anterior, flexion +; cat: posterior;
  *design estimate* below the lumbar range).
- **Hip hinge** (deadlift): the lower back stays neutral, so an L5 sensor turns with
  the trunk: 40-90 deg of flexion from standing; the hips go back 0.08-0.15 m and down
  0.03-0.08 m (soft knees). A lateral lean of the trunk is the ``lat`` channel (SPEC's
  ``lateral_deg``, right +; exact below 90 deg of flexion). In a single-leg deadlift
  the free leg's hip opens (rises): a pelvic rotation about the long axis, 3-15 deg
  (*design estimate*). A waist sensor takes 80 % of a hinge (the pelvis hinges; a stoop
  gives it half).
- **Standing hamstring stretch**: folded 60-100 deg beyond standing and still (the
  biomechanics notes' bend range, without busy hands); **child's pose**: kneeling,
  flexion 100-130 deg, hips on the heels (the simulator's existing rest posture).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sensorcoach.simulate import holds as hl
from sensorcoach.simulate.moves import Rng, go
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.script import Script, Segment
from sensorcoach.simulate.signals import loguniform

#: Pivot (hip) height lying on the floor, m.
FLOOR_PZ = 0.12
#: Pivot height sitting on the floor, m.
FLOOR_SIT_PZ = 0.15
STRETCH_HOLD_S = (20.0, 30.0)
STRETCH_TARGETS_S = (20.0, 25.0, 30.0)


@dataclass(frozen=True)
class RoutineTraits:
    """How one person performs the routine (deg, s). Drawn from the script's stream
    at the start of a routine scenario, so existing scenarios draw nothing new."""

    first_side: str
    """The side each unilateral pair starts with."""
    bridge_incline_deg: float
    """Glute bridge incline at the top (15-35)."""
    bridge_sag_deg: float
    """Incline lost over a bridge held to capacity (0-8)."""
    bridge_mode: str
    """``hold`` or ``reps``."""
    slb_drop_deg: float
    """Single-leg bridge pelvic drop on the stronger supporting leg (2-8)."""
    quad_elev_deg: float
    """Hands and knees: long-axis elevation (-5..10)."""
    bird_dog_rotation_deg: float
    """Bird dog hip rotation, stronger side (2-12 over both sides)."""
    bird_dog_roll_sway_deg: float
    """Bird dog roll wander about the long axis, RMS (0.2-2)."""
    bird_dog_arch_deg: float
    """Bird dog back arch when the leg lifts (0-6)."""
    deadlift_range_deg: float
    """Typical deadlift hinge (45-85; reps 40-90)."""
    deadlift_down_s: float
    """Typical lowering time (1.2-2.8; reps 1-3)."""
    deadlift_up_s: float
    """Typical rising time (1.1-1.9; reps 1-2)."""
    lean_deg: float
    """Lateral lean tendency per deadlift rep (0-6; reps 0-8)."""
    lean_side: str
    """The side a lean goes to."""
    sldl_rotation_deg: float
    """Single-leg deadlift pelvic rotation, stronger side (3-10; 3-15 weaker)."""
    hamstring_depth_deg: float
    """Standing hamstring stretch flexion beyond standing (60-100)."""
    ktb_tilt_deg: float
    """Knee to belly posterior pelvic tilt (5-20)."""
    ktb_roll_deg: float
    """Knee to belly roll, pulled side up (1-6)."""
    cross_roll_deg: float
    """Cross: pelvis roll toward the knees' side (30-70)."""
    cat_cow_range_deg: float
    """Cat-cow pelvic tilt peak to peak (10-30)."""
    cat_cow_cycle_s: float
    """Cat-cow cycle (4-8)."""

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def draw_traits(rng: Rng) -> RoutineTraits:
    """Draw a person's routine traits over the wide ranges listed on the fields."""
    u = rng.uniform
    return RoutineTraits(
        first_side=str(rng.choice(["left", "right"])),
        bridge_incline_deg=float(u(15.0, 35.0)), bridge_sag_deg=float(u(0.0, 8.0)),
        bridge_mode=str(rng.choice(["hold", "reps"])), slb_drop_deg=float(u(2.0, 8.0)),
        quad_elev_deg=float(u(-5.0, 10.0)), bird_dog_rotation_deg=loguniform(rng, 2.0, 8.0),
        bird_dog_roll_sway_deg=loguniform(rng, 0.2, 2.0), bird_dog_arch_deg=float(u(0.0, 6.0)),
        deadlift_range_deg=float(u(45.0, 85.0)), deadlift_down_s=float(u(1.2, 2.8)),
        deadlift_up_s=float(u(1.1, 1.9)), lean_deg=float(u(0.0, 6.0)),
        lean_side=str(rng.choice(["left", "right"])), sldl_rotation_deg=float(u(3.0, 10.0)),
        hamstring_depth_deg=float(u(60.0, 100.0)), ktb_tilt_deg=float(u(5.0, 20.0)),
        ktb_roll_deg=float(u(1.0, 6.0)), cross_roll_deg=float(u(30.0, 70.0)),
        cat_cow_range_deg=float(u(10.0, 30.0)), cat_cow_cycle_s=float(u(4.0, 8.0)))


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def roll_twist(side_down: str, back_down: bool, deg: float) -> float:
    """The ``twist`` (deg) that rolls the segment ``deg`` toward ``side_down``: back down
    (supine) ``+`` is left side down, front down (hands and knees, a hinge) ``+`` is
    right side down."""
    sign = 1.0 if (side_down == "left") == back_down else -1.0
    return sign * deg


def weak_factor(p: Person, side: str) -> float:
    """1 on the stronger side, ``1 + 2 (1 - side_ratio)`` (up to 2) on the weaker."""
    return 1.0 + 2.0 * (1.0 - p.side_ratio) if side == p.weaker_side else 1.0


def roll_wander(s: Script, rng: Rng, t0: float, t1: float, base: float, rms: float,
                ch: str = "twist") -> None:
    """A slow wander of ``ch`` around ``base`` (knots every 0.6-1.6 s, N(0, rms))
    inside [t0, t1], back to ``base`` by ``t1``."""
    t = t0
    while rms > 0.0 and t + 2.0 < t1:
        dt = float(rng.uniform(0.6, 1.6))
        s.ramp(ch, t, t + dt, base + float(np.clip(rng.normal(0.0, rms), -3 * rms, 3 * rms)))
        t += dt
    if t < t1 - 0.3 and abs(s.value(ch) - base) > 1e-9:
        s.ramp(ch, t, t1, base)


def measured_rms(s: Script, ch: str, t0: float, t1: float) -> float:
    """RMS of ``ch`` about its mean over [t0, t1] as scripted (20 ms grid)."""
    if t1 - t0 < 0.1:
        return 0.0
    x = s.render(np.arange(t0, t1, 0.02))[ch]
    return float(np.sqrt(np.mean((x - x.mean()) ** 2)))


def timed_hold(s: Script, p: Person, rng: Rng, kind: str, posture: str, tr: float,
               targets: dict[str, float], hold_s: float, effort: float,
               wobble_gain: float = 1.0, **params: Any) -> Segment:
    """Enter ``kind`` over ``tr`` s and hold ``hold_s`` s: tremor and wobble grow with
    the fatigue an ``effort`` (hold over capacity, 0-1) brings, as in :mod:`.holds`.
    The exit belongs to the next segment. The clock ends where the exit begins."""
    f_end = min(effort, 1.0) ** 2
    trem0, fat0 = hl.tremor_levels(p, 0.0)
    wob = p.hold_sway_deg * wobble_gain
    seg = s.enter(kind, tr, {**targets, "tremor": trem0, "fatigue": fat0, "wobble": wob},
                  posture=posture, mode="hold", hold_s=round(hold_s, 2),
                  effort=round(effort, 3), **params)
    t0 = s.t + tr
    for frac in (0.5, 1.0):
        f = f_end * frac**1.5
        trem, fat = hl.tremor_levels(p, f)
        tk = t0 + frac * hold_s
        for name, value in (("tremor", trem), ("fatigue", fat), ("wobble", wob * (1.0 + f))):
            s.ramp(name, max(s.last_time(name), t0), tk, value)
    return seg


def rest_in(s: Script, p: Person, rng: Rng, posture: str, dur: float,
            targets: dict[str, float] | None = None, tr: float | None = None) -> None:
    """A labelled ``rest`` of ``dur`` s in ``posture`` (the routine's floor and standing
    postures: kneeling, quadruped, sitting on the floor, supine, standing)."""
    tr = float(rng.uniform(1.5, 3.0)) if tr is None else tr
    tr = min(tr, 0.5 * dur)
    extra: dict[str, float] = {"twist": 0.0, **(targets or {})}
    if posture == "supine":
        tilt = float(np.clip(rng.normal(0.0, 1.5), -3.0, 3.0))
        s.enter("rest", tr, {"flex": -90.0 + tilt, "lat": 0.0, "pz": FLOOR_PZ, "pelvis": 0.0,
                             "sway": 0.1 * p.sway_deg, **extra}, posture="supine")
    elif posture == "floor_sitting":
        go(s, p, rng, "rest", "sitting", tr, {"pz": FLOOR_SIT_PZ, "flex": 0.0, "lat": 0.0,
                                               **extra})
        s.current.params["posture"] = "floor_sitting"
    elif posture == "standing":
        go(s, p, rng, "rest", "standing", tr, {"flex": p.standing_offset_deg, "px": s.value("px"),
                                                "py": s.value("py"), **extra})
    else:
        go(s, p, rng, "rest", posture, tr, extra)
    s.advance(dur)


def stretch_hold_s(rng: Rng) -> tuple[float, float]:
    """(hold, target) of a stretch, s: held 20-30 s against a 20, 25 or 30 s target."""
    return float(rng.uniform(*STRETCH_HOLD_S)), float(rng.choice(STRETCH_TARGETS_S))
