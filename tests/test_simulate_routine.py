"""The corrective routine as the simulator performs it (issue "The whole corrective
routine"): every exercise's angles within its stated ranges, read back from the truth
orientation, across people; rep counts and tempos as labelled; sides named as SPEC
section 4 says; the gyro consistent with how gravity turns; any placement works.

Every check runs over several seeds (people), never on one seed's print.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from sensorcoach.core.frames import trunk_rotation
from sensorcoach.simulate import SimConfig, Simulation, simulate
from sensorcoach.simulate import routine_body as rb
from sensorcoach.simulate.config import Placement
from sensorcoach.simulate.labels import REPS_KINDS, ROUTINE_HOLD_KINDS

Arr = NDArray[np.float64]
SEEDS = (0, 1, 2, 3, 4, 5)
RATE = 25.0
IDEAL: dict[str, Any] = {"acc_noise_g": 0.0, "gyro_noise_dps": 0.0, "gyro_bias_dps": 0.0,
                         "bias_drift": False, "timing_jitter_s": 0.0, "dropout_rate": 0.0}
SPEC_KINDS = {"glute_bridge", "single_leg_bridge_left", "single_leg_bridge_right",
              "bird_dog_left", "bird_dog_right", "stretch_hamstring", "child_pose",
              "knee_to_belly_left", "knee_to_belly_right", "cross_left", "cross_right",
              "deadlift", "single_leg_deadlift_left", "single_leg_deadlift_right", "cat_cow",
              "plank", "side_plank_left", "side_plank_right"}


@lru_cache(maxsize=16)
def _sim(seed: int, scenario: str = "routine", placement: Placement = "lower_back",
         rate: float = RATE) -> Simulation:
    return simulate(scenario, seed=seed, config=SimConfig(sample_rate_hz=rate,
                                                          placement=placement, **IDEAL))


def _segs(s: Simulation, *kinds: str) -> list[dict[str, Any]]:
    return [g for g in s.segments if g["kind"] in kinds]


def _idx(s: Simulation, t0: float, t1: float) -> slice:
    t = s.recording.t
    return slice(int(np.searchsorted(t, t0)), int(np.searchsorted(t, t1)))


def _at(s: Simulation, t_s: float, half_s: float = 0.12) -> Arr:
    """Mean world-up in the body frame around ``t_s`` (unit)."""
    u = s.truth_up_body[:, _idx(s, t_s - half_s, t_s + half_s)].mean(axis=1)
    out: Arr = u / np.linalg.norm(u)
    return out


def _incline(u: Arr) -> float:
    """Long axis head-end down below horizontal, deg."""
    return float(-np.degrees(np.arcsin(np.clip(u[2], -1.0, 1.0))))


def _left_down_back(u: Arr) -> float:
    """Back down: roll with the left side down, deg."""
    return float(np.degrees(np.arctan2(-u[1], u[0])))


def _right_down_front(u: Arr) -> float:
    """Front down: roll with the right side down, deg."""
    return float(np.degrees(np.arctan2(u[1], -u[0])))


def _flex(u: Arr) -> float:
    return float(np.degrees(np.arctan2(-u[0], u[2])))


def _tol(seg: dict[str, Any], s: Simulation, base: float = 1.5) -> float:
    """Angle tolerance: the hold's own wobble (3 x its RMS), breathing (twice its
    amplitude) plus ``base`` deg."""
    return base + 3.0 * float(seg.get("sway_deg", 0.0)) + 2.0 * s.person.breath_deg


def _steady_mean(s: Simulation, seg: dict[str, Any], fn: Any) -> float:
    w = _idx(s, seg["steady_start_s"], seg["end_s"])
    return float(np.median([fn(s.truth_up_body[:, i]) for i in range(w.start, w.stop, 2)]))


# --------------------------------------------------------------------- kinds and labels
@pytest.mark.parametrize("seed", SEEDS)
def test_every_exercise_of_the_routine_is_labelled_with_its_spec_kind(seed: int) -> None:
    s = _sim(seed)
    kinds = {g["kind"] for g in s.segments}
    assert SPEC_KINDS <= kinds
    for g in s.segments:
        if g["kind"] in ROUTINE_HOLD_KINDS:
            assert g["mode"] in ("hold", "reps")
            if g["mode"] == "hold":
                assert abs(g["end_s"] - g["steady_start_s"] - g["hold_s"]) < 0.02
                assert "tremor_mg" in g and "sway_deg" in g
        if g["kind"] in REPS_KINDS or g.get("mode") == "reps":
            reps = g["per_rep"]
            assert g["count"] == len(reps)
            assert abs(reps[0]["start_s"] - g["start_s"]) < 1e-3
            assert abs(reps[-1]["end_s"] - g["end_s"]) < 1e-3
    n_sets = len(_segs(s, "deadlift"))
    assert 1 <= n_sets <= 3
    for kind in ("plank", "glute_bridge", "single_leg_deadlift_right"):
        assert len(_segs(s, kind)) == n_sets


def test_routine_nocal_has_no_calibration() -> None:
    s = _sim(2, "routine_nocal")
    assert s.recording.calibration_upright_s is None
    assert not _segs(s, "calibration")
    assert _segs(s, "cat_cow")


# --------------------------------------------------------------------- bridges
@pytest.mark.parametrize("seed", SEEDS)
def test_bridges_lift_the_pelvis_15_to_35_deg_and_drop_toward_the_free_side(seed: int) -> None:
    s = _sim(seed)
    for g in _segs(s, "glute_bridge", "single_leg_bridge_left", "single_leg_bridge_right"):
        single = g["kind"] != "glute_bridge"
        if single:
            assert g["drop_side"] == rb.other(g["support"])
            assert g["kind"].endswith(g["support"])
        if g["mode"] == "hold":
            assert 10.0 - 1e-6 <= g["hold_s"] <= 45.0 + 1e-6
            u0 = _at(s, g["steady_start_s"] + 0.5, 0.4)
            assert 15.0 - _tol(g, s) <= _incline(u0) <= 35.0 + _tol(g, s)
            assert abs(_incline(u0) - g["incline_deg"]) < _tol(g, s)
            assert 0.0 <= g["sag_deg"] <= 8.0
            if single:
                assert 2.0 <= g["pelvic_drop_deg"] <= g["pelvic_drop_max_deg"] <= 15.0
                sign = 1.0 if g["drop_side"] == "left" else -1.0
                drop = _steady_mean(s, g, lambda u, k=sign: k * _left_down_back(u))
                assert abs(drop - g["pelvic_drop_deg"]) < _tol(g, s) + 1.0
        else:
            assert 8 <= g["count"] <= 15
            for r in g["per_rep"]:
                assert 1.0 <= r["up_s"] <= 2.0 and 1.0 <= r["down_s"] <= 2.0
                u = _at(s, r["start_s"] + r["up_s"] + 0.1, 0.08)
                tol = 1.5 + 3 * s.person.hold_sway_deg + 2.0 * s.person.breath_deg
                assert 15.0 - tol <= _incline(u) <= 35.0 + tol
                assert abs(_incline(u) - r["incline_deg"]) < tol
                u0 = _at(s, r["start_s"], 0.08)
                assert abs(_incline(u) - _incline(u0) - r["range_deg"]) < tol + 1.0
                if single:
                    sign = 1.0 if g["drop_side"] == "left" else -1.0
                    assert 2.0 <= r["pelvic_drop_deg"] <= 15.0
                    assert abs(sign * _left_down_back(u) - r["pelvic_drop_deg"]) < tol
            # Back on the floor between reps (lying within 3 deg of flat).
            mid = [b["start_s"] - 0.06 for b in g["per_rep"][1:]]
            flat = 4.0 + 2.0 * s.person.breath_deg
            assert all(abs(_incline(_at(s, t, 0.06))) < flat for t in mid)


def test_both_bridge_modes_occur_across_people() -> None:
    modes = {g["mode"] for seed in SEEDS for g in _segs(_sim(seed), "glute_bridge")}
    assert modes == {"hold", "reps"}


def test_the_weaker_side_drops_more_across_people() -> None:
    weak: list[float] = []
    strong: list[float] = []
    for seed in SEEDS:
        s = _sim(seed)
        for g in _segs(s, "single_leg_bridge_left", "single_leg_bridge_right"):
            (weak if g["support"] == s.person.weaker_side else strong).append(
                g["pelvic_drop_deg"])
    assert np.mean(weak) > np.mean(strong)


# --------------------------------------------------------------------- bird dog
@pytest.mark.parametrize("seed", SEEDS)
def test_bird_dog_alternates_and_the_lifted_legs_hip_rises(seed: int) -> None:
    s = _sim(seed)
    dogs = _segs(s, "bird_dog_left", "bird_dog_right")
    for g in dogs:
        assert g["kind"] == f"bird_dog_{g['lifted_leg']}"
        assert g["lifted_arm"] == rb.other(g["lifted_leg"])
        assert g["rotation_side_down"] == rb.other(g["lifted_leg"])
        assert 5.0 - 1e-6 <= g["hold_s"] <= 15.0 + 1e-6
        assert 2.0 <= g["hip_rotation_deg"] <= 12.0
        held, mean = g["hip_rotation_deg"], g["hip_rotation_mean_deg"]
        assert abs(mean - held) < 3 * g["roll_sway_deg"] + 0.1
        sign = 1.0 if g["rotation_side_down"] == "right" else -1.0
        rot = _steady_mean(s, g, lambda u, k=sign: k * _right_down_front(u))
        assert abs(rot - g["hip_rotation_mean_deg"]) < _tol(g, s) + g["roll_sway_deg"]
        # Hands and knees: trunk near horizontal, front down (flexion 80-95 + arch).
        flex = _steady_mean(s, g, _flex)
        assert 80.0 - _tol(g, s) <= flex <= 95.0 + 6.0 + _tol(g, s)
    # Alternating: within each run of bird dogs the lifted leg changes every hold.
    runs: list[list[str]] = [[]]
    for g in s.segments:
        if g["kind"].startswith("bird_dog"):
            runs[-1].append(g["lifted_leg"])
        elif g["kind"] != "rest" and runs[-1]:
            runs.append([])
    for run in runs:
        assert all(a != b for a, b in itertools.pairwise(run))
        assert run.count("left") == run.count("right")


# --------------------------------------------------------------------- deadlifts
def _crossings(x: Arr, level: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    above = x > level
    down = np.flatnonzero(~above[:-1] & above[1:])
    up = np.flatnonzero(above[:-1] & ~above[1:])
    return down, up


@pytest.mark.parametrize("seed", SEEDS)
def test_deadlift_reps_counted_with_range_tempo_and_lean_as_labelled(seed: int) -> None:
    s = _sim(seed)
    t = s.recording.t
    for g in _segs(s, "deadlift", "single_leg_deadlift_left", "single_leg_deadlift_right"):
        single = g["kind"] != "deadlift"
        lo, hi = (5, 10) if single else (6, 12)
        assert lo <= g["count"] <= hi
        w = _idx(s, g["start_s"] - 0.2, g["end_s"] + 0.2)
        flex = s.truth_flexion_deg[w]
        top = float(np.median(flex[:3]))
        half = top + 0.5 * min(r["range_deg"] for r in g["per_rep"])
        dn, up = _crossings(flex, half)
        assert len(dn) == len(up) == g["count"]
        # Standing sway (0.6 of the person's per axis, easing to 0.3 over the first
        # second of the set) and breathing.
        tol = 1.5 + 4.0 * 0.6 * s.person.sway_deg + 2.0 * s.person.breath_deg
        for r in g["per_rep"]:
            assert 40.0 <= r["range_deg"] <= 90.0
            assert 1.0 <= r["down_s"] <= 3.0 and 1.0 <= r["up_s"] <= 2.0
            assert abs(r["lateral_lean_deg"]) <= 8.0
            # Half-way crossings of a min-jerk ramp sit at its middle.
            wr = _idx(s, r["start_s"] - 0.1, r["end_s"] + 0.1)
            x, tr = s.truth_flexion_deg[wr], t[wr]
            level = x[0] + 0.5 * r["range_deg"]
            t_dn, t_up = _cross_times(tr, x, level)
            # An angle error of ``tol`` shifts a crossing by tol / (peak rate).
            peak = 1.875 * r["range_deg"]
            assert abs(t_dn - (r["start_s"] + 0.5 * r["down_s"])) < 0.02 + tol * r["down_s"] / peak
            assert abs(t_up - (r["end_s"] - 0.5 * r["up_s"])) < 0.02 + tol * r["up_s"] / peak
            u_top, u_bot = _at(s, r["start_s"], 0.04), _at(s, r["bottom_s"], 0.04)
            assert abs(_flex(u_bot) - _flex(u_top) - r["range_deg"]) < tol
            # The pose the labels describe is the pose the truth shows.
            exp = _expected_up(s, g, r, u_top)
            assert np.degrees(np.arccos(np.clip(exp @ u_bot, -1, 1))) < tol
            if single:
                assert 3.0 <= r["pelvic_rotation_deg"] <= 15.0
        if single:
            assert g["stand_leg"] == g["kind"].rsplit("_", 1)[1]
            assert g["rotation_side_down"] == g["stand_leg"]


def _cross_times(t: Arr, x: Arr, level: float) -> tuple[float, float]:
    """First upward and last downward crossing of ``level``, linearly interpolated."""
    dn, up = _crossings(x, level)
    i, j = int(dn[0]), int(up[-1])
    t_dn = t[i] + (level - x[i]) / (x[i + 1] - x[i]) * (t[i + 1] - t[i])
    t_up = t[j] + (level - x[j]) / (x[j + 1] - x[j]) * (t[j + 1] - t[j])
    return float(t_dn), float(t_up)


def _expected_up(s: Simulation, g: dict[str, Any], r: dict[str, Any], u_top: Arr) -> Arr:
    """World-up in the body frame at a rep's bottom from the labelled range, lean and
    (single-leg) pelvic rotation toward the standing side, from the top posture."""
    f0 = np.radians(_flex(u_top))
    l0 = np.arctan2(u_top[1], u_top[2])
    tw = 0.0
    if "pelvic_rotation_deg" in r:
        tw = rb.roll_twist(g["stand_leg"], False, r["pelvic_rotation_deg"])
    rot = (trunk_rotation(f0 + np.radians(r["range_deg"]), l0 + np.radians(r["lateral_lean_deg"]))
           @ trunk_rotation(0.0, 0.0, np.radians(tw)))
    out: Arr = rot.T @ np.array([0.0, 0.0, 1.0])
    return out


def test_leaning_deadlifters_lean_to_one_side_across_people() -> None:
    leans = [abs(g["lateral_lean_deg"]) for seed in SEEDS for g in _segs(_sim(seed), "deadlift")]
    assert max(leans) > 2.0 and min(leans) < max(leans)


# --------------------------------------------------------------------- stretches
@pytest.mark.parametrize("seed", SEEDS)
def test_stretches_held_20_to_30_s_in_their_postures(seed: int) -> None:
    s = _sim(seed)
    std = float(s.person.standing_offset_deg)
    for g in _segs(s, "stretch_hamstring", "child_pose", "knee_to_belly_left",
                   "knee_to_belly_right", "cross_left", "cross_right"):
        assert 20.0 - 1e-6 <= g["hold_s"] <= 30.0 + 1e-6
        assert g["reached"] == (g["hold_s"] >= g["target_s"])
        tol = _tol(g, s)
        if g["kind"] == "stretch_hamstring":
            flex = _steady_mean(s, g, _flex) - std
            assert 60.0 - tol <= flex <= 100.0 + tol
        elif g["kind"] == "child_pose":
            assert 100.0 - tol <= _steady_mean(s, g, _flex) <= 130.0 + tol
        elif g["kind"].startswith("knee_to_belly"):
            knee = g["kind"].rsplit("_", 1)[1]
            assert g["roll_side_down"] == rb.other(knee)
            assert 5.0 - tol <= _steady_mean(s, g, _incline) <= 20.0 + tol
            sign = 1.0 if g["roll_side_down"] == "left" else -1.0
            roll = _steady_mean(s, g, lambda u, k=sign: k * _left_down_back(u))
            assert 1.0 - tol <= roll <= 6.0 + tol
        else:
            side = g["kind"].rsplit("_", 1)[1]
            assert g["roll_side_down"] == side
            sign = 1.0 if side == "left" else -1.0
            roll = _steady_mean(s, g, lambda u, k=sign: k * _left_down_back(u))
            assert 30.0 - tol <= roll <= 70.0 + tol
            assert abs(roll - g["roll_deg"]) < tol


@pytest.mark.parametrize("seed", SEEDS)
def test_cat_cow_cycles_counted_with_range_and_tempo(seed: int) -> None:
    s = _sim(seed)
    (g,) = _segs(s, "cat_cow")
    assert 6 <= g["count"] <= 12
    flex = s.truth_flexion_deg[_idx(s, g["start_s"], g["end_s"])]
    base = float(np.median(s.truth_flexion_deg[_idx(s, g["start_s"] - 1.0, g["start_s"])]))
    # Cycles counted with hysteresis: into cow (above base + 0.2 range) from cat (below
    # base - 0.2 range); the first cycle starts at the base.
    band = 0.2 * min(r["range_deg"] for r in g["per_rep"])
    cycles, low = 0, True
    for x in flex:
        if low and x > base + band:
            cycles, low = cycles + 1, False
        elif not low and x < base - band:
            low = True
    assert cycles == g["count"]
    for r in g["per_rep"]:
        cycle = r["end_s"] - r["start_s"]
        assert 4.0 - 1e-6 <= cycle <= 8.0 + 1e-6
        assert 10.0 <= r["range_deg"] <= 30.0
        pause = 0.1 * cycle
        cow = _flex(_at(s, r["start_s"] + r["down_s"] + 0.5 * pause, 0.04))
        cat = _flex(_at(s, r["end_s"] - 0.5 * pause, 0.04))
        tol = 1.5 + 4.0 * 0.3 * s.person.sway_deg + 2.0 * s.person.breath_deg
        assert abs(cow - cat - r["range_deg"]) < tol
        assert abs(r["down_s"] + r["up_s"] + 2 * pause - cycle) < 0.01


# --------------------------------------------------------------------- sides
def test_roll_sign_puts_the_named_side_down() -> None:
    """``roll_twist`` is what names every side: check it against the frames' geometry
    (the side down is where world-up has no component: body left +y)."""
    for back_down, flex in ((True, -90.0), (True, -115.0), (False, 85.0), (False, 60.0)):
        for side in ("left", "right"):
            tw = rb.roll_twist(side, back_down, 10.0)
            rot = (trunk_rotation(np.radians(flex), 0.0)
                   @ trunk_rotation(0.0, 0.0, np.radians(tw)))
            u_left = (rot.T @ np.array([0.0, 0.0, 1.0]))[1]
            # Left side down: the body's left axis points down, so world-up reads -y.
            assert (u_left < 0) == (side == "left"), (back_down, flex, side)


# --------------------------------------------------------------------- gyro, placements
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_routine_gyro_explains_how_gravity_turns(seed: int) -> None:
    rate = 100.0
    s = simulate("routine", seed=seed, config=SimConfig(sample_rate_hz=rate, **IDEAL))
    gyro = s.recording.gyro_axes
    assert gyro is not None
    for kind in ("deadlift", "single_leg_deadlift_left", "glute_bridge", "cat_cow",
                 "bird_dog_right", "cross_left"):
        g = _segs(s, kind)[0]
        w = _idx(s, g["start_s"], min(g["end_s"], g["start_s"] + 12.0))
        up_s = s.mounting.T @ s.truth_up_body[:, w]
        om = np.radians(gyro[:, w])
        pred = up_s[:, 0].copy()
        err = 0.0
        for k in range(up_s.shape[1] - 1):
            pred = pred - np.cross(0.5 * (om[:, k] + om[:, k + 1]) / rate, pred)
            pred /= np.linalg.norm(pred)
            err = max(err, float(np.degrees(np.arccos(np.clip(pred @ up_s[:, k + 1], -1, 1)))))
        assert err < 0.5, (kind, err)
        assert np.degrees(np.abs(om)).max() > 5.0


@pytest.mark.parametrize("placement", ["upper_back", "chest", "waist"])
def test_any_placement_performs_the_routine(placement: Placement) -> None:
    s = _sim(0, placement=placement)
    assert np.all(np.isfinite(s.recording.acc))
    assert SPEC_KINDS <= {g["kind"] for g in s.segments}
    g = _segs(s, "deadlift")[0]
    r = g["per_rep"][0]
    seen = _flex(_at(s, r["bottom_s"], 0.04)) - _flex(_at(s, r["start_s"], 0.04))
    share = 0.8 if placement == "waist" else 1.0
    assert abs(seen - share * r["range_deg"]) < 3.0


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_stretches_are_still_and_rep_sets_are_not(seed: int) -> None:
    """A stretch is held still (breathing, slow easing deeper); a deadlift set turns the
    trunk tens of degrees per second: the gyro tells them apart. (Cat-cow, 10-30 deg
    over 4-8 s, is slow: its range and cycles are checked above.)"""
    s = _sim(seed)
    gyro = s.recording.gyro_axes
    assert gyro is not None
    rate = np.linalg.norm(gyro, axis=0)
    for g in _segs(s, "stretch_hamstring", "child_pose", "knee_to_belly_left",
                   "knee_to_belly_right", "cross_left", "cross_right"):
        assert float(np.median(rate[_idx(s, g["steady_start_s"], g["end_s"])])) < 3.0, g["kind"]
    for g in _segs(s, "deadlift", "single_leg_deadlift_left", "single_leg_deadlift_right"):
        assert float(np.median(rate[_idx(s, g["start_s"], g["end_s"])])) > 5.0, g["kind"]
