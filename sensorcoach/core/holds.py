"""Holds of the exercise catalogue (core.catalogue; today the plank and side planks):
detection, form breaks, drift.

Posture from world-up in the calibrated body frame ``u = (forward, left, up)``: the trunk's
long axis rises ``elev = asin(u_up)`` above horizontal, and the side facing the floor is
the azimuth ``az = atan2(u_left, -u_forward)``: 0 front down (plank), -90 left side down
(side plank left), +90 right side down, 180 back down. A forearm plank holds the trunk
about 10-15 deg above horizontal (forearm height over body length); lying at rest is
near 0, kneeling and sitting near 90, child's pose below 0.

A hold is its catalogue row's elevation band (``hold_elev_min_deg``-``hold_elev_max_deg``
unless the row has its own) with the row's side down, recognised after
``hold_confirm_s`` in which the trunk is *held* (not busy: a bend
to the floor or tying shoes moves the trunk and the hands, a plank does not) with effort
(tremor or sway above the quietest level seen: a rest on an incline is still), and lasting
at least ``hold_min_s``. It starts when the entry movement settles (angular speed below
``hold_settle_dps``). Once recognised it lasts while the posture holds: it tolerates drift
(sag and pike can take the long axis ``hold_drift_margin_deg`` beyond the band, and the
posture it is compared with follows slowly), and ends when the side down changes, the
posture leaves the band (``hold_exit_s``), or the trunk moves ``hold_exit_deg`` away from
where it was and stays (``hold_depart_s``): dropping to the knees, the floor, a side. Fading
effort does not end it (a very steady person's tremor is near the sensor's noise). The
end is put where the trunk left its position (the start of the last fast movement before
the loss), so the timer counts time in position, not getting in and out.

Without a known forward direction the detector works in a frame around the calibrated up
with arbitrary horizontal axes: elevation is the same, the side down is not known, and
holds come out ``hold``, to be named from all holds' directions (core.hold_sides).

Form breaks: relative to the hold's own first ``hold_reference_s`` seconds, the long
axis rising (``sag``: hips drop, so the shoulders sit relatively higher), falling
(``pike``) or the trunk rolling about its long axis (``twist``) beyond
``form_break_deg`` for ``form_break_min_s``: one event and one alert per break.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core import catalogue
from sensorcoach.core.bird_dog import BirdDogDetector, BirdDogSide
from sensorcoach.core.events import Alert
from sensorcoach.core.filters import Ema, IIRFilter
from sensorcoach.core.frames import wrap_deg
from sensorcoach.core.framing import gaps_before
from sensorcoach.core.settings import Settings

FloatArray = NDArray[np.float64]

#: Hold codes: 0 none, 1..n the catalogue's hold rows in order, then ``hold``: a hold whose
#: side down is not known yet (no forward direction), named at the end of the recording
#: from the directions of all holds (see core.hold_sides).
NONE = 0

def posture_rows(rows: tuple[catalogue.Exercise, ...]) -> tuple[catalogue.Exercise, ...]:
    """The rows recognised from their posture (no roll band): rows with a roll band are
    told apart from a posture row they share (by the held roll) or, with no such row, by
    alternating sides (the bird dog)."""
    return tuple(e for e in rows if e.roll_deg is None)


def alternating_pairs(rows: tuple[catalogue.Exercise, ...]
                      ) -> list[tuple[catalogue.Exercise, catalogue.Exercise]]:
    """(left, right) hold rows with roll bands and no posture row of their own."""
    rows = catalogue.holds(rows)
    shared = {e.name for b in posture_rows(rows) for e in roll_variants(b, rows)}
    return [(left, right) for left, right in catalogue.pairs(rows)
            if left.roll_deg is not None and right.roll_deg is not None
            and left.name not in shared]


def excursions(elev: FloatArray, deg: float) -> int:
    """Times the elevation leaves its median by more than ``deg`` and comes back within
    half of it (a pike break is one; bridges done as repetitions are many)."""
    if elev.size == 0:
        return 0
    d = np.abs(elev - float(np.median(elev)))
    n, out = 0, False
    for x in d:
        if not out and x > deg:
            out, n = True, n + 1
        elif out and x < deg / 2:
            out = False
    return n


def roll_variants(row: catalogue.Exercise, rows: tuple[catalogue.Exercise, ...]
                  ) -> tuple[catalogue.Exercise, ...]:
    """Hold rows in ``row``'s posture told apart from it by their roll band."""
    band = row.elevation_band(Settings())
    return tuple(e for e in catalogue.holds(rows)
                 if e.roll_deg is not None and e.down_az_deg == row.down_az_deg
                 and e.elevation_band(Settings()) == band)


def roll_right_deg(az: float, down_az: float) -> float:
    """Roll toward the right side down, deg, of a posture whose side ``down_az`` faces the
    floor: front down the azimuth grows toward the right side (+90), back down it shrinks."""
    d = float(wrap_deg(az - down_az))
    return d if abs(down_az) < 90.0 else -d


def by_roll(row: catalogue.Exercise, variants: tuple[catalogue.Exercise, ...], az: float,
            s: Settings) -> tuple[str, dict[str, float]]:
    """The row a hold in ``row``'s posture is, from its median roll: a variant whose roll
    band holds it and is at least ``hold_roll_side_deg`` from level (a single-leg bridge
    drops the pelvis toward the free side), else ``row`` itself."""
    roll = roll_right_deg(az, row.down_az_deg)
    if abs(roll) >= s.hold_roll_side_deg:
        for v in variants:
            assert v.roll_deg is not None
            if v.roll_deg[0] <= roll <= v.roll_deg[1]:
                return v.name, {"pelvic_drop_deg": round(abs(roll), 1)}
    return row.name, {"roll_deg": round(roll, 1)}


#: The default catalogue's hold names by code (a detector built on other rows has its own
#: ``kinds``).
HOLD_KINDS = ("none", *(e.name for e in posture_rows(catalogue.holds())), "hold")
#: Hz: the trunk's turning is judged below this (posture and reaching, not tremor).
TURN_CUTOFF_HZ = 1.0
#: A hold that ends within this many seconds of a form break was ended by it.
BREAK_ENDS_HOLD_S = 4.0
#: s of frames before the sensor-noise floor is learnt (filters settling).
FLOOR_WARMUP_S = 5.0
#: deg: a hold starts at the first frame this close to its reference posture.
START_DEG = 3.0
#: deg: the posture's range over the window that recognises a hold within which turning
#: up to twice ``hold_turn_dps`` is sway, not a task (design choice: a very shaky side
#: plank swayed 29-36 deg at 8-10 deg/s in the routine benchmark).
SWAY_SPREAD_DEG = 10.0
#: Share of the frames below the band from some frame on to the end of a hold that makes
#: that frame where it sank for good (design choice: breathing and sway dip a low plank
#: below the band now and then).
SUNK_SHARE = 0.8
#: deg: ...and it went down at least this far, moving (faster than ``hold_settle_dps``):
#: lying down from a plank, not a slow drift (design choice: breathing moves the lower
#: back about a degree).
SUNK_DROP_DEG = 3.0
#: s of frames kept from before each block (a bridge looks back to lying flat).
RECENT_S = 40.0
#: s before a hold searched for lying flat, and deg from horizontal that is flat.
LYING_BEFORE_S = 20.0
LYING_DEG = 8.0
#: m: a pelvis higher than this is not lying on the floor (on all fours it is about 0.55).
LYING_MAX_M = 0.35
#: deg: a plank or side plank held this far below the band's lower edge (nearly flat,
#: like lying prone) is still a hold when the effort is strong, ``LOW_HOLD_EFFORT`` times
#: ``hold_effort_min_g`` (design choice: planks held 5-6 deg above horizontal showed 7-20
#: mg of effort on simulated routines, prone rests that low 0.5-3.5 mg).
LOW_HOLD_DEG = 3.0
LOW_HOLD_EFFORT = 1.5
#: s: ...in three quarters of the frames of this long after the posture's first
#: ``hold_confirm_s`` (the effort of the movement into it, smoothed, takes seconds to fade:
#: lowering from a side plank to lie on that side showed 40 mg fading to 6 mg over 6 s).
LOW_HOLD_EFFORT_S = 3.0
#: ...and not fading: its last second at least this share of its first (a hold's effort
#: is steady or grows with fatigue; the movement's fades).
LOW_HOLD_FADE = 0.7
#: ...and the trunk steadier than this share of ``hold_busy_g`` (planks held that low moved
#: 5-8 mg above 1 Hz; a bend while seated, hands at work, 34 mg with strong effort).
LOW_HOLD_BUSY = 0.5
#: s: a candidate hold posture held this long in a row without effort is a rest: a hold
#: recognised later in it begins after that (lying prone 16 s after a plank, the effort of
#: getting up was taken for a hold's and the whole rest became a "plank", seed 9914;
#: design choice: a hold's effort dips below ``hold_effort_min_g`` for a second or two
#: when a steady person nears the sensor's noise).
QUIET_RESTART_S = 5.0
#: Excursions out of a held posture and back that make it repetitions, not a hold.
REPS_EXCURSIONS = 3
#: deg: distance from a posture that counts as having left it (end timing).
DEPARTURE_DEG = 2.5


@dataclass(frozen=True)
class FormBreak:
    t_s: float
    kind: str
    """``sag``, ``pike`` or ``twist``."""
    deg: float

    def to_dict(self) -> dict[str, Any]:
        return {"t_s": round(self.t_s, 2), "kind": self.kind, "deg": round(self.deg, 1)}


@dataclass(frozen=True)
class HoldSpan:
    """A finished hold as the detector sees it (stability is added from raw samples)."""

    kind: str
    start_s: float
    end_s: float
    ended_by: str
    form_breaks: tuple[FormBreak, ...]
    drift_deg: float
    drift_kind: str
    reference_elev_deg: float
    azimuth_deg: float = 0.0
    """Side down as an azimuth in the detector's frame (names unnamed holds later)."""
    form: dict[str, float] = field(default_factory=dict)
    """Form measures of the exercise (bird dog: ``hip_rotation_deg``, ``roll_sway_deg``)."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class _Candidate:
    """Frames in one hold posture, not yet recognised as a hold."""

    kind: int
    t0: float
    az0: float
    rates: list[float] = field(default_factory=list)
    active: list[bool] = field(default_factory=list)
    effort: list[float] = field(default_factory=list)
    motion: list[float] = field(default_factory=list)
    turn: list[float] = field(default_factory=list)
    t: list[float] = field(default_factory=list)
    elev: list[float] = field(default_factory=list)
    az: list[float] = field(default_factory=list)
    quiet: int = 0  # frames in a row without effort, up to now
    seen_s: float = float("-inf")  # the last frame in (or near) its posture


@dataclass
class _Open:
    kind: int
    start_s: float
    centre_az: float = 0.0
    """Azimuth of the side down: the kind's (sides known) or the hold's own (unnamed)."""
    track: tuple[float, float] | None = None
    """Slowly following posture (elevation, azimuth): drift moves it, an exit does not."""
    lying_az: float | None = None
    """Azimuth lying flat on the same side just before (the roll a bridge is compared with)."""
    low_deg: float = 0.0
    """How far below its band's lower edge the hold may sit (a low plank held hard)."""
    motion: list[float] = field(default_factory=list)
    effort: list[float] = field(default_factory=list)
    t: list[float] = field(default_factory=list)
    elev: list[float] = field(default_factory=list)
    az: list[float] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    ref: tuple[float, float] | None = None
    away_since: float | None = None
    back_since: float | None = None
    breaks: list[FormBreak] = field(default_factory=list)
    break_since: float | None = None
    break_kind: str = ""
    break_peak: float = 0.0
    break_emitted: bool = False


def posture_angles(up_body: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Elevation of the long axis above horizontal and floor-side azimuth, deg."""
    elev = np.degrees(np.arcsin(np.clip(up_body[2], -1.0, 1.0)))
    az = np.degrees(np.arctan2(up_body[1], -up_body[0]))
    return elev, az


def hold_kind(elev: FloatArray, az: FloatArray, s: Settings,
              sides_known: bool = True,
              rows: tuple[catalogue.Exercise, ...] | None = None) -> NDArray[np.int64]:
    """Hold posture code per frame: the elevation band, and the side down when the body's
    forward direction is known (the code after the rows', "hold", otherwise)."""
    rows = posture_rows(catalogue.holds()) if rows is None else rows
    kind = np.zeros(elev.shape, np.int64)
    if not sides_known:
        band = (elev >= s.hold_elev_min_deg) & (elev <= s.hold_elev_max_deg)
        kind[band] = len(rows) + 1
        # a hold with the long axis head-end down is a bridge whichever side faces down
        for code, row in enumerate(rows, start=1):
            lo, hi = row.elevation_band(s)
            if hi < s.hold_elev_min_deg and lo < 0.0 and hi < 0.0:
                kind[(elev >= lo) & (elev <= hi) & (kind == NONE)] = code
        return kind
    for code, row in enumerate(rows, start=1):
        lo, hi = row.elevation_band(s)
        near = np.abs(wrap_deg(az - row.down_az_deg)) <= s.hold_side_half_width_deg
        kind[(elev >= lo) & (elev <= hi) & near & (kind == NONE)] = code
    return kind


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


class HoldDetector:
    """Stateful hold detector over settled frames."""

    def __init__(self, settings: Settings, sway_from_gyro: bool = True,
                 sides_known: bool = True,
                 exercises: tuple[catalogue.Exercise, ...] = catalogue.holds()):
        """``sway_from_gyro``: the up vector comes from the gyro-aided filter, so its
        turning speed shows postural sway; the accelerometer low-pass hides most of it,
        and then only effort tells a hold from rest. ``sides_known``: the up vectors are in
        the body frame (forward known); otherwise in a frame around the calibrated up
        whose horizontal axes are arbitrary, and holds come out ``hold``. ``exercises``: the
        hold rows of the catalogue to recognise."""
        self.rows = posture_rows(exercises)
        self.variants = {code: roll_variants(row, exercises)
                         for code, row in enumerate(self.rows, start=1)}
        """Rows told from each posture row by the held roll (single-leg bridges)."""
        self.kinds = ("none", *(e.name for e in self.rows), "hold")
        self.unnamed = len(self.rows) + 1
        self.s = settings
        self.sway_from_gyro = sway_from_gyro
        self.sides_known = sides_known
        self.frame_s = settings.frame_s
        self._rate_ema = Ema(self.frame_s, 0.3)
        self._floor_ema = Ema(self.frame_s, 5.0)
        self._slow_ema = Ema(self.frame_s, 2.0)
        self._jit_ema = Ema(self.frame_s, 1.0)
        self._t0: float | None = None
        self.floor_g = np.inf
        self._prev_up: FloatArray | None = None
        self._up_lp = IIRFilter(TURN_CUTOFF_HZ, 1.0 / self.frame_s)
        self._prev_slow: FloatArray | None = None
        self._cand: _Candidate | None = None
        self.open: _Open | None = None
        self.last_t: float | None = None
        pairs = alternating_pairs(exercises)
        self.bird_dog = (BirdDogDetector(settings, pairs[0], sides_known, self.frame_s)
                         if pairs else None)
        self._bird_sets: list[tuple[float, float]] = []
        """Spans of finished bird dog sets (a front-down hold inside one is not a plank)."""
        self._recent = np.zeros((5, 0))
        """(t, elevation, azimuth, pelvis height, angular speed) of the last ``RECENT_S``
        before this block and the block."""
        self._pending: list[HoldSpan] = []
        """Front-down holds waiting for the bird dog bout around them to close."""

    @property
    def bird_sets(self) -> list[tuple[float, float]]:
        """(start, end) of the bird dog sets finished in the last hour."""
        return list(self._bird_sets)

    @property
    def earliest_open_s(self) -> float | None:
        """Start of the earliest hold, bout or pending hold still to be reported."""
        starts = [x for x in (None if self.open is None else self.open.start_s,
                              None if self.bird_dog is None else self.bird_dog.open_since,
                              *(h.start_s for h in self._pending)) if x is not None]
        return min(starts) if starts else None

    # ------------------------------------------------------------------ public
    def push(self, t: FloatArray, up_body: FloatArray | None, motion_g: FloatArray | None,
             jitter_g: FloatArray | None, gyro_used: NDArray[np.bool_] | None = None,
             height_m: FloatArray | None = None) -> tuple[list[HoldSpan], list[Alert]]:
        """``gyro_used`` (m,): frames whose up vector came from the gyro-aided filter (sway
        shows there); None: all of them, as ``sway_from_gyro`` says. ``height_m`` (m,): the
        pelvis height (core.height, NaN where unknown): lying flat is on the floor, not on
        all fours (a bridge comes up from lying on the back)."""
        holds: list[HoldSpan] = []
        alerts: list[Alert] = []
        if t.size == 0 or up_body is None or motion_g is None or jitter_g is None:
            return holds, alerts
        elev, az = posture_angles(up_body)
        hgt = np.full(t.size, np.nan) if height_m is None else np.asarray(height_m, float)
        kind = hold_kind(elev, az, self.s, self.sides_known, self.rows)
        # a posture being recognised survives dipping a little below its band (a low plank
        # sways across the band's edge); a new one starts only inside the band
        near = hold_kind(elev + self.s.hold_low_margin_deg, az, self.s, self.sides_known,
                         self.rows)
        rate = self._rate(up_body)
        self._recent = np.concatenate([self._recent, np.vstack([t, elev, az, hgt, rate])],
                                      axis=1)
        turn = self._turn(up_body)
        effort = self._effort(t, motion_g, jitter_g)
        active = effort >= self.s.hold_effort_min_g
        if self.sway_from_gyro:
            moving = self._not_still(rate)
            active &= moving if gyro_used is None else (moving | ~gyro_used)
        sides = [] if self.bird_dog is None else self.bird_dog.push(t, elev, az, active)
        gap = gaps_before(t, self.last_t, self.s.max_gap_in_episode_s)
        # Frames out of every hold posture, with no hold open, only reset the candidate:
        # step over them in bulk (a desk day is almost all such frames).
        busy = np.flatnonzero((kind != NONE) | (near != NONE) | gap)
        i = 0
        while i < t.size:
            k_i = int(kind[i])
            c = self._cand
            if k_i == NONE and c is not None and self.open is None and (
                    int(near[i]) == c.kind
                    # a brief dip further out of a plank's band (a shaky body at its
                    # edge: a side plank held at 6.3 deg swaying +-3.5 deg); not a
                    # bridge's, which repetitions leave and enter again and again
                    or (float(t[i]) - c.seen_s <= self.s.hold_exit_s
                        and self._plank_band(c.kind))):
                k_i = c.kind
            if self.open is None and k_i == NONE and not gap[i]:
                self._cand = None
                k = int(np.searchsorted(busy, i, side="right"))
                i = int(busy[k]) if k < busy.size else t.size
                continue
            ti = float(t[i])
            if gap[i] and self.open is not None:
                prev = float(t[i - 1]) if i > 0 else (self.last_t or ti)
                holds += self._end(prev + self.frame_s / 2, "rest")
                self._cand = None
            if self.open is not None:
                holds += self._step_open(ti, float(elev[i]), float(az[i]), float(rate[i]),
                                         float(motion_g[i]), alerts, float(effort[i]))
            if self.open is None:
                self._step_idle(ti, k_i, float(rate[i]), bool(active[i]),
                                float(motion_g[i]), float(az[i]), float(turn[i]),
                                float(elev[i]), float(effort[i]))
                c = self._cand
                if c is not None and c.kind in (int(kind[i]), int(near[i])):
                    c.seen_s = ti
            i += 1
        self.last_t = float(t[-1])
        self._recent = self._recent[:, self._recent[0] >= self.last_t - RECENT_S]
        return self._resolve(holds, sides), alerts

    def flush(self) -> list[HoldSpan]:
        holds: list[HoldSpan] = []
        if self.open is not None:
            end = (self.open.t[-1] if self.open.t else self.open.start_s) + self.frame_s / 2
            holds = self._end(end, "end_of_recording")
        sides = [] if self.bird_dog is None else self.bird_dog.flush()
        return self._resolve(holds, sides)

    # ------------------------------------------------------------------ bird dog
    def _resolve(self, holds: list[HoldSpan], sides: list[BirdDogSide]) -> list[HoldSpan]:
        """Bird dog sides become holds; a front-down hold mostly inside a bird dog set is
        the set seen as one posture, not a plank. Front-down holds wait while a bout that
        may contain them is open."""
        if self.bird_dog is None:
            return holds
        out: list[HoldSpan] = []
        if sides:
            # the set: the bouts on all fours its sides were found in (a front-down hold
            # there, before, between or after the sides, is the set seen as one posture)
            self._bird_sets += sorted({sd.bout_s for sd in sides} - set(self._bird_sets))
            for sd in sides:
                out.append(HoldSpan(sd.kind, sd.start_s, sd.end_s, "rest", (), 0.0, "sag", 0.0,
                                    sd.azimuth_deg, {"hip_rotation_deg": sd.hip_rotation_deg,
                                          "roll_sway_deg": sd.roll_sway_deg}))
        front = {"hold"} | {r.name for r in self.rows
                            if r.down_az_deg == self.bird_dog.left.down_az_deg}
        for h in holds:
            (self._pending if h.kind in front else out).append(h)
        since = self.bird_dog.open_since
        keep = []
        for h in self._pending:
            if since is not None and h.end_s >= since:
                keep.append(h)
                continue
            inside = sum(max(0.0, min(h.end_s, b) - max(h.start_s, a))
                         for a, b in self._bird_sets)
            if inside < 0.5 * h.duration_s:
                out.append(h)
        self._pending = keep
        if self._bird_sets and self.last_t is not None:
            self._bird_sets = [x for x in self._bird_sets if x[1] > self.last_t - 3600.0]
        return sorted(out, key=lambda h: h.start_s)

    # ------------------------------------------------------------------ features
    def _speed(self, up: FloatArray, prev: FloatArray | None) -> FloatArray:
        """Angle between consecutive unit vectors of ``up`` (the first against ``prev``,
        the last vector of the block before, or itself), per second."""
        first = up[:, :1] if prev is None else prev
        both = np.concatenate([first, up], axis=1)
        cos = np.clip((both[:, 1:] * both[:, :-1]).sum(axis=0), -1.0, 1.0)
        out: FloatArray = np.degrees(np.arccos(cos)) / self.frame_s
        return out

    def _rate(self, up: FloatArray) -> FloatArray:
        """Angular speed of the up vector, deg/s, smoothed over about 0.3 s."""
        raw = self._speed(up, self._prev_up)
        self._prev_up = up[:, -1:].copy()
        out: FloatArray = self._rate_ema(raw[None])[0]
        return out

    def _turn(self, up: FloatArray) -> FloatArray:
        """Turning speed of the trunk below ``TURN_CUTOFF_HZ``, deg/s: reaching, tying and
        bending turn the trunk slowly and far; tremor (3-12 Hz) turns it fast and little,
        and a shaky person in a plank is still holding it."""
        slow = self._up_lp(up)
        slow = slow / np.maximum(np.linalg.norm(slow, axis=0), 1e-12)
        out = self._speed(slow, self._prev_slow)
        self._prev_slow = slow[:, -1:].copy()
        return out

    def _not_still(self, rate: FloatArray) -> NDArray[np.bool_]:
        """A held plank sways (postural control, about a degree at 0.1-1 Hz); a body at
        rest only breathes: its up vector turns slower than ``hold_rest_rate_dps``."""
        return np.asarray(self._slow_ema(rate[None])[0] >= self.s.hold_rest_rate_dps)

    def _effort(self, t: FloatArray, motion: FloatArray, jitter: FloatArray) -> FloatArray:
        """Effort: micro-motion of a working body, above the sensor's own noise. Slow
        components come from the frame means above 1 Hz (``motion``), muscle tremor
        (8-12 Hz) from the spread within frames (``jitter``); the noise of both (which
        grows as fewer samples fall in a frame: 25 Hz is noisier than 100 Hz) is the
        quietest level seen so far, learnt after the first seconds while filters settle.
        """
        esq = motion * motion + jitter * jitter
        if self._t0 is None:
            self._t0 = float(t[0])
        smooth = self._floor_ema(esq[None])[0]
        ready = t - self._t0 >= FLOOR_WARMUP_S
        cand = np.where(ready, smooth, np.inf)
        learnt = np.minimum.accumulate(np.concatenate([[self.floor_g], cand]))[1:]
        self.floor_g = float(learnt[-1])
        floor = np.where(np.isfinite(learnt), learnt, smooth)
        esq1 = self._jit_ema(esq[None])[0]
        out: FloatArray = np.sqrt(np.maximum(esq1 - floor, 0.0))
        return out

    # ------------------------------------------------------------------ states
    def _lying_before(self, start: float, az: float) -> float | None:
        """Median azimuth of the frames lying flat (long axis within ``LYING_DEG`` of
        horizontal, turning slower than ``hold_settle_dps``) with the same side down in the
        ``LYING_BEFORE_S`` before ``start``: a
        bridge's roll is taken from there, so a mounting's roll offset cancels."""
        t, e, a, hgt, rate = self._recent
        # lying, not passing through horizontal: from a plank down to child's pose the
        # trunk sweeps through it at 10-20 deg/s for a second
        sel = ((t >= start - LYING_BEFORE_S) & (t <= start) & (np.abs(e) <= LYING_DEG)
               & (np.abs(wrap_deg(a - az)) <= self.s.hold_side_half_width_deg)
               & ~(hgt > LYING_MAX_M) & (rate < self.s.hold_settle_dps))
        if np.count_nonzero(sel) < round(1.0 / self.frame_s):
            return None
        return float(az + np.median(wrap_deg(a[sel] - az)))

    def _step_idle(self, t: float, kind: int, rate: float, active: bool, motion: float,
                   az: float, turn: float, elev: float, effort: float) -> None:
        """Recognise a hold: ``hold_confirm_s`` in one hold posture, held (the trunk not
        busy: median motion under ``hold_busy_g`` and turning slower than
        ``hold_turn_dps``, unlike a bend to the floor with the hands at work) and with
        effort (tremor or sway above the resting level) in at least half of the frames
        after the window's first second. Effort is needed to recognise a hold, not to
        keep it."""
        s = self.s
        if kind == NONE:
            self._cand = None
            return
        c = self._cand
        if (c is None or c.kind != kind
                or ((kind == self.unnamed or not self.sides_known)
                    and abs(float(wrap_deg(az - c.az0))) > s.hold_side_half_width_deg)):
            c = self._cand = _Candidate(kind, t, az)
        c.quiet = 0 if active else c.quiet + 1
        if c.quiet * self.frame_s >= QUIET_RESTART_S:
            # resting in the posture: a hold recognised later begins after this
            c = self._cand = _Candidate(kind, t, az)
        c.rates.append(rate)
        c.active.append(active)
        c.effort.append(effort)
        c.motion.append(motion)
        c.turn.append(turn)
        c.t.append(t)
        c.elev.append(elev)
        c.az.append(az)
        if t - c.t0 + self.frame_s < s.hold_confirm_s:
            return
        n = round(s.hold_confirm_s / self.frame_s)
        # effort is judged without the window's first second: the entry movement's
        # residual motion there is not effort (a drop to lying prone has it too)
        skip = min(round(1.0 / self.frame_s), n - 1)
        acts, turns, motions = c.active[-n + skip:], c.turn[-n:], c.motion[-n:]
        turn = float(np.median(turns))
        if turn >= s.hold_turn_dps:
            # a shaky person sways fast but stays in place; a bend or tying shoes moves on
            spread = max(float(np.ptp(np.asarray(c.elev[-n:]))),
                         float(np.ptp(wrap_deg(np.asarray(c.az[-n:]) - c.az[-1]))))
            if turn >= 2.0 * s.hold_turn_dps or spread > SWAY_SPREAD_DEG:
                return  # busy (a bend, tying shoes): not yet
        if np.mean(acts) < 0.5 or float(np.median(motions)) >= s.hold_busy_g:
            return  # resting on an incline, or busy: not yet
        lo = self._band(kind)[0]
        low = 0.0
        elev_med = float(np.median(c.elev[-n:]))
        if elev_med < lo:
            # mostly below the band (lying, a low bend): frames may dip, not the posture,
            # unless a plank or side plank is held hard that low, its effort not fading
            m = round(LOW_HOLD_EFFORT_S / self.frame_s)
            sec = round(1.0 / self.frame_s)
            if (len(c.effort) < m + n
                    or not self._held_hard_low(kind, elev_med, lo, c.effort[-m:], motions)
                    or float(np.median(c.effort[-sec:]))
                    < LOW_HOLD_FADE * float(np.median(c.effort[-m:-m + sec]))):
                return
            low = LOW_HOLD_DEG
        settled = [i for i, r in enumerate(c.rates) if r < s.hold_settle_dps]
        start = c.t0 + (settled[0] if settled else 0) * self.frame_s - self.frame_s / 2
        centre = (self.rows[kind - 1].down_az_deg if kind != self.unnamed and self.sides_known
                  else az)
        lying = self._lying_before(start, az)
        if lying is None and self._band(kind)[1] < 0:
            return  # head-end down but not up from lying flat: child's pose, not a bridge
        h = self.open = _Open(kind=kind, start_s=start, centre_az=centre, lying_az=lying,
                              low_deg=low)
        # the frames since the start belong to the hold (its reference and start use them)
        first = settled[0] if settled else 0
        h.t, h.elev, h.az = c.t[first:], c.elev[first:], c.az[first:]
        h.rate, h.motion, h.effort = c.rates[first:], c.motion[first:], c.effort[first:]
        self._cand = None

    def _step_open(self, t: float, elev: float, az: float, rate: float, motion: float,
                   alerts: list[Alert], effort: float) -> list[HoldSpan]:
        """A hold lasts while the posture holds: it ends when the trunk leaves the hold band
        (``hold_exit_s``) or moves away from where it has been (beyond ``hold_exit_deg``
        for ``hold_depart_s``: dropping to the knees or the floor), not when effort fades
        (a steady athlete's tremor is near the sensor's noise)."""
        h = self.open
        assert h is not None
        s = self.s
        h.t.append(t)
        h.elev.append(elev)
        h.az.append(az)
        h.rate.append(rate)
        h.motion.append(motion)
        h.effort.append(effort)
        lo, hi = self._band(h.kind)
        lo -= h.low_deg
        # sagging may rise above the band, but a head-end-down band (a bridge) not to
        # lying flat: half way there at most (a bridge hold recognised on the last
        # repetition's way down ran on over the rest lying flat, seed 9918)
        top = hi + s.hold_drift_margin_deg if hi >= 0.0 else hi / 2.0
        in_place = (abs(float(wrap_deg(az - h.centre_az))) <= s.hold_side_half_width_deg
                    and elev <= top)
        if h.track is None:
            h.track = (elev, az)
        moved = max(abs(elev - h.track[0]), abs(float(wrap_deg(az - h.track[1]))))
        # sinking flat (below the band) or moving far: a drop to the floor, or a pike
        # break that comes back within hold_depart_s
        departed = (moved > s.hold_exit_deg
                    or elev < lo - s.hold_low_margin_deg)
        if not in_place or departed:
            h.back_since = None
            if h.away_since is None:
                h.away_since = t
            limit = s.hold_exit_s if not in_place else s.hold_depart_s
            if t - h.away_since >= limit:
                # out of the band: the exit began before it left; moved away within the
                # band: a form break may have been held first, so look back from now
                return self._end(self._departure(h.away_since if not in_place else t),
                                 "rest")
            if not in_place:
                return []
        else:
            k = self.frame_s / s.hold_track_tau_s
            h.track = (h.track[0] + k * (elev - h.track[0]),
                       h.track[1] + k * float(wrap_deg(az - h.track[1])))
            if h.away_since is not None:
                # a wobble out and back: only a second back in place counts as back
                if h.back_since is None:
                    h.back_since = t
                if t - h.back_since >= 1.0:
                    h.away_since = None
        if h.ref is None:
            if t - h.start_s >= s.hold_reference_s:
                self._settle_start(h)
            return []
        d_elev = elev - h.ref[0]
        d_az = float(wrap_deg(az - h.ref[1]))
        if abs(d_az) >= abs(d_elev):
            kind_name, dev = "twist", abs(d_az)
        else:
            kind_name, dev = ("sag" if d_elev > 0 else "pike"), abs(d_elev)
        thr = s.form_break_deg
        if dev > thr:
            if h.break_since is None:
                h.break_since, h.break_kind, h.break_peak = t, kind_name, dev
                h.break_emitted = False
            h.break_peak = max(h.break_peak, dev)
            if not h.break_emitted and t - h.break_since >= s.form_break_min_s:
                h.break_emitted = True
                alerts.append(Alert(round(t, 3), "form_break",
                                    f"form break: {h.break_kind} of {dev:.0f} deg in "
                                    f"{self.kinds[h.kind].replace('_', ' ')}"))
        elif dev < thr - 2.0 and h.break_since is not None:
            self._close_break(h)
        return []

    def _settle_start(self, h: _Open) -> None:
        """Set the reference posture (median of the first seconds) and move the start to
        the first frame that reached it: a slow entry (from side-lying, say) can pass the
        speed test before the body is in position."""
        t = np.asarray(h.t)
        elev, az = np.asarray(h.elev), np.asarray(h.az)
        late = t >= h.start_s + 1.0
        h.ref = (float(np.median(elev[late])), float(np.median(az[late])))
        near = ((np.abs(elev - h.ref[0]) <= START_DEG)
                & (np.abs(wrap_deg(az - h.ref[1])) <= START_DEG))
        first = np.flatnonzero(near)
        if first.size:
            h.start_s = max(h.start_s, float(t[first[0]]) - self.frame_s / 2)

    def _departure(self, exit_t: float, hold: _Open | None = None) -> float:
        """Where the exit movement began. ``exit_t`` is when posture or effort was lost;
        the posture reached by then is the resting one. Walking back, find the last
        frame not yet at rest, take the level held in the seconds before it, and return
        the last frame still at that level: the start of the move out of the hold (a slow
        drift earlier in the hold does not count as leaving it). ``hold``: the hold (the
        open one by default)."""
        h = self.open if hold is None else hold
        assert h is not None
        t = np.asarray(h.t)
        e = np.radians(np.asarray(h.elev))
        z = np.radians(np.asarray(h.az))
        u = np.vstack([-np.cos(e) * np.cos(z), np.cos(e) * np.sin(z), np.sin(e)])

        def dist(i: NDArray[np.bool_] | NDArray[np.int64], ref: FloatArray) -> FloatArray:
            out: FloatArray = np.degrees(np.arccos(np.clip(ref @ u[:, i], -1.0, 1.0)))
            return out

        upto = np.flatnonzero(t <= exit_t)
        if upto.size < 5:
            return exit_t
        final = _unit(np.median(u[:, upto[-5:]], axis=1))
        away = upto[dist(upto, final) > DEPARTURE_DEG]
        if away.size == 0:
            return exit_t  # never left the resting posture: effort stopped in place
        j = int(away[-1])
        before = np.flatnonzero((t >= t[j] - 4.0) & (t <= t[j] - 1.0))
        if before.size < 3:
            return float(t[j]) + self.frame_s / 2
        level = _unit(np.median(u[:, before], axis=1))
        idx = np.arange(j + 1)
        held = idx[(dist(idx, level) <= DEPARTURE_DEG) & (t[idx] >= t[j] - 6.0)]
        k = int(held[-1]) if held.size else j
        return float(t[k]) + self.frame_s / 2

    def _before_sinking(self, h: _Open, lo: float, end_s: float) -> float | None:
        """End of the part of ``h`` before it sank below its band for good (``lo``: the
        band's floor), or None: a plank lowered to lying prone only a few degrees below it
        neither sinks flat nor moves ``hold_exit_deg`` away, and the hold went on over the
        rest (a simulated person held a plank at 10 deg and lay at 4-5). The part before
        must be a hold by itself: at least ``hold_min_s``, mostly in the band."""
        t, e = np.asarray(h.t), np.asarray(h.elev)
        sel = (t >= h.start_s) & (t <= end_s)
        t, e = t[sel], e[sel]
        if t.size == 0:
            return None
        below = e < lo
        share = np.cumsum(below[::-1])[::-1] / np.arange(below.size, 0, -1)
        down = np.flatnonzero(below & (share >= SUNK_SHARE))
        if down.size == 0 or down[0] == 0:
            return None
        j = int(down[0])
        end = min(self._departure(float(t[j]), h), float(t[j]))
        part, rest = e[t < end], e[j:]
        if end - h.start_s < self.s.hold_min_s or part.size == 0 or float(np.median(part)) < lo:
            return None
        rate = np.asarray(h.rate)[sel]
        moved = rate[(t >= end - 1.0) & (t <= t[j] + 1.0)]
        if (float(np.median(part) - np.median(rest)) < SUNK_DROP_DEG or moved.size == 0
                or float(moved.max()) < self.s.hold_settle_dps):
            return None  # drifted below the band in place: a low plank tiring, not lying
        return end

    def _band(self, kind: int) -> tuple[float, float]:
        """Elevation band of a hold posture (``unnamed``: the settings' hold band)."""
        if kind == self.unnamed:
            return self.s.hold_elev_min_deg, self.s.hold_elev_max_deg
        return self.rows[kind - 1].elevation_band(self.s)

    def _plank_band(self, kind: int) -> bool:
        """Whether the posture's band is the planks' (the settings' hold band)."""
        return kind == self.unnamed or self.rows[kind - 1].elev_deg is None

    def _held_hard_low(self, kind: int, elev_med: float, lo: float,
                       effort: Sequence[float] | FloatArray,
                       motion: Sequence[float] | FloatArray) -> bool:
        """Whether frames of a plank or side plank mostly below its band (``lo``) are it
        held hard that low (``LOW_HOLD_*``), not lying prone: recognised at the band's
        edge, a plank at 5.8 deg was dropped for lying prone (truth 6.3 deg)."""
        s = self.s
        return (self._plank_band(kind) and elev_med >= lo - LOW_HOLD_DEG
                and float(np.percentile(effort, 25.0)) >= LOW_HOLD_EFFORT * s.hold_effort_min_g
                and float(np.median(motion)) < LOW_HOLD_BUSY * s.hold_busy_g)

    def _sagged(self, h: _Open, inside: NDArray[np.bool_], lo: float) -> bool:
        """Whether a hold mostly below its band (``lo``), with no drop to lying found
        (``_before_sinking``), was in the band for its first ``hold_min_s``: a plank or
        side plank sagging slowly below it as it tires, not lying prone (a side plank
        sagging 7 to -2 deg over 60 s was dropped whole, workout_wide_steady_25hz)."""
        t, e = np.asarray(h.t)[inside], np.asarray(h.elev)[inside]
        first = t < t[0] + self.s.hold_min_s
        return bool(first.any() and float(np.median(e[first])) >= lo)

    @staticmethod
    def _close_break(h: _Open, end_s: float | None = None) -> None:
        """Record the open break. At the end of a hold (``end_s``) its size is taken over
        the frames before the end only: the exit movement is not part of the break."""
        if h.break_since is not None and h.break_emitted:
            peak = h.break_peak
            if end_s is not None and h.ref is not None:
                t = np.asarray(h.t)
                sel = (t >= h.break_since) & (t <= end_s)
                if sel.any():
                    d_e = np.abs(np.asarray(h.elev)[sel] - h.ref[0])
                    d_a = np.abs(wrap_deg(np.asarray(h.az)[sel] - h.ref[1]))
                    peak = float(np.maximum(d_e, d_a).max())
            h.breaks.append(FormBreak(h.break_since, h.break_kind, peak))
        h.break_since = None
        h.break_emitted = False

    def _end(self, end_s: float, ended_by: str) -> list[HoldSpan]:
        h = self.open
        assert h is not None
        self.open = None
        self._close_break(h, end_s)
        breaks = tuple(b for b in h.breaks if b.t_s < end_s)
        if end_s - h.start_s < self.s.hold_min_s:
            return []
        t = np.asarray(h.t)
        inside = (t >= h.start_s) & (t <= end_s)
        if inside.any() and float(np.median(np.asarray(h.motion)[inside])) >= self.s.hold_busy_g:
            return []  # the trunk was busy most of the time: a bend or a task, not a hold
        lo = self._band(h.kind)[0] - h.low_deg
        elev_med = float(np.median(np.asarray(h.elev)[inside])) if inside.any() else 0.0
        if inside.any() and elev_med < lo:
            # mostly below the band: lying with the front down, not a plank, unless it
            # was a plank first and went down a few degrees to lie prone
            cut = self._before_sinking(h, lo, end_s)
            if cut is not None:
                end_s, ended_by = cut, "rest"
                breaks = tuple(b for b in breaks if b.t_s < end_s)
                inside = (t >= h.start_s) & (t <= end_s)
            elif not (self._held_hard_low(h.kind, elev_med, lo, np.asarray(h.effort)[inside],
                                          np.asarray(h.motion)[inside])
                      or self._sagged(h, inside, lo)):
                return []
        if (h.kind != self.unnamed and "reps" in self.rows[h.kind - 1].modes
                and excursions(np.asarray(h.elev)[inside], self.s.hold_exit_deg)
                >= REPS_EXCURSIONS):
            return []  # out of the posture and back again and again: repetitions, not a hold
        if ended_by == "rest" and breaks and end_s - breaks[-1].t_s <= BREAK_ENDS_HOLD_S:
            ended_by = "form_break"
        elev = np.asarray(h.elev)
        ref = h.ref[0] if h.ref is not None else float(np.median(elev)) if elev.size else 0.0
        tail = elev[(t >= end_s - self.s.hold_reference_s) & (t <= end_s)]
        drift = float(np.median(tail)) - ref if tail.size else 0.0
        azm = h.ref[1] if h.ref is not None else h.centre_az
        name, form = self.kinds[h.kind], dict[str, float]()
        if h.kind != self.unnamed and self.variants.get(h.kind):
            row = self.rows[h.kind - 1]
            held = float(np.median(np.asarray(h.az)[inside])) if inside.any() else azm
            if h.lying_az is not None:  # the roll from lying flat just before
                held = row.down_az_deg + float(wrap_deg(held - h.lying_az))
            if h.lying_az is not None or self.sides_known:
                name, form = by_roll(row, self.variants[h.kind], held, self.s)
        return [HoldSpan(name, round(h.start_s, 3), round(end_s, 3), ended_by,
                         breaks, abs(drift), "sag" if drift > 0 else "pike", ref, azm, form)]
