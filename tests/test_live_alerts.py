"""Alert sinks and delivery: training vs tracking, snooze with automatic resume, the
desktop notifier absent or without D-Bus, a broken sink, the dashboard hooks."""

from __future__ import annotations

import io
import queue
from types import SimpleNamespace
from typing import Any

import pytest

from sensorcoach.alerts import (
    AlertDispatcher,
    CallbackSink,
    DesktopSink,
    Notice,
    QueueSink,
    RecordingSink,
    TerminalSink,
)


def n(t: float, kind: str = "slump") -> Notice:
    return Notice(t, kind, f"alert at {t}")


def test_training_delivers_tracking_logs_silently() -> None:
    sink = RecordingSink()
    d = AlertDispatcher([sink], mode="tracking")
    out = d.dispatch(n(10))
    assert not out.delivered and out.reason == "tracking" and sink.notices == []
    d.mode = "training"
    assert d.dispatch(n(20)).delivered and sink.notices == [n(20)]
    assert [o.delivered for o in d.log] == [False, True]
    with pytest.raises(ValueError):
        AlertDispatcher(mode="loud")  # type: ignore[arg-type]


def test_snooze_holds_alerts_then_resumes_by_itself() -> None:
    sink = RecordingSink()
    d = AlertDispatcher([sink])
    d.snooze(2, now_s=100.0)  # minutes
    assert d.dispatch(n(150)).reason == "snoozed"
    assert d.dispatch(n(219.9)).reason == "snoozed"
    assert d.dispatch(n(220.0)).delivered  # 2 min later: back on
    assert d.snoozed_until_s is None and sink.notices == [n(220.0)]
    d.snooze(5, now_s=300.0)
    d.snooze(0, now_s=301.0)  # resume early
    assert d.dispatch(n(302)).delivered


def test_held_reason_wins_and_broken_sink_does_not_silence_others(
        capsys: pytest.CaptureFixture[str]) -> None:
    class Broken:
        def send(self, notice: Notice) -> None:
            raise RuntimeError("boom")

    sink = RecordingSink()
    d = AlertDispatcher([Broken(), sink])
    assert d.dispatch(n(1), hold_reason="calibration may be stale").reason == (
        "calibration may be stale")
    assert d.dispatch(n(2)).delivered and sink.notices == [n(2)]
    assert "Broken failed" in capsys.readouterr().err


def test_terminal_sink_rings_and_prints() -> None:
    out = io.StringIO()
    TerminalSink(out).send(Notice(3725.0, "slump", "slumped for 30 s: sit up"))
    assert out.getvalue() == "\a[1:02:05] Posture: slumped for 30 s: sit up\n"


def test_desktop_notifier_absent_is_one_line_not_a_crash() -> None:
    def missing() -> Any:
        raise ImportError("No module named 'desktop_notifier'")

    err = io.StringIO()
    sink = DesktopSink(notice_stream=err, importer=missing)
    assert not sink.available
    sink.send(n(1))
    sink.send(n(2))
    assert err.getvalue().count("\n") == 1 and "sensorcoach[desktop]" in err.getvalue()


def test_desktop_notifier_without_dbus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    err = io.StringIO()
    fake = SimpleNamespace(DesktopNotifier=lambda app_name: pytest.fail("not built"))
    sink = DesktopSink(notice_stream=err, importer=lambda: fake)
    assert not sink.available and "D-Bus" in err.getvalue()
    sink.send(n(1))


def test_desktop_notifier_sends_and_failure_turns_it_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    sent: list[tuple[str, str]] = []

    class Notifier:
        def __init__(self, app_name: str) -> None:
            pass

        async def send(self, title: str, message: str) -> None:
            if sent:
                raise ConnectionError("bus gone")
            sent.append((title, message))

    err = io.StringIO()
    sink = DesktopSink(notice_stream=err, importer=lambda: SimpleNamespace(
        DesktopNotifier=Notifier))
    assert sink.available

    async def main() -> None:
        sink.send(n(1))
        await asyncio.sleep(0.01)
        sink.send(n(2))
        await asyncio.sleep(0.01)

    asyncio.run(main())
    assert sent == [("Posture", "alert at 1")]
    assert not sink.available and "bus gone" in err.getvalue()


def test_dashboard_hooks() -> None:
    got: list[Notice] = []
    q: queue.Queue[Notice] = queue.Queue(maxsize=2)
    d = AlertDispatcher([CallbackSink(got.append), QueueSink(q)])
    for t in (1, 2, 3):
        d.dispatch(n(t))
    assert [x.t_s for x in got] == [1, 2, 3]
    assert [q.get_nowait().t_s for _ in range(2)] == [2, 3]  # oldest dropped when full
