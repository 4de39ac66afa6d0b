"""The desk analysis as one incremental pipeline: sample blocks in, events out.

samples -> 0.1 s frames -> motion features -> gravity direction -> calibrated angles ->
activity (debounced) -> slump episodes, sedentary reminders, activity bouts.

Every stage is causal and carries its state, so feeding a recording block by block (any
block sizes) gives the events of one call on the whole; offline analysis is this same
class fed once. Events may be back-dated (an episode starts where the lean began), and a
frame's activity is settled up to ``activity_min_bout_s`` after it arrives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.activity import (
    ACTIVITY_NAMES,
    LYING,
    MOVING,
    ON_FOOT,
    SEATED_OR_UNKNOWN,
    ActivityClassifier,
    Debouncer,
    still_frames,
)
from sensorcoach.core.calibration import Calibration
from sensorcoach.core.events import ActivitySpan, Alert, Hold, SlumpEpisode
from sensorcoach.core.framing import Framer, Frames, gaps_before
from sensorcoach.core.gyro_check import GyroCheck, GyroVerdict
from sensorcoach.core.height import HeightTracker, vertical_g
from sensorcoach.core.hold_sides import name_holds
from sensorcoach.core.holds import HoldDetector, HoldSpan
from sensorcoach.core.motion import MotionAnalyser
from sensorcoach.core.orientation import AccelGravity, GyroGravity
from sensorcoach.core.reps import REP_SHOWN_S, RepCounter, RepSet
from sensorcoach.core.sedentary import SedentaryTracker
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings
from sensorcoach.core.side_balance import (
    balance_offset,
    balance_pairs,
    balance_sides,
    one_legged_hold,
    one_legged_set,
    two_legged_hold,
    two_legged_set,
)
from sensorcoach.core.slumps import SlumpDetector
from sensorcoach.core.stability import stability
from sensorcoach.core.stretches import StretchDetector, StretchSpan

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Event = SlumpEpisode | Alert | ActivitySpan | Hold | RepSet
#: s of raw samples kept behind the settled frames when no hold is open.
RAW_KEEP_S = 30.0

#: s: frames further apart than this restart the gyro filter (orientation unknown).
RESTART_GAP_S = 1.0
#: Frames per gyro-check chunk: the gyro takes over at a chunk boundary (1 s).
GYRO_CHECK_CHUNK_FRAMES = 10


@dataclass(frozen=True)
class FrameSeries:
    """Per-frame outputs, for summaries, plots, holds and per-sample lookups.

    Arrays are per frame along their last axis; optional ones are None throughout.
    """

    index: IntArray
    t: FloatArray
    flexion_deg: FloatArray
    """Signed flexion, or unsigned tilt when the forward direction is unknown."""
    lateral_deg: FloatArray | None
    tilt_deg: FloatArray
    activity: IntArray
    up_body: FloatArray | None = None
    """(3, m) world-up in the body frame (forward, left, up), when forward is known."""
    motion_g: FloatArray | None = None
    """Acceleration RMS above 1 Hz, g (see core.motion)."""
    jitter_g: FloatArray | None = None
    """Within-frame acceleration spread, g: muscle tremor and sensor noise."""
    gyro_used: NDArray[np.bool_] | None = None
    """Whether the frame's up vector came from the (checked) gyro-aided filter."""
    up_hold: FloatArray | None = None
    """(3, m) world-up in a frame around the calibrated up with arbitrary horizontal axes,
    for the hold detector when the forward direction is unknown (None when ``up_body``
    exists: the detector uses that)."""
    acc_g: FloatArray | None = None
    """(3, m) frame-mean specific force in the sensor frame, g (the pelvis-height tracker)."""
    vert_g: FloatArray | None = None
    """Frame-mean specific force along the estimated up, g (the pelvis-height tracker)."""

    @property
    def size(self) -> int:
        return int(self.t.size)

    def part(self, sl: slice) -> FrameSeries:
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = None if v is None else v[..., sl]
        return FrameSeries(**out)  # type: ignore[arg-type]

    def with_activity(self, activity: IntArray) -> FrameSeries:
        return replace(self, activity=activity)

    @staticmethod
    def concat(parts: list[FrameSeries]) -> FrameSeries:
        if not parts:
            e = np.zeros(0)
            return FrameSeries(np.zeros(0, np.int64), e, e, None, e, np.zeros(0, np.int64))
        if len(parts) == 1:
            return parts[0]
        out: dict[str, object] = {}
        for f in fields(FrameSeries):
            vals = [getattr(p, f.name) for p in parts]
            out[f.name] = None if any(v is None for v in vals) else np.concatenate(vals, axis=-1)
        return FrameSeries(**out)  # type: ignore[arg-type]


def mostly_inside(start_s: float, end_s: float, other_start_s: float,
                  other_end_s: float = math.inf) -> bool:
    """Whether at least half of ``start_s``-``end_s`` lies within the other span (open
    ended: a stretch still under way)."""
    inter = min(end_s, other_end_s) - max(start_s, other_start_s)
    return inter >= 0.5 * (end_s - start_s)


def axes_around(up: FloatArray) -> FloatArray:
    """Rows of a right-handed frame (x, y, up) with ``up`` as its third axis and arbitrary
    (but fixed) horizontal axes: from the sensor axis least aligned with up."""
    a = np.eye(3)[int(np.argmin(np.abs(up)))]
    x = a - (a @ up) * up
    x /= np.linalg.norm(x)
    return np.vstack([x, np.cross(up, x), up])


def slump_policy(calibration: Calibration, placement: str | None,
                 settings: Settings) -> tuple[bool, str | None]:
    """Whether slump episodes may be reported, and if not, why (SPEC section 4): not with
    an upright reference the analysis is unsure of, and not from the waist (the pelvis
    rolls back 10-40 deg when sitting) unless the wearer calibrated seated."""
    if calibration.confidence < settings.calibration_min_confidence:
        return False, (f"upright reference uncertain (confidence {calibration.confidence:.2f} "
                       f"< {settings.calibration_min_confidence:g}): angles are reported but "
                       "no slumps are detected; calibrate (sit upright, then lean forward)")
    if placement == "waist" and calibration.method == "auto":
        return False, ("waist placement: sitting rolls the pelvis back, which is not a slump; "
                       "slumps need a seated calibration (or a sensor on the back)")
    if placement is None and calibration.method == "auto":
        return False, ("no placement and no calibration: a sensor or phone at the waist rolls "
                       "back when sitting, which cannot be told from a slump; slumps need a "
                       "placement (upper_back, lower_back, chest) or a calibration")
    return True, None


@dataclass
class _OpenSpan:
    code: int
    start_s: float
    last_t: float


class StreamAnalyzer:
    """Incremental desk analysis for one recording or live session."""

    def __init__(self, calibration: Calibration, *, has_gyro: bool, placement: str | None = None,
                 settings: Settings = DEFAULT_SETTINGS, orientation: str = "auto",
                 span_break_s: float = 0.5, sample_rate_hz: float = 50.0):
        """``orientation``: ``accel``, ``gyro`` or ``auto`` (gyro-aided where a gyro is
        present). ``span_break_s``: frames further apart than this split activity spans
        (the recording's gap threshold)."""
        s = settings
        self.settings = s
        self.calibration = calibration
        self.frame_s = s.frame_s
        self.framer = Framer(s.frame_s, has_gyro)
        self.motion = MotionAnalyser(s.frame_s, s)
        if orientation == "gyro" and not has_gyro:
            raise ValueError("orientation='gyro' needs gyro data")
        # The gyro is checked before it is trusted (SPEC section 4): until the check's
        # verdict, gravity comes from the accelerometer; from the next check chunk after a
        # usable verdict, from the gyro-aided filter with the verdict's axes, scale, bias.
        self.accel_gravity = AccelGravity(s.frame_s, s.gravity_cutoff_hz)
        self.gyro_check: GyroCheck | None = None
        self.gyro_gravity: GyroGravity | None = None
        if has_gyro and orientation in ("auto", "gyro"):
            self.gyro_check = GyroCheck(s, s.frame_s)
            self.gyro_gravity = GyroGravity(s.frame_s, s.gyro_tau_s, s.gyro_bias_tau_s, s)
        # orientation="gyro" trusts the gyro as delivered from the first frame (a
        # diagnostic: how the filter fares unchecked); the check still reports
        self._force_gyro = orientation == "gyro"
        self._switch_frame: int | None = None  # absolute frame index where the gyro starts
        self._gyro_on = False
        self.uses_gyro = False
        self.debouncer = Debouncer(round(s.activity_min_bout_s / s.frame_s))
        self.classifier = ActivityClassifier(s, sit_stand=(
            placement == "waist" and calibration.reference in ("walking", "device")
            and calibration.confidence >= s.calibration_min_confidence))
        self.slumps_enabled, self.slump_note = slump_policy(calibration, placement, s)
        on = s.slump_on_deg(placement)
        self.slump_on_deg = on
        self.slump_off_deg = on - s.slump_hysteresis_deg
        self.slumps = SlumpDetector(on, self.slump_off_deg, s.slump_min_s, s.slump_release_s,
                                    s.slump_dwell_s, s.max_gap_in_episode_s, s.frame_s,
                                    s.slump_busy_share)
        self.sedentary = SedentaryTracker(s.sedentary_alert_s, s.sedentary_repeat_s,
                                          s.walking_break_s, s.sedentary_gap_reset_s, s.frame_s)
        self.span_break_s = max(span_break_s, 1.5 * s.frame_s)
        self.sample_rate_hz = sample_rate_hz
        self.hold_detector = HoldDetector(s, sway_from_gyro=True,
                                          sides_known=calibration.forward_known)
        # with the forward direction unknown, holds are found in a frame around the
        # calibrated up with arbitrary horizontal axes
        self._hold_axes = axes_around(calibration.up)
        self.hold_note: str | None = None
        self.rep_counter = RepCounter(s, sides_known=calibration.forward_known)
        self.height = HeightTracker(s)
        self.stretch_detector = StretchDetector(s, sides_known=calibration.forward_known)
        self.stretch_detector.fall_times = self.height.falls
        self.rep_sets: list[RepSet] = []
        self._held_back: list[Hold] = []
        """Finished holds not yet reported: a set of repetitions may still turn out to
        cover them (``_release_holds``)."""
        self._raw_t: list[FloatArray] = []
        self._raw_acc: list[FloatArray] = []
        self.holds: list[Hold] = []
        self._last_frame_t: float | None = None
        # frames whose activity is not settled yet
        self._pend: list[FrameSeries] = []
        self._done: list[FrameSeries] = []
        self._span: _OpenSpan | None = None
        self.episodes: list[SlumpEpisode] = []
        self.alerts: list[Alert] = []
        self.spans: list[ActivitySpan] = []

    # ------------------------------------------------------------------ input
    def push(self, t: FloatArray, acc: FloatArray, gyro: FloatArray | None = None) -> list[Event]:
        """Feed samples: ``t`` (n,) s, ``acc`` (3, n) g, ``gyro`` (3, n) deg/s or None."""
        if t.size:
            self._raw_t.append(np.asarray(t, dtype=np.float64))
            self._raw_acc.append(np.asarray(acc, dtype=np.float64))
        return self._frames(self.framer.push(t, acc, gyro), final=False)

    def finish(self) -> list[Event]:
        """End of stream: close open bins, bouts and episodes."""
        events = self._frames(self.framer.flush(), final=True)
        return events

    # ------------------------------------------------------------------ pipeline
    def _frames(self, fr: Frames, final: bool) -> list[Event]:
        events: list[Event] = []
        if fr.size:
            feats = self.motion(fr)
            still = still_frames(feats, self.settings)
            restart = gaps_before(fr.t, self._last_frame_t, RESTART_GAP_S)
            self._last_frame_t = float(fr.t[-1])
            up, gyro_used = self._gravity(fr, still, restart)
            flex, lat = self.calibration.angles(up)
            tilt = self.calibration.tilt_deg(up)
            up_body = (self.calibration.body_axes() @ up if self.calibration.forward_known
                       else None)
            raw = self.classifier(feats, tilt, up_body)
            jitter = np.sqrt(np.maximum(fr.acc_sq - (fr.acc * fr.acc).sum(axis=0), 0.0))
            up_hold = None if up_body is not None else self._hold_axes @ up
            self._pend.append(FrameSeries(fr.index, fr.t, flex, lat, tilt, raw, up_body,
                                          feats.motion_rms_g, jitter, gyro_used, up_hold,
                                          acc_g=fr.acc,
                                          vert_g=vertical_g(fr.acc, up, gyro_used)))
            settled = self.debouncer.push(raw)
        else:
            settled = np.zeros(0, np.int64)
        if final:
            settled = np.concatenate([settled, self.debouncer.flush()])
        if settled.size:
            events += self._settled(self._take(settled))
        if final:
            if self.gyro_check is not None:
                self.gyro_check.final()
            events += self._close_span()
            tail = self.slumps.flush()
            self.episodes += tail
            events += tail
            events += self._finish_holds(self.hold_detector.flush())
            events += self._finish_stretches(self.stretch_detector.flush())
            tail_sets = self.rep_counter.flush()
            for r in tail_sets:
                self._drop_holds_over(r)
            events += tail_sets
            # floor sets finished before the forward direction was learned, renamed
            self.rep_sets = [r for r in self.rep_counter.finished()
                             if not self._in_a_hold(r.start_s, r.end_s)]
            events += self._release_holds(None)
            # holds and stretches in time order (a block's holds are found before its stretches)
            self.holds, self.hold_note = name_holds(
                sorted(self.holds, key=lambda h: h.start_s), self._inferred_forward_deg())
            # single-leg forms nearly level, one side too many in their run: two-legged
            level = self.settings.one_sided_level_max_deg
            self.holds = balance_sides(self.holds, level, two_legged_hold,
                                       one_legged=one_legged_hold)
            # a stretch of one side done twice in a row, one of them barely rolled: the
            # other side
            self.holds = balance_pairs(self.holds)
            self.rep_sets = balance_sides(self.rep_sets, level, two_legged_set,
                                          one_legged=one_legged_set)
            self.rep_sets = balance_offset(self.rep_sets, level)
        self._trim_raw()
        return events

    def _gravity(self, fr: Frames, still: NDArray[np.bool_], restart: NDArray[np.bool_]
                 ) -> tuple[FloatArray, NDArray[np.bool_]]:
        """Up vectors of a block of frames and which of them came from the gyro.

        The check sees frames in chunks aligned to absolute frame numbers, and the gyro
        takes over at the chunk boundary after a usable verdict, so a stream cut into any
        blocks switches on the same frame as the whole recording."""
        used = np.zeros(fr.size, bool)
        if self.gyro_check is None or self.gyro_gravity is None or fr.gyro is None:
            return self.accel_gravity(fr.acc), used
        if self._gyro_on:  # the accelerometer-only estimate is no longer needed
            used[:] = True
            return self.gyro_gravity(fr.acc, fr.gyro, still, restart), used
        up = self.accel_gravity(fr.acc)
        if self._force_gyro:
            if self._switch_frame is None:
                self._switch_frame = int(fr.index[0])
            self.gyro_check.push(fr.acc, fr.gyro, restart)
        if self._switch_frame is None:
            chunk = GYRO_CHECK_CHUNK_FRAMES
            ids = fr.index
            cuts = np.flatnonzero(np.diff(ids // chunk)) + 1
            for lo, hi in zip(np.concatenate([[0], cuts]), np.append(cuts, fr.size),
                              strict=True):
                v = self.gyro_check.push(fr.acc[:, lo:hi], fr.gyro[:, lo:hi], restart[lo:hi])
                if v is not None:
                    if v.usable:
                        self._switch_frame = int((ids[hi - 1] // chunk + 1) * chunk)
                    break
        if self._switch_frame is None:
            return up, used
        on = fr.index >= self._switch_frame
        if not on.any():
            return up, used
        k = int(np.argmax(on))
        if not self._gyro_on:
            verdict = self.gyro_check.verdict
            if not self._force_gyro:
                assert verdict is not None
                self.gyro_gravity.apply_verdict(verdict)
            # seed from the frame's own accelerometer, not the lagging low-pass
            a = fr.acc[:, k]
            self.gyro_gravity.seed(a / max(float(np.linalg.norm(a)), 1e-12))
            self._gyro_on = True
            self.uses_gyro = True
        up[:, k:] = self.gyro_gravity(fr.acc[:, k:], fr.gyro[:, k:], still[k:], restart[k:])
        used[k:] = True
        return up, used

    def gyro_verdict(self) -> GyroVerdict | None:
        """The gyro check's verdict (at the end of a stream: final, whatever evidence)."""
        return None if self.gyro_check is None else self.gyro_check.verdict

    def _finish_holds(self, spans: list[HoldSpan]) -> list[Event]:
        out: list[Event] = []
        if not spans:
            return out
        t, acc = self._raw()
        under_way = self.stretch_detector.confirmed_start
        bd = self.hold_detector.bird_dog
        alternating = set() if bd is None else {bd.left.name, bd.right.name}
        for sp in spans:
            if sp.kind not in alternating:  # a bird dog set stands over a stretch
                if self._under_stretches(sp.start_s, sp.end_s):
                    continue  # stretches were found there: relaxed, and where it is held
                if under_way is not None and mostly_inside(sp.start_s, sp.end_s, under_way):
                    continue  # likewise a stretch under way (live: not emitted, then dropped)
            if self._under_a_set(sp.start_s, sp.end_s):
                continue  # a set of repetitions there: moving through the posture
            stab = stability(t, acc, self.sample_rate_hz, sp.start_s, sp.end_s, sp.drift_deg,
                             sp.drift_kind, tuple(b.t_s for b in sp.form_breaks))
            hold = Hold(sp.kind, sp.start_s, sp.end_s, sp.ended_by, stab, sp.form_breaks,
                        sp.azimuth_deg, dict(sp.form))
            if sp.kind in alternating:
                self.holds.append(hold)
                out.append(hold)
            else:
                self._held_back.append(hold)
        if any(isinstance(h, Hold) and h.kind in alternating for h in out):
            self._drop_stretches_in_bird_dog_sets()
        return out

    def _inferred_forward_deg(self) -> float | None:
        """Without a forward calibration, the forward direction the stretch detector has
        inferred from the trunk's forward tilts, deg in the holds' frame; None when
        calibrated (the holds' frame is the body's) or not inferred yet."""
        fwd = self.stretch_detector.forward_xy
        if fwd is None or self.calibration.forward_known:
            return None
        return float(np.degrees(np.arctan2(fwd[1], fwd[0])))

    def _release_holds(self, now: float | None) -> list[Event]:
        """Report the held-back holds no set of repetitions can cover any more (``now``
        None: the stream has ended). A set covers a hold when it holds most of it (the
        set stands, ``_drop_holds_over``), so it must have begun by the hold's midpoint
        and shows its first repetition within ``REP_SHOWN_S`` of it; a set under way that
        began by then is waited for. Live then reports what offline does: a 10 s "plank"
        at the start of a cat-cow was reported live and dropped offline."""
        out: list[Event] = []
        keep: list[Hold] = []
        since = self.rep_counter.open_since
        for h in self._held_back:
            mid = (h.start_s + h.end_s) / 2.0
            if now is not None and (now < mid + REP_SHOWN_S
                                    or (since is not None and since <= mid)):
                keep.append(h)
                continue
            if self._under_a_set(h.start_s, h.end_s):
                continue  # a set of repetitions there: moving through the posture
            self.holds.append(h)
            out.append(h)
        self._held_back = keep
        return out

    def _under_a_set(self, start_s: float, end_s: float) -> bool:
        """Whether a set of repetitions found covers most of ``start_s``-``end_s``."""
        return any(mostly_inside(start_s, end_s, r.start_s, r.end_s) for r in self.rep_sets)

    def _under_stretches(self, start_s: float, end_s: float) -> bool:
        """Whether stretches found cover at least half of ``start_s``-``end_s`` (one, or
        several in a row: knee to belly left and right with a short rest between)."""
        inter = sum(max(0.0, min(end_s, h.end_s) - max(start_s, h.start_s))
                    for h in self.holds if h.target_s is not None)
        return inter >= 0.5 * (end_s - start_s)

    def _drop_holds_under(self, stretch: Hold) -> None:
        """A stretch (relaxed, found from its posture and the pelvis height) and a hold
        (recognised by effort, which a still body shows at noise level now and then) over
        the same time: the stretches stand (a forward fold from standing is not a plank,
        two knee-to-belly stretches are not a 60 s bridge)."""
        self.holds = [h for h in self.holds if h.target_s is not None
                      or h.end_s < stretch.start_s
                      or not self._under_stretches(h.start_s, h.end_s)]
        self._held_back = [h for h in self._held_back if h.end_s < stretch.start_s
                           or not self._under_stretches(h.start_s, h.end_s)]

    def _in_bird_dog_set(self, start_s: float, end_s: float) -> bool:
        """Whether ``start_s``-``end_s`` lies mostly inside a bird dog set found."""
        return any(mostly_inside(start_s, end_s, a, b)
                   for a, b in self.hold_detector.bird_sets)

    def _drop_stretches_in_bird_dog_sets(self) -> None:
        """A bird dog set (both sides seen alternating, with effort) and a stretch over the
        same time: the set stands. On all fours the lower back can read as low as a
        shallow child's pose, and at 12.5 Hz the tremor that tells effort is invisible (a
        bird dog side at -5.7 deg was taken for child's pose)."""
        self.holds = [h for h in self.holds if h.target_s is None
                      or not self._in_bird_dog_set(h.start_s, h.end_s)]

    def _in_a_hold(self, start_s: float, end_s: float) -> bool:
        """Whether ``start_s``-``end_s`` lies mostly inside a hold found (not a stretch): a
        held posture's wobble (a side plank held 76 s, without calibration, read as two
        short cat-cow sets), not repetitions. A hold mostly inside a set (the two over
        about the same time too) is the set's instead (``_drop_holds_over``)."""
        return any(h.target_s is None and mostly_inside(start_s, end_s, h.start_s, h.end_s)
                   and not mostly_inside(h.start_s, h.end_s, start_s, end_s)
                   for h in (*self.holds, *self._held_back))

    def _drop_holds_over(self, rep_set: RepSet) -> None:
        """A set of repetitions (a cat-cow on all fours, moving through a posture) and a
        hold over the same time: the set stands. Without a gyro the slow cycles of a
        cat-cow are smoothed into something held: a 40 s false plank over a cat-cow set in
        a routine without calibration."""
        self.holds = [h for h in self.holds if h.target_s is not None
                      or not mostly_inside(h.start_s, h.end_s, rep_set.start_s,
                                           rep_set.end_s)]

    def _raw(self) -> tuple[FloatArray, FloatArray]:
        """The raw samples kept (times, (3, n) acceleration) for stability."""
        t = np.concatenate(self._raw_t) if self._raw_t else np.zeros(0)
        acc = np.concatenate(self._raw_acc, axis=1) if self._raw_acc else np.zeros((3, 0))
        return t, acc

    def _height(self, fs: FrameSeries, up: FloatArray | None,
                hinges: Sequence[tuple[float, float]]
                ) -> tuple[NDArray[np.bool_], FloatArray] | None:
        """Quiet frames and the pelvis height (core.height) of settled frames, anchored at
        standing after the sets of hip hinges counted (``hinges``: closed at, ended at)."""
        if up is None or fs.acc_g is None or fs.vert_g is None:
            return None
        walking = np.isin(fs.activity, ON_FOOT)
        lying, flat = self.stretch_detector.observe(up)
        return self.height.push(fs.acc_g, fs.vert_g, up, walking, lying, flat, fs.t, hinges)

    def _stretches(self, fs: FrameSeries, up: FloatArray | None,
                   height: tuple[NDArray[np.bool_], FloatArray] | None) -> list[Event]:
        """The stretches (core.stretches) of settled frames, from their pelvis height."""
        if up is None or height is None:
            return []
        still, h = height
        return self._finish_stretches(self.stretch_detector.push(fs.t, up, still, h,
                                                                  fs.jitter_g))

    def _finish_stretches(self, spans: list[StretchSpan]) -> list[Event]:
        """Stretches as holds of their kind, with stability from the raw samples."""
        out: list[Event] = []
        if not spans:
            return out
        t, acc = self._raw()
        for sp in spans:
            if self._in_bird_dog_set(sp.start_s, sp.end_s):
                continue  # a bird dog set there (see _drop_stretches_in_bird_dog_sets)
            stab = stability(t, acc, self.sample_rate_hz, sp.start_s, sp.end_s, 0.0, "sag", ())
            hold = Hold(sp.kind, sp.start_s, sp.end_s, sp.ended_by, stab, (),
                        form=dict(sp.form), target_s=sp.target_s)
            self.holds.append(hold)
            self._drop_holds_under(hold)
            out.append(hold)
        return out

    def _trim_raw(self) -> None:
        """Drop raw samples no open or possible hold can need any more."""
        if not self._raw_t:
            return
        done_t = self._done[-1].t[-1] if self._done and self._done[-1].size else None
        if done_t is None:
            return
        keep = float(done_t) - RAW_KEEP_S
        open_s = self.hold_detector.earliest_open_s
        if open_s is not None:
            keep = min(keep, open_s - 2.0)
        stretch_s = self.stretch_detector.open_start
        if stretch_s is not None:
            keep = min(keep, stretch_s - 2.0)
        while self._raw_t and self._raw_t[0][-1] < keep:
            self._raw_t.pop(0)
            self._raw_acc.pop(0)

    def _take(self, codes: IntArray) -> FrameSeries:
        """Pop ``codes.size`` pending frames and attach their settled activity."""
        pend = FrameSeries.concat(self._pend)
        n = codes.size
        head = pend.part(slice(0, n)).with_activity(codes)
        rest = pend.part(slice(n, None))
        self._pend = [rest] if rest.size else []
        # the frame means served the pelvis height as the frames settled; a day's worth of
        # them is not kept (9 MiB of an 8-hour day)
        self._done.append(replace(head, acc_g=None, vert_g=None))
        return head

    def _settled(self, fs: FrameSeries) -> list[Event]:
        events: list[Event] = []
        seated = (np.isin(fs.activity, SEATED_OR_UNKNOWN)
                  & (fs.flexion_deg <= self.settings.slump_max_deg))
        if not self.slumps_enabled:
            seated[:] = False
        # the calibration's deliberate lean is not a slump
        for span in (self.calibration.upright_s, self.calibration.forward_s):
            if span is not None:
                seated &= ~((fs.t >= span[0]) & (fs.t <= span[1]))
        eps, alerts = self.slumps.push(fs.t, fs.flexion_deg, seated, fs.activity == MOVING)
        alerts = alerts + self.sedentary.push(fs.t, fs.activity)
        up_hold = fs.up_body if fs.up_body is not None else fs.up_hold
        # repetitions before the height: a counted set of hip hinges anchors it at
        # standing
        counted = self.rep_counter.push(fs.t, up_hold, fs.tilt_deg)
        height = self._height(fs, up_hold, self.rep_counter.hinges_closed)
        dog = self.hold_detector.bird_dog
        forward = self._inferred_forward_deg()
        if dog is not None and forward is not None:
            dog.forward_deg = forward
        spans, hold_alerts = self.hold_detector.push(fs.t, up_hold, fs.motion_g,
                                                     fs.jitter_g, fs.gyro_used,
                                                     None if height is None else height[1])
        alerts += hold_alerts
        self.episodes += eps
        self.alerts += alerts
        events += eps
        # stretches first: a hold over a stretch found in the same frames is dropped, and a
        # stretch that ended within these frames is no longer under way
        events += self._stretches(fs, up_hold, height)
        events += self._finish_holds(spans)
        sets = [r for r in counted if not self._in_a_hold(r.start_s, r.end_s)]
        for r in sets:
            self._drop_holds_over(r)
        self.rep_sets += sets
        events += sets
        events += self._release_holds(float(fs.t[-1]))
        alerts.sort(key=lambda a: a.t_s)
        events += alerts
        events += self._spans(fs)
        return events

    def _spans(self, fs: FrameSeries) -> list[Event]:
        out: list[Event] = []
        half = self.frame_s / 2
        t, codes = fs.t, fs.activity
        brk = np.ones(t.size, bool)
        brk[1:] = (np.diff(codes) != 0) | (np.diff(t) > self.span_break_s)
        if self._span is not None:
            brk[0] = codes[0] != self._span.code or t[0] - self._span.last_t > self.span_break_s
        for i in np.flatnonzero(brk).tolist():
            if self._span is not None:
                if i > 0:
                    self._span.last_t = float(t[i - 1])
                out += self._close_span()
            self._span = _OpenSpan(int(codes[i]), float(t[i]) - half, float(t[i]))
        assert self._span is not None
        self._span.last_t = float(t[-1])
        return out

    def _close_span(self) -> list[Event]:
        if self._span is None:
            return []
        sp = self._span
        self._span = None
        span = ActivitySpan(ACTIVITY_NAMES[sp.code], round(sp.start_s, 3),
                            round(sp.last_t + self.frame_s / 2, 3))
        self.spans.append(span)
        return [span]

    # ------------------------------------------------------------------ results
    def series(self) -> FrameSeries:
        """All settled frames so far."""
        return FrameSeries.concat(self._done)

    @property
    def sedentary_s(self) -> float:
        return self.sedentary.sedentary_s

    def status(self) -> dict[str, object]:
        """A snapshot for a live view: the newest frame's angles and activity (settled or
        not), whether a slump is in progress (since when) and the hold under way (kind,
        since when; its start may still move by a second while the hold settles)."""
        latest = self._pend[-1] if self._pend else (self._done[-1] if self._done else None)
        hold = self.hold_detector.open
        hold_kind = self.hold_detector.kinds[hold.kind] if hold is not None else None
        hold_since = round(hold.start_s, 2) if hold is not None else None
        # a bout on all fours the bird dog detector follows (a set only if both sides show
        # by its end, when its sides are reported)
        dog = self.hold_detector.bird_dog
        dog_since = None if dog is None or dog.open_since is None else round(dog.open_since, 2)
        if latest is None or latest.t.size == 0:
            return {"t_s": None, "flexion_deg": None, "lateral_deg": None, "activity": None,
                    "slump_since_s": None, "hold_kind": hold_kind, "hold_since_s": hold_since,
                    "bird_dog_since_s": dog_since}
        code = int(self.debouncer.current if self.debouncer.current is not None
                   else latest.activity[-1])
        sl = self.slumps
        return {
            "t_s": round(float(latest.t[-1]), 2),
            "flexion_deg": round(float(latest.flexion_deg[-1]), 1),
            "lateral_deg": None if latest.lateral_deg is None
            else round(float(latest.lateral_deg[-1]), 1),
            "activity": ACTIVITY_NAMES[code],
            # only a counted episode (beyond the threshold slump_min_s, not busy) is a slump
            # to show: a reach, a bend or getting into a plank cross the threshold too
            "slump_since_s": round(sl.start_s, 2) if sl.counted else None,
            "hold_kind": hold_kind,
            "hold_since_s": hold_since,
            "bird_dog_since_s": dog_since,
        }


__all__ = ["LYING", "Event", "FrameSeries", "StreamAnalyzer"]
