"""Simulation settings: :class:`SimConfig` (sensor, rate, placement, imperfections)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from sensorcoach.errors import SensorcoachError

Placement = Literal["upper_back", "lower_back", "chest", "waist"]
PLACEMENTS: tuple[str, ...] = ("upper_back", "lower_back", "chest", "waist")
#: Who is simulated: ``typical`` (the ranges the first fixtures were made with) or
#: ``wide`` (steadier and shakier people, shallower and deeper slumps, longer and shorter
#: holds, other plank geometries: see :func:`~sensorcoach.simulate.person.draw_person`).
POPULATIONS: tuple[str, ...] = ("typical", "wide")
#: Gait models: ``impacts`` (heel strikes, harmonics, asymmetry, variability, jogging and
#: stairs; :mod:`.gait`) or ``smooth`` (the first simulator's sinusoids, kept so older
#: results can be reproduced).
GAITS: tuple[str, ...] = ("impacts", "smooth")
GYRO_UNITS: tuple[str, ...] = ("deg/s", "rad/s")
_AXES = "xyz"
MIN_RATE_HZ = 12.5
MAX_RATE_HZ = 200.0
MAX_DURATION_S = 6 * 3600.0
MIN_DURATION_S = 30.0


@dataclass(frozen=True, kw_only=True, eq=False)
class SimConfig:
    """How the simulated sensor is worn and how imperfect it is. All keyword-only.

    Everything random (person, script, mounting, noise, dropouts) is drawn from the
    ``seed`` given to :func:`~sensorcoach.simulate.simulate`, each from its own stream:
    changing the mounting, noise or rate does not change the person or the script.
    """

    sample_rate_hz: float = 50.0
    """Nominal output rate in Hz, 12.5-200."""
    placement: Placement | None = None
    """Where the sensor sits: ``upper_back`` (T2-T4), ``lower_back`` (L5/sacrum), ``chest``,
    ``waist`` (a phone on a belt: it follows the pelvis); None = the scenario's default
    (``upper_back`` except for waist scenarios)."""
    population: str | None = None
    """``typical`` or ``wide`` (see :data:`POPULATIONS`); None = the scenario's default."""
    gait: str | None = None
    """``impacts`` or ``smooth`` (see :data:`GAITS`); None = the scenario's default."""
    mounting: str | NDArray[np.float64] | None = None
    """Sensor-on-body rotation ``R_bs`` (columns = sensor axes in body coordinates):
    None = uniformly random from the seed, ``"nominal"`` = identity (sensor x forward,
    y left, z up), or an explicit 3x3 rotation matrix."""
    acc_noise_g: float = 0.003
    """Accelerometer white noise, RMS per axis at the output rate, in g."""
    acc_bias_g: float = 0.0
    """Accelerometer constant offset per axis, drawn with this std, in g (0 = ideal)."""
    gyro_noise_dps: float = 0.07
    """Gyroscope white noise, RMS per axis at the output rate, in deg/s."""
    gyro_bias_dps: float = 1.0
    """Gyroscope constant bias per axis, drawn with this std, in deg/s."""
    bias_drift: bool = True
    """Add a slow random-walk drift to the gyro bias (std ~0.5 x ``gyro_bias_dps`` after
    30 min, as a warming MEMS part does)."""
    timing_jitter_s: float = 0.0001
    """Timestamp jitter std in s, at most a quarter period (clipped to +-0.35 periods so
    time stays strictly increasing and jitter never mimics a gap)."""
    dropout_rate: float = 0.0
    """Fraction of samples lost in dropouts (bursts of 0.1-3 s, removed, never filled), 0-0.5."""
    acc_only: bool = False
    """Write no gyro columns (accelerometer-only sensor)."""
    gyro_axes: str | None = None
    """Export fault: which true gyro axis each written column holds, with its sign, e.g.
    ``"+x+y+z"`` (correct), ``"+y+x+z"`` (x and y swapped), ``"+x-y+z"`` (y inverted).
    None = correct, except in the ``gyro_faults`` scenario, which draws a fault."""
    gyro_units: str | None = None
    """Export fault: ``"rad/s"`` writes the gyro in rad/s under a deg/s header."""
    gyro_scale: float | None = None
    """Export fault: the written gyro is this many times the true rate (a datasheet
    sensitivity 10-15 % off is 0.85-0.9 or 1.1-1.15); 0.2-5."""
    slips: int = 0
    """Times the sensor slips in its clip (a sudden 5-20 deg turn about a random axis that
    stays, at random times after the first minute; ``labels["slips"]`` says when): 0-10."""
    with_calibration: bool = True
    """Write the ``calibration_upright_s`` / ``calibration_forward_s`` header spans."""
    calibration_motion: bool = True
    """Script the guided calibration (sit still, lean ~30 deg and back) at the start of
    scenarios that begin seated; False for "imported" data (then ``with_calibration``
    must be False too)."""
    duration_s: float | None = None
    """Scenario length in s (None = the scenario's default; the workout's natural length
    follows its holds)."""
    person: Mapping[str, float | str] = field(default_factory=dict)
    """Overrides of drawn person parameters by name (see :class:`Person`), e.g.
    ``{"tremor_mg": 15.0, "weaker_side": "left", "side_ratio": 0.6}``."""

    def validate(self) -> None:
        """Raise :class:`SensorcoachError` with a one-line reason for a bad setting."""
        rate = self.sample_rate_hz
        if not (isinstance(rate, int | float) and math.isfinite(rate)
                and MIN_RATE_HZ <= rate <= MAX_RATE_HZ):
            raise SensorcoachError(
                f"sample rate must be {MIN_RATE_HZ:g}-{MAX_RATE_HZ:g} Hz, got {rate!r}")
        if self.placement is not None and self.placement not in PLACEMENTS:
            raise SensorcoachError(f"placement must be one of {', '.join(PLACEMENTS)}, "
                                   f"got {self.placement!r}")
        for name, choice, choices in (("population", self.population, POPULATIONS),
                                      ("gait", self.gait, GAITS),
                                      ("gyro_units", self.gyro_units, GYRO_UNITS)):
            if choice is not None and choice not in choices:
                raise SensorcoachError(f"{name} must be one of {', '.join(choices)}, "
                                       f"got {choice!r}")
        if self.gyro_axes is not None:
            axis_map(self.gyro_axes)
        if self.gyro_scale is not None and not (
                isinstance(self.gyro_scale, int | float) and math.isfinite(self.gyro_scale)
                and 0.2 <= self.gyro_scale <= 5.0):
            raise SensorcoachError(f"gyro_scale must be 0.2-5, got {self.gyro_scale!r}")
        if isinstance(self.slips, bool) or not isinstance(self.slips, int) or not (
                0 <= self.slips <= 10):
            raise SensorcoachError(f"slips must be an integer 0-10, got {self.slips!r}")
        for name, value, hi in (("acc_noise_g", self.acc_noise_g, 1.0),
                                ("acc_bias_g", self.acc_bias_g, 0.5),
                                ("gyro_noise_dps", self.gyro_noise_dps, 50.0),
                                ("gyro_bias_dps", self.gyro_bias_dps, 50.0)):
            if not (math.isfinite(value) and 0.0 <= value <= hi):
                raise SensorcoachError(f"{name} must be 0-{hi:g}, got {value!r}")
        if not (math.isfinite(self.timing_jitter_s)
                and 0.0 <= self.timing_jitter_s <= 0.25 / rate):
            raise SensorcoachError(f"timing jitter must be 0-{0.25 / rate:g} s (a quarter "
                                   f"period), got {self.timing_jitter_s!r}")
        if not (math.isfinite(self.dropout_rate) and 0.0 <= self.dropout_rate <= 0.5):
            raise SensorcoachError(f"dropout rate must be 0-0.5, got {self.dropout_rate!r}")
        if self.with_calibration and not self.calibration_motion:
            raise SensorcoachError("calibration spans need the calibration motion: "
                                   "with_calibration=True requires calibration_motion=True")
        if self.duration_s is not None and not (
                math.isfinite(self.duration_s)
                and MIN_DURATION_S <= self.duration_s <= MAX_DURATION_S):
            raise SensorcoachError(f"duration must be {MIN_DURATION_S:g}-{MAX_DURATION_S:g} s, "
                                   f"got {self.duration_s!r}")
        mounting_matrix(self.mounting, None)

    def describe(self) -> dict[str, object]:
        """The settings as JSON-ready values (for the labels sidecar)."""
        return {
            "sample_rate_hz": self.sample_rate_hz, "placement": self.placement,
            "population": self.population, "gait": self.gait, "gyro_axes": self.gyro_axes,
            "gyro_units": self.gyro_units, "gyro_scale": self.gyro_scale, "slips": self.slips,
            "mounting": (self.mounting if isinstance(self.mounting, str | None)
                         else "explicit"),
            "acc_noise_g": self.acc_noise_g, "acc_bias_g": self.acc_bias_g,
            "gyro_noise_dps": self.gyro_noise_dps, "gyro_bias_dps": self.gyro_bias_dps,
            "bias_drift": self.bias_drift, "timing_jitter_s": self.timing_jitter_s,
            "dropout_rate": self.dropout_rate, "acc_only": self.acc_only,
            "with_calibration": self.with_calibration,
            "calibration_motion": self.calibration_motion, "duration_s": self.duration_s,
            "person": dict(self.person),
        }


def mounting_matrix(mounting: str | NDArray[np.float64] | None,
                    rng: np.random.Generator | None) -> NDArray[np.float64]:
    """Resolve :attr:`SimConfig.mounting` to a 3x3 rotation ``R_bs``.

    With ``rng`` None only validates (and returns identity for the random case).
    """
    from sensorcoach.core.frames import random_rotation

    if mounting is None:
        return np.eye(3) if rng is None else random_rotation(rng)
    if isinstance(mounting, str):
        if mounting == "nominal":
            return np.eye(3)
        if mounting == "random":
            return np.eye(3) if rng is None else random_rotation(rng)
        raise SensorcoachError(f"mounting must be 'random', 'nominal' or a 3x3 rotation, "
                               f"got {mounting!r}")
    m = np.asarray(mounting, dtype=np.float64)
    if m.shape != (3, 3) or not np.all(np.isfinite(m)):
        raise SensorcoachError(f"mounting matrix must be a finite 3x3 array, got shape {m.shape}")
    if not (np.allclose(m.T @ m, np.eye(3), atol=1e-6) and np.linalg.det(m) > 0):
        raise SensorcoachError("mounting matrix must be a rotation (orthonormal, det +1)")
    return m.copy()


def axis_map(spec: str) -> NDArray[np.float64]:
    """Signed axis permutation for a ``gyro_axes`` string such as ``"+y-x+z"``: the 3x3
    matrix ``M`` with ``written = M @ true``. Raise SensorcoachError if malformed."""
    ok = isinstance(spec, str) and len(spec) == 6
    m = np.zeros((3, 3))
    if ok:
        for row in range(3):
            sign, axis = spec[2 * row], spec[2 * row + 1]
            if sign not in "+-" or axis not in _AXES:
                ok = False
                break
            m[row, _AXES.index(axis)] = 1.0 if sign == "+" else -1.0
    if not ok or not np.allclose(np.abs(m).sum(axis=0), 1.0):
        raise SensorcoachError(f"gyro_axes must be three signed axes using x, y and z once "
                               f"each, e.g. '+y+x+z', got {spec!r}")
    return m
