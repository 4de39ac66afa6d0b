"""Moves of daily life beyond the desk: jogging, stairs, bending, sitting and lying down.

Labels (see :mod:`.labels`): ``running`` (jogging), ``walking`` (with ``stairs`` up or
down where climbing), ``bending`` (``style``: ``stoop`` from standing, ``squat`` to the
floor, ``floor_reach`` and ``shoe_tying`` from a chair), ``sitting`` and ``standing``
(outside desk work), ``lying`` (``posture``: supine, prone, side_left, side_right).
A bend's segment holds its way down and the bend; the way back up belongs to the next
segment, as everywhere in the simulator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sensorcoach.simulate import moves as mv
from sensorcoach.simulate.moves import POSTURES, Rng, go, pelvis_for
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.script import Script

#: Ranges of each bend style: trunk flexion beyond the posture it starts from (deg),
#: time bent (s), hands-busy trunk wander (deg RMS), pivot (hip) height (m, None =
#: unchanged). Stoop: 60-100 deg for 2-20 s (biomechanics notes); the others are
#: design estimates.
BEND_STYLES: dict[str, dict[str, Any]] = {
    "stoop": {"deg": (60.0, 100.0), "hold": (2.0, 20.0), "busy": (1.5, 4.0), "pz": None,
              "from": "standing"},
    "squat": {"deg": (20.0, 55.0), "hold": (3.0, 20.0), "busy": (1.0, 3.0),
              "pz": (0.35, 0.5), "from": "standing"},
    "floor_reach": {"deg": (60.0, 95.0), "hold": (3.0, 20.0), "busy": (1.5, 4.0),
                    "pz": None, "from": "sitting"},
    "shoe_tying": {"deg": (70.0, 100.0), "hold": (10.0, 40.0), "busy": (1.0, 3.0),
                   "pz": None, "from": "sitting"},
}
LYING = ("supine", "prone", "side_left", "side_right")


def jog(s: Script, p: Person, rng: Rng, dur: float, turns: int = 0) -> None:
    """Jog for ``dur`` s at the person's cadence (2.5-3.2 Hz, +-3 % per bout), trunk
    leaning 5-15 deg forward; ``turns`` U-turns with a slow-down. Labelled ``running``."""
    step_hz = float(np.clip(p.jog_step_hz * rng.uniform(0.97, 1.03), 2.5, 3.2))
    speed = float(0.95 * p.height_scale * step_hz)
    lean = p.standing_offset_deg + p.jog_lean_deg
    tr = min(float(rng.uniform(1.5, 3.0)), 0.5 * dur)
    s.enter("running", tr,
            {"walk": 1.0, "jog": 1.0, "speed": speed, "step_hz": step_hz, "sway": 0.0,
             "flex": lean, "lat": p.standing_lateral_deg, "twist": 0.0,
             "pz": POSTURES["standing"]["pz"], "pelvis": pelvis_for("standing", lean, p)},
            posture="standing", step_hz=round(step_hz, 3), speed_mps=round(speed, 3),
            lean_deg=round(p.jog_lean_deg, 2), turns=turns)
    yaw, t0 = s.value("yaw"), s.t
    for k in range(turns):
        t = t0 + (k + 1) * dur / (turns + 1)
        if t < t0 + tr + 4.0 or t + 5.0 > t0 + dur:
            continue
        s.ramp("speed", t, t + 1.0, 0.5 * speed)
        yaw += float(rng.choice([-1.0, 1.0])) * 180.0
        s.ramp("yaw", t + 0.5, t + 3.0, yaw)
        s.ramp("speed", t + 3.0, t + 4.0, speed)
    s.advance(dur)


def stairs(s: Script, p: Person, rng: Rng, dur: float, up: bool) -> None:
    """Climb (``up``) or descend stairs for ``dur`` s: one 0.17 m step per step at
    0.8-0.95 of the walking cadence, leaning 3-8 deg forward going up. Labelled
    ``walking`` with ``stairs`` = up | down."""
    step_hz = float(np.clip(p.step_hz * rng.uniform(0.8, 0.95), 1.3, 2.0))
    lean = p.standing_offset_deg + (float(rng.uniform(3.0, 8.0)) if up
                                    else float(rng.uniform(0.0, 3.0)))
    tr = min(float(rng.uniform(0.8, 1.5)), 0.5 * dur)
    s.enter("walking", tr,
            {"walk": 1.0, "stairs": 1.0 if up else -1.0, "speed": 0.3 * step_hz,
             "step_hz": step_hz, "sway": 0.0, "flex": lean, "lat": p.standing_lateral_deg,
             "twist": 0.0, "pz": POSTURES["standing"]["pz"],
             "pelvis": pelvis_for("standing", lean, p)},
            posture="standing", step_hz=round(step_hz, 3), stairs="up" if up else "down",
            speed_mps=round(0.3 * step_hz, 3), turns=0)
    s.advance(dur)


def bend(s: Script, p: Person, rng: Rng, style: str, hold_s: float | None = None) -> None:
    """Bend down (``style`` from :data:`BEND_STYLES`) with busy hands, hold, and leave
    the way back up to the next segment. Labelled ``bending``."""
    spec = BEND_STYLES[style]
    deg = float(rng.uniform(*spec["deg"]))
    hold = float(rng.uniform(*spec["hold"])) if hold_s is None else hold_s
    busy = float(rng.uniform(*spec["busy"]))
    tr = float(rng.uniform(1.0, 2.5))
    start_posture = spec["from"]
    base = p.standing_offset_deg if start_posture == "standing" else 0.0
    flex = base + deg
    targets: dict[str, float] = {"flex": flex, "lat": float(rng.normal(0.0, 4.0)),
                                 "busy": busy, "sway": 0.0, "twist": 0.0}
    if spec["pz"] is not None:
        targets["pz"] = float(rng.uniform(*spec["pz"]))
    if start_posture == "sitting":
        targets["pelvis"] = pelvis_for("sitting", flex, p)
    elif style == "squat":
        targets["pelvis"] = -0.3 * flex
    else:
        targets["pelvis"] = pelvis_for("standing", flex, p)
    if s.posture != start_posture:
        raise ValueError(f"a {style} bend starts from {start_posture}, not {s.posture}")
    s.enter("bending", tr, targets, posture=start_posture, style=style,
            depth_deg=round(deg, 2), hold_s=round(hold, 2), busy_deg=round(busy, 2))
    # The hands work: the bend deepens and eases a little while bent.
    t = s.t + tr
    if hold > 4.0:
        s.ramp("flex", t + 0.3 * hold, t + 0.6 * hold, flex + float(rng.normal(0.0, 5.0)))
    s.advance(tr + hold)


def sit(s: Script, p: Person, rng: Rng, dur: float, kind: str = "sitting") -> None:
    """Sit down (or stay seated) upright for ``dur`` s with micro-shifts. Labelled
    ``sitting`` (a chair or sofa outside desk work)."""
    if s.posture == "sitting" or s.posture == "standing":
        mv.upright(s, p, rng, dur, float(rng.uniform(1.5, 3.0)) if s.posture != "sitting"
                   else None, kind=kind)
        return
    go(s, p, rng, kind, "sitting", min(float(rng.uniform(2.0, 4.0)), 0.5 * dur),
       {"twist": 0.0, "pz": 0.5})
    s.advance(dur)


def stand(s: Script, p: Person, rng: Rng, dur: float) -> None:
    """Stand up (or stay standing) for ``dur`` s with weight shifts. Labelled
    ``standing``."""
    if s.posture == "sitting":
        mv.stand_up(s, p, rng, dur)
    elif s.posture in ("standing", "kneeling"):
        mv.standing(s, p, rng, dur, float(rng.uniform(1.0, 2.5)))
    else:
        raise ValueError(f"stand up from {s.posture} through sitting or kneeling first")


def lie(s: Script, p: Person, rng: Rng, posture: str, dur: float, kind: str = "lying",
        pz: float = 0.45) -> None:
    """Lie ``posture`` (supine, prone, side_left, side_right) for ``dur`` s, still but
    breathing (0.2-0.3 Hz, a small trunk rotation). From sitting the trunk lies back
    (supine, then rolled onto a side); prone goes down through all fours."""
    if posture not in LYING:
        raise ValueError(f"unknown lying posture {posture!r}")
    tr = min(float(rng.uniform(2.5, 4.5)), 0.5 * dur)
    if posture == "prone":
        go(s, p, rng, kind, "prone", tr, {"twist": 0.0, "pz": pz - 0.3, "sway": 0.1 * p.sway_deg})
    else:
        twist = {"supine": 0.0, "side_left": 90.0, "side_right": -90.0}[posture]
        s.enter(kind, tr, {"flex": -90.0, "lat": 0.0, "twist": twist, "pz": pz,
                           "pelvis": 0.0, "sway": 0.1 * p.sway_deg}, posture=posture)
    s.advance(dur)


def get_up(s: Script, p: Person, rng: Rng, dur: float, kind: str = "sitting") -> None:
    """From lying, sit up (supine or on a side; labelled ``kind``) or, from prone, push
    up to kneeling (labelled ``rest``, posture kneeling) for ``dur`` s."""
    tr = min(float(rng.uniform(2.5, 4.0)), 0.5 * dur)
    if s.posture == "prone":
        go(s, p, rng, "rest", "kneeling", tr, {"twist": 0.0})
    else:
        go(s, p, rng, kind, "sitting", tr, {"twist": 0.0, "pz": 0.5})
    s.advance(dur)
