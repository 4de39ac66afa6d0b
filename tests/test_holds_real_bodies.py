"""Holds that stay whole for steady people, appear without calibration, never come from a
bend to the floor (issue "Real bodies II"), scored by intersection over union >= 0.5."""

from __future__ import annotations

import numpy as np
import pytest

from sensorcoach.analysis import analyze
from sensorcoach.core.events import Hold
from sensorcoach.core.hold_sides import name_holds
from sensorcoach.core.workout import symmetry
from sensorcoach.scoring import match_kinds
from sensorcoach.simulate import SimConfig, simulate

KINDS = ("plank", "side_plank_left", "side_plank_right")


def labelled(labels: dict[str, object], min_s: float = 10.0) -> list[tuple[str, float, float]]:
    out = []
    for s in labels["segments"]:  # type: ignore[attr-defined]
        if s["kind"] in KINDS:
            start = float(s.get("steady_start_s", s["start_s"]))
            if float(s["end_s"]) - start >= min_s:
                out.append((s["kind"], start, float(s["end_s"])))
    return out


@pytest.mark.parametrize("seed", [61, 62])
def test_a_very_steady_persons_long_holds_stay_whole(seed: int) -> None:
    """Tremor 2-3 mg and a few tenths of a degree of sway: effort is near the sensor's
    noise, yet each hold is one hold (the first detector cut a 90 s plank into ~9 s)."""
    person = {"tremor_mg": 2.5, "hold_sway_deg": 0.15, "plank_capacity_s": 400.0,
              "side_capacity_s": 200.0}
    sim = simulate("workout", seed=seed, config=SimConfig(person=person))
    result = analyze(sim.recording)
    det = [(h.kind, h.start_s, h.end_s) for h in result.holds]
    score = match_kinds(det, labelled(sim.labels), KINDS)
    assert score.fn == 0 and score.fp == 0, (det, labelled(sim.labels))
    longest = max(e - s for _, s, e in labelled(sim.labels))
    assert longest > 60  # the test is about long holds


@pytest.mark.parametrize("seed", [11, 13])
def test_holds_are_found_without_calibration_and_sides_inferred(seed: int) -> None:
    sim = simulate("workout_nocal", seed=seed, config=SimConfig(sample_rate_hz=50.0))
    result = analyze(sim.recording)
    d = result.to_dict()
    assert d["calibration"]["method"] == "auto"
    assert d["calibration"]["forward_known"] is False
    det = [(h.kind, h.start_s, h.end_s) for h in result.holds]
    score = match_kinds(det, labelled(sim.labels), KINDS)
    assert score.recall >= 0.8, (det, labelled(sim.labels))
    assert any("holds' sides" in w for w in d["calibration"]["warnings"])
    assert d["symmetry"]["imbalance_pct"] is not None


@pytest.mark.parametrize(("scenario", "seed"), [("desk_wide", 11), ("desk_wide", 13),
                                                 ("daily_life", 11), ("daily_life", 13)])
def test_bends_to_the_floor_and_shoe_tying_are_not_holds(scenario: str, seed: int) -> None:
    sim = simulate(scenario, seed=seed)
    kinds = {s["kind"] for s in sim.labels["segments"]}
    assert "bending" in kinds  # the day has bends to the floor
    assert analyze(sim.recording).holds == []


def hold(kind: str, start: float, end: float, az: float) -> Hold:
    return Hold(kind, start, end, "rest", {"score": 50}, (), az)


def test_three_hold_directions_name_plank_and_both_sides() -> None:
    # arbitrary frame: front down at 40 deg; left side down is 90 deg clockwise of it
    holds = [hold("hold", 0, 60, 40.0), hold("hold", 90, 120, -50.0),
             hold("hold", 150, 190, 130.0), hold("hold", 260, 300, 42.0)]
    named, note = name_holds(holds)
    assert [h.kind for h in named] == ["plank", "side_plank_left", "side_plank_right",
                                       "plank"]
    assert note is not None and "inferred" in note


def test_two_opposite_directions_are_sides_a_and_b_with_their_imbalance() -> None:
    holds = [hold("hold", 0, 30, 10.0), hold("hold", 60, 80, -170.0),
             hold("hold", 120, 150, 12.0)]
    named, note = name_holds(holds)
    assert [h.kind for h in named] == ["side_plank_a", "side_plank_b", "side_plank_a"]
    assert note is not None and "a and b" in note
    sym = symmetry(named, 10.0)
    assert sym["side_plank_a_s"] == 60.0 and sym["side_plank_b_s"] == 20.0
    assert sym["imbalance_pct"] == pytest.approx(66.7, abs=0.1)
    assert sym["weaker_side"] == "b" and sym["flagged"] is True


def test_a_forward_direction_learnt_elsewhere_names_every_hold() -> None:
    """Simulated routines without calibration: a plank and two side planks held 15-45 deg
    apart from the cluster centres (and a 4th, short, hold) were named from the clusters
    plank -> side plank right, side plank left -> plank; the forward direction the stretch
    detector learnt from the forward tilts names each hold by itself."""
    # the holds' frame is the body frame turned: forward at 30 deg there, so front down
    # reads -30, left side down -120, right side down 60
    holds = [hold("hold", 0, 90, -30.0), hold("hold", 120, 150, -115.0),
             hold("hold", 190, 260, 62.0)]
    named, note = name_holds(holds, forward_deg=30.0)
    assert [h.kind for h in named] == ["plank", "side_plank_left", "side_plank_right"]
    assert note is not None and "forward tilts" in note
    # two opposite holds alone are still named left and right
    named, _ = name_holds(holds[1:], forward_deg=30.0)
    assert [h.kind for h in named] == ["side_plank_left", "side_plank_right"]


def test_one_direction_is_assumed_a_plank_and_says_so() -> None:
    named, note = name_holds([hold("hold", 0, 30, 10.0), hold("hold", 60, 90, 15.0)])
    assert [h.kind for h in named] == ["plank", "plank"]
    assert note is not None and "assumed" in note


def test_named_holds_pass_unchanged() -> None:
    holds = [hold("plank", 0, 30, 0.0)]
    assert name_holds(holds) == (holds, None)


def test_a_hold_over_a_set_of_repetitions_is_the_set() -> None:
    """A simulated routine without calibration or gyro reported a 40 s plank over a cat-cow
    set (slow cycles on all fours, smoothed by the accelerometer's low-pass into something
    held): a hold mostly inside a set found there is dropped, whichever ends first."""
    import numpy as np

    from sensorcoach.core.analyzer import StreamAnalyzer
    from sensorcoach.core.calibration import Calibration
    from sensorcoach.core.holds import HoldSpan
    from sensorcoach.core.rep_sets import Rep, RepSet

    cal = Calibration("header", np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    an = StreamAnalyzer(cal, has_gyro=False, sample_rate_hz=50.0)
    reps = tuple(Rep(100.0 + 6 * k, 103.0 + 6 * k, 106.0 + 6 * k, 25.0, 2.5, 3.0)
                 for k in range(6))
    cat_cow = RepSet("cat_cow", reps)
    plank = Hold("plank", 99.0, 137.0, "rest", {"score": 50}, (), 0.0)
    later = Hold("plank", 150.0, 190.0, "rest", {"score": 50}, (), 0.0)
    an.holds = [plank, later]
    an._drop_holds_over(cat_cow)  # the set ends after the hold
    assert an.holds == [later]
    an.rep_sets = [cat_cow]  # the set ended before the hold
    span = HoldSpan("plank", 98.0, 138.0, "rest", (), 0.0, "sag", 10.0)
    assert an._finish_holds([span]) == []
    kept = HoldSpan("plank", 150.0, 190.0, "rest", (), 0.0, "sag", 10.0)
    assert an._finish_holds([kept]) == []  # held back until no set can cover it
    assert an._release_holds(170.0 + 10.0) == []
    assert [h.start_s for h in an._release_holds(170.0 + 16.0)] == [150.0]


def test_a_hold_waits_for_a_set_under_way_and_live_reports_what_offline_does() -> None:
    """A 10 s "plank" at the start of a cat-cow (its first slow cycles on all fours) was
    reported live and then dropped offline when the set closed over it. A finished hold
    waits while a set that began by its midpoint is under way, or one could still show
    its first repetition (REP_SHOWN_S after the midpoint)."""
    import numpy as np

    from sensorcoach.core.analyzer import StreamAnalyzer
    from sensorcoach.core.calibration import Calibration
    from sensorcoach.core.holds import HoldSpan
    from sensorcoach.core.rep_sets import CAT_COW, Candidate, Rep, RepSet
    from sensorcoach.core.reps import REP_SHOWN_S, _Open

    cal = Calibration("header", np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    an = StreamAnalyzer(cal, has_gyro=False, sample_rate_hz=50.0)
    span = HoldSpan("plank", 892.5, 902.2, "rest", (), 0.0, "sag", 10.0)
    assert an._finish_holds([span]) == []
    # a cat-cow under way since 896.3: the hold waits however long the set runs
    first = Candidate(CAT_COW, 896.3, 899.0, 902.3, 20.0, 2.7, 3.3, None, {}, 0.0, 0.0, False)
    an.rep_counter._open["floor"] = _Open(CAT_COW, [first])
    assert an._release_holds(897.35 + REP_SHOWN_S + 30.0) == []
    # the set closes over most of the hold: it is never reported
    an.rep_counter._open["floor"] = None
    reps = tuple(Rep(896.3 + 6 * k, 899.0 + 6 * k, 902.3 + 6 * k, 20.0, 2.5, 3.0)
                 for k in range(8))
    an.rep_sets.append(RepSet("cat_cow", reps))
    assert an._release_holds(950.0) == [] and an._held_back == [] and an.holds == []
    # without a set the same hold is reported once no set can cover it any more
    an2 = StreamAnalyzer(cal, has_gyro=False, sample_rate_hz=50.0)
    an2._finish_holds([span])
    assert an2._release_holds(897.35 + REP_SHOWN_S - 0.1) == []
    assert [h.kind for h in an2._release_holds(897.35 + REP_SHOWN_S)] == ["plank"]


def test_a_hold_over_two_stretches_in_a_row_is_no_hold() -> None:
    """An accelerometer-only routine reported a 62 s single-leg bridge over knee to belly
    right, a 2 s rest and knee to belly left: each stretch covered under half of it, so
    neither dropped it. Stretches in a row that cover most of a hold together do."""
    import numpy as np

    from sensorcoach.core.analyzer import StreamAnalyzer
    from sensorcoach.core.calibration import Calibration
    from sensorcoach.core.holds import HoldSpan

    cal = Calibration("header", np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    an = StreamAnalyzer(cal, has_gyro=False, sample_rate_hz=50.0)
    right = Hold("knee_to_belly_right", 887.5, 912.1, "rest", {"score": 50}, (),
                 target_s=20.0)
    left = Hold("knee_to_belly_left", 919.4, 948.8, "rest", {"score": 50}, (), target_s=20.0)
    bridge = Hold("single_leg_bridge_left", 887.3, 949.3, "rest", {"score": 50}, (), 180.0)
    an.holds = [bridge, right]
    an._drop_holds_under(right)
    assert an.holds == [bridge, right]  # one stretch covers 40 % of it
    an.holds.append(left)
    an._drop_holds_under(left)
    assert an.holds == [right, left]
    # the hold ending after both stretches are known is not reported at all
    span = HoldSpan("single_leg_bridge_left", 887.3, 949.3, "rest", (), 0.0, "sag", -18.0)
    assert an._finish_holds([span]) == []


def test_a_very_shaky_side_plank_sways_fast_in_place_and_is_a_hold() -> None:
    """A very shaky simulated person swayed 29-36 deg at 8-10 deg/s in a side plank: faster
    than the 6 deg/s a held trunk turns, so it was never recognised. Swaying in place (the
    posture within 10 deg) up to twice that is a hold; moving on at that speed is not."""
    import numpy as np

    from sensorcoach.core.holds import HoldDetector
    from sensorcoach.core.settings import DEFAULT_SETTINGS

    def holds(elev: np.ndarray) -> list[str]:
        rng = np.random.default_rng(3)
        n = elev.size
        t = (np.arange(n) + 0.5) * 0.1
        e, a = np.radians(elev), np.radians(90.0)  # right side down
        up = np.vstack([-np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
        quiet = np.arange(n) < 100
        mot = np.where(quiet, 0.002, 0.025)
        jit = np.where(quiet, 0.003, 0.008) + rng.normal(0, 0.0005, n)
        det = HoldDetector(DEFAULT_SETTINGS, sway_from_gyro=True, sides_known=True)
        spans, _ = det.push(t, up, mot, jit)
        return [s.kind for s in spans + det.flush()]

    k = np.arange(400)
    sway = np.concatenate([np.full(100, 1.0), 32.5 + 3.5 * np.sin(2 * np.pi * 0.6 * k * 0.1),
                           np.full(50, 85.0)])
    assert holds(sway) == ["side_plank_right"]
    # the same speed moving on (a trunk sweeping 8 -> 40 deg and back): no hold
    sweep = 24.0 + 16.0 * np.sin(2 * np.pi * 0.12 * k * 0.1)
    assert holds(np.concatenate([np.full(100, 1.0), sweep, np.full(50, 85.0)])) == []


def test_a_bird_dog_set_stands_over_a_child_pose_found_in_it() -> None:
    """At 12.5 Hz a bird dog side on all fours (the lower back 5.7 deg head end down, its
    tremor invisible at that rate) was taken for a relaxed child's pose, which then hid
    the side. A bird dog set (both sides seen alternating) stands over a stretch."""
    import numpy as np

    from sensorcoach.core.analyzer import StreamAnalyzer
    from sensorcoach.core.calibration import Calibration
    from sensorcoach.core.holds import HoldSpan

    cal = Calibration("header", np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    an = StreamAnalyzer(cal, has_gyro=False, sample_rate_hz=12.5)
    child = Hold("child_pose", 163.7, 177.8, "rest", {"score": 50}, (), target_s=20.0)
    an.holds = [child]
    an.hold_detector._bird_sets.append((146.8, 178.0))  # the set the sides below make up
    sides = [HoldSpan("bird_dog_right", 146.8, 160.6, "rest", (), 0.0, "sag", 0.0),
             HoldSpan("bird_dog_left", 164.1, 177.4, "rest", (), 0.0, "sag", 0.0)]
    out = an._finish_holds(sides)
    assert [h.kind for h in out] == ["bird_dog_right", "bird_dog_left"]
    assert [h.kind for h in an.holds] == ["bird_dog_right", "bird_dog_left"]
    # and a stretch that ends inside a finished set is not reported
    from sensorcoach.core.stretches import StretchSpan
    assert an._finish_stretches([StretchSpan("child_pose", 150.0, 175.0, 20.0, "rest")]) == []


def test_a_short_set_inside_a_long_hold_is_the_holds_wobble() -> None:
    """Without calibration a 76 s side plank's wobble was read as two short cat-cow sets
    and a bridge set inside it: a set mostly inside a hold is not reported; a set and a
    hold over about the same time keep the set (a cat-cow smoothed into a plank)."""
    import numpy as np

    from sensorcoach.core.analyzer import StreamAnalyzer
    from sensorcoach.core.calibration import Calibration

    cal = Calibration("header", np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    an = StreamAnalyzer(cal, has_gyro=False, sample_rate_hz=100.0)
    an.holds = [Hold("side_plank_left", 303.2, 379.2, "rest", {"score": 50}, (), -90.0)]
    assert an._in_a_hold(347.0, 357.0)  # a 10 s set in the side plank
    assert not an._in_a_hold(290.0, 380.0)  # the hold is the set's
    an.holds = [Hold("plank", 2233.4, 2272.5, "rest", {"score": 50}, (), 0.0)]
    assert not an._in_a_hold(2234.3, 2268.4)  # over about the same time: the set stands


def test_a_hold_facing_up_is_no_side_plank_once_forward_is_known() -> None:
    """Without calibration a supine rest read 12 deg above horizontal, inside the hold band;
    named by the forward direction it came out the nearest side plank. Facing up (more
    than 135 deg from front down) is neither a plank nor a side plank."""
    holds = [hold("hold", 0, 60, -30.0), hold("hold", 100, 130, 150.0 - 5.0)]
    named, _ = name_holds(holds, forward_deg=30.0)
    assert [h.kind for h in named] == ["plank"]


def test_bird_dog_sides_facing_up_are_dropped_once_forward_is_known() -> None:
    """Without calibration, single-leg bridges held right then left (head end down about
    10 deg, inside the all-fours band too) alternate and were also reported as a bird dog
    set (seed 9605 at 12.5 Hz). Once the forward direction is inferred, a bird dog side
    facing up is dropped; one facing down stays, and no other hold is touched."""
    holds = [hold("single_leg_bridge_right", 350.8, 374.5, -113.0),
             hold("bird_dog_left", 350.4, 374.6, -113.0),
             hold("bird_dog_right", 388.5, 409.4, -118.0),
             hold("bird_dog_left", 500.0, 508.0, 62.0),
             hold("bird_dog_right", 510.0, 518.0, 58.0)]
    named, note = name_holds(holds, forward_deg=-60.0)
    assert [h.kind for h in named] == ["single_leg_bridge_right", "bird_dog_left",
                                       "bird_dog_right"]
    assert note is None  # nothing was named
    # with the forward direction unknown there is nothing to tell facing up by
    assert name_holds(holds) == (holds, None)


def test_bird_dog_sides_carry_their_bouts_side_down_azimuth() -> None:
    from test_bird_dog import SET, frames

    from sensorcoach.core import catalogue
    from sensorcoach.core.bird_dog import sides_of
    from sensorcoach.core.settings import DEFAULT_SETTINGS

    t, _, az, act = frames(SET[1:-1])
    rows = (catalogue.by_name("bird_dog_left"), catalogue.by_name("bird_dog_right"))
    assert rows[0] is not None and rows[1] is not None
    sides = sides_of(t, az + 140.0, act, DEFAULT_SETTINGS, (rows[0], rows[1]), 0.1)
    assert len(sides) == 4
    assert all(abs(s.azimuth_deg - 140.0) < 2.0 for s in sides)


@pytest.mark.parametrize(("held_s", "found"), [(9.5, True), (7.0, False)])
def test_a_10_s_hold_is_reported_but_not_a_fall_like_lie(held_s: float, found: bool) -> None:
    """The routine's shortest holds are 10 s and measure 9-10 s (a hold starts where the
    entry settles): at a 10 s minimum half of them were missed (side planks and single-leg
    bridges on the development seeds). Lying after a fall gives hold-like spans of 5-7 s
    (SisFall), which stay out."""
    import numpy as np

    from sensorcoach.core.holds import HoldDetector
    from sensorcoach.core.settings import DEFAULT_SETTINGS

    rng = np.random.default_rng(5)
    n_quiet, n_hold = 100, round(held_s * 10)
    n = n_quiet + n_hold + 50
    t = (np.arange(n) + 0.5) * 0.1
    elev = np.concatenate([np.full(n_quiet, 85.0), np.full(n_hold, 30.0), np.full(50, 85.0)])
    e, a = np.radians(elev), np.radians(90.0)  # right side down
    up = np.vstack([-np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
    quiet = np.arange(n) < n_quiet
    mot = np.where(quiet, 0.002, 0.01)
    jit = np.where(quiet, 0.003, 0.008) + rng.normal(0, 0.0005, n)
    det = HoldDetector(DEFAULT_SETTINGS, sway_from_gyro=True, sides_known=True)
    spans, _ = det.push(t, up, mot, jit)
    kinds = [s.kind for s in spans + det.flush()]
    assert kinds == (["side_plank_right"] if found else [])


def test_a_bridge_facing_down_is_dropped_once_forward_is_known() -> None:
    """Without calibration an arched back on all fours (8-9 deg head end down, between
    bird dog sides) read as a glute bridge held 84 s, the rest on all fours before it
    taken for lying flat (seeds 9705, 9305). Once the forward direction is inferred, a
    bridge facing down is dropped; one facing up stays, and stretches are not touched."""
    holds = [hold("glute_bridge", 54.7, 138.5, -58.0),
             hold("single_leg_bridge_left", 400.0, 430.0, 122.0),
             Hold("knee_to_belly_left", 500.0, 525.0, "rest", {"score": 50}, (), -58.0,
                  target_s=20.0)]
    named, note = name_holds(holds, forward_deg=60.0)
    assert [h.kind for h in named] == ["single_leg_bridge_left", "knee_to_belly_left"]
    assert note is None


def _low_hold_kinds(jit_hold: np.ndarray, motion: float = 0.004) -> list[str]:
    from sensorcoach.core.holds import HoldDetector
    from sensorcoach.core.settings import DEFAULT_SETTINGS

    rng = np.random.default_rng(7)
    n_quiet, n_entry, n_hold = 100, 20, jit_hold.size
    elev = np.concatenate([np.full(n_quiet, 85.0), np.linspace(85.0, 5.5, n_entry),
                           5.0 + rng.normal(0, 0.4, n_hold), np.full(50, 85.0)])
    n = elev.size
    t = (np.arange(n) + 0.5) * 0.1
    e = np.radians(elev)
    up = np.vstack([-np.cos(e), np.zeros(n), np.sin(e)])  # front down
    mot = np.concatenate([np.full(n_quiet, 0.002), np.full(n_entry, 0.03),
                          np.full(n_hold, motion), np.full(50, 0.03)])
    jit = np.concatenate([np.full(n_quiet, 0.003), np.full(n_entry, 0.03), jit_hold,
                          np.full(50, 0.003)]) + rng.normal(0, 0.0003, n)
    det = HoldDetector(DEFAULT_SETTINGS, sway_from_gyro=False, sides_known=True)
    spans, _ = det.push(t, up, mot, jit)
    return [s.kind for s in spans + det.flush()]


def test_a_plank_held_hard_just_above_horizontal_is_a_hold_but_not_lying_prone() -> None:
    """Planks held 5-6 deg above horizontal (below the 6 deg band) were missed (seeds
    9121, 9701: 7-20 mg of effort); lying prone that low shows 0.5-3.5 mg, and the effort
    of lowering to the floor fades over seconds. Strong steady effort makes a plank down
    to 3 deg below the band, the trunk steady (not a task)."""
    import numpy as np

    assert _low_hold_kinds(np.full(300, 0.012)) == ["plank"]
    assert _low_hold_kinds(np.full(300, 0.004)) == []  # effort, but not strong: lying prone
    fading = 0.003 + 0.04 * np.exp(-np.arange(300) * 0.1 / 1.5)
    assert _low_hold_kinds(fading) == []  # the movement's effort fading away
    # a bend while seated, hands at work: strong effort, but moving (34 mg)
    assert _low_hold_kinds(np.full(300, 0.012), motion=0.034) == []
