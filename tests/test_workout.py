"""Sets and sides across the whole routine (issue 15 item 6): the routine's sets, each
exercise's sets with rests, symmetry of every sided exercise and leaning to one side, on
hand-made events of the simulated routines (tests/routine_events.py)."""

from __future__ import annotations

from statistics import median
from typing import Any

import pytest
from routine_events import REP_FIELDS, ROUTINE, FormHold, make_rep, routine

from sensorcoach.core.events import Hold
from sensorcoach.core.reps import RepSet
from sensorcoach.core.workout import exercise_sets, group_sets, label, symmetry

SIDED = {"bird_dog", "side_plank", "single_leg_bridge", "single_leg_deadlift",
         "knee_to_belly", "cross"}


def by_ex(holds: list[Hold], reps: list[RepSet]) -> dict[str, dict[str, Any]]:
    return {e["exercise"]: e for e in exercise_sets(holds, reps, ROUTINE)}


@pytest.mark.parametrize("name", ["routine_100hz", "routine_50hz", "routine_nocal_25hz"])
def test_the_routines_sets_are_the_rounds_the_person_did(name: str) -> None:
    holds, reps, labels = routine(name)
    rounds = sum(1 for s in labels["segments"] if s["kind"] == "plank")
    sets = group_sets(holds, 180.0, reps, ROUTINE)
    assert len(sets) == rounds
    for st in sets:
        assert st["exercises"] == ["bird_dog", "plank", "side_plank", "glute_bridge",
                                   "single_leg_bridge", "deadlift", "single_leg_deadlift"]
        kinds = [h["kind"] for h in st["holds"]] + [r["kind"] for r in st["reps"]]
        assert not {"child_pose", "cross_left", "cat_cow"} & set(kinds)  # stretches apart
        assert len(st["rests_s"]) == len(st["holds"]) + len(st["reps"]) - 1
        assert all(r > 0 for r in st["rests_s"])
    if rounds > 1:
        assert 30.0 <= sets[1]["rest_before_s"] <= 150.0  # 30-90 s plus getting down


def test_alternating_sides_do_not_split_the_routines_set() -> None:
    """The old rule (a kind seen again starts a new set) made every bird-dog pair a set."""
    holds = [Hold(k, t, t + 10, "rest", {"score": 60}, ()) for k, t in
             [("bird_dog_right", 0), ("bird_dog_left", 15), ("bird_dog_right", 30),
              ("bird_dog_left", 45), ("plank", 80), ("bird_dog_right", 200)]]
    sets = group_sets(holds, 180.0, (), ROUTINE)
    assert [len(s["holds"]) for s in sets] == [5, 1]


def test_each_exercise_has_its_sets_sides_together_with_rests() -> None:
    holds, reps, labels = routine("routine_50hz")
    ex = by_ex(holds, reps)
    sp = ex["side_plank"]
    sides = [s["side"] for s in sp["sets"]]
    assert sp["sided"] and len(sides) == 4 and sorted(sides) == ["left"] * 2 + ["right"] * 2
    truth = [s for s in labels["segments"] if s["kind"].startswith("side_plank")]
    assert [s["duration_s"] for s in sp["sets"]] == pytest.approx(
        [s["end_s"] - s["steady_start_s"] for s in truth], abs=0.06)
    first, second, third = sp["sets"][:3]
    assert first["rest_before_s"] is None
    assert second["rest_before_s"] == pytest.approx(second["start_s"] - first["end_s"], abs=0.1)
    # the next round's first side plank came after other exercises: no rest, a time since
    assert third["rest_before_s"] is None and third["since_last_s"] > 200
    dl = ex["deadlift"]
    assert dl["mode"] == "reps" and [s["count"] for s in dl["sets"]] == [
        s["count"] for s in labels["segments"] if s["kind"] == "deadlift"]
    assert dl["total_reps"] == sum(s["count"] for s in dl["sets"]) and dl["total_s"] is None
    assert all(s["range_deg"] > 30 and s["down_s"] > 0 and s["up_s"] > 0 for s in dl["sets"])
    assert list(ex) == ["bird_dog", "plank", "side_plank", "glute_bridge",
                        "single_leg_bridge", "deadlift", "single_leg_deadlift",
                        "stretch_hamstring", "child_pose", "cat_cow", "knee_to_belly", "cross"]
    assert ex["plank"]["sided"] is False and ex["plank"]["total_s"] == pytest.approx(
        sum(s["duration_s"] for s in ex["plank"]["sets"]), abs=0.2)


def test_stretches_are_timed_against_their_target() -> None:
    holds, reps, _ = routine("routine_100hz")
    ex = by_ex(holds, reps)
    for name in ("stretch_hamstring", "child_pose", "knee_to_belly", "cross"):
        assert ex[name]["mode"] == "stretch"
        for s in ex[name]["sets"]:
            assert s["target_s"] == [20.0, 30.0]
            assert s["reached"] is (s["duration_s"] >= 20.0)
    short = [Hold("child_pose", 0, 15, "rest", {}, ()), Hold("child_pose", 30, 52, "rest", {},
                                                             ())]
    sets = by_ex(short, [])["child_pose"]["sets"]
    assert [s["reached"] for s in sets] == [False, True]
    assert sets[1]["rest_before_s"] == 15.0
    assert ex["cat_cow"]["mode"] == "stretch" and ex["cat_cow"]["sets"][0]["count"] == 11


def test_symmetry_covers_every_unilateral_exercise_in_time_or_reps() -> None:
    holds, reps, labels = routine("routine_100hz")
    sym = symmetry(holds, 10.0, ROUTINE, reps)
    by = sym["by_exercise"]
    assert set(by) == SIDED
    seg = labels["segments"]

    def total(kind: str) -> float:
        return float(sum(s["end_s"] - s["steady_start_s"] for s in seg if s["kind"] == kind))

    bd = by["bird_dog"]
    assert bd["measure"] == "time" and bd["left"]["bouts"] == 4
    assert bd["left"]["total_s"] == pytest.approx(total("bird_dog_left"), abs=0.2)
    assert bd["right"]["form"]["hip_rotation_deg"] == pytest.approx(median(
        s["hip_rotation_deg"] for s in seg if s["kind"] == "bird_dog_right"), abs=0.05)
    sl = by["single_leg_deadlift"]
    n_left = sum(s["count"] for s in seg if s["kind"] == "single_leg_deadlift_left")
    n_right = sum(s["count"] for s in seg if s["kind"] == "single_leg_deadlift_right")
    assert (sl["left"]["reps"], sl["right"]["reps"]) == (n_left, n_right) == (9, 6)
    assert sl["measure"] == "reps" and sl["imbalance_pct"] == 33.3
    assert sl["weaker_side"] == "right" and sl["flagged"] is True
    assert sl["left"]["form"]["pelvic_rotation_deg"] > sl["right"]["form"]["pelvic_rotation_deg"]
    assert sl["left"]["lateral_lean_deg"] == pytest.approx(2.3, abs=0.1)
    slb = by["single_leg_bridge"]
    assert slb["left"]["form"]["pelvic_drop_deg"] == pytest.approx(6.2, abs=0.1)
    assert by["knee_to_belly"]["mode"] == "stretch"
    # the side-plank figures keep their top-level keys (SPEC section 4)
    assert sym["side_plank_left_s"] == pytest.approx(total("side_plank_left"), abs=0.1)
    assert sym["imbalance_pct"] == by["side_plank"]["imbalance_pct"]


def test_hold_form_is_the_median_per_side() -> None:
    holds = [FormHold("bird_dog_left", 0, 10, "rest", {"score": 40}, (),
                      form={"hip_rotation_deg": r}) for r in (4.0, 8.0, 6.0)]
    holds += [FormHold("bird_dog_right", 50, 70, "rest", {"score": 80}, (),
                       form={"hip_rotation_deg": -3.0})]
    by = symmetry(holds, 10.0, ROUTINE)["by_exercise"]["bird_dog"]
    assert by["left"]["form"] == {"hip_rotation_deg": 6.0}
    assert by["right"]["form"] == {"hip_rotation_deg": 3.0}
    assert (by["left"]["score"], by["right"]["score"]) == (40, 80)
    assert by["imbalance_pct"] == pytest.approx(33.3) and by["weaker_side"] == "right"
    assert by["side_plank_left_s"] == 30.0  # the keys by_exercise had before stay


def deadlifts(leans: list[float | None]) -> RepSet:
    return RepSet("deadlift", tuple(make_rep(i * 4.0, i * 4.0 + 2, i * 4.0 + 3.5, 50.0, v)
                                        for i, v in enumerate(leans)))


def test_leaning_to_one_side_of_two_sided_exercises() -> None:
    lean = symmetry([], 10.0, ROUTINE, [deadlifts([-12.0, -11.0, -13.0, 2.0])],
                    lean_flag_deg=10.0)["lean"]["deadlift"]
    assert lean["lateral_lean_deg"] == 11.5 and lean["max_deg"] == 13.0
    assert lean["side"] == "left" and lean["flagged"] is True and lean["measured"] == 4
    calm = symmetry([], 10.0, ROUTINE, [deadlifts([1.0, 2.5, None])])["lean"]["deadlift"]
    # signed leans (+ right) from a counter whose repetitions carry form; magnitudes before
    assert calm["side"] == ("right" if "form" in REP_FIELDS else None)
    assert calm["flagged"] is False and calm["measured"] == 2
    bridge = FormHold("glute_bridge", 0, 30, "rest", {}, (), form={"roll_deg": -4.0})
    assert symmetry([bridge], 10.0, ROUTINE)["lean"]["glute_bridge"]["lateral_lean_deg"] == 4.0
    assert "lean" not in symmetry([Hold("plank", 0, 30, "rest", {}, ())], 10.0, ROUTINE)


def test_names_a_person_reads() -> None:
    assert label("side_plank_right") == "side plank (right)"
    assert label("bird_dog_left", ROUTINE) == "bird dog (left)"
    assert label("knee_to_belly_left", ROUTINE) == "knee to belly (left)"
    assert label("side_plank_a") == "side plank (side A)"
    assert label("stretch_hamstring", ROUTINE) == "hamstring stretch"
    assert label("single_leg_deadlift_right") == "single leg deadlift (right)"


def test_unnamed_sides_are_sets_of_one_exercise() -> None:
    holds = [Hold("side_plank_a", 0, 30, "rest", {}, ()),
             Hold("side_plank_b", 50, 70, "rest", {}, ())]
    (ex,) = exercise_sets(holds)
    assert ex["exercise"] == "side_plank" and [s["label"] for s in ex["sets"]] == [
        "side plank (side A)", "side plank (side B)"]
    assert ex["sets"][1]["rest_before_s"] == 20.0


def test_a_repetition_carries_its_extra_form_measure() -> None:
    r = make_rep(0.0, 1.0, 2.0, 40.0, 1.0, pelvic_rotation_deg=-7.0)
    sets = [RepSet("single_leg_deadlift_left", (r, r, r))]
    by = symmetry([], 10.0, ROUTINE, sets)["by_exercise"]["single_leg_deadlift"]
    assert by["left"]["form"] == {"pelvic_rotation_deg": 7.0}
    assert by["imbalance_pct"] is None and by["right"] == {"bouts": 0}
