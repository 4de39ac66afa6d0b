"""The scenario script: labelled segments plus knot tracks for every motion channel.

A scenario builder writes a :class:`Script` sequentially: ``enter`` opens a labelled
segment whose entry transition moves channels to new targets (optionally through via
points), ``ramp`` schedules changes inside a segment (micro-shifts, drift, form breaks),
``advance`` moves the clock. Every channel is a list of knots joined by minimum-jerk
ramps, so all motion is C2-smooth and physically differentiable.

Tiling convention: a segment's ``start_s`` is the start of its entry transition (the
movement *into* it belongs to it); ``transition_s`` says how long that movement takes
and ``steady_start_s = start_s + transition_s``. Segments tile the timeline exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sensorcoach.simulate.signals import FloatArray, interp_knots

#: Channel name -> unit. Pose angles feed ``frames.trunk_rotation(flex, lat, yaw)``
#: followed by a rotation ``twist`` about the body's long axis; ``px, py, pz`` is the
#: pivot (hips) position in the world; ``pelvis`` is the pelvis's forward tilt minus the
#: trunk's (a ``waist`` sensor turns with ``flex + pelvis``); ``jog`` blends walking into
#: jogging and ``stairs`` climbs (+1) or descends (-1) while walking; ``busy`` is the
#: trunk wander of hands at work (bending to pick something up); the rest are
#: envelopes of overlay processes.
CHANNELS: dict[str, str] = {
    "flex": "deg", "lat": "deg", "yaw": "deg", "twist": "deg",
    "px": "m", "py": "m", "pz": "m",
    "speed": "m/s", "walk": "0-1", "step_hz": "Hz", "jog": "0-1", "stairs": "-1 down..1 up",
    "pelvis": "deg", "busy": "deg RMS",
    "sway": "deg RMS", "wobble": "deg RMS", "breath_deg": "deg", "breath_hz": "Hz",
    "tremor": "mg RMS", "fatigue": "mg RMS",
}

#: Activity channels that every segment resets unless it says otherwise, so a walk or a
#: hold never leaks into the next segment by omission.
ACTIVITY_DEFAULTS: dict[str, float] = {"walk": 0.0, "speed": 0.0, "tremor": 0.0,
                                       "fatigue": 0.0, "wobble": 0.0, "jog": 0.0,
                                       "stairs": 0.0, "busy": 0.0}

_EPS = 1e-9


@dataclass
class Segment:
    """One labelled span. ``params`` become extra keys of the label (flat)."""

    kind: str
    start_s: float
    transition_s: float
    end_s: float = float("nan")
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def steady_start_s(self) -> float:
        return min(self.start_s + self.transition_s, self.end_s)


class Script:
    """Segments and knot tracks, written in time order by a scenario builder."""

    def __init__(self, initial: Mapping[str, float]) -> None:
        missing = set(CHANNELS) - set(initial)
        if missing:
            raise ValueError(f"initial values missing for {sorted(missing)}")
        self.t = 0.0
        self._knots: dict[str, list[tuple[float, float]]] = {
            ch: [(0.0, float(initial[ch]))] for ch in CHANNELS}
        self.segments: list[Segment] = []
        self.posture = "sitting"
        """Name of the current base posture (see ``moves.POSTURES``)."""
        self.state: dict[str, float] = {}
        """Builder bookkeeping (seat yaw, accumulated fatigue, ...)."""

    # ---------------------------------------------------------------- channel access
    def value(self, ch: str) -> float:
        """The channel's value once every scheduled knot has been reached."""
        return self._knots[ch][-1][1]

    def last_time(self, ch: str) -> float:
        return self._knots[ch][-1][0]

    def ramp(self, ch: str, t0: float, t1: float, value: float) -> None:
        """Hold ``ch`` until ``t0`` s, then move it to ``value`` by ``t1`` s (min-jerk)."""
        knots = self._knots[ch]
        last_t, last_v = knots[-1]
        if t0 < last_t - 1e-6:
            raise ValueError(f"{ch}: ramp at {t0:.3f} s overlaps a ramp ending at {last_t:.3f} s")
        if t1 <= max(t0, last_t) + _EPS:
            raise ValueError(f"{ch}: ramp end {t1:.3f} s must follow its start {t0:.3f} s")
        if t0 > last_t + _EPS:
            knots.append((t0, last_v))
        knots.append((t1, float(value)))

    def path(self, ch: str, t0: float, points: Sequence[tuple[float, float]]) -> None:
        """Move ``ch`` from time ``t0`` through ``(time, value)`` points in order."""
        start = t0
        for t, v in points:
            self.ramp(ch, start, t, v)
            start = t

    # ---------------------------------------------------------------- segments
    @property
    def current(self) -> Segment:
        return self.segments[-1]

    def enter(self, kind: str, transition_s: float, targets: Mapping[str, float],
              via: Sequence[tuple[float, Mapping[str, float]]] = (),
              posture: str | None = None, **params: Any) -> Segment:
        """Close the current segment at ``self.t`` and open ``kind``.

        Channels in ``targets`` (plus the activity defaults) move to their targets over
        ``transition_s`` seconds, through ``via`` points given as (fraction of the
        transition, {channel: value}). Returns the new segment.
        """
        if self.segments:
            self.segments[-1].end_s = self.t
        seg = Segment(kind=kind, start_s=self.t, transition_s=float(transition_s),
                      params=dict(params))
        self.segments.append(seg)
        if posture is not None:
            self.posture = posture
            seg.params.setdefault("posture", posture)
        goal = {**ACTIVITY_DEFAULTS, **targets}
        for ch, final in goal.items():
            pts = [(self.t + frac * transition_s, float(vals[ch]))
                   for frac, vals in via if ch in vals]
            pts.append((self.t + transition_s, float(final)))
            if all(abs(v - self.value(ch)) < 1e-12 for _, v in pts):
                continue
            if transition_s <= 0:
                raise ValueError(f"{kind}: {ch} changes but the transition has no duration")
            self.path(ch, self.t, pts)
        return seg

    def advance(self, dt: float) -> None:
        """Move the clock forward by ``dt`` s (>= 0)."""
        if dt < 0:
            raise ValueError("time cannot go backwards")
        self.t += dt

    def finish(self, duration_s: float) -> None:
        """End the script at ``duration_s``: trim or drop segments past it."""
        if self.segments:
            self.segments[-1].end_s = self.t
        kept = [s for s in self.segments if s.start_s < duration_s - _EPS]
        for s in kept:
            s.end_s = min(s.end_s, duration_s)
        if kept:
            kept[-1].end_s = duration_s
        self.segments = kept

    # ---------------------------------------------------------------- rendering
    def render(self, t: FloatArray) -> dict[str, FloatArray]:
        """Every channel evaluated at times ``t`` (s)."""
        out: dict[str, FloatArray] = {}
        for ch, knots in self._knots.items():
            arr = np.asarray(knots, dtype=np.float64)
            out[ch] = interp_knots(arr[:, 0], arr[:, 1], t)
        return out
