"""Everyday moves a scenario is made of: calibration, sitting, slumps, fidgets,
standing up, walking, sitting down, lying, and posture-to-posture transitions.

Each move opens one or more labelled segments on a :class:`Script`. Pose angles are
the trunk segment's (deg): ``flex`` forward +, ``lat`` right +, ``yaw`` heading, ``twist``
about the long axis; upright sitting is 0/0 (what the calibration measures).
Durations and amplitudes are drawn from the script's random generator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensorcoach.simulate.person import SLUMP_MIN_DEG, Person, episode_depth
from sensorcoach.simulate.script import Script, Segment
from sensorcoach.simulate.signals import loguniform

Rng = np.random.Generator

#: Base poses: pivot height ``pz`` (m) and, where fixed, angles (deg) and sway scale.
POSTURES: dict[str, dict[str, float]] = {
    "sitting": {"flex": 0.0, "lat": 0.0, "pz": 0.50, "sway": 1.0},
    "standing": {"pz": 0.95, "sway": 0.6},
    "kneeling": {"lat": 0.0, "pz": 0.62, "sway": 0.7},
    "quadruped": {"flex": 85.0, "lat": 0.0, "pz": 0.55, "sway": 0.3},
    "child_pose": {"lat": 0.0, "pz": 0.30, "sway": 0.15},
    "prone": {"flex": 90.0, "lat": 0.0, "pz": 0.12, "sway": 0.1},
    "supine": {"flex": -90.0, "lat": 0.0, "pz": 0.12, "sway": 0.1},
    "side_left": {"flex": 0.0, "lat": -90.0, "pz": 0.15, "sway": 0.1},
    "side_right": {"flex": 0.0, "lat": 90.0, "pz": 0.15, "sway": 0.1},
    "plank": {"lat": 0.0, "pz": 0.25, "sway": 0.0},
    "side_plank_left": {"flex": 0.0, "pz": 0.30, "sway": 0.0},
    "side_plank_right": {"flex": 0.0, "pz": 0.30, "sway": 0.0},
}

ViaFn = Callable[[Script, Rng], list[tuple[float, dict[str, float]]]]


def _bump(lift: tuple[float, float], frac: float, pz_mid: float) -> ViaFn:
    """Via point for sit/stand/kneel transitions: the trunk pitches forward to move the
    centre of mass over the feet (the peak lean is where the flexion velocity is zero)
    while the hips barely move yet."""

    def via(s: Script, rng: Rng) -> list[tuple[float, dict[str, float]]]:
        return [(frac, {"flex": s.value("flex") + float(rng.uniform(*lift)), "pz": pz_mid})]

    return via


def _through(name: str, frac: float) -> ViaFn:
    def via(s: Script, rng: Rng) -> list[tuple[float, dict[str, float]]]:
        pose = {k: v for k, v in POSTURES[name].items() if k != "sway"}
        return [(frac, pose)]

    return via


VIA: dict[tuple[str, str], ViaFn] = {
    ("sitting", "standing"): _bump((30.0, 45.0), 0.45, 0.53),
    ("standing", "sitting"): _bump((25.0, 35.0), 0.5, 0.75),
    ("standing", "kneeling"): _bump((15.0, 25.0), 0.5, 0.80),
    ("kneeling", "standing"): _bump((20.0, 30.0), 0.45, 0.70),
    ("sitting", "kneeling"): _bump((20.0, 30.0), 0.5, 0.55),
    ("kneeling", "sitting"): _bump((20.0, 30.0), 0.5, 0.70),
    ("kneeling", "plank"): _through("quadruped", 0.45),
    ("plank", "kneeling"): _through("quadruped", 0.5),
    ("plank", "child_pose"): _through("quadruped", 0.45),
    ("prone", "kneeling"): _through("quadruped", 0.5),
    ("kneeling", "prone"): _through("quadruped", 0.5),
    ("child_pose", "plank"): _through("quadruped", 0.5),
    ("sitting", "prone"): _through("quadruped", 0.55),
    ("standing", "prone"): _through("quadruped", 0.55),
}


#: Postures in which pelvis and trunk are one straight segment (lying, holds, all fours).
_PELVIS_ALIGNED = ("prone", "supine", "side_left", "side_right", "plank", "side_plank_left",
                   "side_plank_right", "quadruped")
#: The label rule for a slump: held forward flexion at least this far beyond the
#: calibrated upright posture (deg) at every placement (the lower back's
#: ``person.SLUMP_MIN_DEG``; the upper back's is deeper). Forward sitting no deeper than
#: ``person.LEAN_MAX_DEG`` is labelled ``lean``; none is drawn between the two.
SLUMP_LABEL_MIN_DEG = min(SLUMP_MIN_DEG.values())


def pelvis_for(posture: str, flex: float, p: Person) -> float:
    """The ``pelvis`` channel (pelvis forward tilt minus trunk flexion, deg) for a trunk
    at ``flex`` in ``posture``: what a ``waist`` sensor adds to the trunk's angle.

    Standing, walking and kneeling: the pelvis takes half of a forward bend beyond the
    standing posture (lumbo-pelvic rhythm). Sitting: the pelvis rolls back
    ``sit_pelvis_deg`` and takes half of a forward lean from the hips. Lying and holds:
    one straight segment. Child's pose: the pelvis stays 40 deg behind the trunk.
    (Design estimates from the biomechanics notes; only the sit/stand roll is a
    published range.)
    """
    if posture in _PELVIS_ALIGNED:
        return 0.0
    if posture == "child_pose":
        return -40.0
    if posture == "sitting":
        return -p.sit_pelvis_deg - 0.5 * flex
    base = p.standing_offset_deg
    return 0.5 * (flex - base) - flex


def posture_targets(name: str, p: Person, rng: Rng) -> dict[str, float]:
    """Channel targets for a base posture, with this person's variation."""
    base = dict(POSTURES[name])
    sway = base.pop("sway") * p.sway_deg
    if name == "standing":
        base["flex"] = p.standing_offset_deg
        base["lat"] = p.standing_lateral_deg
    elif name == "kneeling":
        base["flex"] = float(rng.uniform(0.0, 10.0))
    elif name == "child_pose":
        base["flex"] = float(rng.uniform(100.0, 130.0))
    elif name == "plank":
        base["flex"] = 90.0 - p.hold_elevation_deg
    elif name == "side_plank_left":
        base["lat"] = -(90.0 - p.hold_elevation_deg)
    elif name == "side_plank_right":
        base["lat"] = 90.0 - p.hold_elevation_deg
    base["sway"] = sway
    return base


def go(s: Script, p: Person, rng: Rng, kind: str, posture: str, transition_s: float,
       extra: Mapping[str, float] | None = None, **params: Any) -> Segment:
    """Open a ``kind`` segment whose entry moves from the current posture to ``posture``
    (through the via points of :data:`VIA` when the direct path would be unnatural)."""
    targets = posture_targets(posture, p, rng)
    targets.update(extra or {})
    if "pelvis" not in targets:
        targets["pelvis"] = pelvis_for(posture, targets.get("flex", s.value("flex")), p)
    via_fn = VIA.get((s.posture, posture))
    via = via_fn(s, rng) if via_fn is not None else []
    return s.enter(kind, transition_s, targets, via=via, posture=posture, **params)


# ------------------------------------------------------------------ sitting at a desk
def calibration(s: Script, p: Person, rng: Rng) -> None:
    """The guided calibration: sit upright and still 0-5.5 s (header span 0.5-5.0 s),
    lean forward 25-35 deg and back inside 5.5-10.5 s; labelled ``calibration`` 0-11 s."""
    lean = float(rng.uniform(25.0, 35.0))
    s.enter("calibration", 0.0, {}, posture="sitting", upright_s=[0.5, 5.0],
            forward_s=[5.5, 10.5], lean_deg=round(lean, 2))
    start = 5.5 + float(rng.uniform(0.05, 0.4))
    down = float(rng.uniform(1.3, 1.8))
    up = float(rng.uniform(1.5, 2.0))
    pause = min(float(rng.uniform(0.6, 1.2)), 10.4 - start - down - up)
    s.ramp("flex", start, start + down, lean)
    s.ramp("lat", start, start + down, float(rng.normal(0.0, 1.0)))
    s.ramp("flex", start + down + pause, start + down + pause + up, 0.0)
    s.ramp("lat", start + down + pause, start + down + pause + up, 0.0)
    s.advance(11.0 - s.t)


def micro_shifts(s: Script, p: Person, rng: Rng, t0: float, t1: float, flex: float,
                 lat: float, spread: float = 1.0) -> None:
    """Unlabelled small posture shifts (1-3 deg) at the person's rate inside [t0, t1]."""
    n = int(rng.poisson(p.shift_per_min * max(t1 - t0, 0.0) / 60.0))
    if n == 0 or t1 - t0 < 4.0:
        return
    times = np.sort(rng.uniform(t0 + 0.5, t1 - 2.0, n))
    last = t0
    for t in times:
        dur = float(rng.uniform(0.6, 1.5))
        if t < last + 0.5 or t + dur > t1 - 0.2:
            continue
        s.ramp("flex", t, t + dur, flex + float(rng.normal(0.0, 1.5 * spread)))
        s.ramp("lat", t, t + dur, lat + float(rng.normal(0.0, 1.0 * spread)))
        last = t + dur


def upright(s: Script, p: Person, rng: Rng, dur: float, transition_s: float | None = None,
            kind: str = "upright") -> None:
    """Sit upright (base within a few degrees of the calibrated 0) for ``dur`` s."""
    tr = float(rng.uniform(1.0, 2.5)) if transition_s is None else transition_s
    tr = min(tr, 0.5 * dur)
    flex = float(np.clip(rng.normal(0.0, 1.5), -3.0, 3.0))
    lat = float(np.clip(rng.normal(0.0, 1.0), -2.0, 2.0))
    seat_yaw = s.state.get("seat_yaw", 0.0)
    if s.posture != "sitting":
        # Sitting back down facing wherever the person turned to: the nearest heading
        # equivalent to the seat's, so nobody spins 360 deg on the way down.
        seat_yaw += 360.0 * round((s.value("yaw") - seat_yaw) / 360.0)
        s.state["seat_yaw"] = seat_yaw
    go(s, p, rng, kind, "sitting", tr,
       {"flex": flex, "lat": lat, "yaw": seat_yaw, "twist": 0.0})
    micro_shifts(s, p, rng, s.t + tr, s.t + dur, flex, lat)
    s.advance(dur)


def slump_onset_s(p: Person, rng: Rng) -> float:
    """Slump onset duration (s) for this person's style."""
    lo, hi = {"gradual": (20.0, 60.0), "sudden": (5.0, 15.0)}.get(p.slump_style, (5.0, 60.0))
    return float(rng.uniform(lo, hi))


def slump(s: Script, p: Person, rng: Rng, hold_s: float, onset_s: float,
          placement: str) -> None:
    """Gradual forward flexion to a depth over ``onset_s``, held ``hold_s`` with sway and a
    slow depth wander (+-8 %); the way back up belongs to the next segment. Labelled
    ``slump`` when the depth is at least the placement's ``person.SLUMP_MIN_DEG``, else
    ``lean`` (``person.episode_depth``: never in between)."""
    lo, hi = p.slump_lo_deg, p.slump_hi_deg
    # Typical people (spread 0): 0.65-1.3 times their depth, as the first fixtures drew.
    factor = (loguniform(rng, 1.0 / p.slump_spread, p.slump_spread) if p.slump_spread > 1.0
              else float(rng.uniform(0.65, 1.3)))
    depth = episode_depth(float(np.clip(p.slump_depth_deg * factor, lo, hi)), placement,
                          leans=p.slump_spread > 1.0)
    lat = float(np.clip(rng.normal(0.0, 2.0), -5.0, 5.0))
    # Slumping tucks the pelvis back (a waist sensor tilts backwards by 0.3 x depth).
    s.enter("slump" if depth >= SLUMP_MIN_DEG[placement] else "lean", onset_s,
            {"flex": depth, "lat": lat, "sway": 1.15 * p.sway_deg, "twist": 0.0,
             "yaw": s.state.get("seat_yaw", 0.0), "pelvis": -p.sit_pelvis_deg - 1.3 * depth},
            posture="sitting", depth_deg=round(depth, 2), onset_s=round(onset_s, 2),
            hold_s=round(hold_s, 2))
    t = s.t + onset_s
    end = t + hold_s
    peak = depth
    while t + 25.0 < end:
        step = float(rng.uniform(10.0, 25.0))
        dur = min(float(rng.uniform(20.0, 80.0)), end - t - step)
        if dur < 5.0:
            break
        v = depth * (1.0 + float(np.clip(rng.normal(0.0, 0.05), -0.08, 0.08)))
        peak = max(peak, v)
        s.ramp("flex", t + step, t + step + dur, v)
        t += step + dur
    s.current.params["peak_deg"] = round(peak, 2)
    s.advance(onset_s + hold_s)


FIDGETS = ("reach", "turn", "recline", "stretch")
_FIDGET_P = (0.4, 0.3, 0.15, 0.15)


@dataclass(frozen=True)
class FidgetPlan:
    """A drawn fidget: sub-kind, entry time and hold (s), amplitude (deg), targets."""

    kind: str
    transition_s: float
    hold_s: float
    deg: float
    targets: dict[str, float]

    @property
    def duration_s(self) -> float:
        return self.transition_s + self.hold_s


def plan_fidget(s: Script, rng: Rng, kind: str) -> FidgetPlan:
    """Draw a fidget. Reach: forward 20-45 deg for 2-8 s; turn: yaw 30-90 deg with a
    small tilt for 2-10 s; recline: back 10-20 deg for 5-60 s; stretch: back and
    sideways 5-15 deg for 2-6 s."""
    yaw0 = s.state.get("seat_yaw", 0.0)
    side = float(rng.choice([-1.0, 1.0]))
    if kind == "reach":
        tr, hold = float(rng.uniform(0.8, 1.5)), float(rng.uniform(2.0, 8.0))
        deg = float(rng.uniform(20.0, 45.0))
        targets = {"flex": deg, "lat": float(rng.normal(0.0, 3.0)),
                   "yaw": yaw0 + side * float(rng.uniform(0.0, 25.0))}
    elif kind == "turn":
        tr, hold = float(rng.uniform(1.0, 2.0)), float(rng.uniform(2.0, 10.0))
        deg = float(rng.uniform(30.0, 90.0))
        targets = {"yaw": yaw0 + side * deg, "flex": float(rng.uniform(3.0, 10.0)),
                   "lat": side * float(rng.uniform(0.0, 6.0))}
    elif kind == "recline":
        tr, hold = float(rng.uniform(1.5, 3.0)), loguniform(rng, 5.0, 60.0)
        deg = float(rng.uniform(10.0, 20.0))
        targets = {"flex": -deg, "lat": float(rng.normal(0.0, 2.0))}
    else:
        tr, hold = float(rng.uniform(1.0, 2.0)), float(rng.uniform(2.0, 6.0))
        deg = float(rng.uniform(5.0, 15.0))
        targets = {"flex": -float(rng.uniform(5.0, 15.0)), "lat": side * deg}
    return FidgetPlan(kind, tr, hold, deg, targets)


def fidget(s: Script, p: Person, rng: Rng, plan: FidgetPlan) -> None:
    """Perform a planned fidget as one labelled ``fidget`` segment."""
    targets = {**plan.targets, "sway": 0.8 * p.sway_deg}
    tr, hold = plan.transition_s, plan.hold_s
    go(s, p, rng, "fidget", "sitting", tr, targets, fidget=plan.kind, deg=round(plan.deg, 2),
       hold_s=round(hold, 2))
    if plan.kind == "reach" and hold > 3.0:
        # Reaching is not frozen: the hand works, the trunk follows a little.
        s.ramp("flex", s.t + tr + 0.3 * hold, s.t + tr + 0.6 * hold,
               targets["flex"] + float(rng.normal(0.0, 4.0)))
    s.advance(tr + hold)


def sitting_stretch(s: Script, p: Person, rng: Rng, dur: float, fidget_factor: float = 1.0,
                    return_s: float | None = None) -> None:
    """Fill exactly ``dur`` s with upright sitting and fidgets at the person's rate
    times ``fidget_factor``; the first upright entry lasts ``return_s`` (the way back
    from a slump or from standing) when given."""
    end = s.t + dur
    rate = p.fidget_per_min * fidget_factor
    first = True
    while end - s.t > 1e-6:
        left = end - s.t
        gap = max(float(rng.exponential(60.0 / rate)), 8.0) if rate > 0 else left
        plan = plan_fidget(s, rng, str(rng.choice(FIDGETS, p=_FIDGET_P))) if rate > 0 else None
        if plan is None or left - gap - plan.duration_s < 8.0:
            upright(s, p, rng, left, return_s if first else None)
            return
        upright(s, p, rng, gap, return_s if first else None)
        first = False
        fidget(s, p, rng, plan)


# ------------------------------------------------------------------ on the feet
def stand_up(s: Script, p: Person, rng: Rng, dur: float) -> None:
    """Rise from the chair (1.5-3 s, trunk pitching forward 30-45 deg on the way), then
    stand still with sway and occasional weight shifts for the rest of ``dur`` s."""
    standing(s, p, rng, dur, float(rng.uniform(1.5, 3.0)))


def standing(s: Script, p: Person, rng: Rng, dur: float, transition_s: float,
             bend_deg: float = 0.0, face_yaw: float | None = None, **params: Any) -> None:
    """Stand for ``dur`` s; ``bend_deg`` adds a forward bend (e.g. at a counter);
    ``face_yaw`` turns (over 2 s, after the entry) to that heading modulo 360 deg."""
    yaw = s.value("yaw")
    fwd = 0.2 if s.posture == "sitting" else 0.0
    extra = {"px": s.value("px") + fwd * np.cos(np.radians(yaw)),
             "py": s.value("py") + fwd * np.sin(np.radians(yaw)),
             "flex": p.standing_offset_deg + bend_deg}
    tr = min(transition_s, 0.5 * dur)
    go(s, p, rng, "standing", "standing", tr, extra, offset_deg=round(p.standing_offset_deg, 2),
       **params)
    t, end = s.t + tr, s.t + dur
    if face_yaw is not None and end - t > 3.0:
        face(s, face_yaw, t, 2.0)
    lat0 = p.standing_lateral_deg
    while True:
        t += float(rng.uniform(6.0, 25.0))
        shift = float(rng.uniform(0.8, 1.5))
        if t + shift > end - 0.5:
            break
        s.ramp("lat", t, t + shift, lat0 + float(rng.choice([-1.0, 1.0]) * rng.uniform(1.5, 4.0)))
        t += shift
    s.advance(dur)


def walk(s: Script, p: Person, rng: Rng, dur: float, turns: int = 0,
         first_turn_deg: float = 0.0) -> None:
    """Walk for ``dur`` s: gait starts over 1.2-2 s (an initial turn of
    ``first_turn_deg``), ``turns`` U-turns with a slow-down, slight forward lean."""
    step_hz = float(np.clip(p.step_hz * rng.uniform(0.96, 1.04), 1.6, 2.2))
    speed = 0.68 * p.height_scale * step_hz
    tr = min(float(rng.uniform(1.2, 2.0)), 0.5 * dur)
    s.enter("walking", tr,
            {"walk": 1.0, "speed": speed, "step_hz": step_hz, "sway": 0.0,
             "flex": p.standing_offset_deg + p.walking_lean_deg,
             "lat": p.standing_lateral_deg, "twist": 0.0, "pz": POSTURES["standing"]["pz"],
             "pelvis": pelvis_for("standing", p.standing_offset_deg + p.walking_lean_deg, p)},
            posture="standing", step_hz=round(step_hz, 3), speed_mps=round(speed, 3),
            turns=turns)
    yaw = s.value("yaw")
    t0 = s.t
    if first_turn_deg:
        yaw += first_turn_deg
        s.ramp("yaw", t0, t0 + min(max(tr, 2.0), dur), yaw)
    for k in range(turns):
        t = t0 + (k + 1) * dur / (turns + 1)
        if t < t0 + tr + 3.0 or t + 4.0 > t0 + dur:
            continue
        side = float(rng.choice([-1.0, 1.0]))
        s.ramp("speed", t, t + 0.8, 0.45 * speed)
        yaw += side * 180.0
        s.ramp("yaw", t + 0.4, t + 2.9, yaw)
        s.ramp("speed", t + 2.9, t + 3.7, speed)
    s.advance(dur)


def face(s: Script, yaw_target: float, t0: float, dur: float) -> None:
    """Turn to the heading nearest ``yaw_target`` modulo 360 (deg)."""
    yaw = s.value("yaw")
    goal = yaw_target + 360.0 * round((yaw - yaw_target) / 360.0)
    if abs(goal - yaw) > 1.0:
        s.ramp("yaw", t0, t0 + dur, goal)
