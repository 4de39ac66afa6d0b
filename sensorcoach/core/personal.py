"""The person's own slump thresholds, learnt from "that was not a slump" marks.

A wearer whose natural working posture leans forward (reading a screen, a low desk) gets
slump alerts for a posture that is theirs, not a slump. Each alert they mark wrong says:
"an episode at this angle, lasting this long, is not a slump for me". From these marks
two knobs move, each within a documented bound, and nothing else:

- **angle** (``slump_on_offset_deg``, deg, 0 to :data:`MAX_ANGLE_OFFSET_DEG`): added to the
  placement's on-threshold (``slump_on_deg_upper`` / ``slump_on_deg_lower``; the
  hysteresis moves with it). A mark raises it to just above the episode's level (its
  mean flexion, plus :data:`ANGLE_MARGIN_DEG`), so the same posture no longer stays
  beyond the threshold for long;
- **dwell** (``slump_dwell_factor``, 1 to :data:`MAX_DWELL_FACTOR`): multiplies
  ``slump_min_s`` and ``slump_dwell_s``. Used only when the angle cannot clear a marked
  episode within its bound: a deep but short lean (a minute over a drawing) is then
  cleared by waiting longer before alerting, up to twice the default.

Real slumps are protected three ways: the bounds (an on-threshold at most 10 deg above
the default still catches the 20-35 deg of a slumped upper back); an episode deeper than
the angle bound and longer than the dwell bound is never learnt from (however it was
marked: by any measure it was a slump); and alerts marked right (``right``) cap the angle
below their own episode's mean flexion (less :data:`ANGLE_MARGIN_DEG`) and the dwell below
their duration.

The result is a pure function of the marks in order (:func:`learn` replays them from the
defaults), so undoing a mark or a reset is a replay without it, the same marks always give
the same thresholds, and applying a mark twice changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings

#: The angle may rise at most this far above the placement's default on-threshold (deg):
#: a slumped upper back reaches 20-35 deg, the default on-threshold is 11, so 21 still
#: catches slumps (BIOMECHANICS; design choice).
MAX_ANGLE_OFFSET_DEG = 10.0
#: The dwell (``slump_min_s``, ``slump_dwell_s``) may grow at most to this many times the
#: default (design choice: 30 s to at most a minute before an alert).
MAX_DWELL_FACTOR = 2.0
#: How far above a marked episode's level the on-threshold goes, and how far below a
#: confirmed (``right``) episode's mean it stays (deg; design choice: about the seated sway
#: of 0.5-2 deg amplitude).
ANGLE_MARGIN_DEG = 1.0
#: How far beyond a marked episode's duration the dwell goes (s).
DWELL_MARGIN_S = 2.0
#: Where between its mean and its peak an episode's level is taken (0 mean, 1 peak). The
#: mean: a peak carries the episode's sway and wander, and a threshold raised toward it
#: lost real slumps 1-2 deg beyond the habit (benchmarks/feedback.py --slump-from 15: 3 and
#: 4 of 20 lost at 0.25 and 0.5, none at 0, with 86 % fewer false alerts instead of 100 %).
LEVEL_TOWARD_PEAK = 0.0

VERDICTS = ("not_a_slump", "right")


@dataclass(frozen=True)
class Mark:
    """The person's verdict on one slump alert, with its episode's figures.

    ``level`` comes from the episode the alert belongs to: ``mean_flexion_deg`` and
    ``peak_flexion_deg`` (deg beyond calibrated upright), ``duration_s`` (s)."""

    mark_id: int
    verdict: str
    placement: str | None
    mean_flexion_deg: float
    peak_flexion_deg: float
    duration_s: float

    @property
    def level_deg(self) -> float:
        """The flexion the episode held, deg: its mean and part of the way to its peak."""
        return self.mean_flexion_deg + LEVEL_TOWARD_PEAK * max(
            0.0, self.peak_flexion_deg - self.mean_flexion_deg)


@dataclass(frozen=True)
class Thresholds:
    """The learnt knobs: angle offset (deg over the default on-threshold) and dwell factor."""

    slump_on_offset_deg: float = 0.0
    slump_dwell_factor: float = 1.0

    def apply(self, base: Settings = DEFAULT_SETTINGS) -> Settings:
        """``base`` with the on-thresholds raised and the dwell lengthened."""
        return dataclasses.replace(
            base,
            slump_on_deg_upper=base.slump_on_deg_upper + self.slump_on_offset_deg,
            slump_on_deg_lower=base.slump_on_deg_lower + self.slump_on_offset_deg,
            slump_min_s=base.slump_min_s * self.slump_dwell_factor,
            slump_dwell_s=base.slump_dwell_s * self.slump_dwell_factor)

    def to_dict(self) -> dict[str, float]:
        return {"slump_on_offset_deg": self.slump_on_offset_deg,
                "slump_dwell_factor": self.slump_dwell_factor}


@dataclass(frozen=True)
class Step:
    """What one mark did: the thresholds after it and why (``changed`` False: kept)."""

    mark_id: int
    verdict: str
    changed: bool
    before: Thresholds
    after: Thresholds
    reason: str


def _round(x: float) -> float:
    return round(x, 2)


def step(current: Thresholds, mark: Mark, marks_right: Sequence[Mark] = (),
         base: Settings = DEFAULT_SETTINGS) -> Step:
    """The thresholds after ``mark`` given ``current`` and the marks confirmed right so far
    (``marks_right``, which cap what may be learnt). Deterministic; never lowers a knob
    (only a reset does) and never leaves the bounds."""
    if mark.verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {mark.verdict!r}")
    on_default = base.slump_on_deg(mark.placement)
    rights = [*marks_right, mark] if mark.verdict == "right" else list(marks_right)
    angle_cap, dwell_cap = _caps(rights, base)
    if mark.verdict == "right":
        after = Thresholds(min(current.slump_on_offset_deg, max(0.0, angle_cap)),
                           min(current.slump_dwell_factor, max(1.0, dwell_cap)))
        changed = after != current
        why = (f"confirmed a slump at {mark.mean_flexion_deg:.1f} deg for "
               f"{mark.duration_s:.0f} s: thresholds kept below it" if changed else
               f"confirmed a slump at {mark.mean_flexion_deg:.1f} deg: thresholds already "
               "catch it")
        return Step(mark.mark_id, mark.verdict, changed, current, after, why)
    need_angle = _round(mark.level_deg + ANGLE_MARGIN_DEG - on_default)
    if need_angle <= current.slump_on_offset_deg:
        return Step(mark.mark_id, mark.verdict, False, current, current,
                    f"an episode at {mark.level_deg:.1f} deg is already under the threshold")
    if need_angle <= min(MAX_ANGLE_OFFSET_DEG, angle_cap):
        after = dataclasses.replace(current, slump_on_offset_deg=need_angle)
        return Step(mark.mark_id, mark.verdict, True, current, after,
                    f"not a slump at {mark.level_deg:.1f} deg: slump angle raised to "
                    f"{on_default + need_angle:.1f} deg (+{need_angle:.1f})")
    need_dwell = _round((mark.duration_s + DWELL_MARGIN_S) / base.slump_dwell_s)
    if need_dwell <= current.slump_dwell_factor:
        return Step(mark.mark_id, mark.verdict, False, current, current,
                    f"an episode of {mark.duration_s:.0f} s is already shorter than the dwell")
    if need_dwell <= min(MAX_DWELL_FACTOR, dwell_cap):
        after = dataclasses.replace(current, slump_dwell_factor=need_dwell)
        return Step(mark.mark_id, mark.verdict, True, current, after,
                    f"not a slump for {mark.duration_s:.0f} s at {mark.level_deg:.1f} deg "
                    f"(too deep to raise the angle past): alert after "
                    f"{base.slump_dwell_s * need_dwell:.0f} s instead of "
                    f"{base.slump_dwell_s * current.slump_dwell_factor:.0f} s")
    # within the bounds by angle or dwell, yet beyond a cap: a confirmed slump stands in the way
    limit = ("a slump you confirmed" if need_angle <= MAX_ANGLE_OFFSET_DEG
             or need_dwell <= MAX_DWELL_FACTOR else "the bounds")
    return Step(mark.mark_id, mark.verdict, False, current, current,
                f"kept as a slump: {mark.level_deg:.1f} deg for {mark.duration_s:.0f} s is "
                f"beyond what may be learnt ({limit}: at most +{MAX_ANGLE_OFFSET_DEG:.0f} deg, "
                f"dwell at most x{MAX_DWELL_FACTOR:g})")


def _caps(rights: Sequence[Mark], base: Settings) -> tuple[float, float]:
    """The largest angle offset and dwell factor that still catch every confirmed slump."""
    angle, dwell = MAX_ANGLE_OFFSET_DEG, MAX_DWELL_FACTOR
    for m in rights:
        angle = min(angle, _round(m.mean_flexion_deg - ANGLE_MARGIN_DEG
                                  - base.slump_on_deg(m.placement)))
        dwell = min(dwell, _round((m.duration_s - DWELL_MARGIN_S) / base.slump_dwell_s))
    return angle, dwell


def learn(marks: Sequence[Mark],
          base: Settings = DEFAULT_SETTINGS) -> tuple[Thresholds, list[Step]]:
    """Replay ``marks`` (in the order they were made) from the defaults: the thresholds
    they lead to and what each mark did (the history)."""
    current = Thresholds()
    rights: list[Mark] = []
    steps: list[Step] = []
    for m in marks:
        st = step(current, m, rights, base)
        steps.append(st)
        current = st.after
        if m.verdict == "right":
            rights.append(m)
    return current, steps


def bounds(placement: str | None = None,
           base: Settings = DEFAULT_SETTINGS) -> dict[str, dict[str, float | str]]:
    """Each learnt setting with its default, its bounds and its unit (for a person)."""
    on = base.slump_on_deg(placement)
    return {
        "slump_on_deg": {"default": on, "min": on, "max": on + MAX_ANGLE_OFFSET_DEG,
                         "unit": "deg"},
        "slump_dwell_s": {"default": base.slump_dwell_s, "min": base.slump_dwell_s,
                          "max": base.slump_dwell_s * MAX_DWELL_FACTOR, "unit": "s"},
        "slump_min_s": {"default": base.slump_min_s, "min": base.slump_min_s,
                        "max": base.slump_min_s * MAX_DWELL_FACTOR, "unit": "s"},
    }
