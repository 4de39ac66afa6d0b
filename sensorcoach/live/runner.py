"""The live runner: source events -> calibration -> :class:`StreamAnalyzer` -> event lines.

Every output is a JSON-ready dict with ``type`` and ``t_s`` (stream time, s): the event
lines of SPEC section 6 (``calibrated``, ``state``, ``alert``, ``hold``, ``slump``,
``source``) plus ``guide`` (calibration countdown) and ``activity`` (finished bouts).
Listeners (the terminal view, the dashboard) receive each line as it happens.

Samples are buffered until calibrated (a given calibration, the replayed recording's
header spans, or the guided one), then all of them, from the start, go to the analyser:
live and offline see the same samples with the same calibration, so they agree.
Core events are handled by type name, so new ones (holds) flow through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from firmware_interface.samples import SampleBlock
from firmware_interface.transports.base import Source, Status
from sensorcoach.alerts import AlertDispatcher, Notice
from sensorcoach.core.analyzer import StreamAnalyzer
from sensorcoach.core.calibration import Calibration, calibration_from_spans
from sensorcoach.core.events import Alert
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings
from sensorcoach.errors import CalibrationError
from sensorcoach.live.faults import OrientationWatch
from sensorcoach.live.guide import CalibrationGuide
from sensorcoach.live.sessions import SessionRecorder

FloatArray = NDArray[np.float64]
Line = dict[str, Any]
Listener = Callable[[Line], None]
Span = tuple[float, float]

STALE_REASON = "calibration may be stale"


@dataclass
class LiveState:
    """What a live view shows: the newest angles, state, counts and link status."""

    t_s: float | None = None
    state: str = "waiting"
    flexion_deg: float | None = None
    lateral_deg: float | None = None
    activity: str | None = None
    slump_since_s: float | None = None
    hold_kind: str | None = None
    hold_since_s: float | None = None
    link: str = "connecting"
    calibration_stale: bool = False
    drift_ppm: float | None = None
    dropped: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"slump": 0, "hold": 0, "alert": 0,
                                                            "reps": 0})
    guide: Line | None = None
    set_kind: str | None = None
    """The set of repetitions under way (``deadlift``, ``bridge``, ``cat_cow``), if any."""
    set_count: int = 0
    """Its repetitions so far (a finished set arrives as a ``reps`` line)."""
    bird_dog_since_s: float | None = None
    """Start of the bout on all fours the bird dog detector follows, if one is open (its
    sides arrive as ``hold`` lines when it ends)."""


class LiveRunner:
    """Runs one live session from ``source``.

    ``calibration``: use this one (a saved file, or the offline calibration of a replayed
    recording) and skip the guide; ``header_spans``: (upright, forward) spans of a
    replayed recording, which take precedence over the guide; ``dispatcher``: alert
    delivery (mode, snooze); ``recorder``: session storage (None: nothing stored);
    ``feed_s``: samples go to the core in batches of this much stream time (s): the core's
    cost is mostly per call, so 0.5 s batches cost a fraction of 20 ms ones, and delay
    events by at most that (alerts stay well within dwell + 1 s).
    """

    def __init__(self, source: Source, *, calibration: Calibration | None = None,
                 header_spans: tuple[Span, Span | None] | None = None,
                 placement: str | None = None, settings: Settings = DEFAULT_SETTINGS,
                 dispatcher: AlertDispatcher | None = None,
                 recorder: SessionRecorder | None = None,
                 guide: CalibrationGuide | None = None,
                 watch: OrientationWatch | None = None,
                 span_break_s: float | None = None, feed_s: float = 0.5) -> None:
        self.source = source
        self.calibration = calibration
        self.header_spans = header_spans
        self.placement = placement
        self.settings = settings
        self.dispatcher = dispatcher or AlertDispatcher()
        self.recorder = recorder
        self.guide = guide or CalibrationGuide()
        self.watch = watch or OrientationWatch()
        rate = getattr(source, "rate_hz", None)
        self.span_break_s = span_break_s or (1.75 / rate if rate else 0.5)
        self.analyzer: StreamAnalyzer | None = None
        self.feed_s = feed_s
        self._feed: list[tuple[FloatArray, FloatArray, FloatArray | None]] = []
        self.listeners: list[Listener] = []
        self.lines: list[Line] = []
        """Every line so far (kept for tests and the end-of-session summary)."""
        self.keep_lines = True
        self.view = LiveState()
        self.has_gyro: bool | None = None
        self.latency_s: deque[float] = deque(maxlen=200_000)
        """Processing time of each sample block (s), arrival to events."""
        self.dropped_late = 0
        self._buf_t: list[FloatArray] = []
        self._buf_acc: list[FloatArray] = []
        self._buf_gyro: list[FloatArray | None] = []
        self._last_t: float | None = None
        self._disconnected_at: float | None = None
        self._gap: dict[str, Any] | None = None
        self.ended = False
        self._finished = False

    # ------------------------------------------------------------------ driving
    async def run(self) -> None:
        """Consume the source until it ends or is closed; then :meth:`finish`."""
        try:
            async for item in self.source.blocks():
                self.handle(item)
                if self.ended:
                    break
        except asyncio.CancelledError:
            # Stopped (Ctrl-C) before the calibration spans had their samples: the
            # session ends uncalibrated and the cancellation goes on, not a
            # CalibrationError in its place (a traceback at the dashboard's shutdown).
            with contextlib.suppress(CalibrationError):
                self.finish()
            raise
        finally:
            await self.source.aclose()
            self.finish()

    def handle(self, item: SampleBlock | Status) -> list[Line]:
        """Process one source event; returns the lines it produced."""
        t0 = time.perf_counter()
        out: list[Line] = []
        if isinstance(item, Status):
            out += self._status(item)
        elif len(item):
            out += self._block(item)
            self.latency_s.append(time.perf_counter() - t0)
        for line in out:
            self._emit(line)
        return out

    def finish(self) -> list[Line]:
        """End of stream: close open episodes and bouts (idempotent)."""
        if self._finished:
            return []
        self._finished = True
        out: list[Line] = []
        if self.analyzer is None and self._buf_t:
            out += self._calibrate_now(final=True)
        if self.analyzer is not None:
            out += self._push_feed()
            out += self._core_events(self.analyzer.finish())
            self.analyzer = None
        self.ended = True
        for line in out:
            self._emit(line)
        if self.recorder is not None:
            self.recorder.flush()
        return out

    def recalibrate(self) -> list[Line]:
        """Calibrate again from the next samples (e.g. the clip moved): the current
        analysis is finished (open episodes and holds close at the last sample), the
        guided calibration starts over at the current stream time, and a new analyser with
        the new calibration takes over when it is done. Event times stay in stream time."""
        out: list[Line] = []
        if self.analyzer is not None:
            out += self._push_feed()
            out += self._core_events(self.analyzer.finish())
            self.analyzer = None
        now = self._last_t or 0.0
        self.calibration = None
        self.header_spans = None
        self.guide = CalibrationGuide(start_s=now, max_attempts=self.guide.max_attempts)
        self.watch = OrientationWatch()
        self.view.calibration_stale = False
        self._buf_t, self._buf_acc, self._buf_gyro = [], [], []
        out += self._set_state("calibrating", now)
        for line in out:
            self._emit(line)
        return out

    def snooze(self, minutes: float) -> None:
        """Hold alerts back for ``minutes`` of stream time (0: resume)."""
        self.dispatcher.snooze(minutes, self._last_t or 0.0)

    # ------------------------------------------------------------------ sources
    def _status(self, st: Status) -> list[Line]:
        line: Line = {"type": "source", "t_s": round(st.t_s, 3), "event": st.kind,
                      "detail": st.detail, "counters": dict(st.counters)}
        if st.kind == "reconnected":
            line["dropped"] = st.dropped
            line["outage_s"] = round(st.outage_s, 3)
            self.view.dropped += st.dropped
            start = self._last_t if self._last_t is not None else st.t_s
            self._gap = {"start_s": round(start, 3), "dropped": st.dropped,
                         "outage_s": round(st.outage_s, 3)}
        if st.drift_ppm is not None:
            line["drift_ppm"] = round(st.drift_ppm, 1)
            self.view.drift_ppm = st.drift_ppm
        out = [line]
        self.view.link = st.kind
        if st.kind == "disconnected":
            out += self._push_feed()
            self._disconnected_at = st.t_s
            self.watch.gap()
            out += self._set_state("disconnected", st.t_s)
            if self.recorder is not None:
                self.recorder.flush()
        elif st.kind == "ended":
            self.ended = True
        return out

    def _block(self, b: SampleBlock) -> list[Line]:
        t, acc, gyro = b.t, b.acc.T, None if b.gyro is None else b.gyro.T
        if self._last_t is not None and t[0] <= self._last_t:
            sel = t > self._last_t  # late or repeated samples: the stream must move on
            self.dropped_late += int((~sel).sum())
            if not sel.any():
                return []
            t, acc, gyro = t[sel], acc[:, sel], None if gyro is None else gyro[:, sel]
        if self.has_gyro is None:
            self.has_gyro = gyro is not None
        elif self.has_gyro and gyro is None:
            gyro = np.full((3, t.size), np.nan)
        elif not self.has_gyro:
            gyro = None
        if gyro is not None and np.isnan(gyro).any():
            gyro = np.nan_to_num(gyro)  # a lost gyro frame: treat as no rotation
        if self._gap is not None:
            self._close_gap(t)
        self._last_t = float(t[-1])
        self._disconnected_at = None
        out: list[Line] = []
        if self.recorder is not None:
            self.recorder.add_samples(t, acc, gyro)
        for n in self.watch.push(t, acc):
            self.view.calibration_stale = n.stale
            out.append({"type": "source", "t_s": round(n.t_s, 3),
                        "event": "calibration_stale" if n.stale else "calibration_ok",
                        "angle_deg": n.angle_deg,
                        "detail": ("the sensor seems to have moved in its clip: calibration "
                                   "may be stale, slump alerts are held back; recalibrate")
                        if n.stale else "orientation back to where it was calibrated"})
        if self.analyzer is None:
            self._buf_t.append(t)
            self._buf_acc.append(acc)
            self._buf_gyro.append(gyro)
            out += self._calibrate_now(final=False)
        else:
            self._feed.append((t, acc, gyro))
            if float(t[-1]) - float(self._feed[0][0][0]) >= self.feed_s - 1e-9:
                out += self._push_feed()
        out += self._refresh()
        return out

    def _close_gap(self, t: FloatArray) -> None:
        """Record an outage's hole where it shows in the sample times (samples held for
        lookahead may still arrive after the reconnect, from before the hole)."""
        assert self._gap is not None
        prev = self._last_t if self._last_t is not None else float(t[0])
        tt = np.concatenate([[prev], t])
        hole = np.flatnonzero(np.diff(tt) > self.span_break_s)
        if hole.size:
            i = int(hole[0])
            gap, self._gap = self._gap, None
            gap.update(start_s=round(float(tt[i]), 3), end_s=round(float(tt[i + 1]), 3))
        elif float(t[-1]) - self._gap["start_s"] > 5.0:  # no hole: the outage cost nothing
            gap, self._gap = self._gap, None
            gap["end_s"] = gap["start_s"]
        else:
            return
        if self.recorder is not None:
            self.recorder.add_event("gap", gap["start_s"], gap["end_s"], gap)

    # ------------------------------------------------------------------ calibration
    def _buffered(self) -> tuple[FloatArray, FloatArray]:
        return np.concatenate(self._buf_t), np.concatenate(self._buf_acc, axis=1)

    def _calibrate_now(self, final: bool) -> list[Line]:
        now = self._last_t or 0.0
        out: list[Line] = []
        cal = self.calibration
        if cal is None and self.header_spans is not None:
            up, fw = self.header_spans
            if now > (fw or up)[1] or final:
                t, acc = self._buffered()
                try:
                    cal = calibration_from_spans(t, acc, up, fw, method="header",
                                                 settings=self.settings)
                except ValueError as e:
                    raise CalibrationError(f"{self.source.name}: {e}") from None
        elif cal is None:
            res = self.guide.update(now, self._buffered)
            out += res.lines
            if res.lines:
                self.view.guide = res.lines[-1]
            cal = res.calibration
            if cal is None and final:
                cal = self.guide.update(float("inf"), self._buffered).calibration
        if cal is None:
            if not self.view.state == "calibrating":
                out += self._set_state("calibrating", now)
            return out
        self.calibration = cal
        self.view.guide = None
        out.append({"type": "calibrated", "t_s": round(now, 3), **cal.to_dict()})
        if self.recorder is not None:
            self.recorder.add_calibration(cal)
        t = np.concatenate(self._buf_t)
        rate = getattr(self.source, "rate_hz", None) or (
            1.0 / float(np.median(np.diff(t))) if t.size > 1 else 50.0)
        self.analyzer = StreamAnalyzer(cal, has_gyro=bool(self.has_gyro),
                                       placement=self.placement, settings=self.settings,
                                       span_break_s=self.span_break_s,
                                       sample_rate_hz=float(rate))
        acc = np.concatenate(self._buf_acc, axis=1)
        gyro = None if not self.has_gyro else np.concatenate(
            [g for g in self._buf_gyro if g is not None], axis=1)
        self._buf_t, self._buf_acc, self._buf_gyro = [], [], []
        out += self._core_events(self.analyzer.push(t, acc, gyro))
        return out

    def _push_feed(self) -> list[Line]:
        if not self._feed or self.analyzer is None:
            return []
        parts, self._feed = self._feed, []
        t = np.concatenate([p[0] for p in parts])
        acc = np.concatenate([p[1] for p in parts], axis=1)
        g = [p[2] for p in parts]
        gyro = None if any(x is None for x in g) else np.concatenate(
            [x for x in g if x is not None], axis=1)
        return self._core_events(self.analyzer.push(t, acc, gyro))

    # ------------------------------------------------------------------ events
    def _core_events(self, events: list[Any]) -> list[Line]:
        now = round(self._last_t or 0.0, 3)
        out: list[Line] = []
        for ev in events:
            kind = _type_name(ev)
            line: Line = {"type": kind, "t_s": now, **ev.to_dict()}
            if kind in self.view.counts:
                self.view.counts[kind] += 1
            if isinstance(ev, Alert):
                stale = self.view.calibration_stale and ev.kind == "slump"
                res = self.dispatcher.dispatch(Notice(ev.t_s, ev.kind, ev.message),
                                               hold_reason=STALE_REASON if stale else None)
                line["delivered"] = res.delivered
                if res.reason:
                    line["held"] = res.reason
                if self.recorder is not None:
                    self.recorder.add_alert(ev.t_s, ev.kind, ev.message, res.delivered,
                                            res.reason)
            elif self.recorder is not None and kind != "activity":
                d = ev.to_dict()
                self.recorder.add_event(kind, d.get("start_s"), d.get("end_s"), d)
            out.append(line)
        return out

    def _refresh(self) -> list[Line]:
        if self.analyzer is None:
            return []
        st = self.analyzer.status()
        v = self.view
        v.t_s = st.get("t_s")  # type: ignore[assignment]
        v.flexion_deg = st.get("flexion_deg")  # type: ignore[assignment]
        v.lateral_deg = st.get("lateral_deg")  # type: ignore[assignment]
        v.activity = st.get("activity")  # type: ignore[assignment]
        v.slump_since_s = st.get("slump_since_s")  # type: ignore[assignment]
        v.hold_kind = st.get("hold_kind")  # type: ignore[assignment]
        v.hold_since_s = st.get("hold_since_s")  # type: ignore[assignment]
        v.bird_dog_since_s = st.get("bird_dog_since_s")  # type: ignore[assignment]
        under_way = self.analyzer.rep_counter.progress()
        v.set_kind, v.set_count = (None, 0) if under_way is None else under_way
        if v.link == "disconnected" or v.t_s is None:
            return []
        if v.hold_since_s is not None:
            state = "hold"
        elif v.slump_since_s is not None:
            state = "slumped"
        elif v.activity in ("walking", "running", "lying", "bending", "standing"):
            state = str(v.activity)
        else:
            state = "upright"
        return self._set_state(state, v.t_s)

    def _set_state(self, state: str, t_s: float) -> list[Line]:
        if state == self.view.state:
            return []
        self.view.state = state
        line: Line = {"type": "state", "t_s": round(t_s, 3), "state": state}
        if state not in ("calibrating", "disconnected"):
            line.update(flexion_deg=self.view.flexion_deg, lateral_deg=self.view.lateral_deg,
                        activity=self.view.activity)
            if state == "hold":
                line["hold_kind"] = self.view.hold_kind
        return [line]

    def _emit(self, line: Line) -> None:
        if self.keep_lines:
            self.lines.append(line)
        for f in self.listeners:
            f(line)


_NAMES = {"SlumpEpisode": "slump", "ActivitySpan": "activity", "RepSet": "reps"}


def _type_name(ev: object) -> str:
    """``slump``, ``alert``, ``activity``, ``hold``, ... for a core event."""
    name = type(ev).__name__
    if name in _NAMES:
        return _NAMES[name]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
