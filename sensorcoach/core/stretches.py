"""The routine's stretches: recognised, timed, and marked when the target time is reached.

Rows: the catalogue's ``stretch`` rows (core.catalogue): leaning hamstring stretch, child's
pose, knee to belly (left/right: the knee pulled in), cross (left/right: the side the
knees fall to). Cat-cow is counted as repetitions (core.reps), not here.

A stretch is held *relaxed*: no muscle tremor, no sway beyond breathing (each axis of
the frame-mean acceleration varies less than ``stretch_quiet_g`` over a second, core.height,
in at least ``stretch_still_share`` of its frames), for at least ``stretch_min_s``. What
it is comes from the posture of the lower back (world up in the body frame, as
core.holds: elevation ``elev`` of the long axis above horizontal, azimuth ``az`` of the
side facing the floor, 0 front, +90 right, 180 back) and from the pelvis height
(core.height), because several relaxed postures look alike:

- front down (|az| <= 45), long axis within ``stretch_fold_max_elev_deg`` of
  horizontal: a fold with the pelvis at standing height (at least
  ``stretch_standing_m``, halfway between standing, 0.95 m, and all fours, 0.55 m) that
  did not lower it by ``stretch_kneel_drop_m`` from the upright posture before (a
  standing fold moves the hips back, hardly down) is the *hamstring stretch*. Any other
  relaxed fold with the long axis below ``stretch_child_max_elev_deg`` (head end down;
  the hips sit back on the heels, 0.62 to 0.30 m, though the drop is often not measured
  well enough to require it) is *child's pose*. All fours (long axis -5..+10 deg, pelvis
  0.07 m below kneeling) has the tremor of holding the body up, and a bird dog set
  found there (the analyzer) stands over a child's pose; lying prone (about 0 deg) is
  neither. With the height unknown (no
  anchor yet, or the integration failed: core.height), no hamstring stretch is
  reported: a fold cannot be told from all fours or lying prone.
- back down, rolled 18-78 deg toward a side (|az| 102-162): the *cross*, named by the
  side rolled down (the knees fall to it; the simulator rolls the pelvis 30-70 deg, lying
  on a side is 90 and lying flat on the back 0-6: the limits sit halfway).
- back down and flat (rolled under 18 deg): *knee to belly* when the pelvis tilts
  posteriorly (the tailbone lifts, the long axis head end down) at least
  ``stretch_knee_tilt_deg`` beyond the flat lying posture just before (within
  ``BASELINE_MAX_AGE_S``: the person's own supine level, as people and sensor mountings
  differ by several degrees), or beyond ``stretch_knee_abs_deg`` below horizontal when
  the person did not lie flat just before (after a bridge, getting down), with the
  pelvis on the floor (a glute bridge lifts it 0.2-0.5 m, and has effort). The knee
  pulled in rolls its side up: the side is the sign of the roll against that flat
  level (against 0 without it).

With the forward direction unknown (no calibration spans: only the up axis is known),
front and back, left and right are inferred from how the trunk tilts above the floor: a
trunk tilted 25-50 deg from upright with the pelvis off the floor leans forward (lumbar
extension stops at 20-30 deg while flexion reaches 60-90: standing folds, hip hinges,
slumps, getting down to all fours; on the floor, lying down backward and sitting up
tilt it backward, and are left out; getting into a side plank tilts it sideways). The
most common direction of those tilts so far is forward (once ``FORWARD_MIN_S`` of them
agree, and most tilts do), and left = up x forward. Until
then no stretch is reported (a fold cannot be told from lying on a side, nor front from
back); the detector's ``note`` says so. The height tracker's floor anchor then takes any
still horizontal trunk unless the pelvis is near standing height.

A stretch posture taken within ``FALL_WINDOW_S`` of an impact (``IMPACT_G``) or of
coming to rest after a descent faster than core.height's ``FALL_SPEED_MS`` is lying
after a fall (SisFall's forward falls end folded on the floor), not a stretch.

Timing: a stretch starts at the first frame within ``START_DEG`` of its posture around it
(the median over ``LOCAL_S``: people ease deeper as a stretch relaxes) with the trunk
settled (turning slower than ``SETTLED_DPS``: the entry movement is not
stretch time; a movement of ``ENTRY_DEG`` or more in the first half of the posture's run
is its entry, and what lay before it a rest) and ends at the last such frame (before a
movement in the second half: its exit); it is
``reached`` when that time is at least the target (``stretch_target_s``; the person's own
target of 20, 25 or 30 s is not visible to the sensor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.activity import runs
from sensorcoach.core.filters import Ema
from sensorcoach.core.frames import wrap_deg
from sensorcoach.core.framing import gaps_before
from sensorcoach.core.height import FLOOR_M
from sensorcoach.core.settings import Settings

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

NONE, FOLD, CHILD, KNEE, CROSS = range(5)
#: deg: front down is within this of az 0; back down beyond 180 minus it.
FRONT_HALF_DEG = 45.0
#: deg: roll of a back-down posture toward a side: cross between these (lying flat on
#: the back rolls 0-6 deg, knee to belly included; a cross 30-70; on a side 90).
CROSS_ROLL_DEG = (18.0, 78.0)
#: deg: a cross keeps the long axis near horizontal (shoulders flat on the floor).
CROSS_MAX_ELEV_DEG = 25.0
#: deg: lying still on the back or a side with the long axis within this of horizontal
#: puts the pelvis on the floor (the height tracker's anchor): lying flat reads -3..+6 deg;
#: a glute bridge held low, 15 deg of incline, read -12 at a tilted mounting and was taken
#: for the floor at 12 (its lift lost, it became knee to belly). Design choice between.
FLOOR_FLAT_DEG = 8.0
#: m: the pelvis lifted this far above the floor is not lying (a glute bridge).
LIFTED_M = 0.12
#: s: knee to belly is judged against the flat lying level only if the person lay flat
#: within this before (pulling a knee in from lying flat); otherwise (after a bridge,
#: getting down) against ``stretch_knee_abs_deg``.
BASELINE_MAX_AGE_S = 15.0
#: g: within-frame spread above the quietest level seen that is tremor, not a relaxed
#: body (design choice: rests read 4-5 mg at 50-100 Hz on the simulated routine, holds
#: 14-30 mg).
TREMOR_G = 0.005
#: g: a within-frame spread this large is an impact (a fall onto the floor: 1.5 g and
#: more at the waist in SisFall's falls; walking reaches 0.5 g, jogging 2 g)...
IMPACT_G = 1.0
#: s: ...and a stretch posture taken within this of one is lying after a fall, not a
#: stretch (a deliberate stretch starts from rest, or some seconds after a jog).
FALL_WINDOW_S = 5.0
#: s: the height tracker marks a fall when the body has been still for 1.8 s (its
#: stillness window and shortest rest), which may be after the posture began.
FALL_LAG_S = 3.0
#: deg: a posture this far from where the stretch has been (following it over
#: ``TRACK_S``: easing deeper is slower) is out of it: letting a knee go and pulling the
#: other in, or a fold turning into all fours, is a new posture, not more stretch time
#: (breathing turns the lower back about a degree).
DEPART_DEG = 4.0
#: deg: the long axis this far below the flat lying level, back down, is a bridge (15-35
#: deg; knee to belly tilts 5-20): the flat level before it no longer holds after it.
BRIDGE_DEG = 12.0
#: s: time constant of following the stretch's posture (design choice: a hamstring
#: stretch eased 12 deg deeper in 23 s, at up to 1.2 deg/s, fell behind a 5 s follower by
#: more than DEPART_DEG and was cut; a leg switch or a new posture turns faster).
TRACK_S = 2.5
#: deg/s and s: turning faster than this for this long in a stretch is a movement that
#: ends it (breathing turns the lower back under 2 deg/s; switching legs in knee to belly
#: turned it 4-5 deg/s for 1-1.5 s in the simulated routine; design choice).
MOVE_DPS = 3.0
MOVE_S = 0.5
#: s: a posture leaving the stretch for this long ends it.
EXIT_S = 1.5
#: s: a candidate is judged after this long in one stretch posture.
CONFIRM_S = 5.0
#: deg: the stretch's own posture: timing starts and ends within this of its median
#: over ``LOCAL_S`` around the frame...
START_DEG = 4.0
#: s: ...a span short beside a stretch (20-30 s), long beside the entry and exit.
LOCAL_S = 5.0
#: s: a stretch may have begun this long before its posture entered the stretch band
#: (a child's pose at -2..-4 deg easing down to -8, a knee pulled in slowly): the settled,
#: relaxed frames in place just before count (design choice: the entry movement before
#: them is not settled, and stops the look back).
PRE_S = 15.0
#: s: ...stepping over frames not in place for up to this long (design choice: breathing
#: and noise at 12.5 Hz turn the lower back 1-2.5 deg/s, near ``SETTLED_DPS``, for up to
#: 0.6 s; an entry movement takes 2-5 s).
LOOK_GAP_S = 1.0
#: deg/s: ...with the trunk turning slower than this (the entry and exit movements are
#: faster: 5-70 deg in 2-5 s)...
SETTLED_DPS = 2.0
#: s: ...measured over this span, centred.
SPEED_SPAN_S = 0.4
#: deg: frames not settled that turn the trunk this far are a movement, which a stretch
#: begins after (breathing and noise unsettle a frame or a few and turn it back within
#: 1-1.5 deg; pulling a knee in from lying flat turns the lower back 5-20 deg; design
#: choice between).
ENTRY_DEG = 3.0
#: Frames of flat lying whose median is the person's flat level (1 s).
FLAT_FRAMES = 10
#: Frames lying flat in a row before they count as a rest (2 s; the low point of a
#: bridge done as repetitions is not one).
FLAT_REST_FRAMES = 20
#: s of forward tilts needed before front and back are inferred (no forward calibration).
FORWARD_MIN_S = 3.0
#: deg: forward-tilt directions are counted in bins this wide...
FORWARD_BIN_DEG = 10.0
#: deg: ...and forward is the mean within this of the most common direction.
FORWARD_WINDOW_DEG = 30.0
#: m: tilts count toward forward only with the pelvis above this (or its height unknown):
#: on the floor, lying down backward and sitting up tilt the trunk backward.
ABOVE_FLOOR_M = 0.4
#: deg: tilt from upright beyond which a trunk above the floor leans forward, and up to
#: which: a side plank holds the trunk 5-35 deg above the floor (tilted 55-85 deg
#: sideways, with the pelvis height often misread), and a 25-75 deg range let two sets of
#: them outvote the forward leans (no stretches in 2 no-calibration routines of the
#: benchmark); slumps, hip hinges and getting down to the floor lean 25-50 deg.
FORWARD_TILT_DEG = (25.0, 50.0)


@dataclass(frozen=True)
class StretchSpan:
    kind: str
    start_s: float
    end_s: float
    target_s: float
    ended_by: str
    form: dict[str, float] = field(default_factory=dict)
    """Knee to belly: ``roll_deg``, the pelvis' roll against the flat lying level (against
    0 without one), + toward the right knee's side up (the row's ``roll_deg`` band)."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def reached(self) -> bool:
        return self.duration_s >= self.target_s


@dataclass
class _Run:
    code: int
    t: list[float] = field(default_factory=list)
    up: list[FloatArray] = field(default_factory=list)
    still: list[bool] = field(default_factory=list)
    h: list[float] = field(default_factory=list)
    out_since: float | None = None
    confirmed: bool = False
    base: tuple[float, float] | None = None
    """(elev, roll) of the flat lying level when the run began (knee to belly)."""
    ref: FloatArray | None = None
    """Where the stretch has been: its posture, following slowly (``TRACK_S``)."""
    fallen: bool = False
    """The posture came right after an impact: lying after a fall, not a stretch."""
    moving_since: float | None = None
    """Since when the trunk has turned faster than ``MOVE_DPS`` (None: not moving)."""
    pre: tuple[FloatArray, FloatArray, BoolArray] | None = None
    """(t, up (3, n), still) of the ``PRE_S`` before the run: a stretch eased into from
    outside its posture band began there (see ``_close``)."""


def angles(up: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Elevation of the long axis and azimuth of the side down, deg (core.holds)."""
    elev = np.degrees(np.arcsin(np.clip(up[2], -1.0, 1.0)))
    az = np.degrees(np.arctan2(up[1], -up[0]))
    return elev, az


class StretchDetector:
    """Streaming stretch detector over settled 0.1 s frames."""

    def __init__(self, settings: Settings, sides_known: bool = True):
        """``sides_known``: the up vectors pushed are in the body frame (forward known);
        otherwise in a frame around the calibrated up with arbitrary horizontal axes,
        and forward is inferred (see the module docstring)."""
        self.s = settings
        self.frame_s = settings.frame_s
        self.sides_known = sides_known
        self._fwd_bins = np.zeros(round(360.0 / FORWARD_BIN_DEG), np.int64)
        self._fwd_vec = np.zeros((self._fwd_bins.size, 2))
        self._flat: list[tuple[float, float, float]] = []  # last flat lying frames
        self._upright_h = np.nan  # pelvis height of the last upright frame
        self._jit_ema = Ema(settings.frame_s, 1.0)
        self._jit_floor = np.inf
        self._flat_run = 0  # consecutive flat lying frames
        self._impact_t = -np.inf  # time of the last impact (within-frame spread)
        self.fall_times: list[float] = []
        """When the body came to rest after a fall (core.height's ``falls``; the analyzer
        shares the height tracker's list)."""
        self._run: _Run | None = None
        self._hist = (np.zeros(0), np.zeros((3, 0)), np.zeros(0, bool))
        """(t, up, still) of the last ``PRE_S`` of frames and the current block."""
        self.last_t: float | None = None
        self.note: str | None = None

    @property
    def forward_xy(self) -> FloatArray | None:
        """Inferred forward direction in the pushed frame's horizontal axes, or None."""
        if self.sides_known:
            return np.array([1.0, 0.0])
        f, ok = self._forward_now()
        return f if ok else None

    @property
    def confirmed_start(self) -> float | None:
        """Start of the stretch under way once it is recognised (relaxed, in a stretch
        posture for ``CONFIRM_S``), or None."""
        r = self._run
        return r.t[0] if r is not None and r.confirmed and r.t else None

    @property
    def open_start(self) -> float | None:
        r = self._run
        return None if r is None or not r.t else r.t[0]

    def observe(self, up: FloatArray) -> tuple[BoolArray, BoolArray | None]:
        """Floor anchors for the height tracker, before ``push``: the frames lying on the
        back or a side (long axis within ``FLOOR_FLAT_DEG`` of horizontal; front down is not one, a
        standing fold shares it) and, without a forward calibration, the frames with the
        long axis horizontal (which the tracker takes as the floor unless the pelvis is
        near standing height)."""
        elev, az = angles(up)
        flat = np.abs(elev) <= FLOOR_FLAT_DEG
        if self.sides_known:
            return np.asarray(flat & (np.abs(az) >= 60.0)), None
        return np.zeros(up.shape[1], bool), np.asarray(flat)

    def _relaxed(self, jitter: FloatArray) -> BoolArray:
        """No tremor: the within-frame spread (smoothed over a second) within
        ``TREMOR_G`` of the quietest level seen (sensor noise, which grows as fewer samples
        fall in a frame). A hold's 8-12 Hz tremor adds 10-25 mg at 50-100 Hz; at 25 Hz it
        sits at the Nyquist limit and shows little."""
        sm = self._jit_ema(jitter[None])[0]
        floor = np.minimum.accumulate(np.concatenate([[self._jit_floor], sm]))[1:]
        self._jit_floor = float(floor[-1])
        return np.asarray(sm <= floor + TREMOR_G)

    def _body_frame(self, up: FloatArray, h: FloatArray) -> tuple[FloatArray, BoolArray]:
        """World up in the body frame per frame and whether front and back are known
        there: without a forward calibration, forward is learnt frame by frame from the
        trunk's tilts off the floor (see the module docstring)."""
        m = up.shape[1]
        if self.sides_known:
            return up, np.ones(m, bool)
        tilt = np.degrees(np.arccos(np.clip(up[2], -1.0, 1.0)))
        lo, hi = FORWARD_TILT_DEG
        sel = np.flatnonzero((tilt >= lo) & (tilt <= hi) & ~(h < ABOVE_FLOOR_M))
        fwd = np.zeros((2, m))
        known = np.zeros(m, bool)
        cur, ok = self._forward_now()
        last = 0
        for k in sel.tolist():  # only tilted frames change the estimate
            fwd[:, last:k] = cur[:, None]
            known[last:k] = ok
            d = -up[:2, k] / max(float(np.linalg.norm(up[:2, k])), 1e-12)
            b = int(np.degrees(np.arctan2(d[1], d[0])) % 360.0 // FORWARD_BIN_DEG)
            self._fwd_bins[b] += 1
            self._fwd_vec[b] += d
            cur, ok = self._forward_now()
            last = k
        fwd[:, last:] = cur[:, None]
        known[last:] = ok
        body = np.vstack([fwd[0] * up[0] + fwd[1] * up[1], -fwd[1] * up[0] + fwd[0] * up[1],
                          up[2]])
        body[:, ~known] = up[:, ~known]
        return body, known

    def _forward_now(self) -> tuple[FloatArray, bool]:
        """Forward from the tilts so far: the most common direction (``FORWARD_BIN_DEG``
        bins; a mode, so that tilts to the sides, as into a side plank, and backward do
        not pull it), refined by the mean of the tilts within ``FORWARD_WINDOW_DEG`` of
        it; settled once ``FORWARD_MIN_S`` of tilts are there, most of all tilts seen."""
        n = self._fwd_bins.size
        if not self._fwd_bins.any():
            return np.array([1.0, 0.0]), False
        w = round(FORWARD_WINDOW_DEG / FORWARD_BIN_DEG)
        counts = np.sum([np.roll(self._fwd_bins, k) for k in range(-w, w + 1)], axis=0)
        peak = int(np.argmax(counts))
        near = [(peak + k) % n for k in range(-w, w + 1)]
        vec = self._fwd_vec[near].sum(axis=0)
        norm = float(np.linalg.norm(vec))
        inside = int(counts[peak])
        ok = (inside >= round(FORWARD_MIN_S / self.frame_s)
              and inside >= 0.5 * int(self._fwd_bins.sum()) and norm > 0)
        out: FloatArray = vec / max(norm, 1e-12)
        return out, ok

    def push(self, t: FloatArray, up: FloatArray | None, still: BoolArray, h: FloatArray,
             jitter: FloatArray | None = None) -> list[StretchSpan]:
        """``up`` (3, m) unit world-up in the body frame (or the arbitrary-heading frame;
        see ``observe``), ``still`` (m,): quiet frames from the
        height tracker, ``h`` (m,) pelvis height, m (NaN unknown), ``jitter`` (m,) the
        acceleration spread within frames, g (muscle tremor, where the rate shows it)."""
        out: list[StretchSpan] = []
        if t.size == 0 or up is None:
            return out
        impact_t = np.full(t.size, self._impact_t)
        if jitter is not None:
            still = still & self._relaxed(jitter)
            hit = np.where(jitter >= IMPACT_G, t, -np.inf)
            impact_t = np.maximum.accumulate(np.concatenate([[self._impact_t], hit]))[1:]
            self._impact_t = float(impact_t[-1])
        body, known = self._body_frame(up, h)
        gap = gaps_before(t, self.last_t, self.s.max_gap_in_episode_s)
        self.last_t = float(t[-1])
        if not known.all():
            self.note = ("forward direction not known and not yet inferred (no forward tilts "
                         "seen): stretches cannot be recognised until it is")
        elif not self.sides_known:
            self.note = ("stretches' front, back and sides inferred: forward is where the "
                         "trunk tilts beyond 25 deg from upright")
        ht, hu, hs = self._hist
        keep = ht >= float(t[0]) - PRE_S
        self._hist = (np.concatenate([ht[keep], t]), np.concatenate([hu[:, keep], body], axis=1),
                      np.concatenate([hs[keep], still]))
        # lying flat for the knee-to-belly level: quiet, or at least not turning (the
        # settling after getting down can keep a short rest from being quiet)
        hu = self._hist[1]
        k = max(1, round(SPEED_SPAN_S / self.frame_s))
        idx = np.arange(hu.shape[1] - t.size, hu.shape[1])
        back = hu[:, np.maximum(idx - k, 0)]
        turned = np.degrees(np.arccos(np.clip((back * hu[:, idx]).sum(axis=0), -1.0, 1.0)))
        speed = turned / (k * self.frame_s)
        at_rest = still | (speed < SETTLED_DPS)
        elev, az = angles(body)
        code = self._codes(elev, az, h, known)
        busy = np.flatnonzero((code != NONE) | gap)
        i = 0
        while i < t.size:
            if self._run is None and code[i] == NONE and not gap[i]:
                k = int(np.searchsorted(busy, i))
                nxt = int(busy[k]) if k < busy.size else t.size
                self._update_base(t[i:nxt], elev[i:nxt], az[i:nxt], at_rest[i:nxt], h[i:nxt])
                i = nxt
                continue
            if gap[i] and self._run is not None:
                out += self._close("rest")
            out += self._step(float(t[i]), body[:, i], int(code[i]), bool(still[i]),
                              float(h[i]), float(elev[i]), float(az[i]),
                              float(t[i]) - float(impact_t[i]) <= FALL_WINDOW_S,
                              bool(at_rest[i]), float(speed[i]))
            i += 1
        return out

    def flush(self) -> list[StretchSpan]:
        return self._close("end_of_recording") if self._run is not None else []

    # ------------------------------------------------------------------ posture
    def _codes(self, elev: FloatArray, az: FloatArray, h: FloatArray, known: BoolArray
               ) -> NDArray[np.int64]:
        """Stretch posture per frame (knee to belly: only the flat-back candidates; the
        tilt test against the person's flat level is made per frame in ``_step``)."""
        s = self.s
        code = np.zeros(elev.shape, np.int64)
        h_known = np.isfinite(h)
        # front unknown: a near-horizontal trunk at standing height would be a forward
        # fold, but a height lost in a long busy spell (sitting down hidden in it) makes
        # lying on a side look the same: nothing is recognised
        front = known & (np.abs(az) <= FRONT_HALF_DEG)
        # the upright posture before: a fold from standing barely lowers the pelvis (it
        # moves back), kneeling down to child's pose lowers it 0.3 m
        upright = (elev >= 60.0) & h_known
        prev = np.where(upright, h, np.nan)
        if np.isnan(prev[0]):
            prev[0] = self._upright_h
        ok = np.isfinite(prev)
        last = np.where(ok, np.arange(prev.size), 0)
        np.maximum.accumulate(last, out=last)
        prev = prev[last]
        if np.isfinite(prev[-1]):
            self._upright_h = float(prev[-1])
        drop = prev - h
        in_band = front & (elev >= -60.0) & (elev <= s.stretch_fold_max_elev_deg)
        standing = h_known & (h >= s.stretch_standing_m) & ~(drop >= s.stretch_kneel_drop_m)
        code[in_band & standing] = FOLD
        # head end down: the hips sit back on the heels (all fours, its long axis down to
        # -5 deg, has the tremor of holding the body up)
        child = in_band & (elev <= s.stretch_child_max_elev_deg)
        code[child & (code == NONE)] = CHILD
        roll = np.abs(wrap_deg(az - 180.0))
        on_floor = known & ~(h > FLOOR_M + LIFTED_M)
        lo, hi = CROSS_ROLL_DEG
        cross = ((roll >= lo) & (roll <= hi) & (np.abs(elev) <= CROSS_MAX_ELEV_DEG)
                 & on_floor)
        code[cross & (code == NONE)] = CROSS
        knee = (roll < lo) & (elev < 0.0) & (elev >= -45.0) & on_floor
        code[knee & (code == NONE)] = KNEE
        return code

    def _update_base(self, t: FloatArray, elev: FloatArray, az: FloatArray, still: BoolArray,
                     h: FloatArray) -> None:
        """The person's flat lying level: still, back down, rolled under the cross's
        limit, pelvis on the floor (frames not in any stretch posture); the last
        ``FLAT_FRAMES`` such frames are kept."""
        if t.size == 0:
            return
        roll = wrap_deg(az - 180.0)
        flat = (still & (np.abs(roll) < CROSS_ROLL_DEG[0]) & (np.abs(elev) <= 30.0)
                & ~(h > FLOOR_M + LIFTED_M))
        # consecutive flat frames up to each frame: a rest, not the low point of a rep
        b = self._base
        lifted = np.flatnonzero((np.abs(roll) < CROSS_ROLL_DEG[0])
                                & (elev < (b[0] if b is not None else 0.0) - BRIDGE_DEG))
        if lifted.size:
            # the pelvis lifted into a bridge: the flat level before it is not the one
            # the person lies at after it
            k0 = int(lifted[-1]) + 1
            self._flat, self._flat_run = [], 0
            t, elev, roll, still, h = t[k0:], elev[k0:], roll[k0:], flat[k0:], h[k0:]
            flat = still
            if t.size == 0:
                return
        prev = self._flat_run
        idx_all = np.arange(t.size)
        starts = np.where(flat, -1, idx_all)
        last_break = np.maximum.accumulate(starts)
        run = np.where(flat, idx_all - last_break, 0)
        run = np.where(last_break < 0, run + prev, run)
        self._flat_run = int(run[-1])
        idx = np.flatnonzero(run >= FLAT_REST_FRAMES)[-FLAT_FRAMES:]
        self._flat = (self._flat + [(float(elev[k]), float(roll[k]), float(t[k]))
                                    for k in idx])[-FLAT_FRAMES:]

    @property
    def _base(self) -> tuple[float, float, float] | None:
        """(elev, roll, t of the newest) of the flat lying level, or None."""
        if not self._flat:
            return None
        a = np.asarray(self._flat)
        return float(np.median(a[:, 0])), float(np.median(a[:, 1])), float(a[-1, 2])

    # ------------------------------------------------------------------ states
    def _fresh_base(self, t: float) -> tuple[float, float] | None:
        """The flat lying level if the person lay flat just before ``t``."""
        b = self._base
        if b is not None and t - b[2] <= BASELINE_MAX_AGE_S:
            return b[0], b[1]
        return None

    def _knee_ok(self, elev: float, base: tuple[float, float] | None) -> bool:
        if base is not None:
            return elev <= base[0] - self.s.stretch_knee_tilt_deg
        return elev <= -self.s.stretch_knee_abs_deg

    def _step(self, t: float, up: FloatArray, code: int, still: bool, h: float,
              elev: float, az: float, after_impact: bool, at_rest: bool, speed: float
              ) -> list[StretchSpan]:
        """One frame of a stretch posture or of a run: ``still`` (quiet and relaxed) counts
        toward a stretch, ``at_rest`` (still or not turning) toward the flat lying level,
        ``speed`` (deg/s, over the last 0.4 s) can end a stretch with a movement."""
        out: list[StretchSpan] = []
        r0 = self._run
        base0 = (r0.base if r0 is not None and r0.code == KNEE else self._fresh_base(t))
        if code == KNEE and not self._knee_ok(elev, base0):
            code = NONE
        # every frame may clear the flat level (a bridge); only the others add to it
        self._update_base(np.array([t]), np.array([elev]), np.array([az]),
                          np.array([at_rest and code == NONE]),
                          np.array([h]))
        r = self._run
        if r is not None and r.confirmed and code == r.code:
            # a movement in the middle of a stretch (switching legs between knee to belly
            # left and right with a short rest, the pelvis barely tilting between): the
            # stretch ended where it began
            if speed < MOVE_DPS:
                r.moving_since = None
            elif r.moving_since is None:
                r.moving_since = t
            elif t - r.moving_since >= MOVE_S:
                r.out_since = r.moving_since
                out += self._close("rest")
                r = None
        if r is not None and code == r.code and r.ref is not None:
            cos = float(np.clip(up @ r.ref, -1.0, 1.0)) / max(float(np.linalg.norm(r.ref)), 1e-12)
            if np.degrees(np.arccos(min(cos, 1.0))) > DEPART_DEG:
                code = NONE  # moved away from where the stretch has been: out of it
        if r is not None and code != r.code:
            if r.out_since is None:
                r.out_since = t
            if t - r.out_since >= EXIT_S or not r.confirmed:
                out += self._close("rest")
                r = None
        elif r is not None:
            r.out_since = None
        if r is None:
            if code == NONE:
                return out
            ht, hu, hs = self._hist
            sel = (ht < t) & (ht >= t - PRE_S)
            r = self._run = _Run(code, base=self._fresh_base(t) if code == KNEE else None,
                                 fallen=after_impact, pre=(ht[sel], hu[:, sel], hs[sel]))
        r.t.append(t)
        r.up.append(up)
        r.still.append(still)
        r.h.append(h)
        if r.out_since is None:
            k = self.frame_s / TRACK_S
            r.ref = up.copy() if r.ref is None else r.ref + k * (up - r.ref)
        if not r.confirmed and r.t[-1] - r.t[0] >= CONFIRM_S:
            r.confirmed = float(np.mean(r.still)) >= self.s.stretch_still_share
            if not r.confirmed:
                # not relaxed so far: judge again over a sliding window
                n = round(CONFIRM_S / self.frame_s)
                if r.pre is not None and len(r.t) > n:
                    # the frames dropped stay available to the look back of ``_close``
                    pt, pu, ps = r.pre
                    dt, du = np.asarray(r.t[:-n]), np.asarray(r.up[:-n]).T
                    keep = pt >= dt[-1] - PRE_S
                    r.pre = (np.concatenate([pt[keep], dt]),
                             np.concatenate([pu[:, keep], du], axis=1),
                             np.concatenate([ps[keep], np.ones(len(r.t) - n, bool)]))
                del r.t[:-n], r.up[:-n], r.still[:-n], r.h[:-n]
        return out

    def _close(self, ended_by: str) -> list[StretchSpan]:
        r = self._run
        self._run = None
        if r is None or not r.confirmed or r.fallen:
            return []
        t0 = r.t[0]
        if any(t0 - FALL_WINDOW_S <= f <= t0 + FALL_LAG_S for f in self.fall_times):
            return []  # came to rest there after a fast descent: a fall
        t = np.asarray(r.t)
        up = np.asarray(r.up).T
        stop = (r.out_since if r.out_since is not None else t[-1] + self.frame_s)
        inside = t < stop
        t, up, still = t[inside], up[:, inside], np.asarray(r.still)[inside]
        if t.size < 3 or float(np.mean(still)) < self.s.stretch_still_share:
            return []
        med = np.median(up, axis=1)
        med /= max(float(np.linalg.norm(med)), 1e-12)
        pt, pu, ps = r.pre if r.pre is not None else (np.zeros(0), np.zeros((3, 0)),
                                                       np.zeros(0, bool))
        n0 = pt.size
        all_t = np.concatenate([pt, t])
        all_up = np.concatenate([pu, up], axis=1)
        settled = self._settled(all_up)
        placed = self._in_place(all_up) & settled
        idx = np.flatnonzero(placed[n0:]) + n0
        if idx.size == 0:
            return []
        # the stretch lies between its entry and exit movements: the last movement in the
        # first half of the run and the first in the second half (a rest in the band
        # before a small knee pull, or after letting it go slowly, is no stretch time)
        mid = float(t[0] + t[-1]) / 2
        moves = _moves(all_t, all_up, settled)
        floor = max((e for b, e in moves if all_t[e - 1] < mid), default=0)
        ceiling = min((b for b, e in moves if all_t[b] > mid), default=all_t.size)
        inner = idx[(idx >= floor) & (idx < ceiling)]
        if inner.size == 0 or float(all_t[inner[-1]] - all_t[inner[0]]) < self.s.stretch_min_s:
            inner, floor = idx, 0
        # look back over the settled, relaxed frames in place just before the posture
        # entered the band, within START_DEG of where the stretch began (no gap, no entry
        # movement between)
        first = int(inner[0])
        near = np.degrees(np.arccos(np.clip(all_up[:, first] @ all_up, -1.0, 1.0))) <= START_DEG
        ok = placed & near & np.concatenate([ps, np.ones(t.size, bool)])
        # (a frame or a few unsettled by breathing and noise, or frames without a sample at
        # 12.5 Hz, do not stop it)
        j = first
        while j > floor and all_t[j] - all_t[j - 1] <= LOOK_GAP_S:
            j -= 1
            if ok[j]:
                first = j
            elif all_t[first] - all_t[j] > LOOK_GAP_S:
                break
        start = float(all_t[first]) - self.frame_s / 2
        end = float(all_t[inner[-1]]) + self.frame_s / 2
        if end - float(all_t[inner[0]]) < self.s.stretch_min_s:  # recognised in the band
            return []
        kind, form = self._kind(r.code, med, r.base)
        if kind is None:
            return []
        return [StretchSpan(kind, round(start, 3), round(end, 3), self.s.stretch_target_s,
                            ended_by, form)]

    def _in_place(self, up: FloatArray) -> BoolArray:
        """Frames within ``START_DEG`` of the stretch's posture around them (the median
        over ``LOCAL_S``, centred): people ease deeper into a stretch as it relaxes (the
        simulated ones by up to 11 deg in 27 s), so the posture of the whole stretch would
        leave out its first and last seconds; the entry and exit movements sweep 30-70 deg
        in 2-5 s and stay outside."""
        n = up.shape[1]
        k = max(1, round(LOCAL_S / (2 * self.frame_s)))
        pad = np.pad(up, ((0, 0), (k, k)), mode="edge")
        win = np.lib.stride_tricks.sliding_window_view(pad, 2 * k + 1, axis=1)[:, :n]
        ref = np.median(win, axis=2)
        ref /= np.maximum(np.linalg.norm(ref, axis=0), 1e-12)
        ang = np.degrees(np.arccos(np.clip((ref * up).sum(axis=0), -1.0, 1.0)))
        return np.asarray(ang <= START_DEG)

    def _settled(self, up: FloatArray) -> BoolArray:
        """Frames where the trunk turns slower than ``SETTLED_DPS`` (over ``SPEED_SPAN_S``,
        centred): the entry movement has ended and the exit not begun. Breathing turns the
        lower back about a degree at 0.2-0.3 Hz (under 2 deg/s); a slow easing into the
        stretch is slower still."""
        k = max(1, round(SPEED_SPAN_S / (2 * self.frame_s)))
        n = up.shape[1]
        a = up[:, np.maximum(np.arange(n) - k, 0)]
        b = up[:, np.minimum(np.arange(n) + k, n - 1)]
        span = (np.minimum(np.arange(n) + k, n - 1) - np.maximum(np.arange(n) - k, 0))
        ang = np.degrees(np.arccos(np.clip((a * b).sum(axis=0), -1.0, 1.0)))
        speed = ang / np.maximum(span, 1) / self.frame_s
        return np.asarray(speed < SETTLED_DPS)

    def _kind(self, code: int, med: FloatArray, base: tuple[float, float] | None
              ) -> tuple[str | None, dict[str, float]]:
        """The stretch's kind and form measures (see ``StretchSpan.form``)."""
        _, az = angles(med[:, None])
        a = float(az[0])
        if code == FOLD:
            return "stretch_hamstring", {}
        if code == CHILD:
            return "child_pose", {}
        if code == CROSS:
            return ("cross_right" if a > 0 else "cross_left"), {}
        if code == KNEE:
            ref = base[1] if base is not None else 0.0
            roll = float(wrap_deg(a - 180.0)) - ref
            # the pulled knee's side rolls up, the other down: right knee, left side
            # down, azimuth from 180 toward -90, which wraps to a positive roll
            kind = "knee_to_belly_right" if roll > 0 else "knee_to_belly_left"
            return kind, {"roll_deg": round(roll, 1)}
        return None, {}


def _moves(t: FloatArray, up: FloatArray, settled: BoolArray) -> list[tuple[int, int]]:
    """[begin, end) of each movement: a run of frames not settled with the trunk's mean
    settled posture over ``LOCAL_S / 2`` after it ``ENTRY_DEG`` or more from that before
    it. Breathing and noise unsettle a frame or a few but leave the trunk where it was, and
    the slow end of an entry movement (settled frames easing into the stretch, unsettled
    ones between) moves it less. Linear in the frames (window sums from running sums: a
    run may be hours of lying)."""
    code, begins, lengths = runs((~settled).astype(np.int64))
    b, e = begins[code == 1], (begins + lengths)[code == 1]
    keep = e < t.size  # a run still going at the end has no posture after it
    b, e = b[keep], e[keep]
    if b.size == 0:
        return []
    w = settled.astype(np.float64)
    sums = np.concatenate([np.zeros((3, 1)), np.cumsum(up * w, axis=1)], axis=1)
    count = np.concatenate([[0.0], np.cumsum(w)])
    lo = np.searchsorted(t, t[b] - LOCAL_S / 2, side="left")
    hi = np.searchsorted(t, t[e - 1] + LOCAL_S / 2, side="right")
    before, n_before = sums[:, b] - sums[:, lo], count[b] - count[lo]
    after, n_after = sums[:, hi] - sums[:, e], count[hi] - count[e]
    norm = np.linalg.norm(before, axis=0) * np.linalg.norm(after, axis=0)
    cos = (before * after).sum(axis=0) / np.maximum(norm, 1e-12)
    turned = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))) >= ENTRY_DEG
    ok = turned & (n_before > 0) & (n_after > 0)
    return [(int(x), int(y)) for x, y in zip(b[ok], e[ok], strict=True)]


__all__ = ["StretchDetector", "StretchSpan"]

