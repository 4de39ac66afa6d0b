"""Bird dog: on hands and knees, one leg and the opposite arm held out, sides alternating.

Seen from the lower back, a bird dog is hard to tell from resting on all fours or from a
plank by posture alone: all three hold the trunk near horizontal, front down. What marks
it is the alternation: lifting a leg puts the weight on the other knee, and the pelvis
rolls a few degrees toward the supporting side (the hips "should not rotate": that roll
is the exercise's form measure), then back, then the other way for the other side.

A *bout* is a run of frames on all fours (the catalogue row's elevation band, the front
down when the forward direction is known; otherwise one side down held within
``BOUT_AZ_DEG``), with gaps shorter than ``BOUT_GAP_S``. At the end of a bout its roll is
compared with the bout's own midpoint (between the levels of the two sides), so mounting
and calibration offsets cancel: a *side* is a run of at least the row's ``min_s`` with the
roll beyond half the way to that side's level, worked (effort in most frames). A bout is
a bird dog set only when both sides appear and the two levels lie at least
``bird_dog_roll_deg`` apart from the midpoint: resting on all fours, crawling under a
table or a plank do not alternate. A side with the right side down supports on the right
knee, so the left leg is lifted: ``bird_dog_left`` (rows are named by the lifted leg).

Without the forward direction, front down cannot be told from back down near horizontal;
the effort rule keeps relaxed lying stretches (knee to belly, which also alternate) out.

Streaming: bouts are closed when the posture has been left for ``BOUT_GAP_S``; frames in
any blocks give the same sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.activity import runs
from sensorcoach.core.catalogue import Exercise
from sensorcoach.core.frames import wrap_deg
from sensorcoach.core.hold_sides import BACK_DOWN_DEG
from sensorcoach.core.settings import Settings

FloatArray = NDArray[np.float64]

#: s: a bout survives leaving the posture this long (a wobble, a dropped frame).
BOUT_GAP_S = 2.0
#: deg: without the forward direction, a bout stays within this of its first azimuth.
BOUT_AZ_DEG = 25.0
#: s: the roll is smoothed over this (postural sway, not the side, is faster).
SMOOTH_S = 1.0
#: Share of a side's frames that must show effort: a relaxed lying stretch shows none
#: (knee to belly alternates sides too); a steady person's bird dog at 25 Hz about half.
SIDE_EFFORT = 0.3
#: ...with the front known to face down (a lying stretch faces up): a tenth, since at
#: 12.5 Hz the tremor that shows effort is not sampled (a whole bird dog set of 8 sides,
#: each side's roll 3-5 deg, showed effort in 0-33 % of its frames; design choice).
SIDE_EFFORT_FRONT_DOWN = 0.1
#: With the front known to face down, share of a whole bout's frames showing effort that
#: vouches for its sides: a steady person's tremor stays under the noise floor while a
#: side is held (none in 13 s, at 200 Hz too) but the lifts between sides show it.
#: Without the front (a lying stretch alternates too, its moves between sides show
#: effort) every side shows its own.
BOUT_EFFORT = 0.3
#: deg: a bout further than this from front down faces up, one within FACING_DOWN_DEG
#: faces down (halfway between a side, 90, and the back or the front), as named holds.
FACING_UP_DEG = BACK_DOWN_DEG
FACING_DOWN_DEG = 180.0 - BACK_DOWN_DEG
#: Bouts kept, without the forward direction, to look at again once it is known (a
#: bound on memory, not a window: with 8, a stream pushed in one block, where the forward
#: direction was learned only at its end, lost the routine's first bird dogs).
UNSURE_BOUTS = 64
#: s: runs of one side this close together are one side (a sway back across the
#: hysteresis is not a new side; design choice: a shaky person's roll wandered back to the
#: middle for 1.5-2 s within one side, and each piece alone was too short a side).
MERGE_GAP_S = 2.0
#: Share of a side's own roll level that counts as in position (its timing).
SIDE_LEVEL = 0.8
#: s: a bout longer than this is analysed and a new one begun (bounded memory).
MAX_BOUT_S = 1800.0
#: s: a side held longer than this is not a bird dog side (design choice: three times
#: the "5-10 s per side" of the routine; the simulated ones last 6-17 s): a plank held
#: 87 s and the prone rest after it, their rolls 7 deg apart, read as two sides (seed 9926,
#: without calibration).
MAX_SIDE_S = 30.0


@dataclass(frozen=True)
class BirdDogSide:
    kind: str
    start_s: float
    end_s: float
    hip_rotation_deg: float
    """Median roll toward the supporting side, from the bout's midpoint, deg."""
    roll_sway_deg: float
    """RMS of the roll about its median over the side, deg."""
    azimuth_deg: float = 0.0
    """Side down of the bout as an azimuth in the detector's frame (its median): without
    the forward direction, a side facing up (a bridge, lying) is dropped once the forward
    direction is inferred (core.hold_sides)."""
    bout_s: tuple[float, float] = (0.0, 0.0)
    """The bout it was found in (on all fours), s: the bird dog set's extent."""


@dataclass
class _Bout:
    t0: float
    az0: float
    last_in: float
    t: list[float] = field(default_factory=list)
    az: list[float] = field(default_factory=list)
    active: list[bool] = field(default_factory=list)


class BirdDogDetector:
    """Alternating-side holds on all fours, from per-frame posture angles."""

    def __init__(self, settings: Settings, rows: tuple[Exercise, Exercise],
                 sides_known: bool, frame_s: float):
        """``rows``: the (left, right) bird dog rows of the catalogue."""
        self.s = settings
        self.left, self.right = rows
        self.sides_known = sides_known
        self.frame_s = frame_s
        self.bout: _Bout | None = None
        self.forward_deg: float | None = None
        """Without the forward direction known from the start: the forward direction in
        the detector's frame once inferred (core.stretches learns it from the trunk's
        forward tilts), deg. A bout is then known to face down (front-down rules) or up
        (a lying stretch, not a bird dog)."""
        self._unsure: list[tuple[_Bout, list[BirdDogSide]]] = []
        """Bouts closed before the forward direction was known, with the sides they gave
        (at most ``UNSURE_BOUTS``): looked at again once it is."""

    @property
    def open_since(self) -> float | None:
        return None if self.bout is None else self.bout.t0

    def side_under_way(self) -> tuple[str, float] | None:
        """Read-only, for a live view: the side held at the open bout's newest frame and
        where it began (s), as :func:`sides_of` tells the bout so far; None without an
        open bout or before the bout has shown both sides (sides are told from their
        alternation). Nothing of the detector changes."""
        b = self.bout
        if b is None or not b.t:
            return None
        sides = self._sides(b)
        if not sides or sides[-1].end_s < b.t[-1] - SMOOTH_S:
            return None
        return sides[-1].kind, sides[-1].start_s

    def push(self, t: FloatArray, elev: FloatArray, az: FloatArray,
             active: NDArray[np.bool_]) -> list[BirdDogSide]:
        lo, hi = self.left.elevation_band(self.s)
        band = (elev >= lo) & (elev <= hi)
        if self.sides_known:
            band &= np.abs(wrap_deg(az - self.left.down_az_deg)) <= self.s.hold_side_half_width_deg
        out = self._revisit()
        idx = np.flatnonzero(band)
        if self.bout is None and idx.size == 0:
            return out
        i = 0
        while i < t.size:
            ti = float(t[i])
            b = self.bout
            if b is not None and (ti - b.last_in > BOUT_GAP_S or ti - b.t0 > MAX_BOUT_S):
                out += self._close()
                b = None
            if not band[i]:
                if b is None:  # step to the next frame on all fours
                    k = int(np.searchsorted(idx, i))
                    i = int(idx[k]) if k < idx.size else t.size
                else:
                    i += 1
                continue
            a = float(az[i])
            if b is not None and abs(float(wrap_deg(a - b.az0))) > BOUT_AZ_DEG:
                out += self._close()
                b = None
            if b is None:
                b = self.bout = _Bout(ti, a, ti)
            b.last_in = ti
            b.t.append(ti)
            b.az.append(a)
            b.active.append(bool(active[i]))
            i += 1
        return out

    def flush(self) -> list[BirdDogSide]:
        return self._revisit() + (self._close() if self.bout is not None else [])

    def _close(self) -> list[BirdDogSide]:
        b = self.bout
        self.bout = None
        assert b is not None
        sides = self._sides(b)
        if (not self.sides_known and self.forward_deg is None
                and b.t[-1] - b.t[0] >= 2.0 * shortest_side_s((self.left, self.right), self.s)):
            # long enough for both sides
            self._unsure = [*self._unsure, (b, sides)][-UNSURE_BOUTS:]
        return sides

    def _revisit(self) -> list[BirdDogSide]:
        """Sides of the bouts closed before the forward direction was known that its
        front-down rules find now, beyond those reported then (the routine begins with
        bird dog, before any forward tilt has shown the forward direction)."""
        if self.forward_deg is None or not self._unsure:
            return []
        out: list[BirdDogSide] = []
        for b, old in self._unsure:
            if self._facing(np.asarray(b.az)) != "down":
                continue
            out += [x for x in self._sides(b)
                    if not any(min(x.end_s, o.end_s) > max(x.start_s, o.start_s) for o in old)]
        self._unsure = []
        return out

    def _sides(self, b: _Bout) -> list[BirdDogSide]:
        az = np.asarray(b.az)
        facing = self._facing(az)
        if facing == "up":
            return []  # lying on the back: a stretch's alternation, not a bird dog
        down = self.sides_known or facing == "down"
        return sides_of(np.asarray(b.t), az, np.asarray(b.active), self.s,
                        (self.left, self.right), self.frame_s,
                        SIDE_EFFORT_FRONT_DOWN if down else SIDE_EFFORT,
                        BOUT_EFFORT if down else None)

    def _facing(self, az: FloatArray) -> str | None:
        """``down`` or ``up`` for a bout whose front is known (from the start, or
        inferred since), else None."""
        if self.sides_known:
            return "down"
        if self.forward_deg is None or az.size == 0:
            return None
        d = float(wrap_deg(float(np.median(az)) + self.forward_deg))
        return "up" if abs(d) > FACING_UP_DEG else "down" if abs(d) < FACING_DOWN_DEG else None


def shortest_side_s(rows: tuple[Exercise, Exercise], s: Settings) -> float:
    """The shortest side either row reports, s (its ``min_s``, else ``hold_min_s``)."""
    return min(r.min_s or s.hold_min_s for r in rows)


def sides_of(t: FloatArray, az: FloatArray, active: NDArray[np.bool_], s: Settings,
             rows: tuple[Exercise, Exercise], frame_s: float,
             effort_share: float = SIDE_EFFORT, bout_effort: float | None = None
             ) -> list[BirdDogSide]:
    """The bird dog sides of one bout (none unless both sides appear); ``effort_share``:
    the share of a side's frames that must show effort, unless the whole bout shows it
    in ``bout_effort`` of its frames (None: a side must show its own)."""
    left, right = rows
    if t.size == 0 or t[-1] - t[0] < 2.0 * shortest_side_s(rows, s):
        return []
    centre = float(np.median(az))
    roll = wrap_deg(az - centre)
    k = max(1, round(SMOOTH_S / frame_s))
    smooth = np.convolve(roll, np.ones(k) / k, mode="same") if roll.size > k else roll
    p10, p90 = np.percentile(smooth, [10.0, 90.0])
    mid, half = (p10 + p90) / 2.0, (p90 - p10) / 2.0
    if half < s.bird_dog_roll_deg:
        return []
    d = smooth - mid
    enter, leave = 0.5 * half, 0.3 * half
    state = np.zeros(d.size, np.int64)
    cur = 0
    for i, x in enumerate(d):
        if cur == 0 and abs(x) >= enter:
            cur = 1 if x > 0 else -1
        elif cur != 0 and cur * x < leave:
            cur = 1 if x >= enter else -1 if x <= -enter else 0
        state[i] = cur
    # a short dip back toward the middle between two runs of one side is the same side
    for value, a, n in zip(*runs(state), strict=True):
        z = a + n
        if (value == 0 and 0 < a and z < state.size and state[a - 1] == state[z] != 0
                and n * frame_s <= MERGE_GAP_S):
            state[a:z] = state[z]
    worked = float(np.mean(active))
    sides: list[BirdDogSide] = []
    for sign, a, n in zip(*runs(state), strict=True):
        z = a + n
        if sign == 0:
            continue
        # time in position: from where the roll reaches most of the side's level to where
        # it starts back (the run itself begins and ends half-way through the turns)
        level = float(np.median(d[a:z]))
        near = np.flatnonzero(sign * d[a:z] >= SIDE_LEVEL * abs(level))
        if near.size:
            a, z = a + int(near[0]), a + int(near[-1]) + 1
        start, end = float(t[a]) - frame_s / 2, float(t[z - 1]) + frame_s / 2
        row = left if sign > 0 else right  # right side down: the left leg is lifted
        if end - start > MAX_SIDE_S:
            continue  # a plank's roll against the rest after it, not a side
        if end - start < (row.min_s or s.hold_min_s) or (
                np.mean(active[a:z]) < effort_share
                and (bout_effort is None or worked < bout_effort)):
            continue
        seg = roll[a:z] - mid
        sides.append(BirdDogSide(row.name, round(start, 3), round(end, 3),
                                 round(abs(float(np.median(seg))), 2),
                                 round(float(np.std(seg)), 2), round(centre, 2),
                                 (float(t[0]) - frame_s / 2, float(t[-1]) + frame_s / 2)))
    if len({x.kind for x in sides}) < 2:
        return []
    return sides
