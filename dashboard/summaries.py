"""Session kinds and per-day trends, from the summaries the store keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

#: Share (%) of seated time (upright + slumped) from which a session with holds is "mixed"
#: (a workout has some upright time too: warm-up, rests).
MIXED_SEATED_PCT = 50.0


def session_kind(summary: dict[str, Any] | None) -> str | None:
    """``desk``, ``workout`` or ``mixed`` (None while live or without analysis)."""
    if not summary or "upright_pct" not in summary:
        return None
    if summary.get("kind") in ("desk", "workout", "mixed"):
        return str(summary["kind"])
    seated = float(summary.get("upright_pct") or 0) + float(summary.get("slumped_pct") or 0)
    if int(summary.get("holds") or 0) > 0:
        desk = seated >= MIXED_SEATED_PCT or int(summary.get("slumps") or 0) > 0
        return "mixed" if desk else "workout"
    return "desk"


def kind_of_analysis(analysis: dict[str, Any]) -> str:
    """The kind of a fresh analysis (SPEC section 4 object)."""
    p = analysis["posture"]
    return session_kind({"upright_pct": p["upright_pct"], "slumped_pct": p["slumped_pct"],
                         "holds": len(analysis["holds"]),
                         "slumps": len(analysis["slumps"])}) or "desk"


def session_day(s: dict[str, Any]) -> str:
    """The day (YYYY-MM-DD, UTC) a session belongs to: when it was recorded if known."""
    summ = s.get("summary") or {}
    when = summ.get("started_at") or s.get("created_at") or ""
    return str(when)[:10]


def with_kind(s: dict[str, Any]) -> dict[str, Any]:
    return {**s, "kind": session_kind(s.get("summary"))}


def trends(sessions: list[dict[str, Any]], days: int,
           today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per day over the last ``days`` (oldest first): sessions, recorded s, upright %
    (duration-weighted over sessions with posture data; None without any), slumps."""
    end = today or dt.datetime.now(dt.UTC).date()
    out: dict[str, dict[str, Any]] = {}
    for i in range(days - 1, -1, -1):
        day_s = (end - dt.timedelta(days=i)).isoformat()
        out[day_s] = {"date": day_s, "sessions": 0, "duration_s": 0.0, "slumps": 0,
                  "_w": 0.0, "_u": 0.0}
    for sess in sessions:
        summ = sess.get("summary")
        day = out.get(session_day(sess))
        if not summ or day is None:
            continue
        dur = float(summ.get("duration_s") or 0)
        day["sessions"] += 1
        day["duration_s"] += dur
        day["slumps"] += int(summ.get("slumps") or 0)
        if summ.get("upright_pct") is not None and dur > 0:
            day["_w"] += dur
            day["_u"] += dur * float(summ["upright_pct"])
    rows: list[dict[str, Any]] = []
    for d in out.values():
        w, u = d.pop("_w"), d.pop("_u")
        d["upright_pct"] = round(u / w, 1) if w > 0 else None
        d["duration_s"] = round(d["duration_s"], 1)
        rows.append(d)
    return rows
