"""Simulator labels: they tile the timeline, use SPEC kinds and match the motion."""

from __future__ import annotations

import itertools
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorcoach.simulate import SCENARIOS, SimConfig, Simulation, kind_counts, simulate
from sensorcoach.simulate.labels import KINDS

HOLDS = ("plank", "side_plank_left", "side_plank_right")
REST_POSTURES = {"sitting", "kneeling", "child_pose", "prone", "supine", "side_left",
                 "side_right"}
#: Short versions so every scenario is cheap; the workout keeps its natural length.
SHORT = {"desk": 600.0, "desk_upright": 300.0, "desk_long": 600.0, "workout": None,
         "rest_lying": 300.0, "mixed": 600.0, "daily_life": 900.0, "waist_day": 900.0,
         "desk_wide": 600.0, "workout_wide": None, "workout_nocal": None,
         "gyro_faults": 600.0, "routine": 900.0, "routine_nocal": 900.0}


@lru_cache(maxsize=32)
def sim(scenario: str, seed: int, rate: float = 25.0, **kw: Any) -> Simulation:
    return simulate(scenario, seed=seed, config=SimConfig(sample_rate_hz=rate, **kw))


def short(scenario: str, seed: int) -> Simulation:
    d = SHORT[scenario]
    return sim(scenario, seed) if d is None else sim(scenario, seed, duration_s=d)


def steady_truth(s: Simulation, seg: dict[str, Any], head_s: float | None = None,
                 ) -> tuple[np.ndarray, np.ndarray]:
    end = seg["end_s"] if head_s is None else min(seg["end_s"], seg["steady_start_s"] + head_s)
    i0, i1 = np.searchsorted(s.recording.t, [seg["steady_start_s"], end])
    return s.truth_flexion_deg[i0:i1], s.truth_lateral_deg[i0:i1]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@given(seed=st.integers(0, 10_000))
@settings(max_examples=2, deadline=None, derandomize=True)
def test_segments_tile_the_timeline(scenario: str, seed: int) -> None:
    s = short(scenario, seed)
    segs = s.segments
    assert segs[0]["start_s"] == 0.0
    assert segs[-1]["end_s"] == pytest.approx(s.labels["duration_s"])
    assert s.recording.t[-1] == pytest.approx(s.labels["duration_s"], abs=0.01)
    for a, b in itertools.pairwise(segs):
        assert a["end_s"] == b["start_s"]
    for seg in segs:
        assert seg["kind"] in KINDS
        assert seg["end_s"] > seg["start_s"]
        assert 0.0 <= seg["transition_s"] <= seg["end_s"] - seg["start_s"]
        assert seg["steady_start_s"] == pytest.approx(seg["start_s"] + seg["transition_s"],
                                                      abs=2e-3)
        if seg["kind"] == "rest":
            # The routine also rests on all fours, sitting on the floor and standing.
            assert seg["posture"] in REST_POSTURES | {"quadruped", "floor_sitting", "standing"}
    json.loads(json.dumps(s.labels))  # JSON-ready, no numpy scalars
    assert s.labels["scenario"] == scenario and s.labels["seed"] == seed
    assert np.asarray(s.labels["mounting"]).shape == (3, 3)


@pytest.mark.parametrize("seed", [1, 8, 42])
def test_desk_slumps_match_the_truth(seed: int) -> None:
    s = sim("desk", seed, duration_s=1200.0)
    counts = kind_counts(s.labels)
    assert 3 <= counts.get("slump", 0) <= 6
    assert counts.get("fidget", 0) >= 3 and counts.get("walking", 0) == 1
    lo, hi = 12.0, 35.0  # upper back
    for seg in s.segments:
        if seg["kind"] != "slump":
            continue
        assert lo <= seg["depth_deg"] <= hi and 5.0 <= seg["onset_s"] <= 60.0
        assert 30.0 <= seg["hold_s"] <= 600.0
        flex, _ = steady_truth(s, seg)
        assert abs(float(np.median(flex)) - seg["depth_deg"]) < 3.0
    for seg in s.segments:
        if seg["kind"] == "upright":
            flex, lat = steady_truth(s, seg)
            if flex.size:
                assert abs(float(np.median(flex))) < 6.0 and abs(float(np.median(lat))) < 6.0


@pytest.mark.parametrize("seed", [2, 9])
def test_desk_upright_has_no_slumps_but_many_fidgets(seed: int) -> None:
    s = sim("desk_upright", seed, duration_s=900.0)
    counts = kind_counts(s.labels)
    assert "slump" not in counts and "walking" not in counts
    assert counts["fidget"] >= 0.5 * 900.0 / 60.0
    kinds = {seg["fidget"] for seg in s.segments if seg["kind"] == "fidget"}
    assert len(kinds) >= 3


def test_desk_long_is_sedentary_for_over_an_hour() -> None:
    s = sim("desk_long", 4, rate=12.5)
    assert s.labels["duration_s"] > 3600.0
    assert {seg["kind"] for seg in s.segments} <= {"calibration", "upright", "slump", "fidget"}
    assert kind_counts(s.labels)["slump"] >= 4


@pytest.mark.parametrize("seed", [5, 23])
def test_workout_holds_match_the_truth(seed: int) -> None:
    s = sim("workout", seed)
    counts = kind_counts(s.labels)
    for kind in HOLDS:
        assert 2 <= counts[kind] <= 3
    assert 8 * 60 <= s.labels["duration_s"] <= 20 * 60
    postures = {seg["posture"] for seg in s.segments if seg["kind"] == "rest"}
    assert "kneeling" in postures and len(postures) >= 3
    elev = s.person.hold_elevation_deg
    for seg in s.segments:
        if seg["kind"] not in HOLDS:
            continue
        assert 15.0 - 5.0 <= seg["hold_s"] <= 125.0
        assert 0 <= seg["drift_deg"] <= 15.0 and seg["drift_kind"] in ("sag", "pike")
        assert seg["instability"] == pytest.approx(seg["tremor_mg"] / 10 + seg["sway_deg"],
                                                   abs=1e-3)
        assert seg["ended_by"] in ("rest", "form_break", "end_of_recording")
        for fb in seg["form_breaks"]:
            assert seg["steady_start_s"] < fb["t_s"] < seg["end_s"]
            assert fb["kind"] in ("sag", "pike", "twist") and fb["deg"] >= 10.0
        flex, lat = steady_truth(s, seg, head_s=5.0)
        if seg["kind"] == "plank":
            assert abs(float(np.median(flex)) - (90.0 - elev)) < 3.0
        else:
            sign = -1.0 if seg["kind"] == "side_plank_left" else 1.0
            assert abs(float(np.median(lat)) - sign * (90.0 - elev)) < 3.0
        # Drift direction: a sag brings the tilt toward upright, a pike away from it.
        whole, whole_lat = steady_truth(s, seg)
        angle = whole if seg["kind"] == "plank" else np.abs(whole_lat)
        cut = [fb["t_s"] for fb in seg["form_breaks"]]
        n = angle.size if not cut else int(np.searchsorted(
            s.recording.t[np.searchsorted(s.recording.t, seg["steady_start_s"]):], cut[0]))
        if seg["drift_deg"] > 4.0 and n > 100:
            change = float(np.median(angle[n - 50:n]) - np.median(angle[:50]))
            assert np.sign(change) == (-1.0 if seg["drift_kind"] == "sag" else 1.0)


def test_weaker_side_holds_are_shorter() -> None:
    s = simulate("workout", seed=3, config=SimConfig(
        sample_rate_hz=12.5, person={"weaker_side": "left", "side_ratio": 0.6}))
    left = sum(seg["hold_s"] for seg in s.segments if seg["kind"] == "side_plank_left")
    right = sum(seg["hold_s"] for seg in s.segments if seg["kind"] == "side_plank_right")
    assert left < 0.85 * right
    assert s.labels["person"]["weaker_side"] == "left"


@pytest.mark.parametrize("seed", [0, 6])
def test_rest_lying_has_no_holds_and_every_rest_posture(seed: int) -> None:
    s = sim("rest_lying", seed)
    counts = kind_counts(s.labels)
    assert set(counts) == {"calibration", "rest"}
    postures = {seg["posture"] for seg in s.segments if seg["kind"] == "rest"}
    assert postures == REST_POSTURES
    for seg in s.segments:
        if seg["kind"] != "rest":
            continue
        flex, lat = steady_truth(s, seg)
        up = {"prone": 90.0, "supine": -90.0, "child_pose": None}.get(seg["posture"])
        if up is not None:
            assert abs(float(np.median(flex)) - up) < 3.0
        side = {"side_left": -90.0, "side_right": 90.0}.get(seg["posture"])
        if side is not None:
            assert abs(float(np.median(lat)) - side) < 3.0
        if seg["posture"] == "child_pose":
            assert 100.0 - 3 < float(np.median(flex)) < 130.0 + 3


def test_mixed_has_daily_activities() -> None:
    s = sim("mixed", 12)
    counts = kind_counts(s.labels)
    for kind in ("walking", "standing", "upright", "rest", "slump"):
        assert counts.get(kind, 0) >= 1
    assert not set(counts) & set(HOLDS)


def test_calibration_spans_and_their_absence() -> None:
    s = sim("desk", 3, duration_s=300.0)
    rec = s.recording
    assert rec.calibration_upright_s == (0.5, 5.0)
    assert rec.calibration_forward_s == (5.5, 10.5)
    cal = s.segments[0]
    assert cal["kind"] == "calibration" and cal["end_s"] >= 10.5
    no_spans = sim("desk", 3, duration_s=300.0, with_calibration=False)
    assert no_spans.recording.calibration_upright_s is None
    assert no_spans.segments[0]["kind"] == "calibration"  # the motion stays
    np.testing.assert_array_equal(no_spans.truth_up_body, s.truth_up_body)
    imported = sim("desk", 3, duration_s=300.0, with_calibration=False,
                   calibration_motion=False)
    assert imported.recording.calibration_forward_s is None
    assert imported.labels["calibration"] is None
    assert "calibration" not in kind_counts(imported.labels)


def test_same_seed_same_session_other_seed_other_session() -> None:
    a = simulate("desk", seed=7, config=SimConfig(duration_s=200.0))
    b = simulate("desk", seed=7, config=SimConfig(duration_s=200.0))
    c = simulate("desk", seed=8, config=SimConfig(duration_s=200.0))
    np.testing.assert_array_equal(a.recording.acc_axes, b.recording.acc_axes)
    assert a.labels == b.labels
    assert a.labels["person"] != c.labels["person"]
    assert not np.array_equal(a.truth_up_body[:, :1000], c.truth_up_body[:, :1000])


FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"


def test_every_fixture_follows_the_label_rules_of_its_readme() -> None:
    from sensorcoach.simulate.moves import SLUMP_LABEL_MIN_DEG

    readme = (FIXTURE_DIR / "README.md").read_text()
    assert f"**at least {SLUMP_LABEL_MIN_DEG:g} deg**" in readme
    sidecars = sorted(FIXTURE_DIR.glob("*.labels.json"))
    assert len(sidecars) >= 30
    kinds: set[str] = set()
    for path in sidecars:
        labels = json.loads(path.read_text())
        name = path.name.removesuffix(".labels.json")
        assert f"| `{name}.csv.gz` |" in readme, name
        assert (FIXTURE_DIR / f"{name}.csv.gz").exists()
        for seg in labels["segments"]:
            kinds.add(seg["kind"])
            assert seg["kind"] in KINDS
            if seg["kind"] == "slump":
                assert seg["depth_deg"] >= SLUMP_LABEL_MIN_DEG
            if seg["kind"] == "lean":
                assert seg["depth_deg"] < SLUMP_LABEL_MIN_DEG
            if labels["placement"] == "waist":
                assert seg["kind"] != "slump"
    # The fixtures exercise every kind the simulator labels.
    assert kinds == set(KINDS)
