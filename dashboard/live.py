"""Live sessions inside the dashboard: replays (the demo) and phone pushes, each a
:class:`LiveRunner` whose event lines go to the SSE :class:`Broadcaster`.

Each live session has its own store connection (SQLite WAL allows one writer at a time
across connections, with a busy timeout), so finishing one (its analysis runs in a
worker thread) never shares a connection with the API or another session.
``sample`` events are the runner's view polled at ``sample_hz``: decimated by design.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from dashboard.sse import Broadcaster
from firmware_interface.samples import DecodeStats, SampleBlock
from firmware_interface.transports.base import Event as SourceEvent
from sensorcoach.alerts import AlertDispatcher
from sensorcoach.feedback import personal_settings
from sensorcoach.live import LiveRunner, RecordingReplay, SessionRecorder
from sensorcoach.recording import Recording
from sensorcoach.store import Store

log = logging.getLogger(__name__)

#: Event line types forwarded to /api/live (``sample`` comes from the view).
FORWARD = frozenset({"state", "alert", "hold", "slump", "reps", "calibrated", "guide",
                     "source"})


class PushSource:
    """A stand-in source for pushed data: the push endpoint feeds the runner directly."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = DecodeStats()

    async def blocks(self) -> AsyncIterator[SourceEvent]:  # never iterated
        return
        yield

    async def aclose(self) -> None:
        return None


@dataclass
class LiveSession:
    id: int
    name: str
    source: str
    runner: LiveRunner
    recorder: SessionRecorder
    store: Store
    task: asyncio.Task[None] | None = None
    last_seen: float = field(default_factory=time.monotonic)
    last_sample_t: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        v = self.runner.view
        d = self.runner.dispatcher
        hold_s = _since(v.t_s, v.hold_since_s)
        slump_s = _since(v.t_s, v.slump_since_s)
        state = shown_state(self.runner, v.state, slump_s, v.flexion_deg)
        counts = dict(v.counts)
        # what the card counts: slumps and holds including one under way (the core counts
        # them when they end), alerts as the toasts showed them (held-back ones apart)
        counts["slump"] = counts.get("slump", 0) + (1 if state == "slumped" else 0)
        counts["hold"] = counts.get("hold", 0) + (1 if hold_s is not None else 0)
        counts["alert"] = int(self.extra.get("alerts_shown", 0))
        counts["held"] = int(self.extra.get("alerts_held", 0))
        return {"id": self.id, "name": self.name, "source": self.source, "state": state,
                "t_s": v.t_s, "flexion_deg": v.flexion_deg, "lateral_deg": v.lateral_deg,
                "activity": v.activity, "hold_kind": v.hold_kind if hold_s is not None
                else None, "hold_s": hold_s,
                "slump_s": slump_s if state == "slumped" else None,
                "counts": counts, "link": v.link,
                "calibration_stale": v.calibration_stale, "guide": v.guide,
                "slumps_off": not slumps_enabled(self.runner),
                "snoozed": d.snoozed_until_s is not None,
                "can_calibrate": hasattr(self.runner, "recalibrate"),
                # the guided routine (static/guide.js): a set of repetitions or a stretch
                # posture under way
                "set_kind": v.set_kind, "set_count": v.set_count,
                "stretch_s": None if hold_s is not None else _since(
                    v.t_s, stretch_since(self.runner)),
                **bird_dog_now(self.runner, v.t_s, v.bird_dog_since_s)}


def bird_dog_now(runner: LiveRunner, t_s: float | None,
                 since_s: float | None) -> dict[str, Any]:
    """The bout on all fours under way (``bird_dog_s``: s so far) and, once the bout has
    shown both sides, the side held now (``bird_dog_side``: the lifted leg's row, and
    ``bird_dog_side_s``: s so far); None where not known. A bout is a bird dog set only if
    both sides show by its end, when they arrive as ``hold`` events."""
    out: dict[str, Any] = {"bird_dog_s": _since(t_s, since_s), "bird_dog_side": None,
                           "bird_dog_side_s": None}
    if out["bird_dog_s"] is None:
        return out
    det = getattr(getattr(runner.analyzer, "hold_detector", None), "bird_dog", None)
    side = getattr(det, "side_under_way", lambda: None)()
    if side is not None:
        out["bird_dog_side"], out["bird_dog_side_s"] = str(side[0]), _since(t_s, side[1])
    return out


def stretch_since(runner: LiveRunner) -> float | None:
    """Stream time (s) where the stretch under way began, once the detector has recognised
    it (relaxed, in a stretch posture for a few seconds; the core's status does not carry
    it; its kind is known when the stretch ends). Not the unconfirmed run: walking
    ``make demo``, every bridge repetition and a bird dog's pauses started the guide's
    stretch timer at 0 s for minutes."""
    det = getattr(runner.analyzer, "stretch_detector", None)
    start = getattr(det, "confirmed_start", None)
    return float(start) if isinstance(start, int | float) else None


def slumps_enabled(runner: LiveRunner) -> bool:
    """False when the analysis detects no slumps (upright reference too uncertain)."""
    return bool(getattr(runner.analyzer, "slumps_enabled", True))


def shown_state(runner: LiveRunner, state: str, slump_s: float | None,
                flexion_deg: float | None) -> str:
    """The state a card shows: ``slumped`` only for a slump that counts (beyond
    ``slump_min_s``, within the seated band, slumps detected at all); before that
    ``leaning`` (getting into a plank passes through the slump band), and ``sitting``
    when slumps are off."""
    if state != "slumped":
        return state
    st = runner.settings
    if not slumps_enabled(runner):
        return "sitting"
    # the core reports a slump once it counts (slump_min_s after its start); a second's
    # slack keeps frame rounding from flickering "leaning" at that moment
    if slump_s is None or slump_s < st.slump_min_s - 1.0 or (
            flexion_deg is not None and flexion_deg > st.slump_max_deg):
        return "leaning"
    return "slumped"


def _since(now: float | None, start: float | None) -> float | None:
    return None if now is None or start is None else round(now - start, 1)


class LiveHub:
    """The running live sessions of this server process."""

    def __init__(self, db_path: Path, bus: Broadcaster, *, sample_hz: float = 4.0,
                 push_idle_s: float = 60.0) -> None:
        self.db_path = db_path
        self.bus = bus
        self.sample_hz = sample_hz
        self.push_idle_s = push_idle_s
        self.sessions: dict[int, LiveSession] = {}
        self._ticker: asyncio.Task[None] | None = None
        self._finishing: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> None:
        """Cancel replays, end push sessions; everything is analysed and stored."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for ls in list(self.sessions.values()):
            if ls.task is not None:
                ls.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ls.task
            else:
                await self.end(ls, status="finished")
        if self._finishing:
            await asyncio.gather(*self._finishing, return_exceptions=True)

    def snapshot(self) -> dict[str, Any]:
        return {"sessions": [ls.snapshot() for ls in self.sessions.values()]}

    # ------------------------------------------------------------------ sessions
    def open(self, *, name: str, source: str, runner_source: Any, rate_hz: float | None,
             has_gyro: bool, placement: str | None, meta: dict[str, str],
             **runner_kw: Any) -> LiveSession:
        """A new live session row, its recorder and runner (not started)."""
        store = Store(self.db_path, check_same_thread=False)
        sid = store.create_session(name, source, sample_rate_hz=rate_hz, has_gyro=has_gyro,
                                   placement=placement, meta=meta)
        rec = SessionRecorder(store, name=name, source=source, rate_hz=rate_hz,
                              placement=placement, meta=meta)
        rec.session_id = sid  # the row exists already, so the session is listed at once
        runner = LiveRunner(runner_source, placement=placement, recorder=rec,
                            dispatcher=AlertDispatcher(), settings=personal_settings(store),
                            **runner_kw)
        runner.keep_lines = False
        ls = LiveSession(sid, name, source, runner, rec, store)
        runner.listeners.append(lambda line: self._forward(ls, line))
        self.sessions[sid] = ls
        self.bus.publish("session", {"session_id": sid, "event": "started", "name": name,
                                     "source": source})
        return ls

    def start_replay(self, recording: Recording, *, name: str, speed: float,
                     block_s: float = 0.1) -> LiveSession:
        """Replay ``recording`` live at ``speed`` x real time through the runner."""
        header = None
        cal = None
        if recording.calibration_upright_s is not None:
            header = (recording.calibration_upright_s, recording.calibration_forward_s)
        else:
            from sensorcoach.analysis import calibrate

            cal = calibrate(recording)
        src = RecordingReplay(recording, speed, block_s=block_s)
        ls = self.open(name=name, source=f"replay@{speed:g}", runner_source=src,
                       rate_hz=recording.sample_rate_hz, has_gyro=recording.has_gyro,
                       placement=recording.meta.get("placement"), meta=dict(recording.meta),
                       header_spans=header, calibration=cal)
        ls.task = asyncio.get_running_loop().create_task(self._run(ls))
        return ls

    async def _run(self, ls: LiveSession) -> None:
        status = "finished"
        try:
            await ls.runner.run()
        except asyncio.CancelledError:
            status = "interrupted"
            ls.runner.finish()
            self._finish_now(ls, status)
            raise
        await self.end(ls, status=status)

    async def end(self, ls: LiveSession, status: str = "finished") -> None:
        """Finish a session: close episodes, analyse (in a worker thread), store."""
        if self.sessions.pop(ls.id, None) is None:
            return
        await anyio.to_thread.run_sync(self._end_sync, ls, status)

    def _end_sync(self, ls: LiveSession, status: str) -> None:
        """Everything of ending a session that is work (a worker thread)."""
        try:
            on_end = ls.extra.pop("on_end", None)
            if callable(on_end):
                on_end()  # a push session's held-back last second
            ls.runner.finish()
        except Exception:
            log.exception("live session %s: finishing the stream failed", ls.id)
        self._finish_sync(ls, status)

    def _finish_now(self, ls: LiveSession, status: str) -> None:
        if self.sessions.pop(ls.id, None) is not None:
            self._finish_sync(ls, status)

    def _finish_sync(self, ls: LiveSession, status: str) -> None:
        summary: dict[str, Any] | None = None
        try:
            summary = ls.recorder.finish(ls.runner.calibration, status=status)
        except Exception:  # never leave the session live (and its connection open)
            log.exception("live session %s: analysis failed; closed without one", ls.id)
            summary = {"duration_s": 0.0, "slumps": 0, "holds": 0, "alerts": 0,
                       "error": "analysis failed"}
            with contextlib.suppress(Exception):
                ls.store.finish_session(ls.id, summary=summary, analysis=None,
                                        status=status)
        finally:
            ls.store.close()
            ls.extra.clear()
        self.bus.publish("session", {"session_id": ls.id, "event": status, "name": ls.name,
                                     "summary": summary})

    def feed(self, ls: LiveSession, block: SampleBlock) -> None:
        """Samples that arrived for a pushed session (committed at once)."""
        ls.last_seen = time.monotonic()
        if len(block):
            ls.runner.handle(block)
        ls.recorder.flush()

    # ------------------------------------------------------------------ controls
    def snooze(self, session_id: int, minutes: float) -> dict[str, Any]:
        ls = self.sessions[session_id]
        ls.runner.snooze(minutes)
        snap = ls.snapshot()
        self.bus.publish("state", {"session_id": session_id, "state": snap["state"],
                                   "snoozed": snap["snoozed"], **self.snapshot()})
        return snap

    def calibrate(self, session_id: int) -> bool:
        """Restart the guided calibration if the runner supports it (False if not)."""
        ls = self.sessions[session_id]
        fn = getattr(ls.runner, "recalibrate", None)
        if fn is None:
            return False
        fn()
        return True

    # ------------------------------------------------------------------ events
    def _forward(self, ls: LiveSession, line: dict[str, Any]) -> None:
        kind = str(line["type"])
        if kind not in FORWARD:
            return
        data = {"session_id": ls.id, "session_name": ls.name, **line}
        if kind == "alert":
            key = "alerts_shown" if line.get("delivered", True) else "alerts_held"
            ls.extra[key] = int(ls.extra.get(key, 0)) + 1
        if kind == "state":
            data.update(self.snapshot())
            data["shown"] = ls.snapshot()["state"]
        self.bus.publish(kind, data)

    async def _tick(self) -> None:
        period = 1.0 / self.sample_hz
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for ls in list(self.sessions.values()):
                v = ls.runner.view
                if v.t_s is not None and v.t_s != ls.last_sample_t:
                    ls.last_sample_t = v.t_s
                    snap = ls.snapshot()
                    self.bus.publish("sample", {"session_id": ls.id, **{
                        k: snap[k] for k in ("t_s", "flexion_deg", "lateral_deg", "state",
                                             "activity", "hold_kind", "hold_s", "slump_s",
                                             "counts", "snoozed", "link", "slumps_off",
                                             "set_kind", "set_count", "stretch_s",
                                             "bird_dog_s", "bird_dog_side",
                                             "bird_dog_side_s")}})
                if ls.task is None and now - ls.last_seen > self.push_idle_s:
                    self._spawn_end(ls)

    def _spawn_end(self, ls: LiveSession) -> None:
        task = asyncio.get_running_loop().create_task(self.end(ls))
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)
