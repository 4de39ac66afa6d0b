"""The learning of the person's slump thresholds from their verdicts (core.personal)."""

from __future__ import annotations

import itertools

import pytest

from sensorcoach.core.personal import (
    ANGLE_MARGIN_DEG,
    MAX_ANGLE_OFFSET_DEG,
    MAX_DWELL_FACTOR,
    Mark,
    Thresholds,
    bounds,
    learn,
    step,
)
from sensorcoach.core.settings import DEFAULT_SETTINGS as S


def lean(i: int, mean: float, peak: float | None = None, dur: float = 120.0,
         verdict: str = "not_a_slump", placement: str | None = "upper_back") -> Mark:
    return Mark(i, verdict, placement, mean, mean + 2.0 if peak is None else peak, dur)


def test_a_marked_lean_raises_the_angle_just_above_its_level() -> None:
    th, steps = learn([lean(1, 13.0, 15.0)])
    # level 13 (the mean; the peak carries sway) + margin 1, over the default 11
    assert th.slump_on_offset_deg == pytest.approx(13.0 + ANGLE_MARGIN_DEG - 11.0)
    assert th.slump_dwell_factor == 1.0
    assert steps[0].changed and "raised to 14.0 deg" in steps[0].reason
    applied = th.apply(S)
    assert applied.slump_on_deg_upper == pytest.approx(14.0)
    assert applied.slump_on_deg_lower == pytest.approx(S.slump_on_deg_lower + 3.0)
    assert applied.slump_min_s == S.slump_min_s and applied.slump_dwell_s == S.slump_dwell_s


def test_lower_back_marks_count_from_the_lower_back_threshold() -> None:
    th, _ = learn([lean(1, 10.0, 10.0, placement="lower_back")])
    assert th.slump_on_offset_deg == pytest.approx(10.0 + ANGLE_MARGIN_DEG - S.slump_on_deg_lower)


def test_the_angle_never_goes_beyond_its_bound_a_short_deep_lean_lengthens_the_dwell() -> None:
    th, steps = learn([lean(1, 24.0, 26.0, dur=40.0)])
    assert th.slump_on_offset_deg == 0.0  # 25 + 1 - 11 = 15 > 10: not by the angle
    assert th.slump_dwell_factor == pytest.approx((40.0 + 2.0) / S.slump_dwell_s)
    assert steps[0].changed and "alert after 42 s" in steps[0].reason


def test_a_long_deep_episode_is_kept_as_a_slump_however_it_was_marked() -> None:
    th, steps = learn([lean(1, 25.0, 30.0, dur=300.0)])
    assert th == Thresholds()
    assert not steps[0].changed and steps[0].reason.startswith("kept as a slump")


@pytest.mark.parametrize("mean,dur", [(5.0, 35.0), (15.0, 50.0), (19.5, 500.0), (40.0, 31.0),
                                      (60.0, 45.0), (12.0, 10_000.0)])
def test_bounds_hold_for_any_mark(mean: float, dur: float) -> None:
    marks = [lean(i, mean + i, mean + 3 * i, dur=dur + 3 * i) for i in range(1, 8)]
    th, _ = learn(marks)
    assert 0.0 <= th.slump_on_offset_deg <= MAX_ANGLE_OFFSET_DEG
    assert 1.0 <= th.slump_dwell_factor <= MAX_DWELL_FACTOR
    s = th.apply(S)
    b = bounds("upper_back")
    assert b["slump_on_deg"]["min"] <= s.slump_on_deg_upper <= b["slump_on_deg"]["max"]
    assert s.slump_dwell_s <= b["slump_dwell_s"]["max"] and s.slump_min_s <= b["slump_min_s"]["max"]


def test_learning_is_idempotent_and_order_free_for_false_alerts() -> None:
    marks = [lean(1, 12.0), lean(2, 13.5), lean(3, 12.7), lean(4, 22.0, dur=45.0)]
    th, _ = learn(marks)
    assert learn(marks + marks)[0] == th  # the same marks again change nothing
    for perm in itertools.permutations(marks):
        assert learn(list(perm))[0] == th
    # a mark applied to thresholds that already reflect it is a no-op
    again = step(th, marks[1])
    assert not again.changed and again.after == th


def test_reset_is_learning_from_nothing() -> None:
    assert learn([])[0] == Thresholds() and learn([])[0].apply(S) == S


def test_marks_on_true_slumps_do_not_lose_the_real_ones() -> None:
    """A wearer who marks real slumps wrong by mistake (25-30 deg, minutes long) keeps
    their slump alerts: nothing learnt from those."""
    real = [lean(i, 22.0 + i, 27.0 + i, dur=90.0 + 30 * i) for i in range(1, 6)]
    th, steps = learn(real)
    assert th == Thresholds()
    assert all(not s.changed for s in steps)


def test_a_confirmed_slump_caps_what_later_marks_teach() -> None:
    right = lean(1, 14.0, 16.0, dur=60.0, verdict="right")
    th, steps = learn([right, lean(2, 14.5, 17.0)])
    # 14.5 + 1 - 11 = 4.5 would stop catching the confirmed 14 deg slump: the cap
    # (14 - 1 - 11 = 2) forbids the angle; its 120 s is beyond the dwell bound: kept
    assert th.slump_on_offset_deg <= 14.0 - ANGLE_MARGIN_DEG - 11.0
    assert th.apply(S).slump_on_deg_upper < right.mean_flexion_deg
    assert not steps[1].changed and "a slump you confirmed" in steps[1].reason


def test_confirming_a_slump_after_false_marks_brings_the_threshold_back_under_it() -> None:
    th, steps = learn([lean(1, 16.0, 18.0), lean(2, 15.0, 15.0, dur=90.0, verdict="right")])
    assert th.apply(S).slump_on_deg_upper == pytest.approx(15.0 - ANGLE_MARGIN_DEG)
    assert steps[1].changed


def test_a_bad_verdict_is_refused() -> None:
    with pytest.raises(ValueError, match="verdict must be one of"):
        step(Thresholds(), lean(1, 12.0, verdict="wrong"))
