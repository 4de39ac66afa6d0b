"""The Today page: time upright vs slumped, slumps per sitting hour, long sitting
stretches and holds done today, against the daily goal the person sets, with a streak
(days in a row the goal was met)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from dashboard.names import duration
from dashboard.summaries import posture_times, session_day, session_kind

#: Where the goal is kept (``Store.get_pref``).
GOAL_KEY = "daily_goal"
#: Days looked back for a streak.
STREAK_DAYS = 366


#: Each goal field's bounds.
BOUNDS = {"upright_pct": (0.0, 100.0), "slumps_per_hour": (0.0, 60.0),
          "hold_s": (0.0, 4 * 3600.0)}


class GoalError(ValueError):
    """A goal with a value out of its bounds (the message says which)."""


@dataclass(frozen=True)
class Goal:
    """The person's daily goal: at least ``upright_pct`` % of the time sat upright, at
    most ``slumps_per_hour`` slumps per hour sat, at least ``hold_s`` s of holds (0: no
    hold goal)."""

    upright_pct: float = 80.0
    slumps_per_hour: float = 2.0
    hold_s: float = 60.0

    @classmethod
    def parse(cls, obj: Any) -> Goal:
        """From a JSON object (missing fields keep their defaults); GoalError if bad."""
        if not isinstance(obj, dict):
            raise GoalError("the goal must be a JSON object")
        unknown = set(obj) - set(BOUNDS)
        if unknown:
            raise GoalError(f"unknown goal field(s): {', '.join(sorted(unknown))}")
        vals: dict[str, float] = {}
        for k, (lo, hi) in BOUNDS.items():
            if k not in obj:
                continue
            v = obj[k]
            if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
                raise GoalError(f"{k} must be a number from {lo:g} to {hi:g}")
            vals[k] = float(v)
        return cls(**vals)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def enrich(sessions: list[dict[str, Any]], holds: list[dict[str, Any]],
           sedentary: dict[int, int]) -> list[dict[str, Any]]:
    """Sessions whose summaries also carry ``hold_s`` (from the stored holds) and
    ``sedentary_alerts`` (from the stored alerts)."""
    hold_s: dict[int, float] = {}
    for h in holds:
        sid = int(h["session_id"])
        hold_s[sid] = hold_s.get(sid, 0.0) + float(h.get("duration_s") or 0)
    out = []
    for s in sessions:
        summ = s.get("summary")
        if summ is not None:
            summ = {**summ, "hold_s": hold_s.get(int(s["id"]), 0.0),
                    "sedentary_alerts": sedentary.get(int(s["id"]), 0)}
        out.append({**s, "summary": summ})
    return out


def day_totals(sessions: list[dict[str, Any]], day: str) -> dict[str, Any]:
    """What was recorded on ``day`` (YYYY-MM-DD, local): upright and slumped s (desk and
    mixed sessions), slumps, slumps per hour sat, sedentary alerts (long sitting
    stretches), holds and hold s."""
    up = sl = hold_s = 0.0
    slumps = holds = stretches = n = 0
    for s in sessions:
        summ = s.get("summary")
        if s.get("live") or not summ or session_day(s) != day:
            continue
        n += 1
        if session_kind(summ) in ("desk", "mixed"):
            u, x = posture_times(summ)
            up, sl = up + u, sl + x
            slumps += int(summ.get("slumps") or 0)
        holds += int(summ.get("holds") or 0)
        hold_s += float(summ.get("hold_s") or 0)
        stretches += int(summ.get("sedentary_alerts") or 0)
    sat = up + sl
    return {"day": day, "sessions": n, "upright_s": round(up, 1), "slumped_s": round(sl, 1),
            "sat_s": round(sat, 1), "upright_pct": round(100 * up / sat, 1) if sat else None,
            "slumps": slumps,
            "slumps_per_hour": round(slumps / (sat / 3600), 2) if sat >= 60 else None,
            "sitting_stretches": stretches, "holds": holds, "hold_s": round(hold_s, 1)}


def met(goal: Goal, d: dict[str, Any]) -> bool:
    """Whether a day's totals meet the goal (a day without any session never does;
    sitting goals count only on days with time sat)."""
    if not d["sessions"]:
        return False
    if d["upright_pct"] is not None and d["upright_pct"] < goal.upright_pct:
        return False
    if d["slumps_per_hour"] is not None and d["slumps_per_hour"] > goal.slumps_per_hour:
        return False
    return bool(d["hold_s"] >= goal.hold_s)


def streak(goal: Goal, sessions: list[dict[str, Any]], today: dt.date) -> int:
    """Days in a row, ending today (or yesterday while today's goal is not met yet),
    on which the goal was met."""
    n = 0
    for i in range(STREAK_DAYS):
        day = (today - dt.timedelta(days=i)).isoformat()
        if met(goal, day_totals(sessions, day)):
            n += 1
        elif i > 0:
            break
    return n


def today_view(goal: Goal, sessions: list[dict[str, Any]],
               today: dt.date | None = None) -> dict[str, Any]:
    """Everything the Today page shows."""
    day = today or dt.date.today()
    d = day_totals(sessions, day.isoformat())
    return {**d, "goal": goal.to_dict(), "met": met(goal, d),
            "streak": streak(goal, sessions, day),
            "upright": duration(d["upright_s"]), "slumped": duration(d["slumped_s"]),
            "sat": duration(d["sat_s"]), "hold": duration(d["hold_s"]),
            "hold_goal": duration(goal.hold_s),
            "hold_pct": min(100.0, 100 * d["hold_s"] / goal.hold_s) if goal.hold_s else None}
