"""Workouts: a session's holds and repetitions by set of the routine, its stretches, each
exercise's sets, its best holds, total, left/right of every sided exercise and leaning,
and across sessions personal bests per exercise, hold time per week and side balance over
time (from the hold events the store keeps). Names come from the catalogue
(``sensorcoach.core.workout.label``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dashboard.names import HOLDS, clock, duration
from sensorcoach.core.workout import label

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


def kind_label(kind: Any) -> str:
    """A hold or repetition kind as the pages name it: ``Side plank (left)``."""
    if kind is None:
        return "-"
    text = label(str(kind))
    return text[:1].upper() + text[1:]


def _deg(x: Any) -> str:
    return f"{x:.0f}°" if isinstance(x, int | float) else "-"


def _form_text(form: dict[str, Any] | None) -> str:
    """Form measures in words: ``hip rotation 5°, roll sway 2°``."""
    return ", ".join(f"{k.removesuffix('_deg').replace('_', ' ')} {abs(v):.0f}°"
                     for k, v in (form or {}).items() if isinstance(v, int | float))


def rep_row(r: dict[str, Any]) -> dict[str, Any]:
    """A set of repetitions for the page: count, range, tempo, lean."""
    down, up = r.get("down_s"), r.get("up_s")
    tempo = (f"{down:.1f} s down, {up:.1f} s up"
             if isinstance(down, int | float) and isinstance(up, int | float) else "-")
    return {**r, "label": kind_label(r.get("kind")), "start": clock(r.get("start_s")),
            "range": _deg(r.get("range_deg")), "tempo": tempo,
            "lean": _deg(abs(lean) if isinstance(lean := r.get("lateral_lean_deg"), int | float)
                         else None)}


def stretch_text(st: dict[str, Any]) -> str:
    """``25 s of 20-30 s, reached`` (the time alone without a target)."""
    held = duration(st.get("duration_s"))
    target = st.get("target_s")
    if not target:
        return held
    return (f"{held} of {target[0]:g}-{target[1]:g} s, "
            f"{'reached' if st.get('reached') else 'not reached'}")


def _set_text(st: dict[str, Any], sided: bool) -> str:
    what = (f"{st.get('count')} reps" if st.get("mode") == "reps"
            else duration(st.get("duration_s")))
    side = st.get("side")
    if sided and side:
        what = f"{'side ' + side.upper() if side in ('a', 'b') else side} {what}"
    rest = st.get("rest_before_s")
    return what if rest is None else f"{what} after {duration(rest)} rest"


def _amount(v: float, reps: bool) -> str:
    return f"{v:.0f} reps" if reps else duration(v)


def _notes(side: dict[str, Any], reps: bool) -> str:
    """One side's steadiness, form breaks, lean and form measures in words."""
    parts = []
    if side.get("score") is not None:
        parts.append(f"steadiness {side['score']} / 100")
    if side.get("form_breaks"):
        parts.append(f"{side['form_breaks']} form break" + ("s" if side["form_breaks"] > 1
                                                            else ""))
    if reps and side.get("lateral_lean_deg") is not None:
        parts.append(f"lean {side['lateral_lean_deg']:.0f}°")
    form = _form_text(side.get("form"))
    return ", ".join([*parts, form] if form else parts)


def _sides_view(sym: dict[str, Any], holds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Left/right of every sided exercise (``symmetry.by_exercise``), side planks with
    sides not told apart, or (an analysis from before by_exercise) side-plank balance."""
    out = []
    for ex, e in (sym.get("by_exercise") or {}).items():
        reps = e.get("measure") == "reps"
        key = "reps" if reps else "total_s"
        a, b = e.get("left") or {}, e.get("right") or {}
        va, vb = float(a.get(key) or 0), float(b.get(key) or 0)
        top = max(va, vb) or 1.0

        weaker = e.get("weaker_side")
        out.append({"exercise": ex, "title": str(e.get("label") or label(ex)),
                    "a_label": "Left", "b_label": "Right",
                    "a_text": _amount(va, reps), "b_text": _amount(vb, reps),
                    "a_w": round(80 * va / top, 1), "b_w": round(80 * vb / top, 1),
                    "a_notes": _notes(a, reps), "b_notes": _notes(b, reps),
                    "imbalance_pct": e.get("imbalance_pct"), "flagged": e.get("flagged"),
                    "weaker": weaker.capitalize() if isinstance(weaker, str) else None})
    told = {b["exercise"] for b in out}
    for b in balance(holds):
        if b["a_label"] == "Left" and "side_plank" in told:
            continue
        out.append({**b, "exercise": "side_plank", "title": "side plank",
                    "a_text": duration(b["a_s"]), "b_text": duration(b["b_s"]),
                    "a_notes": "", "b_notes": "", "flagged": None})
    return out


def _lean_view(sym: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for ex, e in (sym.get("lean") or {}).items():
        side = f" to the {e['side']}" if e.get("side") else ""
        text = (f"{_deg(e.get('lateral_lean_deg'))}{side} typical, "
                f"{_deg(e.get('max_deg'))} at most")
        out.append({"title": kind_label(e.get("label") or ex), "text": text,
                    "flagged": bool(e.get("flagged"))})
    return out


def session_workout(s: dict[str, Any]) -> dict[str, Any] | None:
    """The workout view of a session (SPEC section 4 object): holds and repetitions by
    set of the routine, stretches against their target, each exercise's sets with rests,
    best hold per exercise, total hold time, left/right of every sided exercise and
    leaning to one side; None without holds or repetitions."""
    exercises = s.get("exercises") or []
    stretch_kinds = {st["kind"] for e in exercises if e.get("mode") == "stretch"
                     for st in e.get("sets", [])}
    every = [{**h, "label": kind_label(h.get("kind")),
              "duration": duration(h.get("duration_s")), "start": clock(h.get("start_s")),
              "form_text": _form_text(h.get("form"))} for h in s.get("holds") or []]
    holds = [h for h in every if h.get("kind") not in stretch_kinds]
    reps = [rep_row(r) for r in s.get("reps") or []]
    if not every and not reps:
        return None
    sets = []
    for st in s.get("sets") or []:
        lo, hi = st["start_s"] - 0.5, st["end_s"] + 0.5
        rows = [h for h in holds if lo <= h["start_s"] <= hi]
        rrows = [r for r in reps if lo <= r["start_s"] <= hi
                 and r.get("kind") not in stretch_kinds]
        sets.append({"n": st["set"], "start": clock(st["start_s"]), "end": clock(st["end_s"]),
                     "rows": rows, "reps": rrows,
                     "total": duration(sum(h["duration_s"] for h in rows)),
                     "rest_before": duration(st.get("rest_before_s"))
                     if st.get("rest_before_s") is not None else None})
    if not sets and holds:
        sets = [{"n": 1, "start": clock(holds[0]["start_s"]),
                 "end": clock(holds[-1]["end_s"]), "rows": holds, "reps": [],
                 "total": duration(sum(h["duration_s"] for h in holds)), "rest_before": None}]
    best: dict[str, dict[str, Any]] = {}
    for h in holds:
        k = str(h.get("kind"))
        if k not in best or h["duration_s"] > best[k]["duration_s"]:
            best[k] = h
    total = sum(float(h["duration_s"]) for h in holds)
    stretches = [{**st, "label": kind_label(st["kind"]), "start": clock(st.get("start_s")),
                  "text": stretch_text(st) if st.get("mode") != "reps" else
                  f"{st.get('count')} cycles"}
                 for e in exercises if e.get("mode") == "stretch" for st in e["sets"]]
    stretches.sort(key=lambda st: float(st.get("start_s") or 0.0))
    per_exercise = [{"label": kind_label(e.get("exercise")) if not e.get("label")
                     else kind_label(e["label"]), "n": len(e["sets"]),
                     "text": "; ".join(_set_text(st, bool(e.get("sided")))
                                       for st in e["sets"])}
                    for e in exercises if e.get("mode") != "stretch"]
    sym = s.get("symmetry") or {}
    return {"sets": sets, "total": duration(total), "count": len(holds),
            "reps_count": sum(int(r.get("count") or 0) for r in reps
                              if r.get("kind") not in stretch_kinds),
            "best": [{"label": h["label"], "duration": h["duration"]} for h in best.values()],
            "stretches": stretches, "exercises": per_exercise,
            "balance": _sides_view(sym, holds), "lean": _lean_view(sym)}


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
            bests[k] = {"kind": k, "label": kind_label(k), "duration_s": round(dur, 1),
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
