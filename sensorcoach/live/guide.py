"""Guided, timed calibration for live sources (SPEC section 6).

Each attempt starts at stream time ``start_s`` (0 for the first): sit upright and still
over ``start_s + 0.5 .. 5.0`` s, then lean forward about 30 deg and back over
``start_s + 5.5 .. 10.5`` s, with a countdown.  When the stream passes the end of the
lean, the spans are checked with :func:`calibration_from_spans`: a warning (not still,
no lean) or too few samples (e.g. the link dropped) repeats the attempt with a message
saying why.  After ``max_attempts`` the last usable calibration is kept with its warnings
(forward unknown means unsigned tilt), so a session is never stuck in calibration.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.calibration import Calibration, calibration_from_spans

FloatArray = NDArray[np.float64]

#: s, relative to an attempt's start: the upright-and-still span.
UPRIGHT_S = (0.5, 5.0)
#: s, relative to an attempt's start: the lean forward and back span.
FORWARD_S = (5.5, 10.5)
#: deg: a lean beyond this is not "about 30 deg" (probably bending to pick something up).
MAX_LEAN_DEG = 70.0

Samples = Callable[[], tuple[FloatArray, FloatArray]]


@dataclass
class GuideResult:
    """What an update produced: prompt lines (dicts with ``type`` ``guide``) and, once
    done, the calibration."""

    lines: list[dict[str, Any]]
    calibration: Calibration | None = None


class CalibrationGuide:
    """The countdown and checks; feed it the stream time after each block."""

    def __init__(self, *, start_s: float = 0.0, max_attempts: int = 3) -> None:
        self.start_s = start_s
        self.max_attempts = max_attempts
        self.attempt = 1
        self.failures: list[str] = []
        self._last_prompt: tuple[int, str, int] | None = None
        self._fallback: Calibration | None = None

    @property
    def upright_s(self) -> tuple[float, float]:
        return (self.start_s + UPRIGHT_S[0], self.start_s + UPRIGHT_S[1])

    @property
    def forward_s(self) -> tuple[float, float]:
        return (self.start_s + FORWARD_S[0], self.start_s + FORWARD_S[1])

    def update(self, now_s: float, samples: Samples) -> GuideResult:
        """``now_s``: stream time of the newest sample (s); ``samples()`` gives all samples
        so far, ``t`` (n,) s and ``acc`` (3, n) g (called only when a step is checked)."""
        lines: list[dict[str, Any]] = []
        if now_s <= self.forward_s[1]:
            p = self._prompt(now_s)
            if p is not None:
                lines.append(p)
            return GuideResult(lines)
        t, acc = samples()
        cal, problem = self._check(t, acc)
        if problem is None and cal is not None:
            return GuideResult(lines, cal)
        if cal is not None:
            self._fallback = cal
        self.failures.append(problem or "calibration failed")
        if self.attempt >= self.max_attempts:
            if self._fallback is None:
                self._fallback = _last_resort(t, acc)
            lines.append(self._line(now_s, "gave_up", 0,
                                    f"{problem}. Going on with what was measured; "
                                    "restart monitor to calibrate again."))
            return GuideResult(lines, self._fallback)
        lines.append(self._line(now_s, "retry", 0, f"{problem}. Let's do that again."))
        self.attempt += 1
        self.start_s = now_s
        self._last_prompt = None
        return GuideResult(lines)

    def _check(self, t: FloatArray, acc: FloatArray) -> tuple[Calibration | None, str | None]:
        try:
            cal = calibration_from_spans(t, acc, self.upright_s, self.forward_s,
                                         method="guided")
        except ValueError as e:
            return None, f"Too few samples while sitting upright ({e})"
        for w in cal.warnings:
            if "not still" in w:
                return cal, "You moved while sitting upright: sit still for those 5 seconds"
        if not cal.forward_known:
            return cal, ("No forward lean was seen: lean forward about 30 degrees and back "
                         "when asked")
        if cal.lean_deg is not None and cal.lean_deg > MAX_LEAN_DEG:
            return cal, (f"That lean was {cal.lean_deg:.0f} degrees: lean only about 30 "
                         "degrees")
        return cal, None

    def _prompt(self, now_s: float) -> dict[str, Any] | None:
        up0, up1 = self.upright_s
        fw0, fw1 = self.forward_s
        if now_s < up0:
            step, left, msg = "prepare", up0 - now_s, "Get ready: sit upright and still"
        elif now_s <= up1:
            step, left, msg = "upright", up1 - now_s, "Sit upright and still"
        elif now_s < fw0:
            step, left, msg = "prepare", fw0 - now_s, "Next: lean forward about 30 degrees"
        else:
            step, left, msg = "forward", fw1 - now_s, ("Lean forward about 30 degrees, "
                                                       "then back upright")
        secs = max(0, math.ceil(left))
        key = (self.attempt, step, secs)
        if key == self._last_prompt:
            return None
        self._last_prompt = key
        return self._line(now_s, step, secs, msg)

    def _line(self, now_s: float, step: str, secs: int, msg: str) -> dict[str, Any]:
        return {"type": "guide", "t_s": round(now_s, 2), "step": step, "remaining_s": secs,
                "attempt": self.attempt, "message": msg}


def _last_resort(t: FloatArray, acc: FloatArray) -> Calibration:
    """Upright from the mean direction of everything seen (forward unknown)."""
    up = acc.mean(axis=1) if acc.size else np.array([0.0, 0.0, 1.0])
    up = up / (float(np.linalg.norm(up)) or 1.0)
    return Calibration("guided", up, None, None, None, None,
                       ("guided calibration failed: upright is the mean posture seen, "
                        "forward unknown (unsigned tilt)",))
