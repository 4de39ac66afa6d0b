"""Physical plausibility of a recording: glitch samples, header rate, placement.

A body-worn IMU cannot report more than its range: consumer accelerometers top out at
16 g and gyroscopes at 2000-4000 deg/s.  A sample beyond :data:`MAX_ACC_G` or
:data:`MAX_GYRO_DPS`, or a time stamp that jumps out of the recording and back (a lone
spike more than :data:`TIME_SPIKE_S` away from both neighbours), is a glitch of the
link or the decoder: it is dropped before analysis and counted
(``Recording.glitches``, ``recording.glitches`` in the analysis JSON), so one absurd
value cannot turn a whole analysis.  Values that cannot be in g at all (m/s^2, milli-g)
are refused elsewhere (``recording._check_units``); here only the odd sample goes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Largest plausible |acceleration| of a worn sensor (g): twice the widest common range.
MAX_ACC_G = 32.0
#: Largest plausible |angular rate| (deg/s): the widest common gyro range.
MAX_GYRO_DPS = 4000.0
#: A time stamp further than this (s) from both of its ordered neighbours is a glitch.
TIME_SPIKE_S = 1.0
#: Where a sensor may be worn (SPEC section 3); anything else is an error.
PLACEMENTS = ("upper_back", "lower_back", "chest", "waist")
#: Relative disagreement allowed between a header's sample_rate_hz and the rate of the
#: time stamps (median interval): clocks drift by well under 1 %, jitter averages out.
RATE_TOLERANCE = 0.25
#: Above this share of glitches the input is not glitchy but wrong (format, units).
MAX_GLITCH_FRACTION = 0.1


def glitch_mask(t: FloatArray, acc: FloatArray, gyro: FloatArray | None, *,
                drop_nonfinite: bool) -> BoolArray:
    """True for every sample that is a glitch.

    ``acc``/``gyro`` are axis-major ``(3, N)``.  ``drop_nonfinite``: NaN or infinite
    acceleration and rate are glitches too (decoded or pushed arrays, where a value
    overflowed); a recording file instead refuses them with the line (SPEC section 3).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        bad = _beyond(acc, MAX_ACC_G, drop_nonfinite)
        if gyro is not None:
            bad |= _beyond(gyro, MAX_GYRO_DPS, drop_nonfinite)
    bad |= time_spikes(t)
    return bad


def _beyond(axes: FloatArray, limit: float, drop_nonfinite: bool) -> BoolArray:
    finite = np.isfinite(axes).all(axis=0)
    mag = np.sqrt((np.where(np.isfinite(axes), axes, 0.0) ** 2).sum(axis=0))
    out: BoolArray = finite & (mag > limit)
    if drop_nonfinite:
        out |= ~finite
    return out


def time_spikes(t: FloatArray) -> BoolArray:
    """Samples whose time leaves the ordered neighbourhood by more than
    :data:`TIME_SPIKE_S` and whose removal restores the order (one bad stamp)."""
    n = t.size
    out = np.zeros(n, dtype=bool)
    if n < 3 or not np.isfinite(t).all():
        return out
    prev = np.concatenate(([-np.inf], t[:-1]))
    nxt = np.concatenate((t[1:], [np.inf]))
    ordered = prev < nxt
    up = (t > nxt + TIME_SPIKE_S) & ordered
    down = (t < prev - TIME_SPIKE_S) & ordered
    out[:] = up | down
    return out


def too_many_glitches(n_glitches: int, n_samples: int) -> str | None:
    """Why ``n_glitches`` of ``n_samples`` is too many to drop, or None."""
    if n_glitches <= MAX_GLITCH_FRACTION * n_samples:
        return None
    return (f"{n_glitches} of {n_samples} samples are glitches (beyond a worn sensor's "
            f"range of {MAX_ACC_G:g} g and {MAX_GYRO_DPS:g} deg/s, not finite, or a time "
            "out of order): wrong format or units?")


def rate_disagreement(rate_hz: float, t: FloatArray) -> str | None:
    """Why ``rate_hz`` (a header's) cannot be the rate of samples at times ``t``, or
    None when they agree within :data:`RATE_TOLERANCE` (or there are too few samples)."""
    if t.size < 11:
        return None
    dt = float(np.median(np.diff(t)))
    if not dt > 0:
        return None
    measured = 1.0 / dt
    if abs(rate_hz / measured - 1.0) <= RATE_TOLERANCE:
        return None
    return (f"sample_rate_hz {rate_hz:g} disagrees with the time stamps (median interval "
            f"{dt:.6g} s, {measured:.4g} Hz); correct the header or remove it")


def placement_problem(value: str) -> str | None:
    """Why ``value`` is not a placement, or None when it is one."""
    if value in PLACEMENTS:
        return None
    return (f"placement must be one of {', '.join(PLACEMENTS)}; got {value!r}")
