"""A session's page: the desk view (posture, slumps, sitting), the workout view (holds
by set, best holds, total, side balance), or both for a mixed session."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from dashboard.context import Context, get_ctx
from dashboard.names import (
    ALERTS,
    BREAKS,
    CALIBRATION,
    ENDED_BY,
    KINDS,
    clock,
    duration,
    human,
    source,
)
from dashboard.render import json_script, render
from dashboard.summaries import session_kind
from dashboard.workouts import session_workout
from sensorcoach.core.settings import DEFAULT_SETTINGS
from sensorcoach.store import StoreError

router = APIRouter()
#: How the upright reference was found (``calibration.reference``), in words.
REFERENCES = {"span": "from the upright span", "walking": "from walking",
              "device": "from how the device is worn",
              "still posture": "from the least tilted still posture"}
Ctx = Annotated[Context, Depends(get_ctx)]


def not_found(request: Request, what: str) -> HTMLResponse:
    return render(request, "error.html", 404, title="Not found", message=what)


def desk_view(s: dict[str, Any]) -> dict[str, Any] | None:
    """Posture shares as times, slump episodes, sitting: None without posture."""
    p = s.get("posture")
    dur = (s.get("recording") or {}).get("duration_s")
    if not p or dur is None:
        return None
    up = dur * float(p.get("upright_pct") or 0) / 100
    sl = dur * float(p.get("slumped_pct") or 0) / 100
    sat = up + sl
    slumps = [{**e, "start": clock(e["start_s"]), "end": clock(e["end_s"]),
               "duration": duration(e["duration_s"])} for e in s.get("slumps", [])]
    return {"upright": duration(up), "slumped": duration(sl),
            "upright_pct": round(100 * up / sat) if sat else None,
            "sedentary": duration(p.get("sedentary_s")), "slumps": slumps,
            "per_hour": round(len(slumps) / (sat / 3600), 1) if sat >= 60 else None}


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(session_id: str, request: Request, ctx: Ctx) -> HTMLResponse:
    if not session_id.isdigit() or int(session_id) >= 2**63:
        return not_found(request, f"There is no session “{session_id[:40]}”.")
    try:
        s = ctx.store().get_session(int(session_id))
    except StoreError:
        return not_found(request, f"There is no session {session_id}: it may have been "
                         "deleted.")
    summ = s.get("summary") or {}
    kind = session_kind(summ)
    workout = session_workout(s)
    desk = desk_view(s) if kind != "workout" else None
    for h in (workout or {}).get("sets", []):
        for r in h["rows"]:
            r["breaks"] = [f"{human(BREAKS, b.get('kind'))} {b.get('deg', 0):.0f}° at "
                           f"{clock(b.get('t_s'))}" for b in r.get("form_breaks", [])]
            r["ended"] = human(ENDED_BY, r.get("ended_by"))
    cal = s.get("calibration") or None
    conf = None if cal is None else cal.get("confidence")
    uncertain = isinstance(conf, int | float) and conf < DEFAULT_SETTINGS.calibration_min_confidence
    glitches = (s.get("recording") or {}).get("glitches") or 0
    marks = {"slumps": [[e["start_s"], e["end_s"]] for e in s.get("slumps", [])],
             "holds": [[h["start_s"], h["end_s"], h["kind"]] for h in s.get("holds", [])]}
    return render(request, "session.html", s=s, kind=kind, kind_label=KINDS.get(kind or ""),
                  source_label=source(s["source"]),
                  when=summ.get("started_at") or s["created_at"],
                  duration=duration(summ.get("duration_s", s["last_t_s"])),
                  desk=desk, workout=workout,
                  cal_label=None if cal is None else human(CALIBRATION, cal.get("method")),
                  cal=cal, uncertain=uncertain, glitches=glitches,
                  reference=REFERENCES.get(str((cal or {}).get("reference"))),
                  marks_json=json_script(marks),
                  alerts=[{**a, "clock": clock(a["t_s"]), "title": human(ALERTS, a["kind"])}
                          for a in s.get("alerts", [])])
