"""Motions and people wider than the detectors: bends, squats, shoe tying, lying with
breathing, the waist placement, steady to shaky holds at 5-35 deg, slumps of 5-35 deg
labelled by the README's rule."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pytest
from scipy import signal

from sensorcoach.simulate import SimConfig, Simulation, kind_counts, simulate
from sensorcoach.simulate.everyday import BEND_STYLES
from sensorcoach.simulate.moves import SLUMP_LABEL_MIN_DEG
from sensorcoach.simulate.person import draw_person

IDEAL: dict[str, Any] = {"acc_noise_g": 0.0, "gyro_noise_dps": 0.0, "gyro_bias_dps": 0.0,
                         "bias_drift": False, "timing_jitter_s": 0.0}
HOLDS = ("plank", "side_plank_left", "side_plank_right")
SEEDS = (0, 1, 2, 3)


@lru_cache(maxsize=16)
def run(scenario: str, seed: int, rate: float = 25.0, **kw: Any) -> Simulation:
    if "person" in kw:
        kw["person"] = dict(kw["person"])  # passed as a tuple of pairs (hashable)
    return simulate(scenario, seed=seed, config=SimConfig(sample_rate_hz=rate, **kw))


def span(s: Simulation, a: float, b: float) -> slice:
    i0, i1 = np.searchsorted(s.recording.t, [a, b])
    return slice(int(i0), int(i1))


def steady(s: Simulation, seg: dict[str, Any], margin: float = 0.5) -> slice:
    return span(s, seg["steady_start_s"] + margin, seg["end_s"] - margin)


# --------------------------------------------------------------------- bending
@pytest.mark.parametrize("seed", SEEDS)
def test_bends_reach_their_depth_for_their_time_with_busy_hands(seed: int) -> None:
    s = run("daily_life", seed, 25.0, duration_s=1200.0, **IDEAL)
    bends = [seg for seg in s.segments if seg["kind"] == "bending"]
    assert {seg["style"] for seg in bends} == set(BEND_STYLES)
    gyro = s.recording.gyro_axes
    assert gyro is not None
    for seg in bends:
        spec = BEND_STYLES[seg["style"]]
        lo, hi = spec["deg"]
        assert lo <= seg["depth_deg"] <= hi
        assert spec["hold"][0] <= seg["hold_s"] <= spec["hold"][1]
        base = s.person.standing_offset_deg if spec["from"] == "standing" else 0.0
        w = steady(s, seg)
        flex = s.truth_flexion_deg[w]
        # Hands at work: the trunk wanders around the bend (and eases by up to ~10 deg).
        assert abs(float(np.median(flex)) - base - seg["depth_deg"]) < 12.0
        rate = np.linalg.norm(gyro[:, w], axis=0)
        assert float(np.sqrt(np.mean(rate**2))) > 1.0  # deg/s: not frozen
    # A stoop or a reach to the floor puts the trunk near horizontal (the plank trap).
    deep = [seg for seg in bends if seg["style"] in ("stoop", "floor_reach")]
    elev = [90.0 - float(np.median(s.truth_flexion_deg[steady(s, seg)])) for seg in deep]
    assert min(abs(e) for e in elev) < 35.0


def test_bend_depths_and_times_span_their_ranges_over_people() -> None:
    depth: dict[str, list[float]] = {k: [] for k in BEND_STYLES}
    hold: dict[str, list[float]] = {k: [] for k in BEND_STYLES}
    for seed in range(10):
        s = run("daily_life", seed, 12.5, duration_s=1200.0)
        for seg in s.segments:
            if seg["kind"] == "bending":
                depth[seg["style"]].append(seg["depth_deg"])
                hold[seg["style"]].append(seg["hold_s"])
    stoop = np.asarray(depth["stoop"])
    assert stoop.min() < 70.0 and stoop.max() > 90.0
    assert min(hold["stoop"]) < 6.0 and max(hold["stoop"]) > 15.0
    assert max(hold["shoe_tying"]) > 25.0


# --------------------------------------------------------------------- lying
@pytest.mark.parametrize("seed", SEEDS)
def test_lying_postures_with_breathing(seed: int) -> None:
    rate = 25.0
    # Little postural sway, so that breathing is what moves the lying trunk.
    s = run("daily_life", seed, rate, duration_s=1200.0, person=(("sway_deg", 0.2),), **IDEAL)
    lying = [seg for seg in s.segments if seg["kind"] == "lying"]
    assert {seg["posture"] for seg in lying} >= {"supine", "prone"}
    assert {seg["posture"] for seg in lying} & {"side_left", "side_right"}
    # World-up in body axes: the chest faces up lying supine, the back prone, the right
    # side lying on the left side.
    expected = {"supine": (1.0, 0.0, 0.0), "prone": (-1.0, 0.0, 0.0),
                "side_left": (0.0, -1.0, 0.0), "side_right": (0.0, 1.0, 0.0)}
    gyro = s.recording.gyro_axes
    assert gyro is not None
    for seg in lying:
        w = steady(s, seg, 1.0)
        up = np.median(s.truth_up_body[:, w], axis=1)
        assert float(up @ np.asarray(expected[seg["posture"]])) > 0.97, (seg["posture"], up)
        if w.stop - w.start < 40 * rate:
            continue
        # Breathing: 0.2-0.3 Hz, a small rotation (the gyro's spectral peak).
        x = gyro[:, w] - gyro[:, w].mean(axis=1, keepdims=True)
        f, psd = signal.welch(x, fs=rate, nperseg=min(x.shape[1], 1024), axis=1)
        band = (f > 0.1) & (f < 1.0)
        peak = float(f[band][np.argmax(psd.sum(axis=0)[band])])
        assert abs(peak - s.person.breath_hz) < 0.05 and 0.15 <= peak <= 0.35
        # ... still, not motionless: the trunk turns well under a few degrees.
        tilt = np.degrees(np.arccos(np.clip(up @ s.truth_up_body[:, w], -1.0, 1.0)))
        assert 0.005 < float(np.percentile(tilt, 99)) < 3.0


# --------------------------------------------------------------------- waist
@pytest.mark.parametrize("seed", SEEDS)
def test_waist_sitting_rolls_back_10_to_40_deg_from_standing(seed: int) -> None:
    s = run("waist_day", seed, 25.0, duration_s=1200.0, **IDEAL)
    assert s.recording.meta["placement"] == "waist"
    assert s.recording.calibration_upright_s is None
    counts = kind_counts(s.labels)
    assert "slump" not in counts and "calibration" not in counts
    assert counts["sitting"] >= 3 and counts["walking"] >= 3 and counts["running"] == 1
    roll = s.person.sit_pelvis_deg
    assert 10.0 <= roll <= 40.0
    stand = [float(np.median(s.truth_flexion_deg[steady(s, seg)])) for seg in s.segments
             if seg["kind"] == "standing" and seg["end_s"] - seg["steady_start_s"] > 3.0]
    assert stand and max(abs(x) for x in stand) < 4.0
    for seg in s.segments:
        if seg["kind"] != "sitting":
            continue
        flex = s.truth_flexion_deg[steady(s, seg, 1.0)]
        # Upright sitting reads about -roll; slouching rolls the pelvis further back.
        assert float(np.percentile(flex, 90)) == pytest.approx(-roll, abs=4.0)
        if "slouch_deg" in seg:
            assert float(flex.min()) < -roll - 0.2 * seg["slouch_deg"]


def test_waist_and_trunk_see_the_same_slouch_differently() -> None:
    trunk = run("waist_day", 4, 12.5, placement="lower_back", **IDEAL)
    waist = run("waist_day", 4, 12.5, **IDEAL)
    assert [x["kind"] for x in trunk.segments] == [x["kind"] for x in waist.segments]
    for a, b in zip(trunk.segments, waist.segments, strict=True):
        if "slouch_deg" in a:
            ft = trunk.truth_flexion_deg[steady(trunk, a)]
            fw = waist.truth_flexion_deg[steady(waist, b)]
            assert float(ft.max()) > 0.8 * a["slouch_deg"]  # the trunk leans forward
            assert float(fw.max()) < 0.0  # the pelvis only rolls back


# --------------------------------------------------------------------- people
def test_wide_population_spans_steady_to_shaky() -> None:
    people = [draw_person(np.random.default_rng(i), "lower_back", population="wide")
              for i in range(60)]
    tremor = np.array([p.tremor_mg for p in people])
    sway = np.array([p.hold_sway_deg for p in people])
    seated = np.array([p.sway_deg for p in people])
    elev = np.array([p.hold_elevation_deg for p in people])
    depth = np.array([p.slump_depth_deg for p in people])
    assert tremor.min() < 4.0 and tremor.max() > 25.0
    assert sway.min() < 0.3 and sway.max() > 2.0
    assert seated.min() < 0.3 and seated.max() > 2.0
    assert elev.min() < 10.0 and elev.max() > 30.0 and np.all((elev >= 5) & (elev <= 35))
    assert depth.min() < 8.0 and depth.max() > 30.0
    typical = draw_person(np.random.default_rng(1), "lower_back")
    assert 3.0 <= typical.tremor_mg <= 10.0  # the first fixtures' people are unchanged


@pytest.mark.parametrize(("person", "tremor", "sway"), [
    # Labels give vector RMS over both tilt axes (the person's value is per axis).
    ({"tremor_mg": 3.0, "fatigue_gain": 0.0, "hold_sway_deg": 0.12}, (2.0, 4.5), (0.1, 0.3)),
    ({"tremor_mg": 45.0, "fatigue_gain": 0.2, "hold_sway_deg": 1.6}, (40.0, 60.0), (2.0, 3.3)),
])
def test_very_steady_and_very_shaky_holds(person: dict[str, float],
                                          tremor: tuple[float, float],
                                          sway: tuple[float, float]) -> None:
    s = simulate("workout_wide", seed=7, config=SimConfig(sample_rate_hz=25.0,
                                                          person=person))
    holds = [seg for seg in s.segments if seg["kind"] in HOLDS]
    assert len(holds) >= 6
    for seg in holds:
        if seg["hold_s"] < 10.0:
            continue
        assert tremor[0] <= seg["tremor_mg"] <= tremor[1]
        assert sway[0] <= seg["sway_deg"] <= sway[1]


def test_wide_workouts_hold_5_to_180_s_at_5_to_35_deg_and_rest_lying() -> None:
    lengths, elevations, rests = [], [], set()
    for seed in range(8):
        s = run("workout_wide", seed, 12.5)
        for seg in s.segments:
            if seg["kind"] in HOLDS:
                lengths.append(seg["hold_s"])
                w = span(s, seg["steady_start_s"], seg["steady_start_s"] + 4.0)
                up = np.median(s.truth_up_body[:, w], axis=1)
                elevations.append(float(np.degrees(np.arcsin(np.clip(up[2], -1, 1)))))
            elif seg["kind"] == "rest":
                rests.add(seg["posture"])
        elev = s.person.hold_elevation_deg
        assert 5.0 <= elev <= 35.0
    assert min(lengths) < 15.0 and max(lengths) > 100.0
    assert all(4.0 <= x <= 190.0 for x in lengths)
    assert min(elevations) < 12.0 and max(elevations) > 25.0
    assert {"prone", "supine", "side_left", "side_right", "kneeling"} <= rests


def test_workout_without_calibration_still_has_holds() -> None:
    s = run("workout_nocal", 3, 12.5)
    assert s.recording.calibration_upright_s is None
    assert s.recording.calibration_forward_s is None
    assert s.labels["calibration"] is None
    counts = kind_counts(s.labels)
    assert "calibration" not in counts
    assert all(counts.get(k, 0) >= 2 for k in HOLDS)
    assert counts["bending"] >= 2  # a shoe tied, the mat picked up and rolled


# --------------------------------------------------------------------- slumps
def test_slumps_span_5_to_35_deg_and_shallow_ones_are_labelled_lean() -> None:
    depths: dict[str, list[float]] = {"slump": [], "lean": []}
    floor = 0
    for seed in range(8):
        s = run("desk_wide", seed, 12.5, duration_s=1500.0)
        for seg in s.segments:
            if seg["kind"] in depths:
                depths[seg["kind"]].append(seg["depth_deg"])
                flex = s.truth_flexion_deg[steady(s, seg, 2.0)]
                assert abs(float(np.median(flex)) - seg["depth_deg"]) < 3.0
            if seg["kind"] == "bending":
                floor += seg["style"] == "floor_reach"
    assert min(depths["slump"]) >= SLUMP_LABEL_MIN_DEG
    assert max(depths["lean"]) < SLUMP_LABEL_MIN_DEG
    assert min(depths["lean"]) >= 5.0 and max(depths["slump"]) <= 35.0
    assert max(depths["slump"]) > 24.0 and depths["lean"]
    assert floor >= 8


def test_typical_desk_days_are_unchanged_by_the_label_rule() -> None:
    s = run("desk", 8, 12.5, duration_s=900.0)
    assert "lean" not in kind_counts(s.labels)
    assert s.labels["population"] == "typical" and s.labels["gait"] == "impacts"
