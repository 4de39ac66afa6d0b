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


def started(s: dict[str, Any]) -> dt.datetime | None:
    """When a session was recorded (its recording's start if known, else when it was
    stored), as an aware datetime (a time without a zone is this machine's local time);
    None if neither parses."""
    summ = s.get("summary") or {}
    for when in (summ.get("started_at"), s.get("created_at")):
        if when:
            try:
                t = dt.datetime.fromisoformat(str(when).replace("Z", "+00:00"))
            except ValueError:
                continue
            return t if t.tzinfo else t.astimezone()  # no zone: this machine's
    return None


def session_day(s: dict[str, Any]) -> str:
    """The day (YYYY-MM-DD, this machine's local time zone: the dashboard serves the
    person's own browser) a session was recorded on; '' if not known."""
    t = started(s)
    return "" if t is None else t.astimezone().date().isoformat()


def newest_first(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sessions by when they were recorded, newest first (live ones on top)."""
    far = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(sessions, key=lambda s: (bool(s.get("live")), started(s) or far,
                                           int(s.get("id", 0))), reverse=True)


def posture_times(summ: dict[str, Any] | None) -> tuple[float, float]:
    """(upright s, slumped s) of a finished session's summary (0 without posture)."""
    if not summ:
        return 0.0, 0.0
    dur = float(summ.get("duration_s") or 0)
    return (dur * float(summ.get("upright_pct") or 0) / 100,
            dur * float(summ.get("slumped_pct") or 0) / 100)


def with_kind(s: dict[str, Any]) -> dict[str, Any]:
    return {**s, "kind": session_kind(s.get("summary"))}


def trends(sessions: list[dict[str, Any]], days: int,
           today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per day over the last ``days`` (oldest first): sessions, recorded s, upright % of
    the time sat (desk and mixed sessions only: a plank day says nothing of sitting;
    None without any), slumps (None on days without desk time), holds."""
    end = today or dt.date.today()
    out: dict[str, dict[str, Any]] = {}
    for i in range(days - 1, -1, -1):
        day_s = (end - dt.timedelta(days=i)).isoformat()
        out[day_s] = {"date": day_s, "sessions": 0, "duration_s": 0.0, "slumps": None,
                      "holds": 0, "upright_s": 0.0, "slumped_s": 0.0}
    for sess in sessions:
        summ = sess.get("summary")
        day = out.get(session_day(sess))
        if not summ or day is None or sess.get("live"):
            continue
        day["sessions"] += 1
        day["duration_s"] += float(summ.get("duration_s") or 0)
        day["holds"] += int(summ.get("holds") or 0)
        if session_kind(summ) in ("desk", "mixed"):
            up, sl = posture_times(summ)
            day["upright_s"] += up
            day["slumped_s"] += sl
            day["slumps"] = (day["slumps"] or 0) + int(summ.get("slumps") or 0)
    rows: list[dict[str, Any]] = []
    for d in out.values():
        sat = d["upright_s"] + d["slumped_s"]
        d["upright_pct"] = round(100 * d["upright_s"] / sat, 1) if sat > 0 else None
        for k in ("duration_s", "upright_s", "slumped_s"):
            d[k] = round(d[k], 1)
        rows.append(d)
    return rows
