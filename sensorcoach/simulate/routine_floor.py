"""The routine on the floor: glute bridges (held or as reps, both legs or one), bird
dog, cat-cow, and the lying and kneeling stretches (knee to belly, cross, child's pose).

Geometry and sign conventions: :mod:`.routine_body`. Every exercise segment carries
``mode`` (``hold`` or ``reps``) and the truth of its form measure:

- ``glute_bridge``: ``incline_deg`` (long axis head-end down at the top, 15-35),
  ``sag_deg`` (incline lost by the end of a hold), ``roll_deg`` (signed, right side
  down +, within 3 deg);
- ``single_leg_bridge_left|right`` (named by the supporting leg): ``pelvic_drop_deg``
  (mean over the hold, 2-15, toward ``drop_side``, the unsupported side),
  ``pelvic_drop_max_deg``;
- ``bird_dog_left|right`` (named by the lifted leg; the opposite arm is lifted too):
  ``hip_rotation_deg`` (held, 2-12, the lifted leg's hip rising, ``rotation_side_down``
  the supporting side), ``roll_sway_deg`` (RMS of the roll wander about it),
  ``arch_deg``; ``hip_rotation_mean_deg`` is the rotation averaged over the hold with its
  wander (it may fall below 2 for the steadiest people);
- ``cat_cow`` (reps): per cycle ``range_deg`` (pelvic tilt cow to cat), ``down_s``
  (the back sinking into cow), ``up_s`` (rounding up into cat);
- stretches (``knee_to_belly_left|right`` named by the knee pulled in, ``cross_left|right``
  by the side the knees fall to, ``child_pose``): ``hold_s`` 20-30, ``target_s`` and
  ``reached``; ``tilt_deg``/``roll_deg``/``roll_side_down`` or ``depth_deg``.

Reps segments (bridges as reps, cat-cow) start with the first movement and end where
the last one is complete; ``per_rep`` lists each repetition (start_s, end_s, and the
fields above; for a bridge ``incline_deg`` is the incline at the top, ``range_deg``
the turn from lying (the incline plus the lying posture's own tilt), ``up_s`` the lift,
``down_s`` the lowering) and the set-level values are their means.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sensorcoach.simulate import routine_body as rb
from sensorcoach.simulate.moves import Rng, go
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.routine_body import RoutineTraits, roll_twist
from sensorcoach.simulate.script import Script

BRIDGE_HOLD_S = (10.0, 45.0)
BRIDGE_REPS = (8, 15)
BIRD_DOG_HOLD_S = (5.0, 15.0)
CAT_COW_CYCLES = (6, 12)
PELVIC_DROP_DEG = (2.0, 15.0)
BIRD_DOG_ROTATION_DEG = (2.0, 12.0)


def _pz_top(incline: float) -> float:
    return rb.FLOOR_PZ + 0.8 * math.sin(math.radians(incline))


def _mean_abs(s: Script, ch: str, t0: float, t1: float) -> tuple[float, float]:
    x = np.abs(s.render(np.arange(t0, t1, 0.02))[ch])
    return float(x.mean()), float(x.max())


def bridge(s: Script, p: Person, rng: Rng, tr: RoutineTraits, support: str | None) -> None:
    """A glute bridge (``support`` None) or a single-leg bridge on ``support``, held or
    as reps per ``tr.bridge_mode``; starts and ends lying supine."""
    if s.posture != "supine":
        raise ValueError(f"a bridge starts lying supine, not {s.posture}")
    kind = "glute_bridge" if support is None else f"single_leg_bridge_{support}"
    weak = 1.0 if support is None else rb.weak_factor(p, support)
    base_flex, base_pz = s.value("flex"), s.value("pz")
    u = rng.uniform
    incline = float(np.clip(tr.bridge_incline_deg * u(0.9, 1.1) * (1.0 if support is None
                                                                   else u(0.85, 1.0)), 15, 35))
    if support is None:
        side_down = "right"
        drop = float(np.clip(rng.normal(0.0, 1.2), -3.0, 3.0))
    else:
        side_down = rb.other(support)
        drop = float(np.clip(tr.slb_drop_deg * weak * u(0.85, 1.15), *PELVIC_DROP_DEG))
    if tr.bridge_mode == "hold":
        _bridge_hold(s, p, rng, tr, kind, support, incline, side_down, drop, weak,
                     base_flex, base_pz)
    else:
        _bridge_reps(s, p, rng, kind, support, incline, side_down, drop, base_flex, base_pz)


def _bridge_hold(s: Script, p: Person, rng: Rng, tr: RoutineTraits, kind: str,
                 support: str | None, incline: float, side_down: str, drop: float,
                 weak: float, base_flex: float, base_pz: float) -> None:
    hold_s = float(np.clip(rng.uniform(*BRIDGE_HOLD_S) / weak, *BRIDGE_HOLD_S))
    cap = p.plank_capacity_s * 1.2 if support is None else p.side_capacity_s / weak
    effort = min(hold_s / cap, 1.0)
    entry = float(rng.uniform(1.0, 2.0))
    # A single-leg bridge's roll wanders about the drop (3 x its RMS stays inside
    # 2-15 deg) through the first half, then the drop grows a little as the hold tires.
    rms = min(0.3 * p.hold_sway_deg * weak, 1.0) if support is not None else 0.0
    lo, hi = PELVIC_DROP_DEG
    if support is not None:
        drop = float(np.clip(drop, lo + 3.0 * rms, hi - 3.0 * rms))
    twist = roll_twist(side_down, True, drop)
    rb.timed_hold(s, p, rng, kind, "supine", entry,
                  {"flex": -90.0 - incline, "pz": _pz_top(incline), "twist": twist,
                   "lat": 0.0, "sway": 0.0}, hold_s, effort, wobble_gain=weak)
    t0, t1 = s.t + entry, s.t + entry + hold_s
    sag = float(np.clip(tr.bridge_sag_deg * effort**1.5 * rng.uniform(0.7, 1.3), 0.0, 8.0))
    if sag > 0.05 and hold_s > 4.0:
        s.ramp("flex", t0 + 0.3 * hold_s, t1, -90.0 - incline + sag)
        s.ramp("pz", t0 + 0.3 * hold_s, t1, _pz_top(incline - sag))
    params: dict[str, Any] = {"incline_deg": round(incline, 2), "sag_deg": round(sag, 2)}
    if support is None:
        params["roll_deg"] = round(drop if side_down == "right" else -drop, 2)
    else:
        rb.roll_wander(s, rng, t0, t0 + 0.5 * hold_s, twist, rms)
        grow = min(drop * float(rng.uniform(1.0, 1.3)), hi)
        s.ramp("twist", max(s.last_time("twist"), t0 + 0.5 * hold_s), t1,
               roll_twist(side_down, True, grow))
        mean, peak = _mean_abs(s, "twist", t0, t1)
        params.update(pelvic_drop_deg=round(mean, 2), pelvic_drop_max_deg=round(peak, 2),
                      drop_side=side_down, support=support)
    s.current.params.update(params)
    s.advance(entry + hold_s)


def _bridge_reps(s: Script, p: Person, rng: Rng, kind: str, support: str | None,
                 incline: float, side_down: str, drop: float, base_flex: float,
                 base_pz: float) -> None:
    lo, hi = BRIDGE_REPS
    n = int(rng.integers(lo, hi + 1))
    if support is not None and support == p.weaker_side:
        n = max(lo, n - int(rng.integers(0, 4)))
    s.enter(kind, 0.0, {}, posture="supine", mode="reps")
    t = s.t
    s.ramp("tremor", t, t + 1.0, 0.5 * p.tremor_mg)
    reps: list[dict[str, Any]] = []
    for i in range(n):
        inc = float(np.clip(incline * rng.uniform(0.9, 1.1), 15.0, 35.0))
        d = (float(np.clip(drop * rng.uniform(0.8, 1.2), *PELVIC_DROP_DEG)) if support
             else drop)
        up, top = float(rng.uniform(1.0, 2.0)), float(rng.uniform(0.3, 1.5))
        down = float(rng.uniform(1.0, 2.0))
        t_top, t_down = t + up, t + up + top
        for ch, v_top, v0 in (("flex", -90.0 - inc, base_flex), ("pz", _pz_top(inc), base_pz),
                              ("twist", roll_twist(side_down, True, d), 0.0)):
            s.ramp(ch, t, t_top, v_top)
            s.ramp(ch, t_down, t_down + down, v0)
        rep: dict[str, Any] = {"start_s": round(t, 3), "end_s": round(t_down + down, 3),
                               "range_deg": round(base_flex + 90.0 + inc, 2),
                               "incline_deg": round(inc, 2), "up_s": round(up, 3),
                               "down_s": round(down, 3)}
        if support:
            rep["pelvic_drop_deg"] = round(d, 2)
        else:
            rep["roll_deg"] = round(d if side_down == "right" else -d, 2)
        reps.append(rep)
        t = t_down + down + (float(rng.uniform(0.4, 1.2)) if i < n - 1 else 0.0)
    _reps_summary(s, reps)
    if support:
        s.current.params.update(drop_side=side_down, support=support)
    s.advance(t - s.t)


def _reps_summary(s: Script, reps: list[dict[str, Any]], **extra: Any) -> None:
    """Set-level values of a reps segment: count and the per-rep means."""
    params: dict[str, Any] = {"count": len(reps)}
    for key in ("range_deg", "down_s", "up_s", "lateral_lean_deg", "pelvic_rotation_deg",
                "pelvic_drop_deg", "roll_deg", "incline_deg"):
        if key in reps[0]:
            params[key] = round(float(np.mean([r[key] for r in reps])), 3)
    s.current.params.update(params, per_rep=reps, **extra)


def quadruped_flex(tr: RoutineTraits) -> float:
    return 90.0 - tr.quad_elev_deg


def bird_dog(s: Script, p: Person, rng: Rng, tr: RoutineTraits, lifted: str) -> None:
    """Lift ``lifted`` leg and the opposite arm from hands and knees and hold 5-15 s:
    the lifted leg's hip rises (the pelvis rolls toward the supporting side) and the
    trunk rolls about it; the exit (lowering) belongs to the next segment."""
    weak = rb.weak_factor(p, lifted)
    hold_s = float(rng.uniform(*BIRD_DOG_HOLD_S))
    rot = float(np.clip(tr.bird_dog_rotation_deg * weak * rng.uniform(0.85, 1.15),
                        *BIRD_DOG_ROTATION_DEG))
    side_down = rb.other(lifted)
    twist = roll_twist(side_down, False, rot)
    arch = tr.bird_dog_arch_deg * float(rng.uniform(0.7, 1.3))
    entry = float(rng.uniform(1.0, 2.0))
    effort = min(hold_s / (0.5 * p.side_capacity_s / weak), 1.0)
    rb.timed_hold(s, p, rng, f"bird_dog_{lifted}", "quadruped", entry,
                  {"flex": quadruped_flex(tr) + arch, "lat": 0.0, "twist": twist,
                   "sway": 0.0}, hold_s, effort, wobble_gain=min(weak, 1.5))
    t0, t1 = s.t + entry, s.t + entry + hold_s
    wander = min(tr.bird_dog_roll_sway_deg * weak, 0.3 * rot + 0.5)
    rb.roll_wander(s, rng, t0, t1, twist, wander)
    sign = 1.0 if twist >= 0 else -1.0
    mean = float(np.mean(sign * s.render(np.arange(t0, t1, 0.02))["twist"]))
    s.current.params.update(hip_rotation_deg=round(rot, 2), hip_rotation_mean_deg=round(mean, 2),
                            rotation_side_down=side_down,
                            roll_sway_deg=round(rb.measured_rms(s, "twist", t0, t1), 3),
                            arch_deg=round(arch, 2), lifted_leg=lifted,
                            lifted_arm=rb.other(lifted))
    s.advance(entry + hold_s)


def cat_cow(s: Script, p: Person, rng: Rng, tr: RoutineTraits) -> None:
    """6-12 slow cycles on hands and knees (4-8 s each): the back sinks into cow (the
    pelvis tilts anteriorly, flexion +) and rounds up into cat (posteriorly); labelled
    ``cat_cow`` as reps. Starts and ends on hands and knees (the return to neutral is
    the next segment's)."""
    if s.posture != "quadruped":
        raise ValueError(f"cat-cow starts on hands and knees, not {s.posture}")
    base = s.value("flex")
    n = int(rng.integers(CAT_COW_CYCLES[0], CAT_COW_CYCLES[1] + 1))
    s.enter("cat_cow", 0.0, {}, posture="quadruped", mode="reps")
    t = s.t
    reps: list[dict[str, Any]] = []
    for _ in range(n):
        cycle = float(np.clip(tr.cat_cow_cycle_s * rng.uniform(0.9, 1.1), 4.0, 8.0))
        rng_deg = float(np.clip(tr.cat_cow_range_deg * rng.uniform(0.85, 1.15), 10.0, 30.0))
        share = float(rng.uniform(0.4, 0.6))
        down = cycle * float(rng.uniform(0.3, 0.4))
        pause = cycle * 0.1
        up = cycle - down - 2.0 * pause
        cow, cat = base + share * rng_deg, base - (1.0 - share) * rng_deg
        s.ramp("flex", t, t + down, cow)
        s.ramp("flex", t + down + pause, t + down + pause + up, cat)
        reps.append({"start_s": round(t, 3), "end_s": round(t + cycle, 3),
                     "range_deg": round(rng_deg, 2), "down_s": round(down, 3),
                     "up_s": round(up, 3)})
        t += cycle
    _reps_summary(s, reps)
    s.advance(t - s.t)


def knee_to_belly(s: Script, p: Person, rng: Rng, tr: RoutineTraits, side: str) -> None:
    """Lying supine, pull the ``side`` knee to the belly and hold 20-30 s: the pelvis
    tilts posteriorly (head end down) 5-20 deg and rolls 1-6 deg, the pulled side up."""
    hold_s, target = rb.stretch_hold_s(rng)
    tilt = float(np.clip(tr.ktb_tilt_deg * rng.uniform(0.85, 1.15), 5.0, 20.0))
    roll = float(np.clip(tr.ktb_roll_deg * rng.uniform(0.8, 1.2), 1.0, 6.0))
    entry = float(rng.uniform(2.0, 4.0))
    side_down = rb.other(side)
    s.enter(f"knee_to_belly_{side}", entry,
            {"flex": -90.0 - tilt, "lat": 0.0, "twist": roll_twist(side_down, True, roll),
             "pz": rb.FLOOR_PZ + 0.02, "sway": 0.1 * p.sway_deg,
             "breath_deg": 1.3 * p.breath_deg},
            posture="supine", mode="hold", hold_s=round(hold_s, 2), target_s=target,
            reached=hold_s >= target, tilt_deg=round(tilt, 2), roll_deg=round(roll, 2),
            roll_side_down=side_down, knee=side)
    s.advance(entry + hold_s)


def cross(s: Script, p: Person, rng: Rng, tr: RoutineTraits, side: str) -> None:
    """Lying supine, knees bent, let them fall to ``side`` (shoulders flat) and hold
    20-30 s: the pelvis rolls 30-70 deg toward ``side``."""
    hold_s, target = rb.stretch_hold_s(rng)
    roll = float(np.clip(tr.cross_roll_deg * rng.uniform(0.85, 1.15), 30.0, 70.0))
    entry = float(rng.uniform(3.0, 5.0))
    s.enter(f"cross_{side}", entry,
            {"flex": -90.0, "lat": 0.0, "twist": roll_twist(side, True, roll),
             "pz": rb.FLOOR_PZ + 0.03, "sway": 0.1 * p.sway_deg,
             "breath_deg": 1.3 * p.breath_deg},
            posture="supine", mode="hold", hold_s=round(hold_s, 2), target_s=target,
            reached=hold_s >= target, roll_deg=round(roll, 2), roll_side_down=side)
    s.advance(entry + hold_s)


def child_pose(s: Script, p: Person, rng: Rng) -> None:
    """From kneeling or hands and knees, sit back on the heels with the trunk folded
    forward and down (flexion 100-130 deg) and hold 20-30 s, breathing deeply."""
    hold_s, target = rb.stretch_hold_s(rng)
    entry = float(rng.uniform(2.0, 4.0))
    seg = go(s, p, rng, "child_pose", "child_pose", entry,
             {"twist": 0.0, "breath_deg": 1.3 * p.breath_deg}, mode="hold",
             hold_s=round(hold_s, 2), target_s=target, reached=hold_s >= target)
    seg.params["depth_deg"] = round(s.value("flex"), 2)
    s.advance(entry + hold_s)
