"""Hip-hinge repetitions counted as sets (issue "The whole corrective routine", item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sensorcoach import Recording, analyze
from sensorcoach.core.reps import RepCounter
from sensorcoach.core.settings import DEFAULT_SETTINGS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"


def hinges(count: int, down_s: float, up_s: float, depth: float, pause_s: float,
           lead_s: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Tilt (deg) per 0.1 s frame: standing, then ``count`` hinges to ``depth``."""
    parts = [np.full(int(lead_s * 10), 3.0)]
    for _ in range(count):
        parts.append(3.0 + (depth - 3.0) * np.sin(np.linspace(0, np.pi / 2, int(down_s * 10))))
        parts.append(3.0 + (depth - 3.0) * np.cos(np.linspace(0, np.pi / 2, int(up_s * 10))))
        parts.append(np.full(int(pause_s * 10), 3.0))
    tilt = np.concatenate(parts)
    return (np.arange(tilt.size) + 0.5) * 0.1, tilt


@pytest.mark.parametrize("block", [7, 50, 10_000])
def test_a_set_of_hinges_is_counted_with_its_tempo_in_any_blocks(block: int) -> None:
    t, tilt = hinges(8, 2.0, 1.2, 70.0, 1.0)
    c = RepCounter(DEFAULT_SETTINGS)
    sets = []
    for lo in range(0, t.size, block):
        sets += c.push(t[lo:lo + block], tilt[lo:lo + block], None)
    sets += c.flush()
    assert len(sets) == 1
    d = sets[0].to_dict()
    assert d["kind"] == "deadlift" and d["count"] == 8
    assert d["range_deg"] == pytest.approx(67, abs=2)
    assert d["down_s"] == pytest.approx(2.0, abs=0.3) and d["up_s"] == pytest.approx(1.2, abs=0.3)


def test_one_bend_or_a_held_fold_is_not_a_set() -> None:
    c = RepCounter(DEFAULT_SETTINGS)
    t, tilt = hinges(2, 2.0, 1.2, 70.0, 1.0)  # two bends: fewer than rep_min_count
    assert c.push(t, tilt, None) + c.flush() == []
    t2 = (np.arange(400) + 0.5) * 0.1
    fold = np.where((t2 > 5) & (t2 < 30), 80.0, 3.0)  # a 25 s hamstring stretch
    c2 = RepCounter(DEFAULT_SETTINGS)
    assert c2.push(t2, fold, None) + c2.flush() == []


@pytest.mark.parametrize("name", ["routine_50hz", "routine_nocal_25hz"])
def test_simulated_deadlift_sets_are_counted(name: str) -> None:
    path = FIXTURES / f"{name}.csv.gz"
    labels = json.loads((FIXTURES / f"{name}.labels.json").read_text())["segments"]
    truth = [(s["start_s"], s["end_s"], s["count"]) for s in labels
             if s["kind"].startswith(("deadlift", "single_leg_deadlift"))]
    assert truth
    got = analyze(Recording.read(path)).to_dict()["reps"]
    assert len(got) == len(truth)
    for r, (a, b, n) in zip(got, truth, strict=True):
        assert r["count"] == n
        assert abs(r["start_s"] - a) < 5 and abs(r["end_s"] - b) < 3


def test_no_sets_in_a_desk_day_or_daily_life() -> None:
    for name in ("desk_upper_50hz", "daily_life_50hz", "workout_50hz"):
        assert analyze(Recording.read(FIXTURES / f"{name}.csv.gz")).to_dict()["reps"] == []
