"""The whole-routine benchmark (benchmarks/routine_accuracy.py, routine_scoring.py): the
scorer on hand-made labels and detections, the widened plan, the cache and deterministic
generation. Only short sessions are simulated here; no wall-clock figure is asserted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import routine_accuracy as ra
from routine_scoring import (
    Item,
    detected_items,
    label_items,
    name_sides,
    rest_postures,
    score_session,
    sides_right,
    table_lines,
)

from sensorcoach.core.settings import Settings
from sensorcoach.simulate import SimConfig, simulate, write_simulation


def _labels() -> list[Item]:
    return [
        Item("bird_dog_left", 10.0, 30.0),                          # hit
        Item("plank", 100.0, 200.0, hold_s=100.0),                  # only a fragment found
        Item("single_leg_bridge_left", 300.0, 350.0, "reps", 10),   # other side found
        Item("deadlift", 400.0, 440.0, "reps", 8),                  # count off by 2
        Item("deadlift", 450.0, 490.0, "reps", 8),                  # count off by 1: right
        Item("child_pose", 500.0, 530.0, hold_s=30.0),              # 2.5 s short
        Item("stretch_hamstring", 600.0, 625.0, hold_s=25.0),       # a plank over it
    ]


def _detections() -> list[Item]:
    return [
        Item("bird_dog_left", 11.0, 30.0),
        Item("plank", 100.0, 130.0),
        Item("single_leg_bridge_right", 301.0, 350.0, "reps", 10),
        Item("deadlift", 401.0, 440.0, "reps", 10),
        Item("deadlift", 450.0, 489.0, "reps", 7),
        Item("child_pose", 502.5, 530.0),
        Item("plank", 601.0, 625.0),
        Item("cross_right", 700.0, 720.0),                          # nothing labelled
    ]


def test_scorer_counts_hits_fragments_sides_counts_and_times() -> None:
    sc = score_session(_labels(), _detections())
    bd = sc.rows[("hold", "bird_dog_left")]
    assert (bd.labelled, bd.detected, bd.tp, bd.f1) == (1, 1, 1, 1.0)
    assert bd.side_ok == 1 and bd.side_wrong == 0
    plank = sc.rows[("hold", "plank")]
    # the 30 s piece of a 100 s plank (IoU 0.3) is a miss and a false detection, and so is
    # the plank over the hamstring stretch
    assert (plank.labelled, plank.detected, plank.tp, plank.fragments) == (1, 2, 0, 1)
    left = sc.rows[("reps", "single_leg_bridge_left")]
    right = sc.rows[("reps", "single_leg_bridge_right")]
    assert (left.tp, left.side_ok, left.side_wrong, left.recall) == (0, 0, 1, 0.0)
    assert (right.labelled, right.detected, right.tp, right.precision) == (0, 1, 0, 0.0)
    dl = sc.rows[("reps", "deadlift")]
    assert (dl.labelled, dl.detected, dl.tp, dl.count_off) == (2, 2, 1, 1)
    assert sorted(dl.count_errors) == [-1, 2]
    assert dl.f1 == pytest.approx(0.5)
    cp = sc.rows[("hold", "child_pose")]
    assert cp.tp == 1 and cp.time_errors == [pytest.approx(-2.5)]
    ham = sc.rows[("hold", "stretch_hamstring")]
    assert (ham.tp, ham.wrong_kind) == (0, 1)
    assert sc.confusions[("stretch_hamstring (stretch)", "plank (hold)")] == 1
    assert sc.rows[("hold", "cross_right")].detected == 1
    assert sides_right(sc) == (1, 2)
    total = sc.total
    assert (total.labelled, total.detected, total.tp) == (7, 8, 3)
    lines = table_lines(sc)
    row = next(x for x in lines if x.startswith("deadlift "))
    assert "reps" in row and " 0.50" in row and "1.5/2" in row  # count error median/max
    assert next(x for x in lines if x.startswith("child_pose")).rstrip().endswith("2.5/2.5")


def test_scorer_a_perfect_session_scores_one_and_nothing_found_scores_zero() -> None:
    labels = _labels()
    exact = [Item(x.kind, x.start_s, x.end_s, x.family, x.count) for x in labels]
    sc = score_session(labels, exact)
    assert all(r.f1 == 1.0 for r in sc.rows.values())
    assert sides_right(sc) == (2, 2)
    none = score_session(labels, [])
    assert all(r.f1 == 0.0 and r.recall == 0.0 for r in none.rows.values())
    assert sides_right(none) == (0, 0)


def test_unnamed_sides_take_the_better_fitting_naming() -> None:
    labels = [Item("side_plank_right", 10.0, 40.0), Item("side_plank_left", 60.0, 90.0)]
    det = [Item("side_plank_a", 10.0, 40.0), Item("side_plank_b", 61.0, 90.0)]
    named, notes = name_sides(det, labels)
    assert [d.kind for d in named] == ["side_plank_right", "side_plank_left"]
    assert notes == ["sides unnamed, scored as side_plank_a = right"]
    assert score_session(labels, det).total.tp == 2


def test_label_items_time_holds_from_steady_start_and_count_sets() -> None:
    labels = {"segments": [
        {"kind": "rest", "start_s": 0.0, "end_s": 10.0, "posture": "child_pose"},
        {"kind": "glute_bridge", "start_s": 10.0, "steady_start_s": 12.0, "end_s": 40.0,
         "mode": "hold", "hold_s": 28.0},
        {"kind": "glute_bridge", "start_s": 50.0, "end_s": 80.0, "mode": "reps", "count": 9},
        {"kind": "plank", "start_s": 90.0, "steady_start_s": 93.0, "end_s": 150.0},
    ]}
    items = label_items(labels)
    assert items == [Item("glute_bridge", 12.0, 40.0, "hold", hold_s=28.0),
                     Item("glute_bridge", 50.0, 80.0, "reps", count=9),
                     Item("plank", 93.0, 150.0, "hold")]
    result = SimpleNamespace(
        holds=[SimpleNamespace(kind="plank", start_s=93.0, end_s=149.0)],
        reps=[SimpleNamespace(kind="deadlift", start_s=1.0, end_s=9.0, reps=(1, 2, 3))])
    assert detected_items(result) == [Item("plank", 93.0, 149.0),
                                      Item("deadlift", 1.0, 9.0, "reps", count=3)]
    assert rest_postures(labels) == [Item("child_pose", 0.0, 10.0)]


def test_set_aside_short_holds_and_a_rest_in_the_exercise_posture() -> None:
    st = Settings()
    labels = [Item("plank", 0.0, st.hold_min_s / 2), Item("plank", 100.0, 160.0)]
    rests = [Item("child_pose", 200.0, 260.0)]
    det = [Item("plank", 0.0, st.hold_min_s / 2), Item("plank", 100.0, 160.0),
           Item("child_pose", 201.0, 260.0), Item("child_pose", 300.0, 330.0)]
    keep_l, keep_d, short, in_rest = ra.set_aside(labels, det, rests, st)
    assert keep_l == labels[1:] and (short, in_rest) == (1, 1)
    assert keep_d == [det[1], det[3]]


def test_plan_widens_rates_calibration_gyro_and_mounting() -> None:
    specs = ra.plan(12)
    assert specs == ra.plan(12) and len({s.seed for s in specs}) == 12
    assert {s.rate_hz for s in specs} == set(ra.RATES)
    assert {s.calibrated for s in specs} == {True, False}
    assert {s.gyro for s in specs} == {True, False}
    assert {s.mounting for s in specs} == {"random", "nominal"}
    assert any(s.dropouts for s in specs)
    assert len({s.name for s in specs}) == 12
    for s in specs:
        s.config().validate()
        assert s.scenario == ("routine" if s.calibrated else "routine_nocal")


def test_cache_key_follows_seed_settings_and_simulator() -> None:
    spec = ra.RoutineSpec(seed=1, rate_hz=25.0)
    key = ra.cache_key(spec, "sim-a")
    assert key == ra.cache_key(ra.RoutineSpec(seed=1, rate_hz=25.0), "sim-a")
    assert key != ra.cache_key(spec, "sim-b")
    assert key != ra.cache_key(ra.RoutineSpec(seed=2, rate_hz=25.0), "sim-a")
    assert key != ra.cache_key(ra.RoutineSpec(seed=1, rate_hz=25.0, gyro=False), "sim-a")
    assert len(ra.simulator_hash()) == 64


def _same(a: ra.Session, b: ra.Session) -> bool:
    ra_, rb = a.recording, b.recording
    return (np.array_equal(ra_.t, rb.t) and np.array_equal(ra_.acc_axes, rb.acc_axes)
            and (ra_.gyro_axes is None) == (rb.gyro_axes is None)
            and (ra_.gyro_axes is None or np.array_equal(ra_.gyro_axes, rb.gyro_axes))
            and a.labels["segments"] == b.labels["segments"])


def test_generation_is_deterministic_per_seed_and_cached(tmp_path: Path) -> None:
    spec = ra.RoutineSpec(seed=5, rate_hz=12.5, duration_s=90.0)
    first = ra.generate(spec, tmp_path / "a")
    again = ra.generate(spec, tmp_path / "b")
    assert first.origin == again.origin == "simulated"
    assert _same(first, again)
    cached = ra.generate(spec, tmp_path / "a")
    assert cached.origin == "cache" and _same(first, cached)
    other = ra.generate(ra.RoutineSpec(seed=6, rate_hz=12.5, duration_s=90.0), tmp_path / "a")
    assert not _same(first, other)
    bare = ra.generate(ra.RoutineSpec(seed=5, rate_hz=12.5, duration_s=90.0, calibrated=False,
                                      gyro=False), tmp_path / "a")
    assert not bare.recording.has_gyro and bare.recording.calibration_upright_s is None
    assert bare.labels["scenario"] == "routine_nocal"
    assert len(list((tmp_path / "a").glob("*.labels.json"))) == 3
    assert not list((tmp_path / "a").glob(".*"))  # no temporary file left


def test_a_damaged_cache_entry_is_made_again(tmp_path: Path) -> None:
    spec = ra.RoutineSpec(seed=7, rate_hz=12.5, duration_s=60.0)
    first = ra.generate(spec, tmp_path)
    csv = next(tmp_path.glob("*.csv.gz"))
    csv.write_bytes(b"not gzip")
    again = ra.generate(spec, tmp_path)
    assert again.origin == "simulated" and _same(first, again)


def _desk(folder: Path) -> None:
    write_simulation(simulate("desk", seed=3, config=SimConfig(duration_s=60.0)),
                     folder / "desk_short.csv.gz")


def test_main_scores_the_folder_and_counts_exercises_where_none_is_labelled(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _desk(tmp_path)
    assert ra.main([str(tmp_path), "--routines", "0", "--cache", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "no routine sessions" in out
    assert "desk" in out.split("per fixture category")[1]
    assert "0 exercises on desk days and daily life" in out
    assert "every exercise kind F1 >= 0.95: 0 of 0 kinds NOT met" in out
    assert ra.main([str(tmp_path / "nowhere")]) == 2
    assert ra.main([str(tmp_path), "--routines", "-1"]) == 2
    assert ra.main([str(tmp_path), "--sisfall", str(tmp_path / "nowhere")]) == 2


def _accuracy_module() -> Any:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("accuracy_benchmark_routines", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_accuracy_benchmark_prints_the_routine_section(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _desk(tmp_path)
    sim = simulate("routine", seed=2, config=SimConfig(sample_rate_hz=12.5, duration_s=120.0))
    write_simulation(sim, tmp_path / "routine_short.csv.gz")
    assert _accuracy_module().main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    section = out.split("=== The whole routine")[1]
    assert "1 sessions, ALL simulated: 0 generated" in section
    assert "routine_short" in section and "Targets (issue 15)" in section
    assert "allowed SisFall subjects: not run" in section


def test_accuracy_benchmark_counts_exercises_on_a_sisfall_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``make accuracy`` prints the issue's "0 exercises on the allowed SisFall subjects"
    from a local copy (``SISFALL_DIR``), and says so when the folder is not there."""
    _desk(tmp_path)
    sis = tmp_path / "sisfall"
    (sis / "SA01").mkdir(parents=True)
    (sis / "SA01" / "D01_SA01_R01.txt").write_text(
        "  17,-179, -99, -18,-504,-352,  76,-697,-279;\n" * 2000)
    acc = _accuracy_module()
    assert acc.main([str(tmp_path), "--routines", "0", "--sisfall", str(sis)]) == 0
    section = capsys.readouterr().out.split("=== The whole routine")[1]
    assert "allowed SisFall subjects: not run" not in section
    assert "0 exercises on the allowed SisFall subjects" in section
    assert acc.main([str(tmp_path), "--sisfall", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_sisfall_counts_read_only_the_allowed_subjects(tmp_path: Path) -> None:
    from routine_free import sisfall_counts

    row = "  17,-179, -99, -18,-504,-352,  76,-697,-279;\n"
    for subject in ("SA01", "SA20"):
        (tmp_path / subject).mkdir()
    (tmp_path / "SA01" / "D01_SA01_R01.txt").write_text(row * 2000)
    # a held-out subject's file that would be an error if it were ever read
    (tmp_path / "SA20" / "D01_SA20_R01.txt").write_text("not a trial\n")
    (tmp_path / "SA01" / "F01_SA01_R01.txt").write_text("not a trial\n")
    by, kinds = sisfall_counts(tmp_path)
    assert by == {"D01": [1, 0, 0, 0, 0, 0], "F01": [1, 0, 0, 0, 0, 1]}
    assert kinds == {"D01": set(), "F01": set()}


def test_scores_pool_per_rate_calibration_and_gyro() -> None:
    def ev(rate: float, method: str, gyro: bool, det: list[Item]) -> Any:
        rec = SimpleNamespace(sample_rate_hz=rate, has_gyro=gyro)
        return ra.Evaluated(SimpleNamespace(recording=rec), score_session(_labels(), det),
                            0.0, method, 0, 0)

    evs = [ev(25.0, "header", True, _detections()), ev(12.5, "auto", False, []),
           ev(25.0, "auto", True, [])]
    groups = ra.by_condition(evs)
    assert list(groups["rate"]) == ["12.5 Hz", "25 Hz"]
    assert (groups["rate"]["25 Hz"].tp, groups["rate"]["25 Hz"].labelled) == (3, 14)
    assert groups["calibration"]["header"].tp == 3 and groups["calibration"]["auto"].tp == 0
    assert groups["gyro"]["without"].labelled == 7 and groups["gyro"]["with"].detected == 8
