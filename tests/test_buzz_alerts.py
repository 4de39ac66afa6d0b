"""The buzz alert sink (sensorcoach.alerts.BuzzSink), hold targets reached
(sensorcoach.live.targets) and ``monitor --buzz``: what buzzes, never faster than the
person allows, and a replayed workout's targets and form breaks end to end."""

from __future__ import annotations

import asyncio
import io
import itertools
from pathlib import Path

import pytest

from sensorcoach import Recording
from sensorcoach.alerts import AlertDispatcher, BuzzSink, Notice, RecordingSink
from sensorcoach.live import RecordingReplay
from sensorcoach.live.targets import TargetRunner, TargetWatch, plan_of, targets_of
from sensorcoach.plan import DEFAULT_PLAN, Plan, PlanItem
from sensorcoach.store import Store
from tests.cli_harness import one_line, run

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"


class Motor:
    """A fake sensor: the durations it was asked to buzz."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[int] = []
        self.fail = fail

    async def __call__(self, ms: int) -> bool:
        if self.fail:
            raise ConnectionError("link lost")
        self.calls.append(ms)
        return True


def deliver(sink: BuzzSink, notices: list[Notice]) -> None:
    async def main() -> None:
        for n in notices:
            sink.send(n)
            await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(main())


def test_buzzes_slump_form_break_and_target_never_faster_than_allowed() -> None:
    motor = Motor()
    sink = BuzzSink(motor, min_interval_s=30)
    deliver(sink, [Notice(0, "slump", "s"), Notice(10, "form_break", "f"),
                   Notice(31, "target", "t"), Notice(40, "sedentary", "move"),
                   Notice(60.9, "slump", "s"), Notice(61, "form_break", "f")])
    # 10 s and 60.9 s are within 30 s of the buzz before; sedentary never buzzes
    assert motor.calls == [400, 800, 200]
    assert (sink.sent, sink.skipped, sink.last_t_s) == (3, 2, 61)


def test_interval_zero_buzzes_every_alert_and_durations_are_the_persons() -> None:
    motor = Motor()
    sink = BuzzSink(motor, min_interval_s=0, durations={"slump": 1000})
    deliver(sink, [Notice(0, "slump", "s"), Notice(0.5, "slump", "s"),
                   Notice(1, "target", "t")])
    assert motor.calls == [1000, 1000]
    with pytest.raises(ValueError):
        BuzzSink(motor, min_interval_s=-1)


def test_a_failing_motor_or_no_loop_says_so_once_and_never_raises() -> None:
    out = io.StringIO()
    sink = BuzzSink(Motor(fail=True), min_interval_s=0, notice_stream=out)
    deliver(sink, [Notice(0, "slump", "s"), Notice(1, "slump", "s")])
    assert out.getvalue() == "buzz failed: ConnectionError: link lost\n"
    out2 = io.StringIO()
    BuzzSink(Motor(), notice_stream=out2).send(Notice(0, "slump", "s"))  # no event loop
    assert out2.getvalue() == "buzz off: no event loop to send it from\n"


def test_target_watch_tells_once_per_hold() -> None:
    w = TargetWatch({"plank": 30.0})
    assert w.update("plank", 10.0, 20.0) is None
    got = w.update("plank", 10.0, 40.5)
    assert got == Notice(40.0, "target", "Plank: 30 s reached")
    assert w.update("plank", 10.0, 50.0) is None  # the same hold: once
    assert w.update(None, None, 55.0) is None
    assert w.update("plank", 60.0, 89.0) is None
    assert w.update("plank", 60.0, 90.0) == Notice(90.0, "target", "Plank: 30 s reached")
    assert w.update("side_plank_left", 95.0, 200.0) is None  # no target for it


def test_targets_come_from_the_saved_plan(tmp_path: Path) -> None:
    assert plan_of(None) == DEFAULT_PLAN
    with Store(tmp_path / "db.sqlite3") as st:
        assert plan_of(st) == DEFAULT_PLAN
        mine = Plan((PlanItem("plank", 2, 45.0, "s"), PlanItem("cat_cow", 1, 8.0, "reps")))
        st.save_plan(mine.to_dict())
        assert plan_of(st) == mine
    assert targets_of(mine) == {"plank": 45.0}


def test_replayed_workout_buzzes_targets_and_form_breaks_at_most_once_a_minute() -> None:
    """workout_steady: planks (54 s from 65 s, 42 s from 283 s), side planks (15-21 s) and
    three form breaks; targets 30 s (plank) and 15 s (side planks)."""
    rec = Recording.read(FIX / "workout_steady.csv.gz")
    motor = Motor()
    times: list[float] = []

    class Timed(BuzzSink):
        def send(self, notice: Notice) -> None:
            before = self.sent
            super().send(notice)
            if self.sent > before:
                times.append(notice.t_s)

    seen = RecordingSink()
    buzz = Timed(motor, min_interval_s=60)
    runner = TargetRunner(
        RecordingReplay(rec, 0, block_s=0.5),
        targets=TargetWatch({"plank": 30.0, "side_plank_left": 15.0, "side_plank_right": 15.0}),
        header_spans=(rec.calibration_upright_s, rec.calibration_forward_s)
        if rec.calibration_upright_s is not None else None,
        placement=rec.meta.get("placement"), dispatcher=AlertDispatcher([seen, buzz]))
    asyncio.run(runner.run())
    reached = [n for n in seen.notices if n.kind == "target"]
    planks = [n.t_s for n in reached if n.message.startswith("Plank")]
    assert len(planks) == 2
    assert planks[0] == pytest.approx(65.0 + 30.0, abs=2.0)
    assert planks[1] == pytest.approx(283.4 + 30.0, abs=2.0)
    assert sum(n.kind == "form_break" for n in seen.notices) >= 2
    assert len(motor.calls) == len(times) >= 4
    # targets at 95, 169 (side plank left), 224.7 (right: 56 s after, skipped), form
    # break 231.95, plank 313.4, form break 327.75 (skipped), 399.3, form break 401.15
    # (skipped), 472.4: target buzzes are long (800 ms), form breaks short (200 ms)
    assert motor.calls == [800, 800, 200, 800, 800, 800]
    assert times == pytest.approx([95.0, 169.0, 231.95, 313.4, 399.3, 472.4], abs=2.0)
    assert all(b - a >= 60 for a, b in itertools.pairwise(times))
    # every alert that did not buzz came within a minute of the buzz before it
    for n in seen.notices:
        if n.kind in BuzzSink.DURATIONS and n.t_s not in times:
            assert n.t_s - max(t for t in times if t <= n.t_s) < 60
    assert buzz.skipped == sum(n.kind in BuzzSink.DURATIONS for n in seen.notices) - len(times)


def test_monitor_buzz_on_a_replay_says_it_cannot_buzz_and_runs(
        capsys: pytest.CaptureFixture[str]) -> None:
    src = f"replay:{FIX / 'workout_steady.csv.gz'}@0"
    code, _, err = run(["monitor", "--source", src, "--no-store", "--no-desktop",
                          "--json", "--buzz", "--buzz-every", "30"], capsys)
    assert code == 0
    assert "--buzz: replay:" in err and "cannot buzz" in err
    assert "Target reached: Plank: 30 s reached" in err  # the terminal sink shows targets
    code, _, err = run(["monitor", "--source", src, "--buzz", "--buzz-every", "-1"], capsys)
    assert code == 2 and one_line(err) and "--buzz-every" in err
