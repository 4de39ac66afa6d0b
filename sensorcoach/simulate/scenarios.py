"""Scenario scripts: what the simulated person does, minute by minute.

Every scenario begins seated; with the calibration motion enabled it opens with the
guided calibration (0-11 s). Durations are defaults that ``SimConfig.duration_s``
overrides (the workout's natural length follows its holds).
"""

from __future__ import annotations

import numpy as np

from sensorcoach.simulate import holds as hl
from sensorcoach.simulate import moves as mv
from sensorcoach.simulate import scenarios_life as sl
from sensorcoach.simulate import scenarios_routine as sr
from sensorcoach.simulate.context import Context, Scenario
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.script import Script
from sensorcoach.simulate.signals import loguniform

__all__ = ["SCENARIOS", "Context", "Scenario", "initial_channels"]


def initial_channels(p: Person) -> dict[str, float]:
    """Channel values at t = 0: seated upright, still (calibration), breathing."""
    return {"flex": 0.0, "lat": 0.0, "yaw": 0.0, "twist": 0.0, "px": 0.0, "py": 0.0,
            "pz": mv.POSTURES["sitting"]["pz"], "speed": 0.0, "walk": 0.0,
            "step_hz": p.step_hz, "sway": 0.25 * p.sway_deg, "wobble": 0.0,
            "breath_deg": p.breath_deg, "breath_hz": p.breath_hz, "tremor": 0.0,
            "fatigue": 0.0, "jog": 0.0, "stairs": 0.0, "busy": 0.0,
            "pelvis": -p.sit_pelvis_deg}


def _begin(s: Script, c: Context) -> None:
    if c.calibrate:
        mv.calibration(s, c.person, c.rng)


def _remaining(s: Script, c: Context, fallback: float) -> float:
    return (c.duration_s - s.t) if c.duration_s is not None else fallback


# ------------------------------------------------------------------ desk sessions
def _desk(s: Script, c: Context, *, walking_break: bool, slumps: tuple[int, int] | None,
          fidget_factor: float) -> None:
    p, rng = c.person, c.rng
    assert c.duration_s is not None
    _begin(s, c)
    avail = c.duration_s - s.t
    brk: tuple[float, float, float] | None = None
    if walking_break and avail > 240.0:
        brk = (float(rng.uniform(8.0, 25.0)),
               float(min(rng.uniform(60.0, 240.0), 0.15 * avail)),
               float(rng.uniform(6.0, 15.0)))
    sit_avail = avail - (sum(brk) if brk else 0.0)
    n = int(rng.integers(slumps[0], slumps[1] + 1)) if slumps else 0
    n = min(n, int(sit_avail // 120.0))
    onsets = [mv.slump_onset_s(p, rng) for _ in range(n)]
    holds = [loguniform(rng, 30.0, 600.0) for _ in range(n)]
    budget = 0.4 * sit_avail - sum(onsets)
    if n and sum(holds) > budget:
        holds = [max(30.0, h * budget / sum(holds)) for h in holds]
    upright_total = sit_avail - sum(onsets) - sum(holds)
    gaps = rng.dirichlet(np.full(n + 1, 2.0)) * (upright_total - 20.0 * (n + 1)) + 20.0
    k_break = int(rng.integers(0, n + 1))
    for i in range(n + 1):
        ret = float(rng.uniform(1.5, 4.0)) if i > 0 else None
        if brk is not None and i == k_break:
            first = 0.5 * gaps[i]
            mv.sitting_stretch(s, p, rng, first, fidget_factor, ret)
            mv.stand_up(s, p, rng, brk[0])
            mv.walk(s, p, rng, brk[1], turns=1,
                    first_turn_deg=float(rng.choice([-1.0, 1.0]) * rng.uniform(90.0, 180.0)))
            mv.standing(s, p, rng, brk[2], float(rng.uniform(1.0, 2.0)),
                        face_yaw=s.state.get("seat_yaw", 0.0))
            mv.sitting_stretch(s, p, rng, gaps[i] - first, fidget_factor)
        else:
            mv.sitting_stretch(s, p, rng, gaps[i], fidget_factor, ret)
        if i < n:
            mv.slump(s, p, rng, holds[i], onsets[i], c.placement)


def build_desk(s: Script, c: Context) -> None:
    """A work session (default 30 min): calibration, upright sitting with fidgets and
    micro-shifts, 3-6 slumps of varied depth, onset (5-60 s) and length (30 s-10 min),
    a standing + walking break (stand 8-25 s, walk 1-4 min with a U-turn, stand), back to
    sitting."""
    _desk(s, c, walking_break=True, slumps=(3, 6), fidget_factor=1.0)


def build_desk_upright(s: Script, c: Context) -> None:
    """Upright sitting only (default 20 min) with frequent fidgets (>= 1 per minute):
    zero slumps expected; fidgets are brief, a recline can last up to a minute."""
    factor = max(1.0, 1.0 / c.person.fidget_per_min) * 1.5
    _desk(s, c, walking_break=False, slumps=None, fidget_factor=factor)


def build_desk_long(s: Script, c: Context) -> None:
    """A long sedentary stretch (default 75 min) without standing or walking: upright
    sitting, fidgets, 4-8 slumps; a sedentary reminder is due after the first hour."""
    _desk(s, c, walking_break=False, slumps=(4, 8), fidget_factor=1.0)


# ------------------------------------------------------------------ workout
def build_workout(s: Script, c: Context) -> None:
    """Calibration seated, walk to the mat, kneel; then 2-3 sets of plank, side plank
    left, side plank right (15-120 s each, effort 55-95 % of a capacity that shrinks with
    fatigue and is shorter on the person's weaker side), with rests kneeling, in child's
    pose, lying prone or on the side (25-60 s within a set, 45-90 s between sets); kneel
    up and stand at the end. Natural length ~8-18 min; a ``duration_s`` trims the session
    or pads the final standing."""
    p, rng = c.person, c.rng
    _begin(s, c)
    mv.upright(s, p, rng, float(rng.uniform(10.0, 25.0)))
    mv.stand_up(s, p, rng, float(rng.uniform(4.0, 8.0)))
    mv.walk(s, p, rng, float(rng.uniform(8.0, 15.0)),
            first_turn_deg=float(rng.choice([-1.0, 1.0]) * rng.uniform(60.0, 120.0)))
    mv.standing(s, p, rng, float(rng.uniform(3.0, 6.0)), float(rng.uniform(1.0, 2.0)))
    fatigue = hl.rest(s, p, rng, "kneeling", float(rng.uniform(10.0, 20.0)), 0.0)
    n_sets = int(rng.integers(2, 4))
    plank_rests = list(rng.permutation(["kneeling", "child_pose", "prone"]))
    for k in range(n_sets):
        for kind in hl.HOLD_KINDS:
            entries = hl.ENTRY_POSTURES[kind]
            if s.posture not in entries:
                fatigue = hl.rest(s, p, rng, "kneeling", float(rng.uniform(4.0, 8.0)), fatigue)
            if s.posture == "kneeling" and rng.uniform() < 0.35:
                # Some entries start from lying (prone, or on the working side).
                fatigue = hl.rest(s, p, rng, entries[1], float(rng.uniform(4.0, 8.0)), fatigue)
            cap = hl.capacity_s(p, kind) * (1.0 - 0.5 * fatigue)
            target = float(np.clip(cap * rng.uniform(0.55, 0.95), 15.0, 120.0))
            fatigue = hl.hold(s, p, rng, kind, target, fatigue)
            last = k == n_sets - 1 and kind == hl.HOLD_KINDS[-1]
            if kind == "plank":
                posture = str(plank_rests[k % 3])
            else:
                posture = str(rng.choice(hl.REST_AFTER[kind]))
            dur = float(rng.uniform(45.0, 90.0) if kind == hl.HOLD_KINDS[-1]
                        else rng.uniform(25.0, 60.0))
            if last:
                dur = float(rng.uniform(20.0, 40.0))
            fatigue = hl.rest(s, p, rng, posture, dur, fatigue)
    if s.posture != "kneeling":
        fatigue = hl.rest(s, p, rng, "kneeling", float(rng.uniform(4.0, 8.0)), fatigue)
    mv.standing(s, p, rng, max(float(rng.uniform(5.0, 10.0)), _remaining(s, c, 0.0)),
                float(rng.uniform(1.5, 3.0)))


# ------------------------------------------------------------------ rest and daily life
def _roll(s: Script, p: Person, rng: np.random.Generator, posture: str, dur: float,
          pz: float) -> None:
    """Lie on the back, or roll from it onto a side (rotation about the long axis)."""
    twist = {"supine": 0.0, "side_left": 90.0, "side_right": -90.0}[posture]
    tr = min(float(rng.uniform(2.0, 4.0)), 0.5 * dur)
    s.enter("rest", tr, {"flex": -90.0, "lat": 0.0, "twist": twist, "pz": pz, "pelvis": 0.0,
                         "sway": 0.1 * p.sway_deg}, posture=posture)
    s.advance(dur)


def _fit(durations: list[float], total: float) -> list[float]:
    """Scale planned durations (s) to fill ``total`` s, none shorter than 4 s."""
    scale = max(total, 0.0) / sum(durations)
    return [max(4.0, d * scale) for d in durations]


def build_rest_lying(s: Script, c: Context) -> None:
    """Rest postures only (default 10 min): sit on the floor, lie supine, on the left
    side, supine, on the right side, supine, sit up, kneel, lie prone, kneel, child's
    pose, kneel, sit. Still but breathing, no tremor: zero holds expected."""
    p, rng = c.person, c.rng
    _begin(s, c)
    plan = ["sitting", "supine", "side_left", "supine", "side_right", "supine", "sitting",
            "kneeling", "prone", "kneeling", "child_pose", "kneeling", "sitting"]
    nominal = [float(rng.uniform(20.0, 90.0)) for _ in plan]
    durs = _fit(nominal, _remaining(s, c, 600.0))
    for posture, dur in zip(plan, durs, strict=True):
        if posture in ("supine", "side_left", "side_right"):
            _roll(s, p, rng, posture, dur, 0.12)
        else:
            extra = {"pz": 0.15} if posture == "sitting" else None
            mv.go(s, p, rng, "rest", posture, min(float(rng.uniform(2.5, 4.5)), 0.5 * dur),
                  extra)
            s.advance(dur)


def build_mixed(s: Script, c: Context) -> None:
    """Activities of daily living (default 20 min): sit and work (a slump), stand up and
    walk, stand at a counter bent forward, walk, sit on a sofa, lie down on it (back,
    then side), sit up, walk again, sit."""
    p, rng = c.person, c.rng
    _begin(s, c)
    u = rng.uniform
    nominal = [u(60, 150), u(40, 90), u(20, 60), u(40, 90), u(20, 60), u(60, 150), u(60, 180),
               u(30, 90), u(20, 60), u(60, 150), u(30, 90)]
    d = _fit([float(x) for x in nominal], _remaining(s, c, 1200.0) - 30.0)
    turn = float(rng.choice([-1.0, 1.0]))
    mv.sitting_stretch(s, p, rng, d[0])
    mv.slump(s, p, rng, max(30.0, 0.6 * d[1]), float(u(5, 20)), c.placement)
    mv.sitting_stretch(s, p, rng, max(10.0, 0.4 * d[1]), return_s=float(u(1.5, 3.0)))
    mv.stand_up(s, p, rng, float(u(5, 10)))
    mv.walk(s, p, rng, d[2] + d[3], turns=1, first_turn_deg=turn * float(u(60, 180)))
    mv.standing(s, p, rng, d[4], float(u(1.0, 2.0)), bend_deg=float(u(10, 25)),
                activity="counter")
    mv.walk(s, p, rng, d[5] * 0.5, first_turn_deg=-turn * float(u(45, 135)))
    mv.standing(s, p, rng, float(u(3, 8)), float(u(1.0, 2.0)))
    mv.sitting_stretch(s, p, rng, d[5] * 0.5)
    _roll(s, p, rng, "supine", d[6], 0.45)
    _roll(s, p, rng, str(rng.choice(["side_left", "side_right"])), d[7], 0.45)
    mv.go(s, p, rng, "upright", "sitting", min(float(u(2.5, 4.0)), 0.5 * d[8]), {"twist": 0.0})
    s.advance(d[8])
    mv.stand_up(s, p, rng, float(u(5, 10)))
    mv.walk(s, p, rng, d[9], turns=1, first_turn_deg=turn * float(u(60, 180)))
    mv.standing(s, p, rng, float(u(5, 12)), float(u(1.0, 2.0)),
                face_yaw=s.state.get("seat_yaw", 0.0))
    mv.sitting_stretch(s, p, rng, max(20.0, _remaining(s, c, d[10])))


SCENARIOS: dict[str, Scenario] = {
    sc.name: sc for sc in (
        Scenario("desk", "work session: calibration, sitting, 3-6 slumps, fidgets, a walk",
                 1800.0, build_desk),
        Scenario("desk_upright", "upright sitting with frequent fidgets, no slumps",
                 1200.0, build_desk_upright),
        Scenario("desk_long", "75 min sedentary: sitting, slumps, fidgets, no walking",
                 4500.0, build_desk_long),
        Scenario("workout", "2-3 sets of plank / side plank left / right with rests",
                 None, build_workout),
        Scenario("rest_lying", "rest postures only: lying, kneeling, child's pose, sitting",
                 600.0, build_rest_lying),
        Scenario("mixed", "daily living: sit, walk, stand at a counter, lie on a sofa",
                 1200.0, build_mixed),
        Scenario("daily_life", "errands: sit, walk, stairs, bends, jog, squat, shoe, lie down",
                 1800.0, sl.build_daily_life, placement="lower_back", population="wide"),
        Scenario("waist_day", "phone on the belt, no calibration: sit, walk, jog, stairs, lie",
                 1800.0, sl.build_waist_day, placement="waist", calibrates=False,
                 population="wide"),
        Scenario("desk_wide", "desk day, leans 5-35 deg, bends to the floor, a shoe, a walk",
                 1800.0, sl.build_desk_wide, population="wide"),
        Scenario("workout_wide", "steady to shaky people, holds 5-180 s at 5-35 deg, lying rests",
                 None, sl.build_workout_wide, placement="lower_back", population="wide"),
        Scenario("workout_nocal", "the wide workout with no calibration motion or spans",
                 None, sl.build_workout_wide, placement="lower_back", calibrates=False,
                 population="wide"),
        Scenario("routine", "corrective routine: bird dog, planks, bridges, deadlifts, stretches",
                 None, sr.build_routine, placement="lower_back", population="wide"),
        Scenario("routine_nocal", "the corrective routine with no calibration motion or spans",
                 None, sr.build_routine, placement="lower_back", calibrates=False,
                 population="wide"),
        Scenario("gyro_faults", "daily life whose gyro export is wrong (axes, sign, rad/s, scale)",
                 900.0, sl.build_daily_life, placement="lower_back", gyro_fault=True,
                 population="wide"),
    )
}
