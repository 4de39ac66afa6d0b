"""Alert sinks behind one small interface, and the dispatcher that decides what reaches them.

A sink has ``send(notice)``: the terminal (bell and a line), a desktop notification
(``desktop-notifier``, the optional ``desktop`` extra), the dashboard (a callback or a
queue it plugs in), :class:`BuzzSink` (the sensor's own motor, never more often than the
person allows) and :class:`RecordingSink`, a fake for tests.  A sink that fails says
so once and goes quiet; it never takes the session down.

:class:`AlertDispatcher` applies the mode (``training``: alerts are delivered;
``tracking``: silent logging) and snooze (alerts held back for N minutes of stream time,
resuming on their own).  Every alert is returned with whether it was delivered and why
not, so the session log keeps them all.
"""

from __future__ import annotations

import asyncio
import os
import queue
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TextIO

Mode = Literal["training", "tracking"]


@dataclass(frozen=True)
class Notice:
    """One alert for a person: stream time ``t_s`` (s), ``kind`` (slump, sedentary,
    form_break, ...), a short ``message``."""

    t_s: float
    kind: str
    message: str

    @property
    def title(self) -> str:
        return {"slump": "Posture", "sedentary": "Time to move",
                "form_break": "Core hold", "target": "Target reached"}.get(self.kind, "sensorcoach")

    def to_dict(self) -> dict[str, Any]:
        return {"t_s": round(self.t_s, 2), "kind": self.kind, "message": self.message}


class AlertSink(Protocol):
    """Anything that can show a :class:`Notice` to the wearer."""

    def send(self, notice: Notice) -> None: ...


class TerminalSink:
    """Bell and one line on ``stream`` (stderr by default, keeping stdout for data)."""

    def __init__(self, stream: TextIO | None = None, bell: bool = True) -> None:
        self.stream = stream
        self.bell = bell

    def send(self, notice: Notice) -> None:
        out = self.stream or sys.stderr
        out.write(f"{chr(7) if self.bell else ''}[{_clock(notice.t_s)}] "
                  f"{notice.title}: {notice.message}\n")
        out.flush()


class DesktopSink:
    """A desktop notification through ``desktop-notifier``.

    Without the package, or without a notification service (no D-Bus session on Linux),
    one line on ``notice_stream`` says so and the sink does nothing after that.
    """

    def __init__(self, app_name: str = "sensorcoach", notice_stream: TextIO | None = None,
                 importer: Callable[[], Any] | None = None) -> None:
        self.notice_stream = notice_stream
        self.available = False
        self.reason = ""
        self._notifier: Any = None
        self._tasks: set[asyncio.Task[Any]] = set()
        try:
            mod = (importer or _import_desktop_notifier)()
        except ImportError:
            self._off("desktop notifications off: install the extra "
                      "(pip install 'sensorcoach[desktop]')")
            return
        if sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            self._off("desktop notifications off: no D-Bus session bus")
            return
        try:
            self._notifier = mod.DesktopNotifier(app_name=app_name)
        except Exception as e:  # backends raise what their platform raises
            self._off(f"desktop notifications off: {type(e).__name__}: {e}")
            return
        self.available = True

    def _off(self, why: str) -> None:
        self.available = False
        if not self.reason:
            self.reason = why
            out = self.notice_stream or sys.stderr
            out.write(why + "\n")
            out.flush()

    def send(self, notice: Notice) -> None:
        if not self.available:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._off("desktop notifications off: no event loop to send them from")
            return
        task = loop.create_task(self._send(notice))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, notice: Notice) -> None:
        try:
            await self._notifier.send(title=notice.title, message=notice.message)
        except Exception as e:  # D-Bus going away mid-session and the like
            self._off(f"desktop notifications off: {type(e).__name__}: {e}")


def _import_desktop_notifier() -> Any:
    import desktop_notifier  # type: ignore[import-not-found,unused-ignore]

    return desktop_notifier


class CallbackSink:
    """The dashboard's hook: ``callback(notice)`` for every delivered alert."""

    def __init__(self, callback: Callable[[Notice], None]) -> None:
        self.callback = callback

    def send(self, notice: Notice) -> None:
        self.callback(notice)


class QueueSink:
    """Delivered alerts into a queue (``asyncio.Queue`` or ``queue.Queue``); a full queue
    drops the oldest alert rather than blocking the session."""

    def __init__(self, q: asyncio.Queue[Notice] | queue.Queue[Notice]) -> None:
        self.queue = q

    def send(self, notice: Notice) -> None:
        try:
            self.queue.put_nowait(notice)
        except (asyncio.QueueFull, queue.Full):
            self.queue.get_nowait()
            self.queue.put_nowait(notice)


class BuzzSink:
    """Buzzes the sensor on the wearer (``buzz(duration_ms)``, e.g. a transport's
    ``buzz``: the reference firmware built with a motor) on a slump alert, a form break and
    a target reached (``durations``: ms per notice kind; other kinds do not buzz), never
    twice within ``min_interval_s`` seconds of stream time: what the person allows.
    Notices inside the interval are counted in ``skipped``, not queued."""

    #: Buzz length per notice kind, ms: a long one for a slump, a short one for a form
    #: break, the longest for a target reached (they are told apart by feel).
    DURATIONS: Mapping[str, int] = {"slump": 400, "form_break": 200, "target": 800}

    def __init__(self, buzz: Callable[[int], Awaitable[bool]], *, min_interval_s: float = 60.0,
                 durations: Mapping[str, int] | None = None,
                 notice_stream: TextIO | None = None) -> None:
        if not min_interval_s >= 0:
            raise ValueError(f"min_interval_s must be >= 0, got {min_interval_s!r}")
        self.buzz = buzz
        self.min_interval_s = float(min_interval_s)
        self.durations = dict(self.DURATIONS if durations is None else durations)
        self.notice_stream = notice_stream
        self.sent = 0
        self.skipped = 0
        self.last_t_s: float | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._failed = False

    def send(self, notice: Notice) -> None:
        ms = self.durations.get(notice.kind)
        if ms is None:
            return
        if self.last_t_s is not None and notice.t_s - self.last_t_s < self.min_interval_s:
            self.skipped += 1
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._say("buzz off: no event loop to send it from")
            return
        self.last_t_s = notice.t_s
        self.sent += 1
        task = loop.create_task(self._buzz(ms))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _buzz(self, ms: int) -> None:
        try:
            await self.buzz(ms)
        except Exception as e:  # the link going away mid-session and the like
            self._say(f"buzz failed: {type(e).__name__}: {e}")

    def _say(self, why: str) -> None:
        if not self._failed:
            self._failed = True
            out = self.notice_stream or sys.stderr
            out.write(why + "\n")
            out.flush()


class RecordingSink:
    """A fake for tests: keeps every notice it was sent."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.notices.append(notice)


@dataclass(frozen=True)
class Outcome:
    """What became of an alert: ``delivered``, else ``reason`` (tracking, snoozed, ...)."""

    notice: Notice
    delivered: bool
    reason: str | None = None


class AlertDispatcher:
    """Routes alerts to ``sinks`` by ``mode``, honouring snooze (in stream seconds)."""

    def __init__(self, sinks: list[AlertSink] | None = None, *, mode: Mode = "training") -> None:
        if mode not in ("training", "tracking"):
            raise ValueError(f"mode must be training or tracking, got {mode!r}")
        self.sinks: list[AlertSink] = list(sinks or [])
        self.mode: Mode = mode
        self.snoozed_until_s: float | None = None
        self.log: list[Outcome] = []

    def snooze(self, minutes: float, now_s: float) -> None:
        """Hold alerts back from ``now_s`` (stream s) for ``minutes``; 0 resumes now."""
        self.snoozed_until_s = now_s + minutes * 60.0 if minutes > 0 else None

    def snoozed(self, now_s: float) -> bool:
        if self.snoozed_until_s is not None and now_s >= self.snoozed_until_s:
            self.snoozed_until_s = None  # automatic resume
        return self.snoozed_until_s is not None

    def dispatch(self, notice: Notice, *, hold_reason: str | None = None) -> Outcome:
        """Deliver ``notice`` unless tracking, snoozed or ``hold_reason`` (e.g. a stale
        calibration) says not to."""
        reason = hold_reason
        if reason is None and self.mode == "tracking":
            reason = "tracking"
        if reason is None and self.snoozed(notice.t_s):
            reason = "snoozed"
        if reason is None:
            for sink in self.sinks:
                try:
                    sink.send(notice)
                except Exception as e:  # one broken sink must not silence the others
                    sys.stderr.write(f"alert sink {type(sink).__name__} failed: "
                                     f"{type(e).__name__}: {e}\n")
        out = Outcome(notice, reason is None, reason)
        self.log.append(out)
        return out


def _clock(t_s: float) -> str:
    s = int(max(t_s, 0))
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"
