"""Workouts: a session's holds by set with its best holds, total and side balance, and
across sessions personal bests per exercise, hold time per week and side balance over
time (from the hold events the store keeps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dashboard.names import HOLDS, clock, duration, human

#: (first, second) side-plank kinds compared in a balance, and their labels.
SIDES = (("side_plank_left", "side_plank_right", "Left", "Right"),
         ("side_plank_a", "side_plank_b", "Side A", "Side B"))


def balance(holds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Side-plank balance of ``holds`` (left/right, and a/b for sides not named): totals,
    bests, bar widths (%) and the imbalance (None while one side has no hold)."""
    out = []
    for first, second, la, lb in SIDES:
        a = [float(h["duration_s"]) for h in holds if h.get("kind") == first]
        b = [float(h["duration_s"]) for h in holds if h.get("kind") == second]
        if not a and not b:
            continue
        ta, tb = sum(a), sum(b)
        top = max(ta, tb) or 1.0
        imb = round(abs(ta - tb) / max(ta, tb) * 100, 1) if a and b else None
        weaker = None if imb is None or ta == tb else (la if ta < tb else lb)
        out.append({"a_label": la, "b_label": lb, "a_s": round(ta, 1), "b_s": round(tb, 1),
                    "a_best_s": round(max(a), 1) if a else None,
                    "b_best_s": round(max(b), 1) if b else None,
                    "a_w": round(80 * ta / top, 1), "b_w": round(80 * tb / top, 1),
                    "imbalance_pct": imb, "weaker": weaker})
    return out


def session_workout(s: dict[str, Any]) -> dict[str, Any] | None:
    """The workout view of a session (SPEC section 4 object): holds by set, best hold
    per exercise, total hold time, side balance; None without holds."""
    holds = [{**h, "label": human(HOLDS, h.get("kind")),
              "duration": duration(h.get("duration_s")),
              "start": clock(h.get("start_s"))} for h in s.get("holds") or []]
    if not holds:
        return None
    sets = []
    for st in s.get("sets") or []:
        rows = [h for h in holds if st["start_s"] - 0.5 <= h["start_s"] <= st["end_s"] + 0.5]
        sets.append({"n": st["set"], "start": clock(st["start_s"]), "end": clock(st["end_s"]),
                     "rows": rows, "total": duration(sum(h["duration_s"] for h in rows)),
                     "rest_before": duration(st.get("rest_before_s"))
                     if st.get("rest_before_s") is not None else None})
    if not sets:
        sets = [{"n": 1, "start": clock(holds[0]["start_s"]),
                 "end": clock(holds[-1]["end_s"]), "rows": holds,
                 "total": duration(sum(h["duration_s"] for h in holds)), "rest_before": None}]
    best: dict[str, dict[str, Any]] = {}
    for h in holds:
        k = str(h.get("kind"))
        if k not in best or h["duration_s"] > best[k]["duration_s"]:
            best[k] = h
    total = sum(float(h["duration_s"]) for h in holds)
    return {"sets": sets, "total": duration(total), "count": len(holds),
            "best": [{"label": h["label"], "duration": h["duration"]} for h in best.values()],
            "balance": balance(holds)}


def _week(day: str) -> str:
    y, w, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{y}-W{w:02d}"


def hold_trends(sessions: list[dict[str, Any]], holds: list[dict[str, Any]],
                day_of: Callable[[dict[str, Any]], str], weeks: int = 8,
                today: dt.date | None = None) -> dict[str, Any]:
    """Personal bests per exercise (with the day), hold time per week over the last
    ``weeks`` (oldest first, empty weeks included) and side balance per session."""
    by_id = {int(s["id"]): s for s in sessions}
    end = today or dt.date.today()
    week_rows: dict[str, dict[str, Any]] = {}
    for i in range(weeks - 1, -1, -1):
        d = end - dt.timedelta(weeks=i)
        week_rows[_week(d.isoformat())] = {"week": _week(d.isoformat()),
                                           "from": (d - dt.timedelta(days=d.weekday())
                                                    ).isoformat(),
                                           "hold_s": 0.0, "holds": 0}
    bests: dict[str, dict[str, Any]] = {}
    per_session: dict[int, list[dict[str, Any]]] = {}
    for h in holds:
        s = by_id.get(int(h["session_id"]))
        if s is None:
            continue
        day = day_of(s)
        per_session.setdefault(int(s["id"]), []).append(h)
        k = str(h.get("kind"))
        dur = float(h.get("duration_s") or 0)
        if k not in bests or dur > bests[k]["duration_s"]:
            bests[k] = {"kind": k, "label": human(HOLDS, k), "duration_s": round(dur, 1),
                        "duration": duration(dur), "day": day, "session_id": s["id"],
                        "session_name": s["name"]}
        if day:
            row = week_rows.get(_week(day))
            if row is not None:
                row["hold_s"] += dur
                row["holds"] += 1
    for row in week_rows.values():
        row["hold_s"] = round(row["hold_s"], 1)
        row["duration"] = duration(row["hold_s"])
    sides = []
    for sid, hs in per_session.items():
        for b in balance(hs):
            s = by_id[sid]
            sides.append({**b, "day": day_of(s), "session_id": sid, "session_name": s["name"]})
    sides.sort(key=lambda r: (r["day"], r["session_id"]))
    order = list(HOLDS)
    return {"bests": sorted(bests.values(), key=lambda b: order.index(b["kind"])
                            if b["kind"] in order else len(order)),
            "weeks": list(week_rows.values()), "balance": sides}
