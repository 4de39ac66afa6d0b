"""Calibration: which sensor directions are the body's up, forward and left.

From the recording's spans (SPEC section 3): the upright span gives up (the mean
accelerometer direction while still), the forward span gives forward (the direction the
up vector moves away from when the wearer leans forward), left = up x forward.

Without spans, :func:`auto_calibration` picks upright from the data, and says how sure it
is (``confidence``, 0-1):

- walking (>= 20 s): the gravity direction while walking is the standing-upright reference
  (walking-referenced posture, Vähä-Ypyä et al. 2018); upright is the mean direction of the
  25% least tilted still frames within ``auto_upright_cone_deg`` of it (a waist sensor:
  the reference itself, since sitting rolls the pelvis back). Lying, bends and slumped
  stretches lie outside the cone, so they are never taken as upright. Confidence 0.8.
- a device's nominal mounting (a recording's ``mounting_up`` / ``mounting_forward`` keys,
  written by converters for devices worn one way, e.g. SisFall's belt unit): upright is the
  still posture near it. Confidence 0.6; forward known.
- otherwise the least tilted still posture near the median still direction: a guess that
  may be a slumped or lying posture (confidence 0.3, which disables slump detection).

The forward direction cannot be known from walking alone, so ``forward_known`` is then
False and the analysis reports unsigned tilt instead of signed flexion (and says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.activity import runs
from sensorcoach.core.frames import body_angles_deg
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Span = tuple[float, float]

#: Confidence of each way of finding upright (design choices, see the module docstring).
CONFIDENCE = {"span": 0.95, "span_unsteady": 0.6, "walking": 0.8, "device": 0.6,
              "still posture": 0.3}


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
    confidence: float = 0.95
    """How sure the upright reference is, 0-1 (see the module docstring)."""
    reference: str = "span"
    """What upright was taken from: ``span``, ``walking``, ``device``, ``still posture``."""

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
                       d.get("lean_deg"), tuple(str(w) for w in d.get("warnings", [])),
                       float(d.get("confidence", CONFIDENCE["span"])),
                       str(d.get("reference", "span")))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a saved calibration: {e}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "upright_s": list(self.upright_s) if self.upright_s else None,
            "forward_s": list(self.forward_s) if self.forward_s else None,
            "forward_known": self.forward_known,
            "lean_deg": None if self.lean_deg is None else round(self.lean_deg, 1),
            "confidence": round(self.confidence, 2),
            "reference": self.reference,
            "warnings": list(self.warnings),
        }


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    if n == 0:
        raise ValueError("zero vector")
    return v / n


def calibration_from_spans(t: FloatArray, acc: FloatArray, upright_s: Span,
                           forward_s: Span | None, method: str = "header", *,
                           settings: Settings = DEFAULT_SETTINGS) -> Calibration:
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
    conf = CONFIDENCE["span"]
    if spread > settings.upright_still_g or wander > settings.upright_wander_deg:
        warnings.append(f"the upright span was not still (|a| spread {spread * 1000:.0f} mg, "
                        f"mean wander {wander:.1f} deg): upright may be off")
        conf = CONFIDENCE["span_unsteady"]
    if forward_s is None:
        return Calibration(method, up, None, upright_s, None, None, tuple(warnings), conf)
    fsel = (t >= forward_s[0]) & (t <= forward_s[1])
    if fsel.sum() < 3:
        warnings.append("the forward span holds no samples: forward direction unknown")
        return Calibration(method, up, None, upright_s, forward_s, None, tuple(warnings), conf)
    f = acc[:, fsel]
    # smooth over ~0.3 s so a bump does not pass for a lean
    k = max(1, round(0.3 / max(float(np.median(np.diff(t[fsel]))), 1e-3)))
    if f.shape[1] > k:
        kernel = np.ones(k) / k
        f = np.vstack([np.convolve(f[i], kernel, mode="valid") for i in range(3)])
    u = f / np.linalg.norm(f, axis=0)
    dev = np.degrees(np.arccos(np.clip(up @ u, -1, 1)))
    lean = float(dev.max())
    if lean < settings.min_forward_lean_deg:
        warnings.append(f"no lean in the forward span (largest {lean:.1f} deg, need "
                        f"{settings.min_forward_lean_deg:g}): forward direction unknown, reporting "
                        "unsigned tilt")
        return Calibration(method, up, None, upright_s, forward_s, lean, tuple(warnings),
                           conf)
    big = dev >= 0.6 * lean
    horiz = u[:, big] - np.outer(up, up @ u[:, big])
    # leaning forward moves the up vector towards the body's back
    forward = _unit(-horiz.mean(axis=1))
    forward = _unit(forward - (forward @ up) * up)
    return Calibration(method, up, forward, upright_s, forward_s, lean, tuple(warnings), conf)


def walking_bouts(u: FloatArray, walking: BoolArray, s: Settings) -> BoolArray:
    """Walking frames fit to reference upright: in bouts of at least ``auto_walk_bout_s``
    and within ``auto_walk_cone_deg`` of the bouts' median direction (walking is upright)."""
    w = np.asarray(walking, dtype=bool)
    out = np.zeros_like(w)
    for value, a, n in zip(*runs(w.astype(np.int64)), strict=True):
        if value and n * s.frame_s >= s.auto_walk_bout_s - 1e-9:
            out[a:a + n] = True
    if not out.any():
        return out
    centre = _unit(np.median(u[:, out], axis=1))
    return out & (np.degrees(np.arccos(np.clip(centre @ u, -1.0, 1.0))) <= s.auto_walk_cone_deg)


def auto_calibration(acc: FloatArray, still: BoolArray, walking: BoolArray, *,
                     placement: str | None = None, mounting_up: FloatArray | None = None,
                     mounting_forward: FloatArray | None = None,
                     settings: Settings = DEFAULT_SETTINGS) -> Calibration:
    """Upright from frames: ``acc`` (3, m) mean g per frame, masks (m,) of still and
    walking frames; ``mounting_up``/``mounting_forward``: a device's nominal body axes in
    sensor coordinates, if known. See the module docstring for the method."""
    warnings: list[str] = []
    u = acc / np.maximum(np.linalg.norm(acc, axis=0), 1e-12)
    forward: FloatArray | None = None
    walking = walking_bouts(u, walking, settings)
    if walking.sum() >= 200:  # 20 s of walking at 0.1 s frames
        ref = _unit(u[:, walking].mean(axis=1))
        reference, how = "walking", "referenced to walking"
    elif mounting_up is not None:
        ref = _unit(np.asarray(mounting_up, dtype=np.float64))
        reference, how = "device", "from the device's nominal mounting"
    else:
        pool = u[:, still] if still.sum() >= 10 else u
        ref = _unit(np.median(pool, axis=1))
        reference, how = "still posture", "from the least tilted still posture"
        warnings.append("no walking and no known mounting to reference upright: the least "
                        "tilted still posture was taken, which may be slumped or lying")
    tilt = np.degrees(np.arccos(np.clip(ref @ u, -1, 1)))
    cand = still & (tilt < settings.auto_upright_cone_deg)
    if reference == "walking" and placement == "waist":
        up = ref  # standing is the reference; sitting rolls the pelvis back from it
    elif reference == "device":
        near = still & (tilt < settings.sit_stand_deg)  # standing near it, if seen
        up = _unit(u[:, near].mean(axis=1)) if near.sum() >= 10 else ref
    elif cand.sum() < 10:
        up = ref
    else:
        t_c = tilt[cand]
        low = t_c <= np.percentile(t_c, 25)
        up = _unit(u[:, cand][:, low].mean(axis=1))
    if mounting_forward is not None:
        f = np.asarray(mounting_forward, dtype=np.float64)
        f = f - (f @ up) * up
        if np.linalg.norm(f) > 0.5:
            forward = _unit(f)
    if forward is None:
        warnings.append(f"automatic calibration ({how}); forward direction unknown, so "
                        "flexion is reported as unsigned tilt from upright")
    else:
        warnings.append(f"automatic calibration ({how}); forward from the device's mounting")
    return Calibration("auto", up, forward, None, None, None, tuple(warnings),
                       CONFIDENCE[reference], reference)
