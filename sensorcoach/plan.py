"""The weekly plan and its streak (issue 16 item 4): pure functions, dates in, status out.

A plan is the routine (exercises of the catalogue, each with a number of sets and a target
in seconds or repetitions) done every day or every other day (``every_days`` 1 or 2, as
the routine recommends), with a rest between sets (s) and an optional time zone (an IANA
name; None: the machine's own) that decides which local day a session belongs to.

What was done on a day comes from that day's sessions' analyses (SPEC section 4): every
hold or stretch of a planned exercise that lasted at least its target, and every set of
repetitions with at least its target count, is one set done. A day is *done* when every
planned exercise has all its sets.

The streak counts consecutive *kept* days ending today: a day is kept when the routine
was done on it, or (every other day) when it is the rest day after a done day. Today not
done yet does not break the streak: while today is still due, the streak counts up to
yesterday. A planned day that ended without the routine breaks it.

Every saved version of the plan is kept: a past day is judged by the plan in force on it
(:func:`plan_on`); the streak's rhythm (every day or every other day) is the current plan's.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sensorcoach.core.catalogue import CATALOGUE, by_name

Unit = Literal["s", "reps"]
DayStatus = Literal["done", "rest", "due"]

#: Bounds of a plan's fields (checked by :meth:`Plan.parse`).
SETS_RANGE = (1, 10)
TARGET_S_RANGE = (1.0, 600.0)
TARGET_REPS_RANGE = (1.0, 100.0)
REST_S_RANGE = (0.0, 600.0)
EVERY_DAYS = (1, 2)
MAX_EXERCISES = len(CATALOGUE)
#: Days looked back for a streak.
STREAK_LOOKBACK_DAYS = 3660


class PlanError(ValueError):
    """A plan with a missing, unknown or out-of-bounds field (the message says which)."""


@dataclass(frozen=True)
class PlanItem:
    """``sets`` sets of ``exercise`` (a catalogue row name), each of at least ``target``
    seconds (``unit`` ``s``: holds and stretches) or repetitions (``reps``)."""

    exercise: str
    sets: int
    target: float
    unit: Unit

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "sets": self.sets, "target": self.target,
                "unit": self.unit}


@dataclass(frozen=True)
class Plan:
    """The person's routine plan (see the module docstring)."""

    items: tuple[PlanItem, ...]
    every_days: int = 1
    rest_s: float = 60.0
    time_zone: str | None = None

    @property
    def days_per_week(self) -> float:
        return 7.0 / self.every_days

    def zone(self) -> dt.tzinfo | None:
        """The plan's time zone (None: the machine's local one)."""
        return None if self.time_zone is None else zoneinfo.ZoneInfo(self.time_zone)

    def to_dict(self) -> dict[str, Any]:
        return {"every_days": self.every_days, "days_per_week": round(self.days_per_week, 2),
                "rest_s": self.rest_s, "time_zone": self.time_zone,
                "exercises": [i.to_dict() for i in self.items]}

    @classmethod
    def parse(cls, obj: Any) -> Plan:
        """From a JSON object (``exercises``, ``every_days``, ``rest_s``, ``time_zone``;
        ``days_per_week`` is read-only and ignored); PlanError if bad."""
        if not isinstance(obj, dict):
            raise PlanError("the plan must be a JSON object")
        unknown = set(obj) - {"exercises", "every_days", "rest_s", "time_zone", "days_per_week"}
        if unknown:
            raise PlanError(f"unknown plan field(s): {', '.join(sorted(map(str, unknown)))}")
        every = obj.get("every_days", 1)
        if isinstance(every, bool) or every not in EVERY_DAYS:
            raise PlanError("every_days must be 1 (every day) or 2 (every other day)")
        rest = _number(obj.get("rest_s", 60.0), "rest_s", REST_S_RANGE)
        tz = obj.get("time_zone")
        if tz is not None:
            if not isinstance(tz, str) or not tz or len(tz) > 64:
                raise PlanError("time_zone must be an IANA name such as Europe/Berlin, or null")
            try:
                zoneinfo.ZoneInfo(tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise PlanError(f"unknown time_zone {tz[:64]!r}") from None
        ex = obj.get("exercises")
        if not isinstance(ex, list) or not ex:
            raise PlanError("exercises must be a non-empty list")
        if len(ex) > MAX_EXERCISES:
            raise PlanError(f"at most {MAX_EXERCISES} exercises")
        items = [_item(e, i) for i, e in enumerate(ex)]
        names = [i.exercise for i in items]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise PlanError(f"exercise(s) listed twice: {', '.join(dup)}")
        return cls(tuple(items), int(every), rest, tz)


def _number(v: Any, name: str, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
            or not lo <= v <= hi:
        raise PlanError(f"{name} must be a number from {lo:g} to {hi:g}")
    return float(v)


def _item(e: Any, i: int) -> PlanItem:
    where = f"exercises[{i}]"
    if not isinstance(e, dict):
        raise PlanError(f"{where} must be an object")
    unknown = set(e) - {"exercise", "sets", "target", "unit"}
    if unknown:
        raise PlanError(f"{where}: unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    name = e.get("exercise")
    row = by_name(name) if isinstance(name, str) else None
    if row is None:
        raise PlanError(f"{where}.exercise: not in the catalogue: {str(name)[:40]!r}")
    unit = e.get("unit", "reps" if row.mode == "reps" else "s")
    allowed = {"s" if m in ("hold", "stretch") else "reps" for m in row.modes}
    if unit not in allowed:
        raise PlanError(f"{where}.unit: {row.name} is counted in "
                        f"{' or '.join(sorted(allowed))}, not {str(unit)[:10]!r}")
    sets = e.get("sets", 1)
    if isinstance(sets, bool) or not isinstance(sets, int) or \
            not SETS_RANGE[0] <= sets <= SETS_RANGE[1]:
        raise PlanError(f"{where}.sets must be a whole number from {SETS_RANGE[0]} to "
                        f"{SETS_RANGE[1]}")
    bounds = TARGET_S_RANGE if unit == "s" else TARGET_REPS_RANGE
    target = _number(e.get("target"), f"{where}.target", bounds)
    if unit == "reps" and not target.is_integer():
        raise PlanError(f"{where}.target must be a whole number of repetitions")
    return PlanItem(row.name, sets, target, unit)


#: The plan before the person sets one: the lower ends of the catalogue's usual targets,
#: every day (holds 2 sets, stretches and repetitions 1).
DEFAULT_PLAN = Plan((
    PlanItem("plank", 2, 30.0, "s"),
    PlanItem("side_plank_left", 2, 20.0, "s"),
    PlanItem("side_plank_right", 2, 20.0, "s"),
    PlanItem("bird_dog_left", 3, 6.0, "s"),
    PlanItem("bird_dog_right", 3, 6.0, "s"),
    PlanItem("glute_bridge", 1, 20.0, "s"),
    PlanItem("cat_cow", 1, 6.0, "reps"),
    PlanItem("child_pose", 1, 20.0, "s"),
), every_days=1, rest_s=60.0)


# ---------------------------------------------------------------------- a day's sets
@dataclass(frozen=True)
class ItemProgress:
    """One plan item on one day: ``done`` sets reached the target (of ``sets``),
    ``best`` is the longest hold (s) or largest count of the day (None: not tried)."""

    item: PlanItem
    done: int
    best: float | None

    @property
    def left(self) -> int:
        return max(0, self.item.sets - self.done)

    def to_dict(self) -> dict[str, Any]:
        return {**self.item.to_dict(), "done": self.done, "left": self.left,
                "best": None if self.best is None else round(self.best, 1)}


@dataclass(frozen=True)
class DayProgress:
    """A day against the plan: per item progress; ``complete`` when nothing is left."""

    items: tuple[ItemProgress, ...]

    @property
    def complete(self) -> bool:
        return all(p.left == 0 for p in self.items)

    @property
    def left(self) -> tuple[ItemProgress, ...]:
        return tuple(p for p in self.items if p.left)

    def to_dict(self) -> dict[str, Any]:
        return {"complete": self.complete, "items": [p.to_dict() for p in self.items],
                "sets_left": sum(p.left for p in self.items)}


def performed(analyses: Iterable[Mapping[str, Any]]) -> dict[tuple[str, Unit], list[float]]:
    """(exercise, unit) -> the durations (s) of its holds and stretches and the counts of
    its repetition sets, from SPEC section 4 analyses (``holds``, ``reps``)."""
    out: dict[tuple[str, Unit], list[float]] = {}
    for a in analyses:
        for h in a.get("holds") or ():
            d = h.get("duration_s")
            if isinstance(h.get("kind"), str) and isinstance(d, int | float):
                out.setdefault((h["kind"], "s"), []).append(float(d))
        for r in a.get("reps") or ():
            n = r.get("count")
            if isinstance(r.get("kind"), str) and isinstance(n, int | float):
                out.setdefault((r["kind"], "reps"), []).append(float(n))
    return out


def day_progress(plan: Plan, analyses: Iterable[Mapping[str, Any]]) -> DayProgress:
    """What of ``plan`` the day's ``analyses`` did (see the module docstring)."""
    got = performed(analyses)
    items = []
    for it in plan.items:
        vals = got.get((it.exercise, it.unit), [])
        done = sum(1 for v in vals if v >= it.target - 1e-9)
        items.append(ItemProgress(it, min(done, it.sets), max(vals) if vals else None))
    return DayProgress(tuple(items))


# ---------------------------------------------------------------------- days and streak
def local_day(when: dt.datetime, tz: dt.tzinfo | None = None) -> dt.date:
    """The local date of an instant: in ``tz``, else the machine's zone. A naive time is
    taken as already local (the machine's)."""
    if when.tzinfo is None:
        when = when.astimezone()
    return when.astimezone(tz).date()


@dataclass(frozen=True)
class Streak:
    """``days`` kept in a row (ending today, or yesterday while today is ``due``);
    ``today``: ``done``, ``rest`` (every other day, the day after a done one) or ``due``;
    ``next_due``: the next day the routine is planned (today when due)."""

    days: int
    today: DayStatus
    next_due: dt.date
    last_done: dt.date | None = None
    kept: tuple[dt.date, ...] = field(default=())
    """The kept days of the streak, newest first."""

    def to_dict(self) -> dict[str, Any]:
        return {"days": self.days, "today": self.today, "next_due": self.next_due.isoformat(),
                "last_done": None if self.last_done is None else self.last_done.isoformat()}


def streak(done_days: Collection[dt.date], today: dt.date, every_days: int) -> Streak:
    """The streak on ``today`` from the local days the routine was done
    (see the module docstring); ``every_days`` 1 or 2."""
    if every_days not in EVERY_DAYS:
        raise ValueError(f"every_days must be 1 or 2, got {every_days}")
    done = {d for d in done_days if d <= today}

    def kept(d: dt.date) -> bool:
        return any(d - dt.timedelta(days=k) in done for k in range(every_days))

    if today in done:
        status: DayStatus = "done"
    elif kept(today):
        status = "rest"
    else:
        status = "due"
    last = max(done) if done else None
    next_due = today if status == "due" else (last or today) + dt.timedelta(days=every_days)
    day = today if status != "due" else today - dt.timedelta(days=1)
    run: list[dt.date] = []
    oldest = min(done) if done else today
    while day >= oldest and len(run) < STREAK_LOOKBACK_DAYS and kept(day):
        run.append(day)
        day -= dt.timedelta(days=1)
    return Streak(len(run), status, next_due, last, tuple(run))


def done_days(plan: Plan, by_day: Mapping[dt.date, Iterable[Mapping[str, Any]]]) -> set[dt.date]:
    """The days (keys of ``by_day``: local day -> that day's analyses) the plan was done."""
    return {d for d, analyses in by_day.items() if day_progress(plan, analyses).complete}


def group_by_day(sessions: Iterable[tuple[dt.datetime, Mapping[str, Any]]],
                 tz: dt.tzinfo | None = None) -> dict[dt.date, list[Mapping[str, Any]]]:
    """(start time, analysis) pairs -> local day -> analyses (``local_day`` in ``tz``)."""
    out: dict[dt.date, list[Mapping[str, Any]]] = {}
    for when, analysis in sessions:
        out.setdefault(local_day(when, tz), []).append(analysis)
    return out


def plan_on(day: dt.date, history: Sequence[tuple[dt.datetime, Plan]],
            tz: dt.tzinfo | None = None) -> Plan | None:
    """The plan in force on local ``day``: the last one saved on or before it (``history``
    oldest first); a day before the first plan is judged by the first. None: no plan."""
    chosen = history[0][1] if history else None
    for when, p in history:
        if local_day(when, tz) > day:
            break
        chosen = p
    return chosen


def done_days_with_history(history: Sequence[tuple[dt.datetime, Plan]],
                           by_day: Mapping[dt.date, Iterable[Mapping[str, Any]]],
                           tz: dt.tzinfo | None = None) -> set[dt.date]:
    """The days the plan in force on each of them was done (see :func:`plan_on`)."""
    out = set()
    for d, analyses in by_day.items():
        p = plan_on(d, history, tz)
        if p is not None and day_progress(p, analyses).complete:
            out.add(d)
    return out
