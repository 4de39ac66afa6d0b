"""The weekly plan and streak (sensorcoach.plan): parsing, a day's sets, local days and the
streak's rules (every day, every other day, a missed day, today not done yet)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest

from sensorcoach.plan import (
    DEFAULT_PLAN,
    Plan,
    PlanError,
    PlanItem,
    day_progress,
    done_days,
    done_days_with_history,
    group_by_day,
    local_day,
    performed,
    plan_on,
    streak,
)

D = dt.date(2026, 3, 10)


def days(*offsets: int) -> set[dt.date]:
    return {D - dt.timedelta(days=k) for k in offsets}


# ---------------------------------------------------------------------- streak
def test_every_day_counts_consecutive_done_days() -> None:
    s = streak(days(0, 1, 2), D, 1)
    assert (s.days, s.today, s.last_done) == (3, "done", D)
    assert s.next_due == D + dt.timedelta(days=1)


def test_today_not_done_yet_does_not_break_the_streak() -> None:
    s = streak(days(1, 2, 3), D, 1)
    assert (s.days, s.today, s.next_due) == (3, "due", D)
    assert s.kept[0] == D - dt.timedelta(days=1)


def test_a_missed_day_breaks_the_streak() -> None:
    # done today, 1 and 3 days ago: 2 days ago was missed
    assert streak(days(0, 1, 3, 4, 5), D, 1).days == 2
    # missed yesterday and not done yet today: nothing kept
    s = streak(days(2, 3), D, 1)
    assert (s.days, s.today) == (0, "due")


def test_every_other_day_counts_the_rest_day_as_kept() -> None:
    # done 0, 2, 4 days ago: rest days 1 and 3 kept; day 5 is not (nothing on 5 or 6)
    s = streak(days(0, 2, 4), D, 2)
    assert (s.days, s.today) == (5, "done")
    assert s.next_due == D + dt.timedelta(days=2)
    # yesterday done: today is the rest day, kept, and the routine is due tomorrow
    s = streak(days(1, 3), D, 2)
    assert (s.days, s.today, s.next_due) == (4, "rest", D + dt.timedelta(days=1))


def test_every_other_day_two_rest_days_break_it_but_today_due_does_not() -> None:
    # done 2 days ago, rest yesterday, due today: the streak (2 kept days) stands
    s = streak(days(2, 4), D, 2)
    assert (s.days, s.today, s.next_due) == (4, "due", D)
    # done 3 and 5 days ago: day 1 and 2 both without it, so the chain is broken
    assert streak(days(3, 5), D, 2).days == 0
    # the same days on an every-day plan: gaps break it
    assert streak(days(0, 2, 4), D, 1).days == 1


def test_streak_ignores_days_after_today_and_checks_every_days() -> None:
    assert streak(days(-1, 0), D, 1).days == 1
    assert streak(set(), D, 1) == streak(set(), D, 1)
    assert streak(set(), D, 1).days == 0
    with pytest.raises(ValueError):
        streak(days(0), D, 3)


# ---------------------------------------------------------------------- local days
def test_local_day_boundaries_follow_the_time_zone() -> None:
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    ny = zoneinfo.ZoneInfo("America/New_York")
    late = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 11th in Berlin
    assert local_day(late, berlin) == dt.date(2026, 3, 11)
    assert local_day(late, ny) == dt.date(2026, 3, 10)
    early = dt.datetime(2026, 3, 11, 3, 0, tzinfo=dt.UTC)  # 23:00 on the 10th in New York
    assert local_day(early, ny) == dt.date(2026, 3, 10)
    # 23:59:59 and 00:00:00 local are different days
    assert local_day(dt.datetime(2026, 3, 10, 23, 59, 59, tzinfo=berlin), berlin) == D
    assert local_day(dt.datetime(2026, 3, 11, 0, 0, 0, tzinfo=berlin), berlin) == \
        D + dt.timedelta(days=1)
    # across the spring-forward night (29 March 2026 in Berlin) the day is still right
    assert local_day(dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), berlin) == \
        dt.date(2026, 3, 29)


def test_sessions_grouped_by_local_day_make_a_streak_across_midnight() -> None:
    """Two routines 23:30 apart in UTC are on consecutive local days in Berlin but on
    the same day in UTC: every day counts 2 in Berlin, 1 in UTC."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    plan = Plan((PlanItem("plank", 1, 30.0, "s"),))
    a = {"holds": [{"kind": "plank", "duration_s": 40.0}], "reps": []}
    t1 = dt.datetime(2026, 3, 9, 22, 0, tzinfo=dt.UTC)   # 23:00 on the 9th in Berlin
    t2 = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 10th in Berlin
    local = done_days(plan, group_by_day([(t1, a), (t2, a)], berlin))
    assert local == {dt.date(2026, 3, 9), D}
    assert streak(local, D, 1).days == 2
    utc = done_days(plan, group_by_day([(t1, a), (t2, a)], dt.UTC))
    assert utc == {dt.date(2026, 3, 9)}
    assert streak(utc, D, 1).days == 1  # today (the 10th in UTC) still due


# ---------------------------------------------------------------------- a day's sets
ROUTINE: dict[str, Any] = {
    "holds": [{"kind": "plank", "duration_s": 84.2},
              {"kind": "side_plank_left", "duration_s": 61.5},
              {"kind": "side_plank_right", "duration_s": 12.0},
              {"kind": "child_pose", "duration_s": 13.7},
              {"kind": "child_pose", "duration_s": 23.7}],
    "reps": [{"kind": "deadlift", "count": 10}, {"kind": "cat_cow", "count": 5}],
}


def test_day_progress_counts_sets_that_reach_the_target() -> None:
    plan = Plan((PlanItem("plank", 2, 30.0, "s"), PlanItem("side_plank_right", 1, 20.0, "s"),
                 PlanItem("child_pose", 1, 20.0, "s"), PlanItem("deadlift", 1, 10.0, "reps"),
                 PlanItem("cat_cow", 1, 6.0, "reps"), PlanItem("bird_dog_left", 2, 6.0, "s")))
    p = day_progress(plan, [ROUTINE])
    got = {x.item.exercise: (x.done, x.left, x.best) for x in p.items}
    assert got == {"plank": (1, 1, 84.2), "side_plank_right": (0, 1, 12.0),
                   "child_pose": (1, 0, 23.7), "deadlift": (1, 0, 10.0),
                   "cat_cow": (0, 1, 5.0), "bird_dog_left": (0, 2, None)}
    assert not p.complete
    assert [x.item.exercise for x in p.left] == ["plank", "side_plank_right", "cat_cow",
                                                 "bird_dog_left"]
    assert p.to_dict()["sets_left"] == 5
    # a second session the same day adds its sets
    more = {"holds": [{"kind": "plank", "duration_s": 31.0},
                      {"kind": "side_plank_right", "duration_s": 25.0},
                      {"kind": "bird_dog_left", "duration_s": 8.0},
                      {"kind": "bird_dog_left", "duration_s": 7.0}],
            "reps": [{"kind": "cat_cow", "count": 8}]}
    assert day_progress(plan, [ROUTINE, more]).complete


def test_a_hold_is_not_a_rep_set_and_extra_sets_do_not_overcount() -> None:
    both = {"holds": [{"kind": "glute_bridge", "duration_s": 40.0}] * 3,
            "reps": [{"kind": "glute_bridge", "count": 12}]}
    assert performed([both])[("glute_bridge", "reps")] == [12.0]
    p = day_progress(Plan((PlanItem("glute_bridge", 2, 10.0, "reps"),)), [both])
    assert (p.items[0].done, p.items[0].left) == (1, 1)
    p = day_progress(Plan((PlanItem("glute_bridge", 2, 30.0, "s"),)), [both])
    assert (p.items[0].done, p.items[0].left) == (2, 0)


# ---------------------------------------------------------------------- parsing
def test_plan_round_trips_and_fills_defaults() -> None:
    p = Plan.parse({"every_days": 2, "rest_s": 45, "time_zone": "Europe/Berlin",
                    "exercises": [{"exercise": "plank", "sets": 3, "target": 40},
                                  {"exercise": "cat_cow", "target": 8}]})
    assert p.items == (PlanItem("plank", 3, 40.0, "s"), PlanItem("cat_cow", 1, 8.0, "reps"))
    assert p.to_dict()["days_per_week"] == 3.5
    assert Plan.parse(p.to_dict()) == p
    assert Plan.parse(DEFAULT_PLAN.to_dict()) == DEFAULT_PLAN
    assert p.zone() == zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("bad, words", [
    ([], "JSON object"),
    ({"exercises": []}, "non-empty"),
    ({"exercises": [{"exercise": "jumping_jack", "target": 5}]}, "not in the catalogue"),
    ({"exercises": [{"exercise": "plank", "target": 5, "unit": "reps"}]}, "counted in s"),
    ({"exercises": [{"exercise": "plank", "target": 0}]}, "target"),
    ({"exercises": [{"exercise": "plank", "target": float("nan")}]}, "target"),
    ({"exercises": [{"exercise": "plank", "target": 30, "sets": 0}]}, "sets"),
    ({"exercises": [{"exercise": "plank", "target": 30, "sets": True}]}, "sets"),
    ({"exercises": [{"exercise": "cat_cow", "target": 6.5}]}, "whole number"),
    ({"exercises": [{"exercise": "plank", "target": 30}] * 2}, "twice"),
    ({"exercises": [{"exercise": "plank", "target": 30, "colour": 1}]}, "unknown field"),
    ({"every_days": 3, "exercises": [{"exercise": "plank", "target": 30}]}, "every_days"),
    ({"time_zone": "Mars/Olympus", "exercises": [{"exercise": "plank", "target": 30}]},
     "time_zone"),
    ({"rest_s": -1, "exercises": [{"exercise": "plank", "target": 30}]}, "rest_s"),
    ({"streak": 99, "exercises": [{"exercise": "plank", "target": 30}]}, "unknown plan"),
])
def test_bad_plans_say_what_is_wrong(bad: Any, words: str) -> None:
    with pytest.raises(PlanError, match=words):
        Plan.parse(bad)


def test_a_past_day_is_judged_by_the_plan_in_force_that_day() -> None:
    """Raising the target today does not undo yesterday's done day."""
    utc = dt.UTC
    easy = Plan((PlanItem("plank", 1, 30.0, "s"),))
    hard = Plan((PlanItem("plank", 1, 60.0, "s"),))
    history = [(dt.datetime(2026, 3, 1, 8, tzinfo=utc), easy),
               (dt.datetime(2026, 3, 10, 8, tzinfo=utc), hard)]
    a = {"holds": [{"kind": "plank", "duration_s": 40.0}]}
    by_day = {D - dt.timedelta(days=1): [a], D: [a]}
    assert plan_on(D - dt.timedelta(days=1), history, utc) == easy
    assert plan_on(D, history, utc) == hard
    assert plan_on(dt.date(2026, 2, 1), history, utc) == easy  # before any: the first
    assert plan_on(D, [], utc) is None
    assert done_days_with_history(history, by_day, utc) == {D - dt.timedelta(days=1)}
    assert done_days(hard, by_day) == set()
