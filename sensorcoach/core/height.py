"""Pelvis height from the accelerometer: zero-velocity integration between still spans.

A trunk posture alone cannot tell a standing forward fold (pelvis ~0.9 m up) from resting
on all fours (0.55 m) or lying prone (0.12 m): all three hold the lower back's long axis
near horizontal, front down. How the person got there can: the pelvis height changes
through each transition, and the accelerometer measures it.

Method (strapdown integration with zero-velocity updates, as pedestrian dead reckoning
resets velocity at every foot stance): a frame is *still* when the frame-mean
acceleration varies less than ``height_still_g`` (SD over the last second, each axis)
and a still span lasts at least ``MIN_STILL_S``: the body is then at rest, velocity zero.
Between two still spans (a *movement*), the vertical acceleration is integrated twice;
the velocity is forced to zero at both ends by removing its linear drift (which also
removes any constant bias of the vertical acceleration, such as a 1-2 % accelerometer
scale error). The height change is added to the level.

Vertical acceleration, where the up vector comes from the gyro-aided filter, is the
specific force along it; elsewhere it is ``|a| - g0`` (orientation-free, :func:`vertical_g`;
on the 6 accelerometer-only sessions of the routine benchmark, the projection on the
lagging up vector lost the level, and 10 of their 12 folds and child's poses were missed
or misnamed; 1 with the norm): for a specific
force ``g + a_lin`` with ``|a_lin|`` << g, ``|g + a_lin| = g + a_lin . up`` to first order
(the error, ``|a_h|^2 / 2g``, is under 0.05 m/s^2 for the 1 m/s^2 horizontal
accelerations of a posture change). It needs no up vector, so it works alike with and
without a gyro: an accelerometer-only up vector lags by a second in a turn, and a lagged
up vector leaks gravity into the vertical (20 deg of lag: 0.6 m/s^2). ``g0`` is the
norm at rest, interpolated from the still span before the movement to the one after
(the norm at rest differs by orientation through per-axis scale errors).

Absolute level: anchors, since integrated changes accumulate error. Walking or running
(for ``WALK_ANCHOR_S``), or standing upright at rest within ``STANDING_SNAP_M`` of
standing height, means standing (``STANDING_M``, the pelvis height of an adult
standing; the simulator's 0.95 m); lying still on the back or a side means the pelvis is on the
floor (``FLOOR_M``). Movements longer than ``height_max_move_s`` (a set of repetitions, a
hold with tremor), and movements that turn the trunk far and back (``EXCURSION_DEG``), are
not integrated (drift grows with the cube of time): if the body
ends in the posture it started in (up vectors within ``SAME_POSTURE_DEG``), the level is
kept (repetitions and holds return to where they began; up to ``LONGEST_KEPT_S``),
otherwise it becomes unknown until the next anchor.

Measured on the simulated routine at 100 Hz (fixtures/recordings/routine_100hz): standing
to kneeling -0.32 m (true -0.33), kneeling to child's pose -0.35 (-0.32), child's pose to
all fours +0.28 (+0.25), floor sitting to kneeling +0.52 (+0.47), kneeling to standing
+0.34 (+0.33), lying to a glute bridge +0.43 (+0.40).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.settings import Settings

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: m: pelvis height standing (adult hip height about 0.9-1.0 m; the simulator's 0.95).
STANDING_M = 0.95
#: m: pelvis (sensor) height lying on the floor (the simulator's 0.12 + the sensor).
FLOOR_M = 0.13
#: s: a still span must last this long to be a rest (zero velocity): constant-velocity
#: motion also reads as still to an accelerometer, but not for this long in a posture
#: change (bell-shaped velocity profiles).
MIN_STILL_S = 0.8
#: s: the stillness SD is taken over this window.
STILL_WINDOW_S = 1.0
#: m: a still horizontal trunk is lying on the floor unless the pelvis is within this of
#: standing height (a standing fold), when front and back are not known (``flat``).
STANDING_FOLD_M = 0.3
#: deg: a movement that turns the trunk further than this from a rest and back to it
#: (within ``SAME_POSTURE_DEG``) keeps the level: a hip hinge, a bend, a standing fold
#: and back. Integrating it would add the error of a large rotation (the sensor's lever
#: arm about the hip, the up vector's lag) for a height that, by the posture, is where
#: it was. Sitting down, standing up and kneeling turn the trunk less (20-45 deg of lean
#: to move the centre of mass over the feet) and are integrated (design choice).
EXCURSION_DEG = 50.0
#: m: an upright trunk at rest with the pelvis within this of standing height is
#: standing: no upright posture puts the pelvis between kneeling (0.62 m) and standing
#: (0.95 m) but a high stool; halfway between them (design choice). It stops errors that
#: accumulate while standing from growing.
STANDING_SNAP_M = 0.17
#: sin(60 deg): the long axis this close to vertical is upright.
UPRIGHT_SIN = 0.866
#: m/s: a descent this fast is a fall: sitting down, kneeling and lying down lower the
#: pelvis at well under 1 m/s (0.3-0.5 m in 1-4 s); a fall drops it 0.5-0.9 m in under a
#: second (design choice between them).
FALL_SPEED_MS = 1.0
#: m: integrated changes smaller than this are left out: shifting weight and swaying
#: between rests integrate to a few centimetres of error each, which would accumulate;
#: the smallest posture change, kneeling to all fours, lowers the pelvis 0.07 m (design
#: choice).
DEADBAND_M = 0.05
#: deg: a long movement that ends within this angle of where it began kept the level
#: (a set of single-leg deadlifts ended 22 deg from its start, standing, at 200 Hz: the
#: level was lost, and the hamstring stretch after it taken for a plank; sitting, the
#: lower back leans 20-35 deg back from standing, design choice).
SAME_POSTURE_DEG = 25.0
#: s: a movement longer than this loses the level even if it ends where it began (a
#: set of repetitions or a hold lasts under a minute; a longer busy spell can hide
#: sitting down and getting up again).
LONGEST_KEPT_S = 60.0
#: m: the pelvis rises at most this far above standing (tiptoes); higher estimates are
#: clamped there, as lower ones to the floor: integration errors of a few tenths
#: accumulate along a chain of transitions, and the bounds remove the part that no body
#: could be in.
HIGHEST_ABOVE_M = 0.05
#: m: an estimate this far outside the bounds is not an error to clamp: the integration
#: failed (a movement misread as rest), and the height becomes unknown.
BROKEN_M = 0.5
#: s: walking anchors the level at standing once it has gone on this long with the body
#: moving: the activity classifier can call the bob of kneeling down "walking" for a
#: second or two (seen on the simulated routine), and a still body is not walking; a
#: shorter spell is integrated like any movement (design choice: a walk between two
#: exercises lasts several seconds).
WALK_ANCHOR_S = 3.0
G = 9.80665


class HeightTracker:
    """Streaming pelvis-height tracker over 0.1 s frames (same results for any blocks).

    ``push`` takes frame-mean specific force (3, m) in g and its component along the
    estimated up (m,), the unit up vector in any fixed frame (3, m) (for the
    same-posture test only), and per frame whether the body walks (anchor: standing) or
    lies still on its back or side (anchor: floor); ``flat``: frames with the long axis
    horizontal when front and back are not known, lying on the floor unless the level is
    near standing (a standing fold). It returns per frame whether the body
    is *quiet* (each axis varies less than ``stretch_quiet_g``: no tremor, no sway beyond
    breathing) and the height known after it (NaN: unknown); a movement's change is
    applied at the first frame of the next still span that has lasted ``MIN_STILL_S``.
    """

    def __init__(self, settings: Settings):
        s = settings
        self.frame_s = s.frame_s
        self.still_g = s.height_still_g
        self.quiet_g = s.stretch_quiet_g
        self.max_move_s = s.height_max_move_s
        self._win = max(2, round(STILL_WINDOW_S / s.frame_s))
        self._min_still = max(1, round(MIN_STILL_S / s.frame_s))
        self._min_walk = max(1, round(WALK_ANCHOR_S / s.frame_s))
        self._walk_run = 0  # frames of walking with the body moving, in a row
        self._tail = np.zeros((3, 0))  # the last window-1 frames of the previous block
        self._vtail = np.zeros(0)
        self.h: float | None = None
        self._upright_rest: tuple[float, float] | None = None
        """(time, level) of the last upright rest arrived at, since the last anchor."""
        self._anchor: float | None = None  # an anchor seen since the last still span
        self._run = 0  # length of the current still run, frames
        self._rest_norm: float | None = None  # |a| of the last still span
        self._rest_up: FloatArray | None = None
        self._move: list[float] = []  # |a| of the frames since the last still span
        self._turn = 0.0  # largest turn of the up vector from the last rest, deg
        self.falls: list[float] = []
        """Times (s) the body came to rest after a descent faster than ``FALL_SPEED_MS``,
        or after the first movement seen, which may have been one (the last few; with
        ``t`` pushed)."""

    def push(self, acc: FloatArray, vert: FloatArray, up: FloatArray, walking: BoolArray,
             lying: BoolArray, flat: BoolArray | None = None, t: FloatArray | None = None,
             hinges: Sequence[tuple[float, float]] = ()) -> tuple[BoolArray, FloatArray]:
        """``hinges``: (time counted, end of the last repetition), s with ``t``, of each set
        of hip hinges (deadlifts) counted: hinges are done standing, so from the first frame
        at or after the time counted, an upright trunk at rest is at standing height, and
        so was the first upright rest after the set (the level since then is shifted to
        match): the set's own movements are not integrated, and a level lost on the floor
        before had no walk to anchor it (a standing fold after single-leg deadlifts read
        0.5 m, "not standing"); a set is counted 14.5 s after its last repetition, and a
        fold begun 12 s after it was under way then."""
        m = acc.shape[1]
        if m == 0:
            return np.zeros(0, bool), np.zeros(0)
        both = np.concatenate([self._tail, acc], axis=1)
        self._tail = both[:, -(self._win - 1):]
        quiet = self._window_sd(both, m).max(axis=0) < self.quiet_g
        vboth = np.concatenate([self._vtail, vert])
        self._vtail = vboth[-(self._win - 1):]
        still = self._window_sd(vboth[None], m)[0] < self.still_g
        norm = vert
        out = np.empty(m)
        # where a rest goes on (still, its arrival applied) only the anchors can change the
        # level: those frames are taken in bulk (most of a desk day)
        breaks = np.flatnonzero(~still)
        at = (np.searchsorted(t, np.asarray([c for c, _ in hinges], float))
              if t is not None and len(hinges) else np.zeros(0, np.int64))
        ended = [e for _, e in hinges]
        marks = np.unique(at)
        i = 0
        while i < m:
            if marks.size and i == marks[0]:
                marks = marks[1:]
                for k in np.flatnonzero(at == i).tolist():
                    self._hinges_counted(ended[k])
            if still[i] and self._run >= self._min_still:
                k = int(np.searchsorted(breaks, i))
                j = int(breaks[k]) if k < breaks.size else m
                if marks.size:
                    j = min(j, int(marks[0]))
                self._rest(norm[i:j], up[:, i:j], lying[i:j],
                           None if flat is None else flat[i:j], out[i:j])
                i = j
                continue
            self._frame(i, norm, up, walking, still, lying, flat, t, out)
            i += 1
        return quiet, out

    def _rest(self, norm: FloatArray, up: FloatArray, lying: BoolArray,
              flat: BoolArray | None, out: FloatArray) -> None:
        """Frames of a rest that goes on: lying (or, front and back unknown, a horizontal
        trunk below standing height) anchors the floor, upright near standing height is
        standing; the rest's ``|a|`` follows the frames (an exponential mean)."""
        n = norm.size
        self._walk_run = 0
        self._run += n
        floor = lying if flat is None else lying | flat
        upright = up[2] >= UPRIGHT_SIN
        k = 0
        while k < n:
            h = self.h
            # only an anchor that changes the level matters
            if h == FLOOR_M:
                cand = np.zeros(0, bool)
            elif h is None or h < STANDING_M - STANDING_FOLD_M:
                cand = floor[k:]
            else:
                cand = lying[k:]  # lying is the floor whatever the level
            to_floor = int(np.argmax(cand)) if cand.any() else n - k
            if h is not None and h >= STANDING_M - STANDING_SNAP_M and h != STANDING_M:
                up_k = upright[k:]
                to_stand = int(np.argmax(up_k)) if up_k.any() else n - k
            else:
                to_stand = n - k
            step = min(to_floor, to_stand)
            out[k:k + step] = np.nan if h is None else h
            if k + step >= n:
                break
            # the frame at k + step applies its anchor (the floor first, as frame by frame)
            self.h = FLOOR_M if to_floor <= to_stand else STANDING_M
            self._upright_rest = None  # anchored since
            out[k + step] = self.h
            k += step + 1
        r0 = self._rest_norm
        x = np.asarray(norm, float)
        if r0 is None:
            r0, x = float(x[0]), x[1:]
        w = 0.1 * 0.9 ** np.arange(x.size - 1, -1, -1, dtype=float)
        self._rest_norm = float(r0 * 0.9 ** x.size + w @ x)

    def _frame(self, i: int, norm: FloatArray, up: FloatArray, walking: BoolArray,
               still: BoolArray, lying: BoolArray, flat: BoolArray | None,
               t: FloatArray | None, out: FloatArray) -> None:
        """One frame, where it may start or end a rest, or walk."""
        self._walk_run = self._walk_run + 1 if walking[i] and not still[i] else 0
        if self._walk_run >= self._min_walk:
            # walking is standing height, and its mean vertical velocity is zero:
            # the movement after it is integrated from its last frame
            self.h, self._anchor = STANDING_M, None
            self._upright_rest = None  # anchored since
            self._run = 0
            self._move = []
            self._rest_norm = 1.0 if self._rest_norm is None else self._rest_norm
            self._rest_up = up[:, i].copy()
            out[i] = self.h
            return
        if still[i]:
            self._run += 1
            # (a rest that goes on is taken in bulk by ``push``: here the run is at most
            # as long as the arrival)
            if self._run == self._min_still:
                self._arrive(float(norm[i]), up[:, i], None if t is None else float(t[i]))
            else:
                self._moved(float(norm[i]), up[:, i])
        else:
            if self._run >= self._min_still:
                self._move = []
                self._turn = 0.0
            self._run = 0
            self._moved(float(norm[i]), up[:, i])
        out[i] = np.nan if self.h is None else self.h

    def _hinges_counted(self, ended_s: float) -> None:
        """A set of hip hinges whose last repetition ended at ``ended_s`` was counted (see
        ``push``)."""
        if (self._run >= self._min_still and self._rest_up is not None
                and self._rest_up[2] >= UPRIGHT_SIN):
            self.h, self._upright_rest = STANDING_M, None
            return
        r = self._upright_rest
        if r is not None and r[0] >= ended_s - 1.0 and self.h is not None:
            # standing at the first upright rest after the set: the level since then moves
            # with it
            self.h = _bounded(self.h + STANDING_M - r[1])
            self._upright_rest = None

    def _window_sd(self, both: FloatArray, m: int) -> FloatArray:
        """(k, m): per row, the SD over the last window of each frame of the block (inf
        where the window is not full yet)."""
        n = both.shape[1]
        w = min(self._win, n)
        z = np.zeros((both.shape[0], 1))
        c1 = np.concatenate([z, np.cumsum(both, axis=1)], axis=1)
        c2 = np.concatenate([z, np.cumsum(both * both, axis=1)], axis=1)
        idx = np.arange(n - m, n)
        lo = np.maximum(idx + 1 - w, 0)
        k = (idx + 1 - lo).astype(float)
        mean = (c1[:, idx + 1] - c1[:, lo]) / k
        var = (c2[:, idx + 1] - c2[:, lo]) / k - mean * mean
        sd = np.sqrt(np.maximum(var, 0.0))
        sd[:, k < self._win] = np.inf
        out: FloatArray = sd
        return out

    def _moved(self, norm: float, up: FloatArray) -> None:
        self._move.append(norm)
        if self._rest_up is not None:
            cos = float(np.clip(self._rest_up @ up, -1.0, 1.0))
            self._turn = max(self._turn, float(np.degrees(np.arccos(cos))))

    def _arrive(self, norm_now: float, up_now: FloatArray, t_now: float | None = None
                ) -> None:
        """A still span has lasted long enough: apply the movement before it, and note
        an upright rest (a set of hinges just before it makes it standing)."""
        self._arrive_level(norm_now, up_now, t_now)
        if t_now is not None and up_now[2] >= UPRIGHT_SIN and self.h is not None:
            self._upright_rest = (t_now, self.h)

    def _arrive_level(self, norm_now: float, up_now: FloatArray, t_now: float | None
                      ) -> None:
        # the still run's first frames were buffered as movement; they are rest
        move = np.asarray(self._move[:max(0, len(self._move) - (self._min_still - 1))])
        self._move = []
        prev_norm, prev_up = self._rest_norm, self._rest_up
        if t_now is not None and move.size and (
                prev_norm is None  # the first movement seen: how it began is not known
                or float(velocity(move, prev_norm, norm_now, self.frame_s).min())
                <= -FALL_SPEED_MS):
            self.falls.append(t_now)
            del self.falls[:-8]
        self._rest_norm, self._rest_up = norm_now, up_now.copy()
        if self._anchor is not None:
            self.h, self._anchor = self._anchor, None
            return
        turn, self._turn = self._turn, 0.0
        if self.h is None or prev_norm is None or prev_up is None:
            return
        cos = float(np.clip(prev_up @ up_now, -1.0, 1.0))
        same = np.degrees(np.arccos(cos)) <= SAME_POSTURE_DEG
        if same and turn > EXCURSION_DEG:
            return  # out and back (a hinge, a bend, a fold): the level is where it was
        if move.size * self.frame_s > self.max_move_s:
            if not same or move.size * self.frame_s > LONGEST_KEPT_S:
                self.h = None
            return
        dh = rise(move, prev_norm, norm_now, self.frame_s)
        if abs(dh) < DEADBAND_M:
            return  # shifting weight, swaying: no posture change that small
        h = self.h + dh
        if FLOOR_M - BROKEN_M <= h <= STANDING_M + HIGHEST_ABOVE_M + BROKEN_M:
            self.h = _bounded(h)
        else:
            self.h = None  # the integration failed


def _bounded(h: float) -> float:
    """``h`` within the levels a pelvis can be at: no pelvis is below the floor or above
    standing (``HIGHEST_ABOVE_M``)."""
    return min(max(h, FLOOR_M), STANDING_M + HIGHEST_ABOVE_M)


def vertical_g(acc: FloatArray, up: FloatArray, gyro_used: NDArray[np.bool_]) -> FloatArray:
    """Frame-mean vertical specific force, g, for :class:`HeightTracker`: along ``up`` (3, m)
    where it came from the gyro-aided filter (``gyro_used``), the norm of ``acc`` (3, m)
    elsewhere (an accelerometer-only up vector lags a turn by a second, and the lag leaks
    gravity into the vertical)."""
    out: FloatArray = np.where(gyro_used, (acc * up).sum(axis=0), np.linalg.norm(acc, axis=0))
    return out


def velocity(norm: FloatArray, g_before: float, g_after: float, frame_s: float
             ) -> FloatArray:
    """Vertical velocity through a movement, m/s (n+1 samples, zero at both ends):
    ``norm`` (n,) vertical specific force per frame in g between two rests whose were
    ``g_before`` and ``g_after``."""
    n = norm.size
    base = np.linspace(g_before, g_after, n + 2)[1:-1]
    a = (norm - base) * G
    v = np.concatenate([[0.0], np.cumsum(a) * frame_s])
    v -= np.linspace(0.0, 1.0, n + 1) * v[-1]
    return v


def rise(norm: FloatArray, g_before: float, g_after: float, frame_s: float) -> float:
    """Height change over a movement, m: ``norm`` (n,) |a| per frame in g between two
    rests whose |a| were ``g_before`` and ``g_after``; velocity zero at both ends."""
    if norm.size == 0:
        return 0.0
    v = velocity(norm, g_before, g_after, frame_s)
    # trapezoid over the n+1 velocity samples (zero at both ends)
    return float((v.sum() - 0.5 * (v[0] + v[-1])) * frame_s)


__all__ = ["FLOOR_M", "STANDING_M", "HeightTracker", "rise", "velocity", "vertical_g"]
