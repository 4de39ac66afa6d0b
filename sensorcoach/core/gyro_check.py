"""A gyro checked before it is trusted (SPEC section 4, ``gyro``).

Cheap exports get gyro conventions wrong: inverted signs, swapped axes, rad/s delivered as
deg/s, a datasheet scale 10-15% off. Before the gyro-aided gravity filter may use a gyro,
this module tests whether the gyro explains how gravity turns in the sensor frame.

Model: a world-fixed gravity direction ``g`` seen from a turning sensor obeys
``dg/dt = g x w`` (``w`` the sensor's angular rate, rad/s). For each of the 48 signed axis
permutations ``P`` the check fits a scale ``s > 0`` and a bias ``b`` in

    dg/dt = g x (s P w_raw + b)

by least squares over frames where the accelerometer reads gravity (|a| near 1 g, no
sustained linear acceleration: gait's steps turn the accelerometer, not the body). The
model is linear in its terms, so one low-pass (``gyro_check_cutoff_hz``, against the
accelerometer's noise and jolts) is applied to ``dg/dt`` and to the products ``g_j w_a``
alike, which keeps it exact however fast and about whichever axes the body turns. A free
3x3 fit is ill-conditioned on one recording; 48 candidates with four unknowns each are
not. The fit is the share of the turning the candidate explains (R^2 adjusted for the
fitted numbers and for the low-pass's correlated frames, 0-1).

Everything a frame contributes enters through sums (a fourth-order moment of the gyro
with the projector off gravity, and a few lower ones), so the evidence from any block
split is the same; the check looks at it each time gravity has turned another
``gyro_check_evidence_deg`` (counted per frame, so the looks fall on the same frames
however the stream is cut), and decides once:

- ``ok``: the best candidate explains at least ``gyro_check_fit_min`` of the turning and
  the gyro as delivered is within ``gyro_check_margin`` of it (turning about gravity
  cannot be seen, so mappings that differ only there tie, and identity is preferred);
- ``corrected``: as delivered it is clearly worse and one candidate alone fits best
  (another axis mapping), or the measured scale is off by more than
  ``gyro_check_scale_tol`` (rad/s read as deg/s is 57x);
- ``ignored``: ``gyro_check_ignore_deg`` of turning seen and no candidate explains it.

Rotation about one axis only leaves several mappings tied; a correction then waits for
turning that tells them apart.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.filters import Ema, IIRFilter
from sensorcoach.core.settings import Settings

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

OK, CORRECTED, IGNORED = "ok", "corrected", "ignored"
AXES = "xyz"
RAD_PER_DEG = math.pi / 180.0
#: Ridge on the bias, relative to the frame count: keeps the bias along gravity (which
#: turning cannot show) at zero instead of undefined. Numerical, not a threshold.
_BIAS_RIDGE = 1e-3
#: Numbers fitted per candidate: scale and a 3-axis bias.
_PARAMS = 4


def signed_permutations() -> FloatArray:
    """The 48 signed 3x3 permutation matrices, identity first, then by falling trace (the
    fewest changes first)."""
    out = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1.0, -1.0), repeat=3):
            p = np.zeros((3, 3))
            p[np.arange(3), list(perm)] = signs
            out.append(p)
    mats = np.array(out)
    order = np.argsort([-np.trace(p) for p in mats], kind="stable")
    return np.ascontiguousarray(mats[order])


CANDIDATES = signed_permutations()


def describe_permutation(p: FloatArray) -> str:
    """Plain words for ``corrected = p @ raw``: swapped axes and inverted axes."""
    src = np.argmax(np.abs(p), axis=1)
    sign = p[np.arange(3), src]
    parts = []
    moved = [i for i in range(3) if src[i] != i]
    if len(moved) == 2:
        i, j = moved
        parts.append(f"{AXES[i]} and {AXES[j]} swapped")
    elif len(moved) == 3:
        parts.append("axes rotated (" + ", ".join(f"{AXES[i]} reads {AXES[src[i]]}"
                                                  for i in range(3)) + ")")
    inv = [AXES[i] for i in range(3) if sign[i] < 0]
    if len(inv) == 3:
        parts.append("all axes inverted")
    elif inv:
        parts.append(" and ".join(inv) + " inverted")
    return " and ".join(parts)


@dataclass(frozen=True)
class GyroVerdict:
    """What the check found about a recording's gyro and what to do with it."""

    check: str
    """``ok`` | ``corrected`` | ``ignored``."""
    transform: FloatArray
    """(3, 3): ``corrected_gyro = transform @ raw_gyro`` (a signed axis permutation times
    a scale; identity for ok)."""
    bias_dps: FloatArray
    """(3,) bias of the corrected gyro, deg/s: use ``corrected - bias_dps``."""
    scale: float
    """Measured scale factor of the gyro as delivered (1.0 = right, 1.14 = reads 14% low)."""
    fit: float
    """Share of gravity's turning the (chosen) gyro explains, R^2-like, 0-1."""
    note: str
    """One human sentence: what was found and done."""
    evidence_deg: float = 0.0
    """Gravity turning the verdict rests on, deg."""
    axis_share: FloatArray = field(default_factory=lambda: np.zeros(3))
    """Share of the gravity-turning rate seen on each raw gyro axis (an axis with ~0 was
    not checked: turning about gravity cannot be seen)."""

    @property
    def usable(self) -> bool:
        return self.check != IGNORED

    def to_dict(self) -> dict[str, object]:
        return {"check": self.check, "note": self.note, "scale": round(self.scale, 3),
                "fit": round(self.fit, 3), "evidence_deg": round(self.evidence_deg, 1),
                "transform": np.round(self.transform, 4).tolist(),
                "bias_dps": np.round(self.bias_dps, 3).tolist(),
                "axis_share": np.round(self.axis_share, 3).tolist()}


#: Levi-Civita symbol: (u x v)_i = EPS[i, j, k] u_j v_k.
EPS = np.zeros((3, 3, 3))
for _i, _j, _k in itertools.permutations(range(3)):
    EPS[_i, _j, _k] = np.linalg.det(np.eye(3)[[_i, _j, _k]])
#: (48, 3, 9): (g x P w)_i = CROSS[p, i, 3 j + a] * (g_j w_a).
CROSS = np.einsum("ijk,pka->pija", EPS, CANDIDATES).reshape(48, 3, 9)


@dataclass
class _Evidence:
    """Sums over usable frames; everything the fit needs.

    Per frame: ``y`` the low-passed turning rate of gravity (3), ``z`` the low-passed
    products ``g_j w_a`` (9) and ``u`` the low-passed gravity (3). The low-pass is
    linear, so it applies to both sides of ``dg/dt = s g x P w + g x b`` term by term,
    however fast and about whichever axes the body turns."""

    zz: FloatArray = field(default_factory=lambda: np.zeros((9, 9)))  # sum z z^T
    zu: FloatArray = field(default_factory=lambda: np.zeros((9, 3)))  # sum z u^T
    uu: FloatArray = field(default_factory=lambda: np.zeros((3, 3)))  # sum u u^T
    zy: FloatArray = field(default_factory=lambda: np.zeros((9, 3)))  # sum z y^T
    uy: FloatArray = field(default_factory=lambda: np.zeros((3, 3)))  # sum u y^T
    excite: FloatArray = field(default_factory=lambda: np.zeros(3))  # sum (M w)_a^2, raw axes
    sst: float = 0.0  # sum |y|^2
    n: int = 0
    turned_deg: float = 0.0

    def add(self, y: FloatArray, z: FloatArray, u: FloatArray, wperp: FloatArray,
            ev: FloatArray) -> None:
        """Frames (k): ``y`` (3, k) rad/s, ``z`` (9, k), ``u`` (3, k), ``wperp`` (3, k)
        the gyro rate off gravity (raw axes), ``ev`` (k,) evidence, deg."""
        if y.shape[1] == 0:
            return
        self.zz += z @ z.T
        self.zu += z @ u.T
        self.uu += u @ u.T
        self.zy += z @ y.T
        self.uy += u @ y.T
        self.excite += (wperp * wperp).sum(axis=1)
        self.sst += float((y * y).sum())
        self.n += int(y.shape[1])
        self.turned_deg += float(ev.sum())

    def fit(self, samples_per_pair: float) -> tuple[FloatArray, FloatArray]:
        """(fit (48,), theta (48, 4) = scale, bias rad/s) for every candidate. The fit is
        R^2 adjusted for the four fitted numbers: low-passed frames are not independent
        (``samples_per_pair`` independent samples per frame, two components each), so a
        few seconds of turning cannot make a random gyro look right."""
        k = CANDIDATES.shape[0]
        a = np.zeros((k, 4, 4))
        c = np.zeros((k, 4))
        a[:, 0, 0] = np.einsum("pim,mn,pin->p", CROSS, self.zz, CROSS)
        asb = np.einsum("pim,ijl,mj->pl", CROSS, EPS, self.zu)
        a[:, 0, 1:] = asb
        a[:, 1:, 0] = asb
        ridge = _BIAS_RIDGE * max(self.n, 1)
        a[:, 1:, 1:] = np.trace(self.uu) * np.eye(3) - self.uu + ridge * np.eye(3)
        a[:, 0, 0] += 1e-12 * max(self.n, 1)
        c[:, 0] = np.einsum("pim,mi->p", CROSS, self.zy)
        c[:, 1:] = np.einsum("ijl,ji->l", EPS, self.uy)
        theta = np.linalg.solve(a, c[..., None])[..., 0]
        neg = theta[:, 0] <= 0.0  # a negative scale is the opposite candidate's fit
        if neg.any():
            theta[neg, 0] = 0.0
            theta[neg, 1:] = np.linalg.solve(a[neg][:, 1:, 1:], c[neg][:, 1:, None])[..., 0]
        sse = (self.sst - 2.0 * (theta * c).sum(axis=1)
               + np.einsum("ki,kij,kj->k", theta, a, theta))
        dof = 2.0 * self.n * samples_per_pair
        if self.sst <= 0 or dof <= _PARAMS + 1:
            return np.zeros(k), theta.astype(np.float64)
        fit = 1.0 - (sse / self.sst) * (dof - 1.0) / (dof - _PARAMS - 1.0)
        out = np.clip(fit, 0.0, 1.0).astype(np.float64)
        return out, theta.astype(np.float64)


class GyroCheck:
    """Streaming: accumulate evidence frame block by frame block; decide once, when the
    evidence suffices."""

    def __init__(self, settings: Settings, frame_s: float):
        s = settings
        self.s = settings
        self.frame_s = frame_s
        fs = 1.0 / frame_s
        self._lp = IIRFilter(s.gyro_check_cutoff_hz, fs)
        self._dyn = Ema(frame_s, s.gyro_motion_tau_s)
        self._settle = round(s.gyro_check_settle_s / frame_s)
        # a low-pass at fc leaves about 2 fc independent samples per second
        self._samples_per_pair = min(1.0, 2.0 * s.gyro_check_cutoff_hz * frame_s)
        self._since_restart = 0  # the filters start from the first frame: let them settle
        self._prev: tuple[FloatArray, FloatArray, bool] | None = None
        self._ev = _Evidence()
        self._next_look = s.gyro_check_evidence_deg
        self._verdict: GyroVerdict | None = None
        self._pending: tuple[int, float] | None = None  # the last look's finding, to confirm

    @property
    def verdict(self) -> GyroVerdict | None:
        return self._verdict

    def push(self, acc: FloatArray, gyro: FloatArray,
             restart: BoolArray | None = None) -> GyroVerdict | None:
        """``acc`` (3, m) frame-mean g, ``gyro`` (3, m) frame-mean deg/s (see
        core/framing.py), ``restart`` (m,) frames after a data gap. Returns the verdict on
        the block where it is first reached (None before and after)."""
        m = acc.shape[1]
        if self._verdict is not None or m == 0:
            return None
        s = self.s
        n_raw = np.sqrt((acc * acc).sum(axis=0))
        g = acc / np.where(n_raw > 0, n_raw, 1.0)
        w = gyro * RAD_PER_DEG
        # pairs (previous frame, this frame); the first pair uses the last block's frame
        g0 = g[:, :1] if self._prev is None else self._prev[0][:, None]
        w0 = w[:, :1] if self._prev is None else self._prev[1][:, None]
        gp = np.concatenate([g0, g[:, :-1]], axis=1)
        wp = np.concatenate([w0, w[:, :-1]], axis=1)
        self._prev = (g[:, -1].copy(), w[:, -1].copy(), True)
        jump = np.zeros(m, bool) if restart is None else np.asarray(restart, bool)
        dg = np.where(jump, 0.0, (g - gp) / self.frame_s)
        gm = g + gp
        gm /= np.sqrt((gm * gm).sum(axis=0))
        wm = 0.5 * (w + wp)
        z = (gm[:, None, :] * wm[None, :, :]).reshape(9, m)
        f = self._lp(np.vstack([dg, z, gm]))
        y, z, u = f[:3], f[3:12], f[12:]
        n_lp = np.sqrt((u * u).sum(axis=0))
        dyn = np.sqrt(self._dyn(((n_raw - 1.0) ** 2)[None])[0])
        good = ((np.abs(n_raw - 1.0) < s.gyro_check_acc_tol_g)
                & (np.abs(n_lp - 1.0) < s.gyro_check_acc_tol_g)
                & (dyn < s.gyro_check_motion_g))
        good &= self._settled(m, restart)
        idx = np.flatnonzero(good)
        y, z, u = y[:, idx], z[:, idx], u[:, idx]
        wperp = wm[:, idx] - gm[:, idx] * (gm[:, idx] * wm[:, idx]).sum(axis=0)
        speed = np.degrees(np.sqrt((y * y).sum(axis=0)))
        ev = np.where(speed > s.gyro_check_floor_dps, speed * self.frame_s, 0.0)
        # look at the evidence each time another gyro_check_evidence_deg has turned
        cum = self._ev.turned_deg + np.cumsum(ev)
        start = 0
        while cum.size and cum[-1] >= self._next_look:
            stop = int(np.searchsorted(cum, self._next_look, side="left")) + 1
            self._ev.add(y[:, start:stop], z[:, start:stop], u[:, start:stop],
                         wperp[:, start:stop], ev[start:stop])
            start = stop
            self._next_look += s.gyro_check_evidence_deg
            verdict = self._decide(final=False)
            if verdict is not None:
                self._verdict = verdict
                return verdict
        self._ev.add(y[:, start:], z[:, start:], u[:, start:], wperp[:, start:], ev[start:])
        return None

    def final(self) -> GyroVerdict:
        """End of stream: the verdict, or, with too little evidence, a verdict saying so."""
        if self._verdict is None:
            self._verdict = self._decide(final=True)
        assert self._verdict is not None
        return self._verdict

    # ------------------------------------------------------------------ internals
    def _settled(self, m: int, restart: BoolArray | None) -> BoolArray:
        """Frames at least ``gyro_check_settle_s`` after the last data gap."""
        pos = np.arange(m)
        if restart is None or not np.any(restart):
            since = self._since_restart + 1 + pos
        else:
            last = np.maximum.accumulate(np.where(np.asarray(restart, bool), pos, -1))
            since = np.where(last >= 0, pos - last, self._since_restart + 1 + pos)
        self._since_restart = int(min(since[-1], 1 << 30))
        return np.asarray(since >= self._settle)

    def _decide(self, final: bool) -> GyroVerdict | None:
        s = self.s
        ev = self._ev
        turned = ev.turned_deg
        share = ev.excite / ev.excite.sum() if ev.excite.sum() > 0 else np.zeros(3)
        fit, theta = ev.fit(self._samples_per_pair)
        scale0 = float(theta[0, 0])
        best = int(np.argmax(fit))
        fit_best = float(fit[best])
        ties = np.flatnonzero(fit >= fit_best - s.gyro_check_margin)
        enough = turned >= s.gyro_check_evidence_deg or (final and turned >= s.gyro_check_final_deg)
        if enough and fit_best >= s.gyro_check_fit_min:
            provisional = turned < s.gyro_check_evidence_deg
            if fit[0] >= fit_best - s.gyro_check_margin:
                choice: int | None = 0
            else:
                choice = best if ties.size == 1 else None
            # A correction (of axes or of scale) needs full evidence and the same finding
            # at two looks in a row: one fast movement can favour a wrong one by chance.
            key = None if choice is None else (choice, self._scale_class(float(theta[choice, 0])))
            if key == (0, 1.0):
                return self._accept(0, 1.0, fit, theta, share, provisional)
            if key is not None and not final and key == self._pending:
                return self._accept(key[0], key[1], fit, theta, share, False)
            self._pending = key
            if final:
                cands = ties if choice is None else np.array([choice])
                names = "; ".join(describe_permutation(CANDIDATES[k]) or "scale"
                                  for k in cands[:3])
                return self._ignore(
                    f"gyro does not match the accelerometer as delivered (fit {fit[0]:.2f}, "
                    f"scale {scale0:.2f}; best {fit_best:.2f}: {names}"
                    f"{', ...' if cands.size > 3 else ''}) and {turned:.0f} deg of turning "
                    "cannot confirm a correction: ignored, accelerometer only",
                    fit_best, scale0, share)
            return None
        self._pending = None
        if turned >= s.gyro_check_ignore_deg:
            return self._ignore(
                f"gyro does not explain how gravity turns (fit {fit_best:.2f} over "
                f"{turned:.0f} deg of turning): ignored, accelerometer only",
                fit_best, scale0, share)
        if final and enough:
            return self._ignore(
                f"too little turning to check the gyro ({turned:.0f} deg of gravity turning "
                f"seen, best fit {fit_best:.2f}; {s.gyro_check_ignore_deg:g} deg would settle "
                "it): ignored, accelerometer only", fit_best, scale0, share)
        if final:
            return self._ignore(
                f"too little turning to check the gyro ({turned:.0f} deg of gravity turning "
                f"seen, {s.gyro_check_final_deg:g} needed): ignored, accelerometer only",
                fit_best, scale0, share)
        return None

    def _scale_class(self, scale: float) -> float:
        """The scale a correction applies: 1 (as delivered), 180/pi (rad/s read as deg/s)
        or the measured one (off by more than ``gyro_check_scale_tol``)."""
        tol = self.s.gyro_check_scale_tol
        rad = 180.0 / math.pi
        if 1.0 / tol <= scale / rad <= tol:
            return rad
        if 1.0 / tol <= scale <= tol:
            return 1.0
        return -1.0  # the measured scale itself

    def _accept(self, k: int, scale_class: float, fit: FloatArray, theta: FloatArray,
                share: FloatArray, provisional: bool) -> GyroVerdict:
        perm = CANDIDATES[k]
        scale = float(theta[k, 0])
        applied = scale if scale_class < 0 else scale_class
        what = []
        if k != 0:
            what.append(describe_permutation(perm))
        if scale_class == 180.0 / math.pi:
            what.append("in rad/s, not deg/s")
        elif scale_class < 0:
            what.append(f"reading {scale:.3g}x too low" if scale > 1 else
                        f"reading {1.0 / scale:.3g}x too high")
        transform = applied * perm
        # true rate = scale * perm @ raw + b = (scale / applied) * (corrected - bias)
        bias = -np.degrees(theta[k, 1:]) * applied / max(scale, 1e-12)
        turned = self._ev.turned_deg
        fit_k = float(fit[k])
        if what:
            note = (f"gyro {' and '.join(what)} relative to the accelerometer (fit "
                    f"{fit_k:.2f} over {turned:.0f} deg of turning): corrected")
            check = CORRECTED
        else:
            note = (f"gyro agrees with the accelerometer (fit {fit_k:.2f}, scale "
                    f"{scale:.2f} as delivered, over {turned:.0f} deg of turning"
                    f"{', provisional' if provisional else ''}): ok")
            check = OK
        return GyroVerdict(check, transform, bias, scale, fit_k, note, turned, share)

    def _ignore(self, note: str, fit: float, scale: float, share: FloatArray) -> GyroVerdict:
        """``scale``: the gyro as delivered, measured anyway (0 when it explains nothing)."""
        return GyroVerdict(IGNORED, np.eye(3), np.zeros(3), scale, fit, note,
                           self._ev.turned_deg, share)
