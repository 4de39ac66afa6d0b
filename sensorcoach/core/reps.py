"""Repetitions counted as sets: hip hinges (deadlifts, single-leg deadlifts), bridges done
as repetitions (glute bridge, single-leg bridges) and cat-cow cycles.

Each exercise is one angle swinging away from a resting end and back
(:mod:`.rep_swing` finds the turning points, :mod:`.rep_measure` times and measures a
swing, :mod:`.rep_sets` names a set):

- **hinge** from standing: flexion (tilt from upright without a forward calibration),
  resting within ``HINGE_REST_TILT_DEG`` of upright, at least ``rep_min_range_deg`` down,
  both ends within ``rep_low_deg`` of each other;
- **bridge** lying on the back (side down within ``FLOOR_SECTOR_DEG`` of the back): the
  long axis' head-end-down incline (``-elevation``), resting within
  ``BRIDGE_REST_INCLINE_DEG`` of flat, lifted ``BRIDGE_MIN_RANGE_DEG`` or more;
- **cat-cow** on hands and knees, front down: the same incline, the cat its resting end
  and the cow (the back sinking, head end down) its far end; a cycle swings at least
  ``CAT_COW_MIN_RANGE_DEG`` over ``CAT_COW_MIN_S`` or more, does not roll the pelvis, and
  cycles follow each other within ``CAT_COW_GAP_S`` (a bird dog's lift and a plank's
  wobble do neither).

A repetition lasts at most ``rep_max_s`` (``CAT_COW_MAX_S`` for a cat-cow cycle), takes
``MIN_PHASE_S`` or more each way and dwells at its far end no longer than
``FAR_DWELL_MAX_S``: a bridge held 10 s or more, a bird dog's 5-15 s hold, a hamstring
stretch or child's pose are holds (the hold and stretch detectors'), not repetitions,
and end a set. Repetitions of one kind that follow each other within ``rep_gap_s`` form
a set; sets of at least ``rep_min_count`` are reported.

Sides. A single-leg deadlift's free hip opens: the pelvis rotates about the long axis
with the standing leg's side down (``pelvic_rotation_deg``), told apart from a lateral
lean by how each shows through the hinge (:func:`.rep_measure.hinge_lean_rotation`). A
single-leg bridge's pelvis rolls toward the unsupported side (``pelvic_drop_deg``); the
set is named by the supporting leg, the deadlift by the standing leg.

Without a forward calibration the body's forward direction is learned from the hinges
themselves (a hip hinge from standing goes forward): their bottoms' direction about the
calibrated up. Floor sets need it to tell a bridge (back down) from a cat-cow (front
down): those finished before any hinge are named by their shape (a bridge rests flat,
a cat-cow's cat lifts the head end above flat) and renamed at the end of the stream from
all hinges (:meth:`RepCounter.finished`); each set says what was inferred (``note``). A
bridge's drop side needs no forward direction (a roll's sense about up is the same in
any frame).

Causal and streaming: frames in any blocks give the same sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core import rep_measure as rm
from sensorcoach.core.rep_sets import (
    BRIDGE,
    CAT_COW,
    HINGE,
    Candidate,
    Rep,
    RepSet,
    floor_set,
    hinge_set,
)
from sensorcoach.core.rep_swing import Swing, Turn
from sensorcoach.core.settings import Settings

FloatArray = NDArray[np.float64]

#: deg: hysteresis of the standing (hinge) and floor turning points: above standing sway
#: and a breath, below the smallest swing counted (a design choice).
STAND_HYST_DEG = 10.0
FLOOR_HYST_DEG = 4.0
#: deg: the standing angle below this backward (lying, -90) and the floor incline below
#: this (upright, -90) are flat: beyond a hinge's rest (HINGE_REST_TILT_DEG) and a floor
#: repetition's (FLOOR_REST_ELEV_DEG).
STAND_CLIP_DEG = 45.0
FLOOR_CLIP_DEG = 45.0
#: s: a low that stands this long is a rest (the last repetition ends without waiting).
SETTLE_S = 1.5
#: deg: the smallest floor swing counted: a bridge lifts the long axis 15-35 deg head end
#: down from lying flat, a cat-cow swings 10-30 deg (routine_body design estimates);
#: breathing and sway stay near 1 deg.
FLOOR_MIN_RANGE_DEG = 6.5
#: deg: a bridge lifts at least this far (15-35 deg head end down from lying within 3
#: deg of flat: 12 deg or more) and rests lying within this of flat (a held bridge's
#: wobble stays up).
BRIDGE_MIN_RANGE_DEG = 9.0
BRIDGE_REST_INCLINE_DEG = 10.0
#: deg: the resting end of a floor repetition lies within this of horizontal.
FLOOR_REST_ELEV_DEG = 40.0
#: deg: a hinge starts and ends with the trunk within this of upright (standing is a few
#: degrees from upright; the rest allows for the orientation estimate's error during
#: fast hinges, up to 20 deg on simulated routines).
HINGE_REST_TILT_DEG = 35.0
#: deg: a floor repetition faces front down or back down within this (side-lying and side
#: planks face 90 deg away).
FLOOR_SECTOR_DEG = 50.0
#: deg, s: a cat-cow cycle swings 10-30 deg over 4-8 s (routine_body design estimates);
#: a plank's or bird dog's wobble swings a few degrees within 1-3 s.
CAT_COW_MIN_RANGE_DEG = 8.0
CAT_COW_MIN_S = 3.0
#: s: longest cat-cow cycle (slow cycles take 4-8 s; design choice with margin).
CAT_COW_MAX_S = 14.0
#: s: longest way into the cow or back to the cat (a 4-8 s cycle sinks in 0.3-0.4 of it
#: and rounds up in about half; design choice with margin).
CAT_COW_PHASE_MAX_S = 6.0
#: s: longest pause between cat-cow cycles (the pause at the cat is 0.1 of a cycle) and,
#: without a forward direction, between any floor repetitions (a bridge rests 0.4-1.2 s).
CAT_COW_GAP_S = 2.0
#: deg: a cat-cow does not roll the pelvis (a bird dog's lifted hip rolls it 2-12 deg).
CAT_COW_MAX_ROLL_DEG = 3.0
#: s: longest dwell at the far end (beyond 70 % of the swing): a bridge's top takes
#: 0.3-1.5 s and a deadlift's bottom 0.1-0.5 s, a hold 5 s or more.
FAR_DWELL_MAX_S = 4.5
#: s: shortest way down or up: a deadlift takes 1-3 s down and 1-2 s up, a bridge 1-2 s
#: each way, a cat-cow 1.2 s or more; a hold's wobble swings faster.
MIN_PHASE_S = 0.7
#: deg: a hinge this deep (from upright) shows the forward direction (learned without a
#: forward calibration).
FRONT_MIN_DEG = 35.0
#: share of a bridge's lift at which its roll (the pelvic drop) is read: the top.
TOP_SHARE = 0.95
#: Within a set of hinges under way, a hinge this share of its repetitions' median range
#: counts even under ``rep_min_range_deg``: without calibration the unsigned tilt read one
#: deadlift 29 deg beside its set's 34-38 (labelled 41 and 44-49), and the set was cut in
#: two (seed 9608).
IN_SET_RANGE_SHARE = 0.7
#: s: a repetition is counted at most this long after it began (the slowest cat-cow
#: cycle, and its low settling).
REP_SHOWN_S = CAT_COW_MAX_S + SETTLE_S
#: frames kept behind the newest for measuring repetitions (60 s).
KEEP_FRAMES = 600


@dataclass
class _Open:
    cat: str
    cands: list[Candidate] = field(default_factory=list)
    added_s: float = float("-inf")  # frame time its last repetition was counted at


class RepCounter:
    """Stateful: settled frames in, finished sets out."""

    def __init__(self, settings: Settings, sides_known: bool = True):
        self.settings = settings
        self.sides_known = sides_known
        self.front_az: float | None = 0.0 if sides_known else None
        self._front_sum = np.zeros(2)
        self._stand = Swing(STAND_HYST_DEG, SETTLE_S)
        self._floor = Swing(FLOOR_HYST_DEG, SETTLE_S)
        self._turns: dict[str, list[Turn]] = {"stand": [], "floor": []}
        self._open: dict[str, _Open | None] = {"stand": None, "floor": None}
        self._n = 0  # absolute index of the next frame
        self._bt: list[FloatArray] = []
        self._bu: list[FloatArray] = []
        self._b0 = 0  # absolute index of the buffer's first frame
        self._done: list[tuple[RepSet, list[Candidate]]] = []
        self._now = float("-inf")  # frame time of the event being handled
        self.hinges_closed: list[tuple[float, float]] = []
        """(frame time it closed at, end of its last repetition) of each counted set of hip
        hinges the last ``push`` closed: the person stood after it (hinges are done
        standing); the same times for any blocks."""

    # ------------------------------------------------------------------ input
    def push(self, t: FloatArray, up: FloatArray | None, tilt_deg: FloatArray) -> list[RepSet]:
        """``up`` (3, m): world-up in the body frame (forward, left, up), or with the
        forward direction unknown in a fixed frame around the calibrated up (None: no
        posture, nothing counted)."""
        m = int(t.size)
        if m == 0 or up is None:
            return []
        first = self._n
        self._n += m
        self.hinges_closed = []
        self._bt.append(np.asarray(t, np.float64))
        self._bu.append(np.asarray(up, np.float64))
        uz = np.clip(up[2], -1.0, 1.0)
        # each angle only where its exercises can happen (the rest flat: no turning points
        # while walking upright or lying in bed, which keeps a day cheap)
        x_stand = np.clip(np.degrees(np.arctan2(-up[0], up[2])) if self.sides_known
                          else np.asarray(tilt_deg, np.float64), -STAND_CLIP_DEG, 135.0)
        x_floor = np.maximum(-np.degrees(np.arcsin(uz)), -FLOOR_CLIP_DEG)
        events: list[tuple[int, int, str, Turn]] = []
        for order, (name, sw, x) in enumerate((("stand", self._stand, x_stand),
                                               ("floor", self._floor, x_floor))):
            for tn in sw.push(x, t, first):
                events.append((tn.at, order, name, tn))
        events.sort(key=lambda e: (e[0], e[1]))
        out: list[RepSet] = []
        for at, _, name, tn in events:
            out += self._close_due(float(t[at - first]))
            self._now = float(t[at - first])
            out += self._turn(name, tn)
        out += self._close_due(float(t[-1]))
        self._trim()
        return out

    def flush(self) -> list[RepSet]:
        out: list[RepSet] = []
        for name in ("stand", "floor"):
            out += self._close(name)
        return out

    def finished(self) -> list[RepSet]:
        """Every set so far, floor sets named with the forward direction as now known."""
        return [self._name(cands, final=True) if self.front_az is not None and s.note
                else s for s, cands in self._done]

    @property
    def open_since(self) -> float | None:
        """Start of the earliest set under way (its first repetition); None without one."""
        starts = [o.cands[0].start_s for o in self._open.values() if o is not None and o.cands]
        return min(starts) if starts else None

    def progress(self) -> tuple[str, int] | None:
        """The set under way (its category and repetitions so far), for a live view."""
        for o in self._open.values():
            if o is not None and len(o.cands) >= self.settings.rep_min_count - 1:
                return ("deadlift" if o.cat == HINGE else o.cat), len(o.cands)
        return None

    # ------------------------------------------------------------------ sets
    def _close_due(self, now: float) -> list[RepSet]:
        s = self.settings
        out: list[RepSet] = []
        for name, o in self._open.items():
            if o is None or not o.cands:
                continue
            # no repetition can follow any more: the gap, the longest repetition, and
            # the settling that confirms its end
            due = s.rep_gap_s + (s.rep_max_s if o.cat == HINGE else CAT_COW_MAX_S) + SETTLE_S
            if now - o.cands[-1].end_s > due:
                # (closed when it fell due, whenever a block's end or a turn saw it)
                out += self._close(name, max(o.cands[-1].end_s + due, o.added_s))
        return out

    def _close(self, name: str, at_s: float | None = None) -> list[RepSet]:
        """Close the set under way in ``name`` at frame time ``at_s`` (default: the event
        being handled)."""
        o = self._open[name]
        self._open[name] = None
        if o is None or len(o.cands) < self.settings.rep_min_count:
            return []
        if o.cat == HINGE:
            self._learn_front(o.cands)
            self.hinges_closed.append((self._now if at_s is None else at_s,
                                       o.cands[-1].end_s))
        rs = self._name(o.cands, final=False)
        self._done.append((rs, o.cands))
        return [rs]

    def _add(self, name: str, c: Candidate | None, breaks: bool) -> list[RepSet]:
        o = self._open[name]
        out: list[RepSet] = []
        if c is None:
            if breaks and o is not None:
                out += self._close(name)
            return out
        floor_unknown = c.cat != HINGE and self.front_az is None
        gap = CAT_COW_GAP_S if c.cat == CAT_COW or floor_unknown else self.settings.rep_gap_s
        if o is not None and o.cands and (o.cat != c.cat or c.start_s - o.cands[-1].end_s
                                          > gap):
            out += self._close(name)
            o = None
        if o is None:
            o = _Open(c.cat)
            self._open[name] = o
        o.cands.append(c)
        o.added_s = self._now
        return out

    # ------------------------------------------------------------------ turning points
    def _turn(self, name: str, tn: Turn) -> list[RepSet]:
        turns = self._turns[name]
        if tn.high:
            turns.append(tn)
            del turns[:-2]
            return []
        if turns and not turns[-1].high:  # a lower low after a settled one: the rest moved
            turns[-1] = tn
            return []
        turns.append(tn)
        del turns[:-3]
        if len(turns) < 3:
            return []
        lo1, hi, lo2 = turns
        if name == "stand":
            c, breaks = self._hinge(lo1, hi, lo2)
        else:
            c, breaks = self._floor_rep(lo1, hi, lo2)
        return self._add(name, c, breaks)

    def _frames(self, a: int, b: int) -> tuple[FloatArray, FloatArray] | None:
        """Buffered frames a..b (absolute, inclusive): (t, u)."""
        if a < self._b0:
            return None
        t = np.concatenate(self._bt) if len(self._bt) > 1 else self._bt[0]
        u = np.concatenate(self._bu, axis=1) if len(self._bu) > 1 else self._bu[0]
        self._bt, self._bu = [t], [u]
        return t[a - self._b0:b - self._b0 + 1], u[:, a - self._b0:b - self._b0 + 1]

    def _trim(self) -> None:
        keep = self._n - KEEP_FRAMES
        for turns in self._turns.values():
            if turns:
                keep = min(keep, turns[0].index)
        while len(self._bt) > 1 and self._b0 + self._bt[0].size <= keep:
            self._b0 += self._bt[0].size
            self._bt.pop(0)
            self._bu.pop(0)

    def _swing(self, lo1: Turn, hi: Turn, lo2: Turn, stand: bool, max_s: float
               ) -> tuple[FloatArray, FloatArray, FloatArray, int, float, float] | None:
        """The frames of a swing within ``max_s`` of its far end: (t, u, x, k, rest
        before, rest after), ``k`` the far end's frame; None when no longer buffered."""
        fr = self._frames(lo1.index, lo2.index)
        if fr is None:
            return None
        t, u = fr
        k = hi.index - lo1.index
        a = int(np.searchsorted(t, t[k] - max_s))
        b = int(np.searchsorted(t, t[k] + max_s, side="right"))
        t, u, k = t[a:b], u[:, a:b], k - a
        x = self._x(u, stand)
        return t, u, x, k, float(x[:k + 1].min()), float(x[k:].min())

    def _x(self, u: FloatArray, stand: bool) -> FloatArray:
        """The swinging angle: flexion (tilt without a forward direction) standing, the
        head-end-down incline on the floor."""
        x: FloatArray
        if not stand:
            x = -np.degrees(np.arcsin(np.clip(u[2], -1.0, 1.0)))
        elif self.sides_known:
            x = np.degrees(np.arctan2(-u[0], u[2]))
        else:
            x = np.degrees(np.arccos(np.clip(u[2], -1.0, 1.0)))
        return x

    @staticmethod
    def _timing(t: FloatArray, x: FloatArray, k: int, lo1: float, hi: float, lo2: float
                ) -> tuple[float, float, float, float]:
        """(start, far reached, far left, end) of a swing peaking at frame ``k``."""
        a, b = rm.phase_into(t[:k + 1], x[:k + 1], lo1, hi)
        c, d = rm.phase(t[k:], x[k:], hi, lo2)
        return a, b, c, d

    def _hinge(self, lo1: Turn, hi: Turn, lo2: Turn) -> tuple[Candidate | None, bool]:
        s = self.settings
        need = self._hinge_min_range()
        if hi.value - lo1.value < need:
            return None, False
        sw = self._swing(lo1, hi, lo2, True, s.rep_max_s)
        if sw is None:
            return None, True
        t, u, x, k, r1, r2 = sw
        rng = float(x[k]) - r1
        if rng < need or x[k] - r2 < 0.5 * rng or abs(r2 - r1) > s.rep_low_deg:
            return None, False
        tilt = np.degrees(np.arccos(np.clip(u[2], -1.0, 1.0)))
        if float(tilt[:k + 1].min()) > HINGE_REST_TILT_DEG or \
                float(tilt[k:].min()) > HINGE_REST_TILT_DEG:
            return None, False
        a, b, c, d = self._timing(t, x, k, r1, float(x[k]), r2)
        if d - a > s.rep_max_s or rm.plateau_s(t, x, r1, float(x[k])) > FAR_DWELL_MAX_S:
            return None, True
        if min(b - a, d - c) < MIN_PHASE_S:
            return None, False
        az = float(np.degrees(np.arctan2(u[1, k], -u[0, k])))
        # without a forward direction yet, this hinge's own bottom is its front: the fit's
        # constant terms take up the error (a rotation grows with the hinge, an offset not)
        body = self._body(u, az if self.front_az is None else self.front_az)
        sel = (t >= a) & (t <= d)
        flex = np.degrees(np.arctan2(-body[0], body[2]))
        lo = float(min(flex[sel][0], flex[sel][-1])) if sel.any() else r1
        # the forward direction learnt from earlier hinges (lean removed; the rotations of
        # left and right single-leg sets cancel) is as good as a calibrated one
        lean, rot = rm.hinge_lean_rotation(body[:, sel], flex[sel], lo, float(flex[k]),
                                           rm.FORWARD_PRIOR if self.front_az is not None
                                           else 0.0)
        form = {"pelvic_rotation_deg": rot}
        if not self.sides_known:
            # unsigned tilt from an upright a few degrees off reads the rest that far tilted
            # and the bottom that much less when the error lies opposite the hinge: the range
            # is the turn from the standing posture before to the bottom
            rest = int(np.argmin(x[:k + 1]))
            rng = float(np.degrees(np.arccos(np.clip(u[:, rest] @ u[:, k], -1.0, 1.0))))
        return Candidate(HINGE, a, b, d, rng, b - a, d - c, lean, form, az, 0.0, True,
                         u[:, k].copy()), False

    def _hinge_min_range(self) -> float:
        """Smallest hinge that is a repetition: ``rep_min_range_deg``, or within a set
        under way ``IN_SET_RANGE_SHARE`` of its repetitions' median range if less."""
        need = self.settings.rep_min_range_deg
        o = self._open["stand"]
        if o is not None and o.cat == HINGE and len(o.cands) >= 2:
            need = min(need, IN_SET_RANGE_SHARE * float(np.median([c.range_deg
                                                                   for c in o.cands])))
        return need

    def _body(self, u: FloatArray, front_az: float) -> FloatArray:
        """``u`` in the body frame (the counter's frame turned to ``front_az``)."""
        if self.sides_known:
            return u
        p = math.radians(front_az)
        fwd = np.array([math.cos(p), -math.sin(p), 0.0])
        left = np.array([math.sin(p), math.cos(p), 0.0])
        out: FloatArray = np.vstack([fwd @ u, left @ u, u[2]])
        return out

    def _floor_rep(self, lo1: Turn, hi: Turn, lo2: Turn) -> tuple[Candidate | None, bool]:
        if hi.value - lo1.value < FLOOR_MIN_RANGE_DEG:
            return None, False
        sw = self._swing(lo1, hi, lo2, False, CAT_COW_MAX_S)
        if sw is None:
            return None, True
        t, u, x, k, r1, r2 = sw
        top = float(x[k])
        rng = top - r1
        if rng < FLOOR_MIN_RANGE_DEG or top - r2 < 0.5 * rng:
            return None, False
        if max(abs(r1), abs(r2)) > FLOOR_REST_ELEV_DEG:
            return None, False
        a, b, c, d = self._timing(t, x, k, r1, top, r2)
        if rm.plateau_s(t, x, r1, top) > FAR_DWELL_MAX_S or d - a > CAT_COW_MAX_S:
            return None, True
        if min(b - a, d - c) < MIN_PHASE_S:
            return None, False  # a wobble, not a movement
        az = np.degrees(np.arctan2(u[1], -u[0]))
        share = (x - r1) / rng
        sel = (t >= a) & (t <= d)
        roll = rm.roll_deg(az[sel], (share >= TOP_SHARE)[sel],
                           (share <= 0.15)[sel])
        far_az = float(az[k])
        back = self._is_back(far_az)
        if self.front_az is not None and abs(abs((far_az - self.front_az + 180.0) % 360.0
                                                  - 180.0) - 90.0) < 90.0 - FLOOR_SECTOR_DEG:
            return None, False  # a side down (a side plank's sag): not a floor repetition
        cat = (BRIDGE if back else CAT_COW) if back is not None else BRIDGE
        if not back and (max(b - a, d - c) > CAT_COW_PHASE_MAX_S or rng < CAT_COW_MIN_RANGE_DEG
                         or (back is not None and (abs(roll) > CAT_COW_MAX_ROLL_DEG
                                                   or d - a < CAT_COW_MIN_S))):
            return None, False  # a bird dog's lift or a hold's wobble, not a cat-cow
        if back and (d - a > self.settings.rep_max_s or rng < BRIDGE_MIN_RANGE_DEG
                     or max(r1, r2) > BRIDGE_REST_INCLINE_DEG):
            return None, d - a > self.settings.rep_max_s
        return Candidate(cat, a, b, d, rng, b - a, d - c, None, {}, far_az, roll,
                     r1 >= -1.0 - FLOOR_HYST_DEG), False

    def _is_back(self, az: float) -> bool | None:
        """Whether the side-down azimuth ``az`` is the back (None: front unknown)."""
        if self.front_az is None:
            return None
        return abs((az - self.front_az + 180.0) % 360.0 - 180.0) > 90.0

    # ------------------------------------------------------------------ naming
    def _learn_front(self, cands: list[Candidate]) -> None:
        if self.sides_known:
            return
        for c in cands:
            if c.range_deg >= FRONT_MIN_DEG and c.bottom_u is not None:
                h = c.bottom_u[:2]
                n = float(np.hypot(h[0], h[1]))
                if n > 0:
                    # the bottom's side-down azimuth: front down
                    a = math.atan2(float(h[1]), float(-h[0]))
                    if c.lean is not None:
                        # a lateral lean L moves world-up sideways by cos f sin L at the
                        # bottom (rep_measure): a person leaning 6 deg turned the learnt
                        # forward 4 deg, which then read as pelvic rotation
                        f = math.radians(c.range_deg)
                        a -= math.atan2(math.cos(f) * math.sin(math.radians(c.lean)),
                                        math.sin(f))
                    self._front_sum += (math.cos(a), math.sin(a))
        if self._front_sum.any():
            self.front_az = math.degrees(math.atan2(self._front_sum[1], self._front_sum[0]))

    def _name(self, cands: list[Candidate], final: bool) -> RepSet:
        del final
        if cands[0].cat == HINGE:
            note = None if self.sides_known else (
                "no forward calibration: forward is where the hinges go (a hip hinge goes "
                "forward), the standing leg from the pelvis' rotation about it")
            return hinge_set(cands, note)
        cat, note = cands[0].cat, None
        if not self.sides_known:
            back = [self._is_back(c.far_az) for c in cands]
            if back[0] is None:
                note = ("back or front down not known (no forward calibration, no hinge yet): "
                        "told by the movement's shape")
                is_bridge = sum(c.rest_low for c in cands) * 2 >= len(cands)
            else:
                note = "back or front down told by the forward direction learned from the hinges"
                is_bridge = sum(bool(b) for b in back) * 2 >= len(cands)
            cat = BRIDGE if is_bridge else CAT_COW
        return floor_set(cands, cat, note)


__all__ = ["Rep", "RepCounter", "RepSet"]
