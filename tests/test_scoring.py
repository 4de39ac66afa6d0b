"""Honest scoring (SPEC 3): a detection matches a label only at IoU >= 0.5, one to one."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sensorcoach.core.events import Hold
from sensorcoach.scoring import iou, match, match_kinds, spearman
from sensorcoach.simulate import SimConfig, simulate, write_simulation

PLANK = (100.0, 174.0)  # a 74 s plank


def test_iou_of_intervals() -> None:
    assert iou((0.0, 10.0), (0.0, 10.0)) == 1.0
    assert iou((0.0, 10.0), (5.0, 15.0)) == pytest.approx(5.0 / 15.0)
    assert iou((0.0, 10.0), (10.0, 20.0)) == 0.0
    assert iou((0.0, 0.0), (0.0, 0.0)) == 0.0


def test_piece_of_a_plank_is_a_miss_and_a_false_alarm() -> None:
    """Regression: overlap over half of the shorter span counted an 11 s piece of a
    74 s plank as found."""
    sc = match([(120.0, 131.0)], [PLANK])
    assert (sc.tp, sc.fp, sc.fn) == (0, 1, 1)
    assert sc.fragments == 1 and sc.split_labels == 0
    assert sc.f1 == 0.0


def test_nearly_whole_detection_is_a_hit_with_its_errors() -> None:
    sc = match([(101.0, 173.0)], [PLANK])
    assert (sc.tp, sc.fp, sc.fn, sc.fragments) == (1, 0, 0, 0)
    assert sc.start_errors == [1.0] and sc.end_errors == [-1.0]
    assert sc.duration_errors == [-2.0]
    assert sc.ious == [pytest.approx(72.0 / 74.0)]
    assert sc.f1 == 1.0


def test_iou_boundary_half_is_a_hit() -> None:
    assert match([(100.0, 137.0)], [PLANK]).tp == 1  # 37/74 = 0.5
    assert match([(100.0, 136.9)], [PLANK]).tp == 0


def test_hold_cut_in_two_is_a_split_label() -> None:
    sc = match([(100.0, 130.0), (132.0, 174.0)], [PLANK])
    # the longer piece (42/74 = 0.57) still matches; the other is a fragment
    assert (sc.tp, sc.fp, sc.fn) == (1, 1, 0)
    assert sc.fragments == 1 and sc.split_labels == 1
    sc3 = match([(100.0, 120.0), (121.0, 150.0), (151.0, 174.0)], [PLANK])
    assert (sc3.tp, sc3.fp, sc3.fn, sc3.fragments, sc3.split_labels) == (0, 3, 1, 3, 1)


def test_false_alarm_away_from_labels_is_not_a_fragment() -> None:
    sc = match([(10.0, 20.0), (101.0, 174.0)], [PLANK])
    assert (sc.tp, sc.fp, sc.fn, sc.fragments) == (1, 1, 0, 0)


def test_one_to_one_greedy_by_iou() -> None:
    labels = [(0.0, 60.0), (62.0, 100.0)]
    # one long detection spanning both labels matches the one it covers best only
    sc = match([(0.0, 100.0)], labels)
    assert (sc.tp, sc.fp, sc.fn) == (1, 0, 1)
    assert sc.ious == [pytest.approx(0.6)]
    # two detections, both best on the first label: the better one takes it
    sc2 = match([(0.0, 58.0), (5.0, 61.0)], labels)
    assert (sc2.tp, sc2.fp, sc2.fn) == (1, 1, 1)
    assert sc2.start_errors == [0.0]


def test_empty_sides() -> None:
    assert (match([], []).precision, match([], []).recall) == (1.0, 1.0)
    miss = match([], [PLANK])
    assert (miss.tp, miss.fn, miss.recall) == (0, 1, 0.0)
    alarm = match([PLANK], [])
    assert (alarm.fp, alarm.precision, alarm.fragments) == (1, 0.0, 0)


def test_kinds_must_agree_and_wrong_kind_is_counted() -> None:
    kinds = ("plank", "side_plank_left", "side_plank_right")
    labels = [("plank", 0.0, 60.0), ("side_plank_left", 100.0, 140.0),
              ("rest", 60.0, 100.0), ("running", 200.0, 300.0)]
    det = [("plank", 1.0, 59.0), ("side_plank_right", 101.0, 139.0)]
    sc = match_kinds(det, labels, kinds)
    assert (sc.tp, sc.fp, sc.fn, sc.wrong_kind) == (1, 1, 1, 1)
    # kinds outside the scored ones are ignored on both sides
    assert match_kinds([("bending", 200.0, 300.0)], labels, kinds).fp == 0


def test_spearman_ranks_and_ties() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833, abs=1e-6)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = x**3 + 0.1 * rng.normal(size=50)
    ref = np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(y)))[0, 1]
    assert spearman(list(x), list(y)) == pytest.approx(ref)


def _accuracy_module() -> Any:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("accuracy_benchmark", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while it loads
    spec.loader.exec_module(mod)
    return mod


def test_accuracy_benchmark_scores_every_fixture_and_unknown_kinds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sub = tmp_path / "more"
    sub.mkdir()
    write_simulation(simulate("rest_lying", seed=5, config=SimConfig(duration_s=60.0)),
                     tmp_path / "a_rest.csv.gz")
    write_simulation(simulate("rest_lying", seed=6, config=SimConfig(duration_s=60.0)),
                     sub / "b_rest.csv.gz")
    labels = json.loads((sub / "b_rest.labels.json").read_text())
    labels["segments"].append({"kind": "running", "start_s": 10.0, "end_s": 20.0})
    labels["scenario"] = "daily_jog"
    (sub / "b_rest.labels.json").write_text(json.dumps(labels))
    (tmp_path / "unlabelled.csv").write_text("# sensorcoach-recording: 1\nt,ax,ay,az\n")
    (tmp_path / "broken.csv").write_text("# sensorcoach-recording: 1\nt,ax,ay,az\n0,x,0,1\n")
    (tmp_path / "broken.labels.json").write_text('{"segments": []}')
    mod = _accuracy_module()
    assert mod.main([str(tmp_path), "--sweep"]) == 0
    out = capsys.readouterr().out
    assert "ALL 2 simulated fixtures" in out
    assert "a_rest" in out and "b_rest" in out and "daily_jog" in out
    assert "broken.csv: not scored" in out
    assert "running" in out.split("label kinds not scored")[1].splitlines()[0]
    for name in mod.sweep_settings():
        assert name.startswith(("hold_", "slump_", "bird_dog_", "stretch_"))
        assert f"\n{name} " in out
    swept = mod.sweep_settings()
    assert {"hold_min_s", "slump_min_s", "bird_dog_roll_deg", "stretch_min_s"} <= set(swept)
    assert mod.main([str(tmp_path / "nowhere")]) == 2


def test_accuracy_benchmark_names_unnamed_sides_by_the_better_fit() -> None:
    mod = _accuracy_module()
    holds = [Hold("side_plank_a", 10.0, 40.0, "rest", {"score": 50}, ()),
             Hold("side_plank_b", 60.0, 80.0, "rest", {"score": 50}, ()),
             Hold("plank", 100.0, 160.0, "rest", {"score": 50}, ())]
    labels = [("side_plank_right", 10.5, 40.0), ("side_plank_left", 60.0, 81.0),
              ("plank", 100.0, 161.0)]
    det, note = mod.hold_spans(SimpleNamespace(holds=holds), labels)
    assert [k for k, _, _ in det] == ["side_plank_right", "side_plank_left", "plank"]
    assert "a=right" in note
    assert match_kinds(det, labels, mod.HOLD_KINDS).tp == 3
    named, none = mod.hold_spans(SimpleNamespace(holds=holds[2:]), labels)
    assert named == [("plank", 100.0, 160.0)] and none == ""
