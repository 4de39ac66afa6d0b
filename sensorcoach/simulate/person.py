"""The simulated wearer: body geometry and habits drawn from the seed.

Ranges come from the literature summarised in the project's biomechanics notes where
a figure exists (sway, breathing, step frequency, tremor bands, plank endurance,
side-bridge ratios) and are design choices otherwise (lever arms, drift depths).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensorcoach.errors import SensorcoachError
from sensorcoach.simulate.signals import loguniform

#: Sensor position relative to the segment pivot (hips) in body coordinates, m
#: (x forward, y left, z up), before scaling by ``Person.height_scale``.
LEVER_ARM_M: dict[str, tuple[float, float, float]] = {
    "upper_back": (-0.08, 0.0, 0.45),
    "lower_back": (-0.10, 0.0, 0.10),
    "chest": (0.12, 0.0, 0.40),
    # A phone on the belt at the right front hip: it turns with the pelvis.
    "waist": (0.06, -0.14, 0.05),
}

#: Slump depth ranges (deg of segment flexion beyond upright sitting) per placement.
SLUMP_DEPTH_RANGE_DEG: dict[str, tuple[float, float]] = {
    "upper_back": (12.0, 35.0),
    "lower_back": (8.0, 25.0),
    "chest": (12.0, 35.0),
    "waist": (8.0, 25.0),
}
#: The wide population's slumps (any placement): from barely leaning to deeply slumped.
#: Episodes at or under :data:`LEAN_MAX_DEG` are labelled ``lean``.
WIDE_SLUMP_RANGE_DEG = (5.0, 35.0)
#: The shallowest episode labelled ``slump``, per placement (deg beyond upright): the
#: upright-to-slumped change is about 10-20 deg at the lumbar spine and larger at the
#: upper back (Alshehri et al. 2025, BIOMECHANICS).
SLUMP_MIN_DEG: dict[str, float] = {"upper_back": 15.0, "lower_back": 12.0, "chest": 15.0,
                                   "waist": 12.0}
#: The deepest episode labelled ``lean`` (sitting a little forward), per placement. Between
#: the two, leaning and slumping are a matter of definition, not of detection: no episode
#: is drawn there (one drawn inside goes to the nearer bound; the typical population, which
#: does not lean, to the slump bound), so a detector threshold anywhere in the band, with
#: room either side, is scored on episodes that are one or the other, never on a coin toss.
LEAN_MAX_DEG: dict[str, float] = {"upper_back": 7.0, "lower_back": 6.0, "chest": 7.0,
                                  "waist": 6.0}


def episode_depth(drawn_deg: float, placement: str, leans: bool) -> float:
    """The depth of a forward episode drawn at ``drawn_deg``: outside the band between
    :data:`LEAN_MAX_DEG` and :data:`SLUMP_MIN_DEG` it stays; inside it goes to the nearer
    bound, or (``leans`` False: the typical population) to the slump bound."""
    lean, slump = LEAN_MAX_DEG[placement], SLUMP_MIN_DEG[placement]
    if drawn_deg <= lean or drawn_deg >= slump:
        return drawn_deg
    return lean if leans and drawn_deg - lean < slump - drawn_deg else slump

#: Breathing rotation amplitude multiplier: the chest wall moves more than the sacrum.
BREATH_PLACEMENT_GAIN: dict[str, float] = {"upper_back": 1.0, "lower_back": 0.6, "chest": 1.2,
                                           "waist": 0.4}

_CHOICES: dict[str, tuple[str, ...]] = {
    "slump_style": ("gradual", "sudden", "mixed"),
    "drift_style": ("sag", "pike"),
    "weaker_side": ("left", "right"),
}


@dataclass(frozen=True)
class Person:
    """One wearer. Angles in deg, rates in Hz, accelerations in g or mg, times in s."""

    height_scale: float
    """Body size factor on the lever arms (0.9-1.1)."""
    sway_deg: float
    """Seated postural sway, RMS per tilt axis, deg (0.35-1.4, i.e. amplitudes of about
    0.5-2 deg), band 0.05-0.5 Hz."""
    breath_hz: float
    """Resting breathing rate, Hz (0.2-0.3)."""
    breath_deg: float
    """Breathing rotation amplitude at the upper back, deg (0.2-1.0)."""
    slump_style: str
    """``gradual`` (onsets 20-60 s), ``sudden`` (5-15 s) or ``mixed`` (5-60 s)."""
    slump_depth_deg: float
    """Typical slump depth for this placement, deg (episodes vary around it)."""
    fidget_per_min: float
    """Labelled fidgets (reach, turn, recline, stretch) per minute of upright sitting."""
    shift_per_min: float
    """Unlabelled micro-shifts of 1-3 deg per minute of sitting."""
    standing_offset_deg: float
    """Segment flexion when standing relative to upright sitting, deg (a few either way)."""
    standing_lateral_deg: float
    """Segment lateral lean when standing, deg."""
    step_hz: float
    """Walking step frequency, Hz (1.7-2.1; each bout varies by a few percent)."""
    gait_vertical_g: float
    """Vertical pivot acceleration amplitude at the step frequency while walking, g."""
    walking_lean_deg: float
    """Forward trunk lean while walking on top of the standing offset, deg (0-5)."""
    tremor_mg: float
    """8-12 Hz tremor of a fresh hold, vector RMS, mg (3-10)."""
    fatigue_gain: float
    """Tremor growth at full fatigue: 8-12 Hz rises to ``(1 + gain)`` times the fresh
    level and a 4-6 Hz component of ``1.2 * gain * tremor_mg`` appears (0-4)."""
    hold_sway_deg: float
    """0.1-1 Hz tilt wander during holds, RMS per axis when fresh, deg (0.2-0.8)."""
    drift_style: str
    """Typical hold drift: ``sag`` (hips drop) or ``pike`` (hips rise)."""
    drift_deg: float
    """Drift over a hold held to capacity, deg (2-12); holds scale it by effort."""
    weaker_side: str
    """``left`` or ``right``: the side whose side plank is held shorter."""
    side_ratio: float
    """Weaker-side capacity over stronger-side capacity (0.6-1.0)."""
    plank_capacity_s: float
    """Fresh forearm-plank hold to failure, s (45-150)."""
    side_capacity_s: float
    """Fresh stronger-side side plank to failure, s."""
    hold_elevation_deg: float
    """Trunk long axis above horizontal in a plank / side plank, deg (10-15)."""
    form_break_prone: float
    """Propensity to a sudden form break near the end of hard holds (0-0.6; 0-1 valid)."""
    slump_lo_deg: float
    """Shallowest slump episode, deg (placement range, or 5 in the wide population)."""
    slump_hi_deg: float
    """Deepest slump episode, deg."""
    slump_spread: float
    """Episodes range from ``slump_depth_deg / slump_spread`` to ``* slump_spread`` (log
    scale; 2.2 in the wide population: one person's slumps differ a lot). 0 = typical:
    0.65-1.3 times the depth, uniformly, as the first fixtures drew."""
    jog_step_hz: float
    """Jogging step frequency, Hz (2.5-3.2)."""
    impact_g: float
    """Walking heel-strike impact: peak of the sharp vertical pelvis acceleration above the
    stance bump, g (0.4-1.15; with gravity and the bump the sensor peaks at 1.5-2.5 g)."""
    jog_impact_g: float
    """Jogging heel-strike impact, g (1.45-3.3; the sensor peaks at 3-5 g)."""
    impact_width_s: float
    """Impact duration (Gaussian sigma) walking, s (0.012-0.022; jogging 0.75 of it)."""
    stride_asym: float
    """Left/right step-time asymmetry, fraction (0-0.08)."""
    impact_asym: float
    """Left/right impact-amplitude asymmetry, fraction (0-0.3)."""
    step_cv: float
    """Step-to-step variability of step time, coefficient of variation (0.01-0.04)."""
    jog_lean_deg: float
    """Forward trunk lean while jogging on top of the standing offset, deg (5-15)."""
    gait_ml_g: float
    """Mediolateral pelvis acceleration at half the step frequency, g (0.05-0.2)."""
    sit_pelvis_deg: float
    """How far the pelvis rolls back from standing when sitting, deg (10-40): what a
    ``waist`` sensor sees of sitting."""

    def lever_arm(self, placement: str) -> NDArray[np.float64]:
        """Sensor position from the pivot in body coordinates, m."""
        return np.asarray(LEVER_ARM_M[placement], dtype=np.float64) * self.height_scale

    def to_dict(self) -> dict[str, float | str]:
        """JSON-ready parameters (floats rounded to 4 decimals)."""
        out: dict[str, float | str] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = round(float(v), 4) if isinstance(v, float) else v
        return out


def draw_person(rng: np.random.Generator, placement: str,
                overrides: Mapping[str, float | str] | None = None,
                population: str = "typical") -> Person:
    """Draw a wearer for ``placement``; ``overrides`` replace drawn values by name.

    ``typical`` draws the ranges the first fixtures were made with (the same draws, in the
    same order, so those people are unchanged); ``wide`` draws over the ranges the
    biomechanics notes give for real people, so that no detector threshold sits at the
    edge of what is simulated: seated sway 0.1-3 deg, tremor 2-35 mg fresh (up to about
    60 mg with fatigue, 4-6 and 8-12 Hz), hold wobble 0.07-2.2 deg per axis (0.1-3 deg
    over both axes, as the labels give it), plank elevation 5-35 deg
    (forearm, straight-arm, on the knees), plank capacity 40-240 s, slumps 5-35 deg,
    walking cadence 1.6-2.2 Hz. Gait parameters (the last fields) are drawn after the
    others in both populations.
    """
    p = _draw_wide(rng, placement) if population == "wide" else _draw_typical(rng, placement)
    gait = {
        "jog_step_hz": float(rng.uniform(2.5, 3.2)),
        "impact_g": float(rng.uniform(0.4, 1.15)),
        "jog_impact_g": float(rng.uniform(1.45, 3.3)),
        "impact_width_s": float(rng.uniform(0.012, 0.022)),
        "stride_asym": float(rng.uniform(0.0, 0.08)),
        "impact_asym": float(rng.uniform(0.0, 0.3)),
        "step_cv": float(rng.uniform(0.01, 0.04)),
        "jog_lean_deg": float(rng.uniform(5.0, 15.0)),
        "gait_ml_g": float(rng.uniform(0.05, 0.2)),
        "sit_pelvis_deg": float(rng.uniform(10.0, 40.0)),
    }
    return apply_overrides(p, {**gait, **(overrides or {})})


_UNSET = {"jog_step_hz": 0.0, "impact_g": 0.0, "jog_impact_g": 0.0, "impact_width_s": 0.0,
          "stride_asym": 0.0, "impact_asym": 0.0, "step_cv": 0.0, "jog_lean_deg": 0.0,
          "gait_ml_g": 0.0, "sit_pelvis_deg": 0.0}


def _draw_wide(rng: np.random.Generator, placement: str) -> Person:
    lo, hi = WIDE_SLUMP_RANGE_DEG
    offset_span = 6.0 if placement in ("lower_back", "waist") else 4.0
    plank = float(rng.uniform(40.0, 240.0))
    return Person(
        height_scale=float(rng.uniform(0.85, 1.15)),
        sway_deg=loguniform(rng, 0.1, 3.0),
        breath_hz=float(rng.uniform(0.2, 0.3)),
        breath_deg=float(rng.uniform(0.1, 1.2)) * BREATH_PLACEMENT_GAIN[placement],
        slump_style=str(rng.choice(_CHOICES["slump_style"])),
        slump_depth_deg=float(rng.uniform(lo, hi)),
        fidget_per_min=float(rng.uniform(0.2, 1.5)),
        shift_per_min=float(rng.uniform(0.2, 1.2)),
        standing_offset_deg=float(rng.uniform(-offset_span, offset_span)),
        standing_lateral_deg=float(np.clip(rng.normal(0.0, 1.5), -3.5, 3.5)),
        step_hz=float(rng.uniform(1.6, 2.2)),
        gait_vertical_g=float(rng.uniform(0.15, 0.4)),
        walking_lean_deg=float(rng.uniform(0.0, 6.0)),
        tremor_mg=loguniform(rng, 2.0, 35.0),
        fatigue_gain=float(rng.uniform(0.0, 1.5)),
        hold_sway_deg=loguniform(rng, 0.07, 2.2),
        drift_style="sag" if rng.uniform() < 0.7 else "pike",
        drift_deg=float(rng.uniform(1.0, 12.0)),
        weaker_side=str(rng.choice(_CHOICES["weaker_side"])),
        side_ratio=float(rng.uniform(0.5, 1.0)),
        plank_capacity_s=plank,
        side_capacity_s=plank * float(rng.uniform(0.4, 0.7)),
        hold_elevation_deg=float(rng.uniform(5.0, 35.0)),
        form_break_prone=float(rng.uniform(0.0, 0.6)),
        slump_lo_deg=lo, slump_hi_deg=hi, slump_spread=2.2, **_UNSET)


def _draw_typical(rng: np.random.Generator, placement: str) -> Person:
    lo, hi = SLUMP_DEPTH_RANGE_DEG[placement]
    offset_span = 6.0 if placement in ("lower_back", "waist") else 4.0
    plank = float(rng.uniform(45.0, 150.0))
    return Person(
        height_scale=float(rng.uniform(0.9, 1.1)),
        sway_deg=float(rng.uniform(0.35, 1.4)),
        breath_hz=float(rng.uniform(0.2, 0.3)),
        breath_deg=float(rng.uniform(0.2, 1.0)) * BREATH_PLACEMENT_GAIN[placement],
        slump_style=str(rng.choice(_CHOICES["slump_style"])),
        slump_depth_deg=float(rng.uniform(lo + 0.2 * (hi - lo), hi - 0.25 * (hi - lo))),
        fidget_per_min=float(rng.uniform(0.3, 1.0)),
        shift_per_min=float(rng.uniform(0.3, 0.8)),
        standing_offset_deg=float(rng.uniform(-offset_span, offset_span)),
        standing_lateral_deg=float(np.clip(rng.normal(0.0, 1.0), -2.5, 2.5)),
        step_hz=float(rng.uniform(1.7, 2.1)),
        gait_vertical_g=float(rng.uniform(0.2, 0.4)),
        walking_lean_deg=float(rng.uniform(0.0, 5.0)),
        tremor_mg=float(rng.uniform(3.0, 10.0)),
        fatigue_gain=float(rng.uniform(1.0, 4.0)),
        hold_sway_deg=float(rng.uniform(0.2, 0.8)),
        drift_style="sag" if rng.uniform() < 0.75 else "pike",
        drift_deg=float(rng.uniform(2.0, 12.0)),
        weaker_side=str(rng.choice(_CHOICES["weaker_side"])),
        side_ratio=float(rng.uniform(0.6, 1.0)),
        plank_capacity_s=plank,
        side_capacity_s=plank * float(rng.uniform(0.4, 0.7)),
        hold_elevation_deg=float(rng.uniform(10.0, 15.0)),
        form_break_prone=float(rng.uniform(0.0, 0.6)),
        slump_lo_deg=lo, slump_hi_deg=hi, slump_spread=0.0, **_UNSET)


def apply_overrides(p: Person, overrides: Mapping[str, float | str]) -> Person:
    """Replace fields by name, checking names and types; raise SensorcoachError if bad."""
    names = {f.name for f in dataclasses.fields(p)}
    changes: dict[str, float | str] = {}
    for key, value in overrides.items():
        if key not in names:
            raise SensorcoachError(f"unknown person parameter {key!r}; known: "
                                   f"{', '.join(sorted(names))}")
        if key in _CHOICES:
            if value not in _CHOICES[key]:
                raise SensorcoachError(f"person {key} must be one of "
                                       f"{', '.join(_CHOICES[key])}, got {value!r}")
            changes[key] = str(value)
        else:
            try:
                x = float(value)
            except (TypeError, ValueError):
                raise SensorcoachError(f"person {key} must be a number, got {value!r}") from None
            if not np.isfinite(x) or x < 0:
                raise SensorcoachError(f"person {key} must be a finite number >= 0, got {value!r}")
            changes[key] = x
    return dataclasses.replace(p, **changes)  # type: ignore[arg-type]
