"""Stability of a hold from its raw accelerometer samples.

- ``tremor_rms_mg``: vector RMS of the acceleration in the tremor band that the sample rate
  can see, 3 Hz up to ``min(12 Hz, 0.45 x rate)`` (``tremor_band_hz`` says which band was
  measured). Physiological tremor sits at 8-12 Hz and a 4-6 Hz part appears with fatigue
  (Lippold); both are shaking and both count. Its parts ``tremor_4_6_mg`` and
  ``tremor_8_12_mg`` are ``null`` where the rate cannot see them.
- ``sway_rms_mg``: vector RMS of the 0.1-1 Hz acceleration after removing the hold's
  slow drift (a quadratic trend: sag and pike are reported as drift): the tilt wander
  (1 deg of sway moves the gravity projection by about 17 mg).
- ``mean_acc_mg``: mean magnitude of the acceleration above 0.1 Hz, the mean pelvic
  linear acceleration that Barbado et al. (2018) validated for plank stability (ICC
  0.71-0.88, r = 0.52-0.81 with force-plate centre-of-pressure velocity); reported beside
  the score, which ranks holds like it (tests/test_stability.py).
- ``drift_deg``: change of the long axis from the hold's first seconds to its last
  (``drift_kind`` sag or pike), measured by the hold detector.
- ``score`` 0-100: ``100 / (1 + (I / 36 mg)^2)`` with ``I = tremor + sway / 2`` (drift
  and form breaks are reported beside it, not folded in). 36 mg (0.35 m/s^2) is where
  bridging intensity turns from adequate to excessive (Frontiers in Physiology 2021), so
  an instability of that size scores 50. Sway counts half: a slow wobble of the same RMS
  is less loss of control than shaking (a design choice; with it the score ranks
  simulated holds by the simulator's instability, tremor / 10 mg + sway / deg).

Rates. From 26.7 Hz up (12 Hz / 0.45) the whole 3-12 Hz band is visible and the same
hold scores alike at any rate (within a few points: the sensor's own noise in the band
shrinks as the rate rises). Below that, part of the band is invisible and is not
guessed: at 25 Hz the band is 3-11.25 Hz (and a sensor's anti-aliasing filter already
weakens 10-12 Hz), at 12.5 Hz 3-5.6 Hz, so shaking above the top of ``tremor_band_hz``
does not lower the score and such a hold reads steadier than at 50 Hz. Compare scores
only between holds with the same ``tremor_band_hz``.

All bands come from Hann-windowed periodograms of the detrended hold: no filter start-up
transients (a recursive filter started on a sample of strong tremor rings at its own low
frequencies for seconds and passes tremor off as sway). The seconds around form breaks
are left out of every band (a break is reported as a break, not smeared into shaking).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: mg of instability that scores 50 (0.35 m/s^2, Frontiers in Physiology 2021).
SCORE_REF_MG = 36.0
#: Weight of sway in the instability that the score is made of (a design choice).
SWAY_WEIGHT = 0.5
#: Hz: the tremor band (physiological 8-12 Hz, fatigue 4-6 Hz, Lippold).
TREMOR_BAND_HZ = (3.0, 12.0)
#: Hz: the sway band (tilt wander; below it is drift).
SWAY_BAND_HZ = (0.1, 1.0)
#: Share of the sample rate up to which a band is trusted (just below Nyquist, where
#: a sensor's anti-aliasing filter still passes most of the signal).
VISIBLE_SHARE = 0.45
#: s trimmed at the start and end of a hold before measuring: the tail of the entry
#: movement and the start of the exit would otherwise count as sway.
EDGE_S = (2.5, 1.5)
#: s before and after a form break left out of every band.
BREAK_SKIP_S = (0.5, 3.0)


def visible_top_hz(fs: float) -> float:
    """Top of the tremor band a ``fs`` Hz stream can see: ``min(12, 0.45 fs)``."""
    return min(TREMOR_BAND_HZ[1], VISIBLE_SHARE * fs)


def detrend(x: FloatArray, order: int = 1) -> FloatArray:
    """Remove each channel's least-squares polynomial of ``order`` (1 = straight line)."""
    n = x.shape[1]
    if n <= order + 1:
        flat: FloatArray = x - x.mean(axis=1, keepdims=True)
        return flat
    s = np.linspace(-1.0, 1.0, n)
    basis = np.vander(s, order + 1)
    coef, *_ = np.linalg.lstsq(basis, x.T, rcond=None)
    out: FloatArray = x - (basis @ coef).T
    return out


def band_rms_mg(acc: FloatArray, fs: float, lo: float, hi: float) -> float | None:
    """Vector RMS of the ``lo``-``hi`` Hz part of (3, n) detrended acceleration in g, in
    mg, from a Hann-windowed periodogram; the band is cut at ``0.45 fs``. ``None`` when
    the rate cannot see enough of the band or the hold is too short."""
    hi = min(hi, VISIBLE_SHARE * fs)
    n = acc.shape[1]
    if hi <= lo * 1.2 or n <= 40:
        return None
    w = np.hanning(n)
    spec = np.fft.rfft(acc * w, axis=1)
    f = np.fft.rfftfreq(n, 1.0 / fs)
    band = (f >= lo) & (f < hi)
    power = 2.0 * float((np.abs(spec[:, band]) ** 2).sum()) / (n * float((w * w).sum()))
    return 1000.0 * float(np.sqrt(power))


def mean_acc_mg(acc: FloatArray, fs: float) -> float | None:
    """Mean magnitude of the (3, n) acceleration in g above 0.1 Hz, in mg (Barbado et al.
    2018), via a spectral high-pass of the detrended hold."""
    n = acc.shape[1]
    if n <= 30:
        return None
    spec = np.fft.rfft(acc, axis=1)
    spec[:, np.fft.rfftfreq(n, 1.0 / fs) < SWAY_BAND_HZ[0]] = 0.0
    hp = np.fft.irfft(spec, n=n, axis=1)
    return float(1000.0 * np.mean(np.sqrt((hp * hp).sum(axis=0))))


def instability_mg(tremor_mg: float | None, sway_mg: float | None) -> float:
    """The instability the score is made of: tremor plus half the sway, mg."""
    return (tremor_mg or 0.0) + SWAY_WEIGHT * (sway_mg or 0.0)


def score_of(instab_mg: float) -> int:
    """0-100 score of an instability in mg: ``100 / (1 + (I / 36)^2)``, rounded."""
    return round(100.0 / (1.0 + (max(instab_mg, 0.0) / SCORE_REF_MG) ** 2))


def hold_samples(t: FloatArray, acc: FloatArray, fs: float, start_s: float, end_s: float,
                 breaks: tuple[float, ...] = ()) -> FloatArray:
    """The (3, m) accelerometer samples a hold is measured on: its edges trimmed
    (:data:`EDGE_S`, unless that leaves under 2 s), the seconds around form breaks left
    out (unless that leaves under 3 s), and each remaining stretch's quadratic trend
    removed on its own, so that a position that changed at a break (or a sensor that
    slipped in its clip there) is not counted as sway."""
    sel = (t >= start_s + EDGE_S[0]) & (t <= end_s - EDGE_S[1])
    if sel.sum() < fs * 2:
        sel = (t >= start_s) & (t <= end_s)
    if breaks:
        keep = sel.copy()
        for b in breaks:
            keep &= ~((t >= b - BREAK_SKIP_S[0]) & (t <= b + BREAK_SKIP_S[1]))
        if keep.sum() > fs * 3:
            sel = keep
    idx = np.flatnonzero(sel)
    if idx.size == 0:
        return np.zeros((3, 0))
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    parts = [detrend(np.asarray(acc[:, r], dtype=np.float64), order=2) for r in runs
             if r.size >= fs or len(runs) == 1]
    if not parts:
        return np.zeros((3, 0))
    return np.concatenate(parts, axis=1)


def stability(t: FloatArray, acc: FloatArray, fs: float, start_s: float, end_s: float,
              drift_deg: float, drift_kind: str,
              breaks: tuple[float, ...] = ()) -> dict[str, Any]:
    """Stability figures of one hold. ``t`` (n,) s, ``acc`` (3, n) g, ``fs`` Hz (the
    nominal rate); ``breaks``: form-break times, whose seconds are left out."""
    a = hold_samples(t, acc, fs, start_s, end_s, breaks)
    top = visible_top_hz(fs)
    sway = band_rms_mg(a, fs, *SWAY_BAND_HZ)
    tremor = band_rms_mg(a, fs, TREMOR_BAND_HZ[0], top)
    t46 = band_rms_mg(a, fs, 4.0, 6.0) if VISIBLE_SHARE * fs >= 6.0 else None
    t812 = band_rms_mg(a, fs, 8.0, 12.0) if VISIBLE_SHARE * fs >= 12.0 else None
    return {
        "score": score_of(instability_mg(tremor, sway)),
        "sway_rms_mg": _r(sway),
        "tremor_rms_mg": _r(tremor),
        "tremor_4_6_mg": _r(t46),
        "tremor_8_12_mg": _r(t812),
        "tremor_band_hz": [TREMOR_BAND_HZ[0], round(top, 2)],
        "mean_acc_mg": _r(mean_acc_mg(a, fs)),
        "drift_deg": round(drift_deg, 1),
        "drift_kind": drift_kind,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)
