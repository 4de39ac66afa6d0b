"""What real exports get wrong: gyro conventions (axes, signs, units, scale) and a sensor
that slips in its clip.

Gyro export faults act on what the gyro writes, after its own bias and noise, the way a
wrong decoder or datasheet constant would: ``written = scale * unit * M @ measured``
with ``M`` a signed axis permutation (:func:`~sensorcoach.simulate.config.axis_map`)
and ``unit`` = pi/180 for ``rad/s``. The accelerometer is left correct, so the fault
is a disagreement between the gyro and the way gravity turns in the sensor frame.

A slip turns the sensor on the body by 5-20 deg about a random axis within 0.2-1 s and
leaves it there: after it, the calibration's sensor-to-body rotation is wrong. Both
the accelerometer and the gyro see the slip (the gyro measures its rotation too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sensorcoach.core.frames import random_rotation
from sensorcoach.simulate.config import SimConfig, axis_map
from sensorcoach.simulate.signals import FloatArray, deriv1, min_jerk

#: Swaps, inversions, units and scales the ``gyro_faults`` scenario draws from.
FAULT_KINDS = ("swap", "invert", "rad_s", "scale")
#: Slips never come before this (s): the calibration and the first minute stay valid.
SLIP_EARLIEST_S = 60.0


@dataclass(frozen=True)
class GyroExport:
    """How the gyro columns are written (identity = correct)."""

    axes: str = "+x+y+z"
    units: str = "deg/s"
    scale: float = 1.0
    kind: str = "none"
    """``none``, or which fault this is: ``swap``, ``invert``, ``rad_s``, ``scale``,
    ``custom`` (set explicitly in the config)."""

    def matrix(self) -> FloatArray:
        unit = math.pi / 180.0 if self.units == "rad/s" else 1.0
        out: FloatArray = axis_map(self.axes) * (self.scale * unit)
        return out

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "axes": self.axes, "units": self.units,
                "scale": round(self.scale, 4)}


def draw_gyro_fault(rng: np.random.Generator) -> GyroExport:
    """One export fault drawn from :data:`FAULT_KINDS`."""
    kind = str(rng.choice(FAULT_KINDS))
    axes = ["+x", "+y", "+z"]
    if kind == "swap":
        i, j = (int(v) for v in rng.choice(3, size=2, replace=False))
        axes[i], axes[j] = axes[j], axes[i]
        return GyroExport(axes="".join(axes), kind=kind)
    if kind == "invert":
        i = int(rng.integers(0, 3))
        axes[i] = "-" + axes[i][1]
        return GyroExport(axes="".join(axes), kind=kind)
    if kind == "rad_s":
        return GyroExport(units="rad/s", kind=kind)
    off = float(rng.uniform(0.10, 0.15))
    return GyroExport(scale=1.0 + off if rng.uniform() < 0.5 else 1.0 - off, kind=kind)


def gyro_export(cfg: SimConfig, scenario_faults: bool,
                rng: np.random.Generator) -> GyroExport:
    """The export for ``cfg``: explicit settings win; otherwise a drawn fault in a
    scenario that has one, else correct."""
    if cfg.gyro_axes is None and cfg.gyro_units is None and cfg.gyro_scale is None:
        return draw_gyro_fault(rng) if scenario_faults else GyroExport()
    return GyroExport(axes=cfg.gyro_axes or "+x+y+z", units=cfg.gyro_units or "deg/s",
                      scale=1.0 if cfg.gyro_scale is None else float(cfg.gyro_scale),
                      kind="custom")


@dataclass(frozen=True)
class Slip:
    """The sensor turning in its clip: ``deg`` about ``axis`` (sensor frame) over
    [t_s, t_s + dur_s]."""

    t_s: float
    dur_s: float
    deg: float
    axis: tuple[float, float, float]

    def to_dict(self) -> dict[str, object]:
        return {"t_s": round(self.t_s, 3), "dur_s": round(self.dur_s, 3),
                "deg": round(self.deg, 2), "axis": [round(a, 4) for a in self.axis]}


def draw_slips(rng: np.random.Generator, count: int, duration_s: float) -> list[Slip]:
    """``count`` slips at random times after :data:`SLIP_EARLIEST_S`, at least 20 s
    apart (fewer if the session is too short)."""
    out: list[Slip] = []
    lo, hi = SLIP_EARLIEST_S, duration_s - 5.0
    if count <= 0 or hi <= lo:
        return out
    for t in np.sort(rng.uniform(lo, hi, count)):
        if out and t < out[-1].t_s + 20.0:
            continue
        axis = random_rotation(rng)[:, 0]
        out.append(Slip(t_s=float(t), dur_s=float(rng.uniform(0.2, 1.0)),
                        deg=float(rng.uniform(5.0, 20.0)),
                        axis=(float(axis[0]), float(axis[1]), float(axis[2]))))
    return out


def slip_motion(t: FloatArray, slips: list[Slip]) -> tuple[FloatArray, FloatArray]:
    """Rotation of the sensor within its clip ``R_slip`` per sample (n, 3, 3) and its
    angular velocity in the sensor frame (3, n), rad/s. Slips never overlap in time, so
    the rate is that of the one under way, about its own axis."""
    n = t.size
    rot = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    omega = np.zeros((3, n))
    h = float(t[1] - t[0]) if n > 1 else 1.0
    for sl in slips:
        a = np.asarray(sl.axis)
        theta = math.radians(sl.deg) * min_jerk((t - sl.t_s) / sl.dur_s)
        k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
        s, c = np.sin(theta)[:, None, None], np.cos(theta)[:, None, None]
        r = np.eye(3) + s * k + (1.0 - c) * (k @ k)
        rot = rot @ r
        omega += a[:, None] * deriv1(theta, h)[None, :]
    return rot, omega
