"""Simulation settings: :class:`SimConfig` (sensor, rate, placement, imperfections)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from sensorcoach.errors import SensorcoachError

Placement = Literal["upper_back", "lower_back", "chest"]
PLACEMENTS: tuple[str, ...] = ("upper_back", "lower_back", "chest")
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
    placement: Placement = "upper_back"
    """Where the sensor sits: ``upper_back`` (T2-T4), ``lower_back`` (L5/sacrum), ``chest``."""
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
        if self.placement not in PLACEMENTS:
            raise SensorcoachError(f"placement must be one of {', '.join(PLACEMENTS)}, "
                                   f"got {self.placement!r}")
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
