"""Stability of a hold from its raw accelerometer samples.

- ``sway_rms_mg``: vector RMS of 0.1-1 Hz acceleration after removing the hold's linear
  trend (drift) and the seconds after form breaks: low-frequency tilt wander (1 deg of
  sway moves the gravity projection by about 17 mg).
- ``tremor_rms_mg``: vector RMS of 3-12 Hz acceleration (muscle tremor), with its
  4-6 Hz part (appears with fatigue, Lippold) and 8-12 Hz part (physiological tremor).
  Bands are cut at 0.45 x the sample rate: at 25 Hz the 8-12 Hz band sits at Nyquist and
  is reported as ``null`` rather than as a number the sensor cannot see; the top of the
  band actually measured is ``tremor_band_hz``.
- ``mean_acc_mg``: mean magnitude of acceleration above 0.1 Hz, the mean pelvic
  acceleration that Barbado et al. (2018) validated for plank stability (ICC 0.71-0.88).
- ``drift_deg``: change of the long axis from the hold's first seconds to its last
  (``drift_kind`` sag or pike).
- ``score`` 0-100: ``100 / (1 + (I / 36 mg)^2)`` with ``I = tremor(3-7 Hz) + sway / 2``
  (drift and form breaks are reported beside it, not folded in). 36 mg (0.35 m/s^2) is
  where bridging intensity turns from adequate to excessive (Frontiers in Physiology
  2021), so an instability of that size scores 50. Sway counts half: a slow wobble of the
  same RMS is less loss of control than shaking (a design choice). The tremor in the score
  stops at 7 Hz because that is what every supported rate sees (a 25 Hz sensor filters
  above about 7.5 Hz before sampling): the same hold scores alike at 25 and 100 Hz, while
  ``tremor_rms_mg`` still reports all of the 3-12 Hz band the rate can see.

All bands come from Hann-windowed periodograms of the detrended hold: no filter start-up
transients (a recursive filter started on a sample of strong tremor rings at its own low
frequencies for seconds and passes tremor off as sway).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

SCORE_REF_MG = 36.0
#: Hz: top of the tremor band that enters the score. Sensors filter before they sample
#: (a 25 Hz stream keeps little above ~7.5 Hz), so the score uses the part of the tremor
#: every supported rate sees, and the same hold scores alike at 25 and 100 Hz.
SCORE_TREMOR_TOP_HZ = 7.0
#: s trimmed at the start and end of a hold before measuring: the tail of the entry
#: movement and the start of the exit would otherwise count as sway.
EDGE_S = (2.5, 1.5)
#: s after a form break left out of sway.
BREAK_SKIP_S = 3.0


def detrend(x: FloatArray) -> FloatArray:
    """Remove each channel's least-squares straight line."""
    n = x.shape[1]
    if n < 2:
        flat: FloatArray = x - x.mean(axis=1, keepdims=True)
        return flat
    s = np.linspace(-1.0, 1.0, n)
    slope = (x @ s) / (s @ s)
    out: FloatArray = x - x.mean(axis=1, keepdims=True) - slope[:, None] * s[None, :]
    return out


def _band_rms_mg(acc: FloatArray, fs: float, lo: float, hi: float) -> float | None:
    """Vector RMS of the ``lo``-``hi`` Hz part of (3, n) detrended acceleration, in mg,
    from a Hann-windowed periodogram. A spectral estimate has no filter start-up: a
    recursive filter started on a sample of strong tremor rings at its own low
    frequencies for seconds and would pass tremor off as sway (more so at high rates,
    where more of the tremor is visible)."""
    hi = min(hi, 0.45 * fs)
    n = acc.shape[1]
    if hi <= lo * 1.2 or n <= 40:
        return None
    w = np.hanning(n)
    spec = np.fft.rfft(acc * w, axis=1)
    f = np.fft.rfftfreq(n, 1.0 / fs)
    band = (f >= lo) & (f < hi)
    power = 2.0 * float((np.abs(spec[:, band]) ** 2).sum()) / (n * float((w * w).sum()))
    return 1000.0 * float(np.sqrt(power))


def _mean_acc_mg(acc: FloatArray, fs: float) -> float | None:
    """Mean magnitude of the acceleration above 0.1 Hz (Barbado's measure), in mg, via a
    spectral high-pass of the detrended hold."""
    n = acc.shape[1]
    if n <= 30:
        return None
    spec = np.fft.rfft(acc, axis=1)
    spec[:, np.fft.rfftfreq(n, 1.0 / fs) < 0.1] = 0.0
    hp = np.fft.irfft(spec, n=n, axis=1)
    return float(1000.0 * np.mean(np.sqrt((hp * hp).sum(axis=0))))


def stability(t: FloatArray, acc: FloatArray, fs: float, start_s: float, end_s: float,
              drift_deg: float, drift_kind: str,
              breaks: tuple[float, ...] = ()) -> dict[str, Any]:
    """Stability figures of one hold. ``t`` (n,) s, ``acc`` (3, n) g, ``fs`` Hz;
    ``breaks``: form-break times, whose few seconds are left out of sway (a break is
    reported as such, not smeared into sway)."""
    sel = (t >= start_s + EDGE_S[0]) & (t <= end_s - EDGE_S[1])
    if sel.sum() < fs * 2:
        sel = (t >= start_s) & (t <= end_s)
    a = acc[:, sel]
    # the slow drift (sag, pike) is reported as drift, not as sway
    a = detrend(a)
    sway_a = a
    if breaks:
        keep = np.ones(a.shape[1], bool)
        ts = t[sel]
        for b in breaks:
            keep &= ~((ts >= b - 0.5) & (ts <= b + BREAK_SKIP_S))
        if keep.sum() > fs * 3:
            sway_a = a[:, keep]
    sway = _band_rms_mg(sway_a, fs, 0.1, 1.0)
    tremor = _band_rms_mg(a, fs, 3.0, 12.0)
    t46 = _band_rms_mg(a, fs, 4.0, 6.0)
    t812 = _band_rms_mg(a, fs, 8.0, 12.0) if 0.45 * fs >= 12.0 else None
    mean_acc = _mean_acc_mg(a, fs)
    common = _band_rms_mg(a, fs, 3.0, SCORE_TREMOR_TOP_HZ)
    instab = (common or 0.0) + 0.5 * (sway or 0.0)
    score = 100.0 / (1.0 + (instab / SCORE_REF_MG) ** 2)
    return {
        "score": round(max(0.0, min(100.0, score))),
        "sway_rms_mg": _r(sway),
        "tremor_rms_mg": _r(tremor),
        "tremor_4_6_mg": _r(t46),
        "tremor_8_12_mg": _r(t812),
        "tremor_band_hz": [3.0, round(min(12.0, 0.45 * fs), 1)],
        "mean_acc_mg": _r(mean_acc),
        "drift_deg": round(drift_deg, 1),
        "drift_kind": drift_kind,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)
