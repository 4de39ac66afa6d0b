"""Calibration: which sensor directions are the body's up, forward and left.

From the recording's spans (SPEC section 3): the upright span gives up (the mean
accelerometer direction while still), the forward span gives forward (the direction the
up vector moves away from when the wearer leans forward), left = up x forward.

Without spans, :func:`auto_calibration` picks upright from the data: the gravity direction
while walking is the standing-upright reference (walking-referenced posture, Vähä-Ypyä et
al. 2018); the upright posture is then the mean direction of the 25% least tilted still
frames relative to it (or, with no walking, relative to the median still direction). The
forward direction cannot be known that way, so ``forward_known`` is False and the analysis
reports unsigned tilt instead of signed flexion (and says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.frames import body_angles_deg

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Span = tuple[float, float]

#: deg: a forward span must show at least this much lean to fix the forward direction.
MIN_FORWARD_LEAN_DEG = 8.0
#: g: spread of |a| in the upright span above which it was not still.
UPRIGHT_STILL_G = 0.05


@dataclass(frozen=True)
class Calibration:
    """Body axes in sensor coordinates (unit vectors)."""

    method: str
    """``header`` (recording spans), ``auto``, ``guided`` (live) or ``file``."""
    up: FloatArray
    forward: FloatArray | None
    """None when the forward direction is unknown (auto calibration, no lean)."""
    upright_s: Span | None = None
    forward_s: Span | None = None
    lean_deg: float | None = None
    """Largest lean seen in the forward span, deg."""
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def forward_known(self) -> bool:
        return self.forward is not None

    def body_axes(self) -> FloatArray:
        """Rows are the body's forward, left, up axes in sensor coordinates (3, 3)."""
        if self.forward is None:
            raise ValueError("forward direction unknown")
        left = np.cross(self.up, self.forward)
        return np.vstack([self.forward, left, self.up])

    def angles(self, up_sensor: FloatArray) -> tuple[FloatArray, FloatArray | None]:
        """Flexion and lateral (deg) of unit up vectors (3, m) in sensor coordinates.

        With the forward direction unknown, returns (tilt from upright, None): tilt is
        unsigned, so forward and backward lean cannot be told apart.
        """
        if self.forward is None:
            cos = np.clip(self.up @ up_sensor, -1.0, 1.0)
            return np.degrees(np.arccos(cos)), None
        u_body = self.body_axes() @ up_sensor
        flex, lat = body_angles_deg(u_body)
        return flex, lat

    def tilt_deg(self, up_sensor: FloatArray) -> FloatArray:
        """Angle between the trunk's up axis and its calibrated upright, deg (unsigned)."""
        return np.degrees(np.arccos(np.clip(self.up @ up_sensor, -1.0, 1.0)))

    def to_state(self) -> dict[str, Any]:
        """Everything needed to rebuild this calibration (for saving and reuse)."""
        return {**self.to_dict(), "up": [float(x) for x in self.up],
                "forward": None if self.forward is None else [float(x) for x in self.forward]}

    @classmethod
    def from_state(cls, d: dict[str, Any], method: str | None = None) -> Calibration:
        """Inverse of :meth:`to_state`; raises ValueError on malformed input."""
        try:
            up = _unit(np.asarray(d["up"], dtype=np.float64).reshape(3))
            fwd = d.get("forward")
            forward = None if fwd is None else _unit(np.asarray(fwd, dtype=np.float64).reshape(3))
            span = d.get("upright_s")
            fspan = d.get("forward_s")
            return cls(method or str(d.get("method", "file")), up, forward,
                       None if span is None else (float(span[0]), float(span[1])),
                       None if fspan is None else (float(fspan[0]), float(fspan[1])),
                       d.get("lean_deg"), tuple(str(w) for w in d.get("warnings", [])))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a saved calibration: {e}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "upright_s": list(self.upright_s) if self.upright_s else None,
            "forward_s": list(self.forward_s) if self.forward_s else None,
            "forward_known": self.forward_known,
            "lean_deg": None if self.lean_deg is None else round(self.lean_deg, 1),
            "warnings": list(self.warnings),
        }


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    if n == 0:
        raise ValueError("zero vector")
    return v / n


def calibration_from_spans(t: FloatArray, acc: FloatArray, upright_s: Span,
                           forward_s: Span | None, method: str = "header") -> Calibration:
    """Calibrate from raw samples: ``t`` (n,) s, ``acc`` (3, n) g."""
    warnings: list[str] = []
    sel = (t >= upright_s[0]) & (t <= upright_s[1])
    if sel.sum() < 3:
        raise ValueError(f"the upright span {upright_s[0]:g}-{upright_s[1]:g} s holds "
                         f"{int(sel.sum())} samples; need at least 3")
    a = acc[:, sel]
    up = _unit(a.mean(axis=1))
    spread = float(np.std(np.sqrt((a * a).sum(axis=0))))
    wander = float(np.degrees(np.arccos(np.clip(up @ (a / np.linalg.norm(a, axis=0)), -1, 1))
                              ).mean())
    if spread > UPRIGHT_STILL_G or wander > 5.0:
        warnings.append(f"the upright span was not still (|a| spread {spread * 1000:.0f} mg, "
                        f"mean wander {wander:.1f} deg): upright may be off")
    if forward_s is None:
        return Calibration(method, up, None, upright_s, None, None, tuple(warnings))
    fsel = (t >= forward_s[0]) & (t <= forward_s[1])
    if fsel.sum() < 3:
        warnings.append("the forward span holds no samples: forward direction unknown")
        return Calibration(method, up, None, upright_s, forward_s, None, tuple(warnings))
    f = acc[:, fsel]
    # smooth over ~0.3 s so a bump does not pass for a lean
    k = max(1, round(0.3 / max(float(np.median(np.diff(t[fsel]))), 1e-3)))
    if f.shape[1] > k:
        kernel = np.ones(k) / k
        f = np.vstack([np.convolve(f[i], kernel, mode="valid") for i in range(3)])
    u = f / np.linalg.norm(f, axis=0)
    dev = np.degrees(np.arccos(np.clip(up @ u, -1, 1)))
    lean = float(dev.max())
    if lean < MIN_FORWARD_LEAN_DEG:
        warnings.append(f"no lean in the forward span (largest {lean:.1f} deg, need "
                        f"{MIN_FORWARD_LEAN_DEG:g}): forward direction unknown, reporting "
                        "unsigned tilt")
        return Calibration(method, up, None, upright_s, forward_s, lean, tuple(warnings))
    big = dev >= 0.6 * lean
    horiz = u[:, big] - np.outer(up, up @ u[:, big])
    # leaning forward moves the up vector towards the body's back
    forward = _unit(-horiz.mean(axis=1))
    forward = _unit(forward - (forward @ up) * up)
    return Calibration(method, up, forward, upright_s, forward_s, lean, tuple(warnings))


def auto_calibration(acc: FloatArray, still: BoolArray, walking: BoolArray) -> Calibration:
    """Upright from frames: ``acc`` (3, m) mean g per frame, masks (m,) of still and
    walking frames. See the module docstring for the method."""
    warnings: list[str] = []
    u = acc / np.linalg.norm(acc, axis=0)
    if walking.sum() >= 200:  # 20 s of walking at 0.1 s frames
        ref = _unit(u[:, walking].mean(axis=1))
        how = "walking-referenced"
    else:
        pool = u[:, still] if still.sum() >= 10 else u
        ref = _unit(np.median(pool, axis=1))
        how = "median still posture"
        warnings.append("no walking to reference upright: using the least tilted still "
                        "posture near the median; upright may be off")
    cand = still & (np.degrees(np.arccos(np.clip(ref @ u, -1, 1))) < 45.0)
    if cand.sum() < 10:
        up = ref
    else:
        tilt = np.degrees(np.arccos(np.clip(ref @ u[:, cand], -1, 1)))
        low = tilt <= np.percentile(tilt, 25)
        up = _unit(u[:, cand][:, low].mean(axis=1))
    warnings.append(f"automatic calibration ({how}); forward direction unknown, so flexion "
                    "is reported as unsigned tilt from upright")
    return Calibration("auto", up, None, None, None, None, tuple(warnings))
