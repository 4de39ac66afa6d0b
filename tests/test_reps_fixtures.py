"""Repetitions on the routine fixtures (labelled simulations) and none elsewhere; live
shows each finished set."""

from __future__ import annotations

import asyncio
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dashboard.live import FORWARD
from sensorcoach import Recording, analyze
from sensorcoach.analysis import Analysis, calibrate
from sensorcoach.live import LiveRunner, RecordingReplay
from sensorcoach.live.view import JSON_TYPES, describe

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
REP_KINDS = ("deadlift", "single_leg_deadlift", "glute_bridge", "single_leg_bridge", "cat_cow")


@cache
def analysed(name: str) -> Analysis:
    return analyze(Recording.read(FIXTURES / f"{name}.csv.gz"))


def truth(name: str) -> list[dict[str, Any]]:
    labels = json.loads((FIXTURES / f"{name}.labels.json").read_text())["segments"]
    return [s for s in labels if s.get("mode") == "reps" and s["kind"].startswith(REP_KINDS)]


@pytest.mark.parametrize("name", ["routine_50hz", "routine_100hz", "routine_nocal_25hz"])
def test_routine_sets_are_found_named_and_counted(name: str) -> None:
    want = truth(name)
    assert want
    got = analysed(name).to_dict()["reps"]
    assert [g["kind"] for g in got] == [w["kind"] for w in want]
    for g, w in zip(got, want, strict=True):
        assert abs(g["count"] - w["count"]) <= 1, (g, w)
        # within a repetition (one may be missed at either end)
        assert abs(g["start_s"] - w["start_s"]) < 8 and abs(g["end_s"] - w["end_s"]) < 8
        # the orientation estimate lags a fast hinge or a bridge's lift by a few degrees
        assert abs(g["range_deg"] - w["range_deg"]) < 10
        assert abs(g["down_s"] - w["down_s"]) < 0.6 and abs(g["up_s"] - w["up_s"]) < 0.6
        assert len(g["per_rep"]) == g["count"]
        if w["kind"].startswith("single_leg_deadlift"):
            assert g["stand_leg"] == w["stand_leg"]
            assert abs(g["pelvic_rotation_deg"] - w["pelvic_rotation_deg"]) < 4
        if w["kind"].startswith("single_leg_bridge"):
            assert g["support"] == w["support"] and g["drop_side"] == w["drop_side"]


def test_held_bridges_are_not_counted_as_repetitions() -> None:
    got = analysed("routine_100hz").to_dict()["reps"]
    assert not any(g["kind"].endswith("bridge") or "_bridge_" in g["kind"] for g in got)


def test_without_calibration_the_sets_say_what_was_inferred() -> None:
    got = analysed("routine_nocal_25hz").to_dict()["reps"]
    assert got and all(g.get("note") for g in got)
    assert all("note" not in g for g in analysed("routine_50hz").to_dict()["reps"])


@pytest.mark.parametrize("name", ["desk_upper_50hz", "daily_life_50hz", "workout_50hz",
                                  "desk_nocal", "waist_day_50hz"])
def test_no_sets_in_desk_days_daily_life_or_plank_workouts(name: str) -> None:
    assert analysed(name).to_dict()["reps"] == []


def test_live_shows_each_finished_set_as_offline() -> None:
    rec = Recording.read(FIXTURES / "routine_50hz.csv.gz")
    assert rec.calibration_upright_s is not None
    runner = LiveRunner(RecordingReplay(rec, 0, block_s=5.0), calibration=None,
                        header_spans=(rec.calibration_upright_s, rec.calibration_forward_s),
                        placement=rec.meta.get("placement"))
    seen: list[tuple[str | None, int]] = []
    runner.listeners.append(lambda ln: seen.append((runner.view.set_kind,
                                                    runner.view.set_count)))
    asyncio.run(runner.run())
    live = [ln for ln in runner.lines if ln["type"] == "reps"]
    offline = analysed("routine_50hz").to_dict()["reps"]
    assert [(ln["kind"], ln["count"]) for ln in live] == [(r["kind"], r["count"])
                                                          for r in offline]
    assert runner.view.counts["reps"] == len(offline)
    assert "reps" in JSON_TYPES and "reps" in FORWARD  # monitor --json and the dashboard
    text = describe(live[0])
    assert text is not None and f"{live[0]['count']} x" in text
    # the count of a set under way was shown while it ran
    assert any(kind is not None and n >= 3 for kind, n in seen)


def test_a_calibrated_replay_without_spans_reports_sets_too() -> None:
    rec = Recording.read(FIXTURES / "routine_nocal_25hz.csv.gz")
    runner = LiveRunner(RecordingReplay(rec, 0, block_s=5.0), calibration=calibrate(rec),
                        header_spans=None, placement=rec.meta.get("placement"))
    asyncio.run(runner.run())
    live = [ln for ln in runner.lines if ln["type"] == "reps"]
    assert len(live) == len(analysed("routine_nocal_25hz").to_dict()["reps"])
