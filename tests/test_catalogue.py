"""The exercise catalogue is data: the hold detector and symmetry follow its rows, so adding
an exercise is adding a row (issue "The whole corrective routine", item 1)."""

from __future__ import annotations

import numpy as np

from sensorcoach.core import catalogue
from sensorcoach.core.catalogue import CATALOGUE, Exercise
from sensorcoach.core.events import Hold
from sensorcoach.core.holds import HOLD_KINDS, HoldDetector, alternating_pairs
from sensorcoach.core.settings import DEFAULT_SETTINGS
from sensorcoach.core.workout import symmetry


def up_body(elev_deg: float, az_deg: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """World-up in the body frame for a long axis ``elev_deg`` above horizontal with the
    side at azimuth ``az_deg`` facing the floor (0 front, -90 left, 90 right, 180 back)."""
    e, a = np.radians(elev_deg), np.radians(az_deg)
    u = np.array([-np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
    wobble = rng.normal(0, 0.004, (3, n))
    out = u[:, None] + wobble
    return out / np.linalg.norm(out, axis=0)


def run(detector: HoldDetector, rows: list[tuple[float, float, float]]) -> list[str]:
    """Feed segments (seconds, elevation, azimuth) of 0.1 s frames with working effort."""
    rng = np.random.default_rng(0)
    kinds: list[str] = []
    t0 = 0.0
    for seconds, elev, az in rows:
        n = int(seconds * 10)
        t = t0 + (np.arange(n) + 0.5) * 0.1
        quiet = elev > 60  # kneeling between holds: still
        motion = np.full(n, 0.002 if quiet else 0.01)
        jitter = np.full(n, 0.003 if quiet else 0.012) + rng.normal(0, 0.0005, n)
        spans, _ = detector.push(t, up_body(elev, az, n, rng), motion, jitter)
        kinds += [s.kind for s in spans]
        t0 += seconds
    kinds += [s.kind for s in detector.flush()]
    return kinds


def test_the_default_hold_rows() -> None:
    """Plank and side planks are recognised from their posture; the bird dog's sides from
    their alternating roll (rows with a roll band and no posture row of their own)."""
    names = [e.name for e in catalogue.holds()]
    assert names[:5] == ["plank", "side_plank_left", "side_plank_right", "bird_dog_left",
                         "bird_dog_right"]
    assert HOLD_KINDS[1:4] == ("plank", "side_plank_left", "side_plank_right")
    assert "bird_dog_left" not in HOLD_KINDS
    assert [(a.name, b.name) for a, b in alternating_pairs(CATALOGUE)] == [
        ("bird_dog_left", "bird_dog_right")]
    assert ("side_plank_left", "side_plank_right") in [(a.name, b.name)
                                                       for a, b in catalogue.pairs()]


def test_a_new_row_is_recognised_without_code() -> None:
    """A back-down hold (as a bridge would be) added as a row is found, with its name."""
    bridge = Exercise("test_back_down_hold", ("hold",), 180.0, (10.0, 30.0), None, "back down",
                      None, ("sag",), "30 s")
    rows = (*catalogue.holds(CATALOGUE), bridge)
    det = HoldDetector(DEFAULT_SETTINGS, sway_from_gyro=False, exercises=rows)
    kinds = run(det, [(10, 85, 0), (30, 20, 180), (10, 85, 0), (30, 12, 0), (10, 85, 0)])
    assert kinds == ["test_back_down_hold", "plank"]
    # the default detector does not know it
    plain = HoldDetector(DEFAULT_SETTINGS, sway_from_gyro=False)
    assert run(plain, [(10, 85, 0), (30, 20, 180), (10, 85, 0)]) == []


def test_symmetry_covers_every_sided_row() -> None:
    rows = (*CATALOGUE,
            Exercise("bird_dog_left", ("hold",), 0.0, None, "left", "the lifted leg",
                     "bird_dog_right", ("twist",), "10 s"),
            Exercise("bird_dog_right", ("hold",), 0.0, None, "right", "the lifted leg",
                     "bird_dog_left", ("twist",), "10 s"))
    holds = [Hold("bird_dog_left", 0, 10, "rest", {}, ()),
             Hold("bird_dog_right", 20, 25, "rest", {}, ())]
    sym = symmetry(holds, 10.0, rows)
    assert sym["by_exercise"]["bird_dog"]["imbalance_pct"] == 50.0
    assert sym["by_exercise"]["bird_dog"]["weaker_side"] == "right"


def test_single_leg_sets_are_named_by_their_two_legged_rows_measure() -> None:
    """Whether a set of repetitions is the single-leg form is catalogue data: the
    two-legged row's ``one_leg_deg`` (the pelvis' rotation of a hinge, its roll of a
    bridge), used when a set is named and by the side balance's offset rule."""
    from sensorcoach.core.rep_sets import BRIDGE, HINGE, Candidate, floor_set, hinge_set

    single = [r for r in catalogue.reps() if r.one_leg_of is not None]
    assert {r.one_leg_of for r in single} == {"deadlift", "glute_bridge"}
    for base in {r.one_leg_of for r in single}:
        row = catalogue.by_name(str(base))
        assert row is not None and row.one_leg_deg is not None and row.one_leg_deg > 0

    def hinges(rot: float) -> str:
        cands = [Candidate(HINGE, 10.0 * i, 10.0 * i + 1, 10.0 * i + 2, 40.0, 1.0, 1.0, 0.0,
                           {"pelvic_rotation_deg": rot}, 0.0, 0.0, False) for i in range(5)]
        return hinge_set(cands, None).kind

    def bridges(roll: float) -> str:
        cands = [Candidate(BRIDGE, 10.0 * i, 10.0 * i + 1, 10.0 * i + 2, 20.0, 1.0, 1.0, None,
                           {}, 180.0, roll, True) for i in range(5)]
        return floor_set(cands, BRIDGE, None).kind

    dl = catalogue.by_name("deadlift")
    gb = catalogue.by_name("glute_bridge")
    assert dl is not None and dl.one_leg_deg is not None
    assert gb is not None and gb.one_leg_deg is not None
    assert hinges(0.9 * dl.one_leg_deg) == "deadlift"
    assert hinges(1.1 * dl.one_leg_deg) == "single_leg_deadlift_right"
    assert hinges(-1.1 * dl.one_leg_deg) == "single_leg_deadlift_left"
    assert bridges(0.9 * gb.one_leg_deg) == "glute_bridge"
    # back down, a roll toward larger azimuth drops the left side: the right leg supports
    assert bridges(1.1 * gb.one_leg_deg) == "single_leg_bridge_right"
    assert bridges(-1.1 * gb.one_leg_deg) == "single_leg_bridge_left"
