"""``analyze(recording) -> Analysis``: the offline entry point (SPEC sections 4 and 5).

Offline analysis is the streaming analyser fed the whole recording at once, so what
``monitor`` reports live for a replayed file is what ``analyze`` reports for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.activity import SEATED_OR_UNKNOWN, still_frames, walking_frames
from sensorcoach.core.analyzer import FrameSeries, StreamAnalyzer
from sensorcoach.core.calibration import Calibration, auto_calibration, calibration_from_spans
from sensorcoach.core.events import ActivitySpan, Alert, Hold, SlumpEpisode
from sensorcoach.core.framing import frame_ids, make_frames
from sensorcoach.core.gyro_check import GyroVerdict
from sensorcoach.core.motion import MotionAnalyser
from sensorcoach.core.reps import RepSet
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings
from sensorcoach.core.workout import exercise_sets, group_sets, symmetry
from sensorcoach.errors import CalibrationError
from sensorcoach.recording import Gap, Recording

SCHEMA = "sensorcoach.analysis/1"
#: s of samples pushed into the analyser at a time (results do not depend on it: longer
#: slices save per-call overhead, a third of an 8-hour day's time at 300 s; shorter ones
#: memory)...
ANALYSIS_SLICE_S = 1800.0
#: ...and at most this many samples (at 100 Hz 1800 s: the per-sample intermediates of a
#: slice stay near 50 MiB at any rate).
ANALYSIS_SLICE_SAMPLES = 180_000
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Analysis:
    """Everything ``analyze`` found; :meth:`to_dict` gives SPEC section 4's object."""

    recording: Recording
    calibration: Calibration
    settings: Settings
    series: FrameSeries
    slumps: list[SlumpEpisode]
    alerts: list[Alert]
    activity: list[ActivitySpan]
    gaps: list[Gap]
    sedentary_s: float
    slump_on_deg: float
    uses_gyro: bool
    holds: list[Hold] = field(default_factory=list)
    placement: str | None = None
    """The recording's placement header, None when it has none."""
    slump_note: str | None = None
    """Why slump detection was off (low confidence, waist placement), None when it ran."""
    reps: list[RepSet] = field(default_factory=list)
    """Sets of repetitions (deadlifts, bridges done as reps, cat-cow), SPEC section 4
    ``reps``: each with its ``per_rep`` list and, for single-leg sets, the side."""
    hold_note: str | None = None
    """What was inferred to name holds without a forward calibration, None otherwise."""
    gyro_verdict: GyroVerdict | None = None
    """The gyro check's verdict, None without a gyro (or with ``orientation='accel'``)."""

    def gyro_dict(self) -> dict[str, Any]:
        """SPEC section 4's ``gyro``: present, used, and what the check found."""
        present = self.recording.has_gyro
        out: dict[str, Any] = {"present": present, "used": self.uses_gyro}
        if self.gyro_verdict is None:
            out["check"] = None
            out["note"] = ("no gyro: gravity from the accelerometer alone" if not present
                           else "gyro not used (accelerometer-only analysis requested)")
            return out
        out.update(self.gyro_verdict.to_dict())
        if self.gyro_verdict.usable and not self.uses_gyro:
            out["note"] += "; the recording ended before the gyro took over"
        return out

    def calibration_dict(self) -> dict[str, Any]:
        """SPEC section 4's ``calibration``: how upright was found, how sure, where worn."""
        d = self.calibration.to_dict()
        warnings = list(d["warnings"])
        if self.placement is None:
            warnings.append("no placement in the recording: slump thresholds of the upper "
                            "back are used, and sitting is not told from standing")
        if self.slump_note:
            warnings.append(self.slump_note)
        if self.hold_note:
            warnings.append(self.hold_note)
        d["placement"] = self.placement
        d["warnings"] = warnings
        return d

    @property
    def recorded_s(self) -> float:
        """Time covered by data (gaps excluded), s."""
        return float(self.series.t.size * self.settings.frame_s)

    def posture(self) -> dict[str, float]:
        s = self.series
        total = max(s.t.size, 1)
        in_slump = np.zeros(s.t.size, bool)
        for ep in self.slumps:
            in_slump |= (s.t >= ep.start_s) & (s.t < ep.end_s)
        seated = np.isin(s.activity, SEATED_OR_UNKNOWN)
        upright = seated & ~in_slump & (s.flexion_deg < self.slump_on_deg)
        return {"upright_pct": round(100.0 * upright.sum() / total, 1),
                "slumped_pct": round(100.0 * in_slump.sum() / total, 1),
                "sedentary_s": round(self.sedentary_s, 1)}

    def activity_per_sample(self) -> list[str]:
        """Activity state name of every sample of the recording."""
        from sensorcoach.core.activity import ACTIVITY_NAMES

        codes = self.activity_codes_per_sample()
        return [ACTIVITY_NAMES[c] for c in codes.tolist()]

    def activity_codes_per_sample(self) -> IntArray:
        ids = frame_ids(self.recording.t, self.settings.frame_s)
        pos = np.clip(np.searchsorted(self.series.index, ids), 0, self.series.index.size - 1)
        return self.series.activity[pos]

    def to_dict(self) -> dict[str, Any]:
        rec = self.recording
        return {
            "schema": SCHEMA,
            "recording": {"duration_s": round(rec.duration_s, 3), "samples": rec.n_samples,
                          "sample_rate_hz": rec.sample_rate_hz,
                          "has_gyro": rec.has_gyro, "glitches": rec.glitches,
                          "gaps": [g.to_dict() for g in self.gaps],
                          "warnings": recording_warnings(rec)},
            "calibration": self.calibration_dict(),
            "gyro": self.gyro_dict(),
            "posture": self.posture(),
            "activity": [a.to_dict() for a in self.activity],
            "slumps": [e.to_dict() for e in self.slumps],
            "holds": [h.to_dict() for h in self.holds],
            "reps": [r.to_dict() for r in self.reps],
            "sets": group_sets(self.holds, self.settings.set_gap_s, self.reps),
            "exercises": exercise_sets(self.holds, self.reps),
            "symmetry": symmetry(self.holds, self.settings.imbalance_flag_pct, reps=self.reps,
                                 lean_flag_deg=self.settings.form_break_deg),
            "alerts": [a.to_dict() for a in sorted(self.alerts, key=lambda a: a.t_s)],
        }


def recording_warnings(recording: Recording) -> list[str]:
    """What the reader had to leave out of the file (a cut last line, say), in words."""
    out = []
    cut = recording.meta.get("truncated")
    if cut:
        out.append(f"the file was cut short: {cut}")
    return out


def calibrate(recording: Recording, settings: Settings = DEFAULT_SETTINGS) -> Calibration:
    """Calibration from the recording's spans, else automatic (see core.calibration)."""
    if recording.calibration_upright_s is not None:
        try:
            return calibration_from_spans(recording.t, recording.acc_axes,
                                          recording.calibration_upright_s,
                                          recording.calibration_forward_s, settings=settings)
        except ValueError as e:
            raise CalibrationError(f"{recording.source or 'recording'}: {e}") from None
    frames = make_frames(recording.t, recording.acc_axes, None, settings.frame_s)
    feats = MotionAnalyser(settings.frame_s, settings)(frames)
    return auto_calibration(frames.acc, still_frames(feats, settings),
                            walking_frames(feats, settings),
                            placement=recording.meta.get("placement"),
                            mounting_up=_axis(recording, "mounting_up"),
                            mounting_forward=_axis(recording, "mounting_forward"),
                            settings=settings)


def _axis(recording: Recording, key: str) -> NDArray[np.float64] | None:
    """A ``x,y,z`` vector from the recording's header, or None (absent or malformed)."""
    raw = recording.meta.get(key)
    if raw is None:
        return None
    try:
        v = np.array([float(x) for x in raw.split(",")], dtype=np.float64)
    except ValueError:
        raise CalibrationError(f"{recording.source or 'recording'}: {key} must be three "
                               f"numbers 'x,y,z', got {raw!r}") from None
    if v.shape != (3,) or not np.all(np.isfinite(v)) or not np.linalg.norm(v) > 0:
        raise CalibrationError(f"{recording.source or 'recording'}: {key} must be a non-zero "
                               f"vector 'x,y,z', got {raw!r}")
    return v


def analyze(recording: Recording, settings: Settings = DEFAULT_SETTINGS, *,
            orientation: str = "auto", calibration: Calibration | None = None) -> Analysis:
    """Analyse a whole recording (SPEC section 5)."""
    cal = calibration or calibrate(recording, settings)
    placement = recording.meta.get("placement")
    gap_s = 1.75 / recording.sample_rate_hz
    an = StreamAnalyzer(cal, has_gyro=recording.has_gyro, placement=placement,
                        settings=settings, orientation=orientation, span_break_s=gap_s,
                        sample_rate_hz=recording.sample_rate_hz)
    # In slices: the analyser gives the same events for any blocks, and a whole day at
    # once would hold per-sample and per-frame intermediates of all of it (578 -> ~280 MiB
    # peak for an 8-hour 100 Hz day).
    step = max(1, min(round(ANALYSIS_SLICE_S * recording.sample_rate_hz),
                      ANALYSIS_SLICE_SAMPLES))
    gyro = recording.gyro_axes
    for lo in range(0, recording.n_samples, step):
        hi = lo + step
        an.push(recording.t[lo:hi], recording.acc_axes[:, lo:hi],
                None if gyro is None else gyro[:, lo:hi])
    an.finish()
    return Analysis(recording=recording, calibration=cal, settings=settings,
                    series=an.series(), slumps=an.episodes, alerts=an.alerts,
                    activity=an.spans, gaps=recording.gaps(), sedentary_s=an.sedentary_s,
                    slump_on_deg=an.slump_on_deg, uses_gyro=an.uses_gyro, holds=an.holds,
                    placement=placement, slump_note=an.slump_note,
                    gyro_verdict=an.gyro_verdict(), hold_note=an.hold_note,
                    reps=an.rep_sets)
