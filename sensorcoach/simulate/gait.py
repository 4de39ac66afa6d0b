"""Gait as a trunk or waist sensor sees it: heel strikes, not a sinusoid.

Each step starts with a heel strike. The pelvis gets a sharp vertical impact (a Gaussian
of 12-22 ms sigma walking, 0.75 of that jogging, followed by a small rebound), a broader
stance bump (the body weight taken on the leading leg), a braking pulse along the
heading and a sideways push toward the stance leg. Subtracting each step's mean
(spread over the step) keeps the pelvis velocity bounded: what goes up comes down.
Repeating every step, these pulses make the harmonics of the step frequency; the
mediolateral sway is at half of it (one cycle per stride). Impacts peak at 1.5-2.5 g
(walking) and 3-5 g (jogging) in the specific force of a 200 Hz lower-back or waist
sensor, as real recordings show (see the biomechanics notes); higher on the trunk they
are attenuated (``IMPACT_PLACEMENT_GAIN``, a design estimate).

Steps are events: step times come from the ``step_hz`` channel with left/right
step-time asymmetry (``stride_asym``) and step-to-step variability (``step_cv``);
impact amplitudes differ left/right (``impact_asym``) and vary 12 % step to step.
The ``jog`` channel (0-1) blends walking into jogging (2.5-3.2 Hz, impacts 3-5 g, a
stance bump that carries the body through a flight phase), and ``stairs`` (+1 up, -1
down) lifts the pelvis one step rise (0.17 m) per step with a minimum-jerk profile
(going up softens the heel strike, going down hardens it). The pelvis turns with the
gait (roll and twist at the stride frequency, pitch at the step frequency), returned as
a rotation overlay so the gyro sees exactly the rotation the accelerometer's gravity
direction follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline

from sensorcoach.simulate.person import Person
from sensorcoach.simulate.signals import FloatArray, min_jerk

G = 9.80665
#: Heel-strike impact reaching the sensor, by placement (1 = at the pelvis). The trunk
#: damps the impact on its way up (a design estimate; no published figure is used).
IMPACT_PLACEMENT_GAIN = {"waist": 1.0, "lower_back": 1.0, "upper_back": 0.75, "chest": 0.75}
#: Pelvis rotation during gait by placement (the pelvis turns more than the upper trunk).
ROTATION_PLACEMENT_GAIN = {"waist": 1.3, "lower_back": 1.2, "upper_back": 0.8, "chest": 0.8}
STAIR_RISE_M = 0.17
#: Mean vertical support while jogging, g: the stance bump is sized so that, averaged
#: over a step, the legs carry this much of the body weight's dynamic part; the rest of
#: the step is close to free fall (flight).
JOG_SUPPORT_G = 0.85
_ACTIVE = 0.01
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class GaitMotion:
    """Gait on the fine grid. Arrays are axis-major ``(3, N)``."""

    acc_world: FloatArray
    """Pelvis acceleration in the world frame (x, y horizontal, z up), m/s^2."""
    disp_world: FloatArray
    """Pelvis displacement that needs no separate acceleration term (stairs), m."""
    rho_deg: FloatArray
    """Body-frame rotation overlay: [lateral roll, forward pitch, twist], deg."""
    step_t: FloatArray
    """Heel-strike times, s."""
    step_side: IntArray
    """0 = left foot, 1 = right foot, per step."""


def _at(ch: FloatArray, t0: float, fs: float, t: float) -> float:
    i = min(max(round((t - t0) * fs), 0), ch.size - 1)
    return float(ch[i])


def step_times(t: FloatArray, fs: float, walk: FloatArray, step_hz: FloatArray,
               p: Person, rng: np.random.Generator) -> tuple[FloatArray, IntArray, IntArray]:
    """Heel-strike times, feet (0 left, 1 right) and bout number of every step."""
    active = np.flatnonzero(walk > _ACTIVE)
    times: list[float] = []
    sides: list[int] = []
    bouts: list[int] = []
    if active.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    t0, end = float(t[0]), float(t[-1])
    cur = float(t[active[0]])
    bout, side = 0, int(rng.integers(0, 2))
    cv = p.step_cv
    while cur < end:
        if _at(walk, t0, fs, cur) <= _ACTIVE:
            nxt = active[np.searchsorted(active, round((cur - t0) * fs)):][:1]
            if nxt.size == 0:
                break
            cur = float(t[nxt[0]])
            bout += 1
            side = int(rng.integers(0, 2))
            continue
        times.append(cur)
        sides.append(side)
        bouts.append(bout)
        f = max(_at(step_hz, t0, fs, cur), 0.5)
        asym = 1.0 + (0.5 if side == 0 else -0.5) * p.stride_asym
        var = 1.0 + cv * float(np.clip(rng.normal(), -3.0, 3.0))
        cur += asym * var / f
        side = 1 - side
    return (np.asarray(times), np.asarray(sides, dtype=np.int64),
            np.asarray(bouts, dtype=np.int64))


def _add_pulses(out: FloatArray, t0: float, fs: float, centre: FloatArray, sigma: FloatArray,
                amp: FloatArray) -> None:
    """Add Gaussians ``amp exp(-(t - centre)^2 / 2 sigma^2)`` to the grid ``out``."""
    if centre.size == 0:
        return
    half = math.ceil(5.0 * float(sigma.max()) * fs) + 1
    base = np.round((centre - t0) * fs).astype(np.int64)
    offs = np.arange(-half, half + 1)
    idx = base[:, None] + offs[None, :]
    tt = t0 + idx / fs
    val = amp[:, None] * np.exp(-0.5 * ((tt - centre[:, None]) / sigma[:, None]) ** 2)
    ok = (idx >= 0) & (idx < out.size)
    np.add.at(out, idx[ok], val[ok])


def _zero_mean_steps(x: FloatArray, t: FloatArray, step_t: FloatArray, step_len: FloatArray,
                     bouts: IntArray) -> FloatArray:
    """``x`` minus its own mean over each step (from a heel strike for ``step_len``),
    the level smoothed over 40 ms (integral kept) so it changes without a jump: every
    step then adds no net velocity, whatever spills over from its neighbours."""
    level = np.zeros(t.size)
    csum = np.concatenate([[0.0], np.cumsum(x)])
    for b in np.unique(bouts):
        k = np.flatnonzero(bouts == b)
        st, ln = step_t[k], step_len[k]
        edges: IntArray = np.searchsorted(t, np.concatenate([st, [st[-1] + ln[-1]]]))
        for j in range(k.size):
            a, e = int(edges[j]), int(edges[j + 1])
            if e > a:
                level[a:e] = (csum[e] - csum[a]) / (e - a)
    width = max(1, round(0.04 / float(t[1] - t[0])))
    level = np.convolve(level, np.full(width, 1.0 / width), mode="same")
    out: FloatArray = x - level
    return out


def _centre_velocity(x: FloatArray, t: FloatArray, step_t: FloatArray, step_len: FloatArray,
                     bouts: IntArray) -> FloatArray:
    """Gait initiation and termination: within a bout the velocity that ``x`` produces
    oscillates about its mean; a smooth pulse over the first step (and its opposite
    over the last) shifts that mean to zero, so the displacement stays bounded (the
    pelvis bobs about its height instead of drifting up or down)."""
    out = x.copy()
    fs = 1.0 / float(t[1] - t[0])
    for b in np.unique(bouts):
        k = np.flatnonzero(bouts == b)
        if k.size < 3:
            continue
        lo, hi = np.searchsorted(t, [step_t[k[0]], step_t[k[-1]] + step_len[k[-1]]])
        v = np.cumsum(out[lo:hi]) / fs
        shift = float(np.mean(v))
        for start, length, sign in ((step_t[k[0]], step_len[k[0]], -1.0),
                                    (step_t[k[-1]], step_len[k[-1]], 1.0)):
            a, e = np.searchsorted(t, [start, start + length])
            if e - a < 2:
                continue
            win = np.hanning(e - a + 2)[1:-1]
            out[a:e] += sign * shift * fs * win / win.sum()
        # ... and the bout ends at rest: no velocity is left over.
        a, e = np.searchsorted(t, [step_t[k[-1]], step_t[k[-1]] + step_len[k[-1]]])
        left = float(np.sum(out[lo:hi])) / fs
        if e - a >= 2:
            win = np.hanning(e - a + 2)[1:-1]
            out[a:e] -= left * fs * win / win.sum()
    return out


def _phase(t: FloatArray, step_t: FloatArray, bouts: IntArray) -> FloatArray:
    """Smooth (C2) step phase: k at the k-th heel strike of a bout, NaN-free, 0 outside."""
    phase = np.zeros(t.size)
    for b in np.unique(bouts):
        k = np.flatnonzero(bouts == b)
        if k.size < 2:
            continue
        st = step_t[k]
        spline = CubicSpline(st, np.arange(k.size, dtype=np.float64), bc_type="natural")
        period = float(st[-1] - st[-2])
        lo, hi = np.searchsorted(t, [st[0] - 2.0 * period, st[-1] + 2.0 * period])
        phase[lo:hi] = spline(t[lo:hi])
    return phase


def gait_motion(ch: dict[str, FloatArray], t: FloatArray, fs: float, p: Person,
                placement: str, rng: np.random.Generator) -> GaitMotion:
    """Render the gait channels (``walk``, ``step_hz``, ``jog``, ``stairs``, ``yaw``)."""
    n = t.size
    acc = np.zeros((3, n))
    disp = np.zeros((3, n))
    rho = np.zeros((3, n))
    walk = ch["walk"]
    st, side, bouts = step_times(t, fs, walk, ch["step_hz"], p, rng)
    if st.size < 2:
        return GaitMotion(acc, disp, rho, st, side)
    t0 = float(t[0])
    idx = np.clip(np.round((st - t0) * fs).astype(np.int64), 0, n - 1)
    w, jog, f = walk[idx], np.clip(ch["jog"][idx], 0.0, 1.0), ch["step_hz"][idx]
    stairs = np.clip(ch["stairs"][idx], -1.0, 1.0)
    k = st.size
    lr = np.where(side == 0, 1.0 + 0.5 * p.impact_asym, 1.0 - 0.5 * p.impact_asym)
    var = np.clip(1.0 + 0.12 * rng.normal(size=k), 0.65, 1.35)
    stair_gain = 1.0 - 0.4 * np.clip(stairs, 0.0, 1.0) + 0.15 * np.clip(-stairs, 0.0, 1.0)
    imp = ((1.0 - jog) * p.impact_g + jog * p.jog_impact_g) * lr * var * stair_gain * w
    imp *= IMPACT_PLACEMENT_GAIN[placement]
    sig = p.impact_width_s * (1.0 - 0.25 * jog)
    root = math.sqrt(2.0 * math.pi)
    sig_st = np.where(jog > 0.5, 0.17, 0.14) / f
    delay = 0.05 - 0.01 * jog
    area_imp = 0.7 * imp * sig * root
    jog_bump = np.maximum(0.0, (JOG_SUPPORT_G / f - area_imp) / (sig_st * root))
    bump = ((1.0 - jog) * p.gait_vertical_g + jog * jog_bump) * w
    bump *= IMPACT_PLACEMENT_GAIN[placement] ** 0.5

    # Vertical: impact, rebound, stance bump, the centre-of-mass bounce; each step's
    # mean removed over the step (below).
    vert = np.zeros(n)
    _add_pulses(vert, t0, fs, st, sig, imp)
    _add_pulses(vert, t0, fs, st + 2.5 * sig, sig, -0.3 * imp)
    _add_pulses(vert, t0, fs, st + delay, sig_st, bump)
    # Each step lasts until the next heel strike of its bout (the last one: 1 / f).
    step_len = np.diff(st, append=st[-1] + 1.0 / f[-1])
    last = np.r_[bouts[1:] != bouts[:-1], True]
    step_len[last] = 1.0 / f[last]

    # Along the heading: braking at the heel strike, propulsion later in stance.
    ap = np.zeros(n)
    brake = 0.45 * imp
    _add_pulses(ap, t0, fs, st + sig, 1.5 * sig, -brake)
    push_t = st + 0.45 * step_len
    _add_pulses(ap, t0, fs, push_t, 0.1 * step_len, brake * 1.5 * sig / (0.1 * step_len))
    # (braking and propulsion have equal areas: no net change of walking speed)
    # Sideways: a push toward the stance leg at each strike (alternating), plus the
    # stride-frequency sway of the pelvis from one leg onto the other.
    ml = np.zeros(n)
    foot = np.where(side == 0, 1.0, -1.0)
    _add_pulses(ml, t0, fs, st + sig, 1.5 * sig, 0.15 * imp * foot)
    ml = _zero_mean_steps(ml, t, st, step_len, bouts)
    phase = _phase(t, st, bouts)
    env = walk
    sgn0 = np.ones(n)
    # The sway's sign follows the foot of each bout's first step.
    for b in np.unique(bouts):
        kk = np.flatnonzero(bouts == b)
        lo = np.searchsorted(t, st[kk[0]] - 1.0)
        hi = np.searchsorted(t, st[kk[-1]] + 1.0)
        sgn0[lo:hi] = 1.0 if side[kk[0]] == 0 else -1.0
    # A stride-long sine: zero mean over each pair of steps (not over one).
    ml += env * p.gait_ml_g * sgn0 * np.sin(np.pi * phase)
    # The centre of mass rises and falls once per step: highest (least support) in mid
    # stance, most support just after the heel strike.
    vert += env * (1.0 - np.clip(ch["jog"], 0.0, 1.0)) * 0.6 * p.gait_vertical_g * np.cos(
        2.0 * np.pi * (phase - 0.12))

    vert = _centre_velocity(_zero_mean_steps(vert, t, st, step_len, bouts), t, st,
                            step_len, bouts)
    ap = _zero_mean_steps(ap, t, st, step_len, bouts)
    ml = _centre_velocity(ml, t, st, step_len, bouts)

    heading = np.radians(ch["yaw"])
    c, s = np.cos(heading), np.sin(heading)
    acc[0] = (ap * c - ml * s) * G
    acc[1] = (ap * s + ml * c) * G
    acc[2] = vert * G

    # Stairs: one rise per step, lifted during the first 70 % of the step.
    if np.any(np.abs(stairs) > 1e-6):
        for b in np.unique(bouts):
            kk = np.flatnonzero(bouts == b)
            if kk.size < 2:
                continue
            # Step k lifts the pelvis between heel strikes k and k + 1.
            lift = STAIR_RISE_M * stairs[kk[:-1]]
            before = np.concatenate([[0.0], np.cumsum(lift)])
            lo, hi = np.searchsorted(t, [st[kk[0]], st[kk[-1]]])
            ph = phase[lo:hi]
            j = np.clip(np.floor(ph).astype(np.int64), 0, kk.size - 2)
            z = before[j] + lift[j] * min_jerk((ph - j) / 0.7)
            disp[2, lo:hi] += z
            disp[2, hi:] += before[-1]

    # Pelvis rotation: roll and twist once per stride, pitch once per step.
    gain = p.gait_vertical_g / 0.3 * ROTATION_PLACEMENT_GAIN[placement]
    jog_env = np.clip(ch["jog"], 0.0, 1.0)
    rho[0] = env * gain * 2.5 * sgn0 * np.sin(np.pi * phase + 0.4)
    rho[1] = env * gain * 1.5 * (1.0 + 0.8 * jog_env) * np.sin(2.0 * np.pi * phase + 0.3)
    rho[2] = env * gain * 4.0 * sgn0 * np.cos(np.pi * phase)
    return GaitMotion(acc, disp, rho, st, side)
