"""Server-rendered pages: sessions (with live panel and alerts), a session, live, trends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from dashboard.context import Context, get_ctx
from dashboard.security import request_token
from dashboard.summaries import session_day, session_kind, trends
from sensorcoach.store import StoreError

router = APIRouter()
Ctx = Annotated[Context, Depends(get_ctx)]
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
HOLD_LABELS = {"plank": "Plank", "side_plank_left": "Side plank (left)",
               "side_plank_right": "Side plank (right)"}


def clock(t_s: Any) -> str:
    """``h:mm:ss`` (or ``m:ss``) for seconds."""
    if not isinstance(t_s, int | float):
        return "-"
    s = round(max(float(t_s), 0.0))
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def pct(v: Any) -> str:
    return "-" if v is None else f"{float(v):.0f} %"


def json_script(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(obj).replace("<", "\\u003c").replace(">", "\\u003e")


def _render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    tok = request_token(request.scope)
    ctx.update(token=tok or "", q=f"?token={quote(tok, safe='')}" if tok else "")
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def _row(s: dict[str, Any]) -> dict[str, Any]:
    summ = s.get("summary") or {}
    dur = summ.get("duration_s")
    if dur is None and s.get("last_t_s") is not None:
        dur = s["last_t_s"]
    return {**s, "day": session_day(s), "kind": session_kind(summ),
            "duration": clock(dur), "upright": pct(summ.get("upright_pct")),
            "slumps": summ.get("slumps", "-"), "holds": summ.get("holds", "-")}


@router.get("/", response_class=HTMLResponse)
def index(request: Request, ctx: Ctx) -> HTMLResponse:
    st = ctx.store()
    alerts = [{**a, "clock": clock(a["t_s"])} for a in st.recent_alerts(20)]
    return _render(request, "index.html", sessions=[_row(s) for s in st.list_sessions()],
                   alerts=alerts)


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(session_id: int, request: Request,
                 ctx: Ctx) -> HTMLResponse:
    try:
        if not 0 <= session_id < 2**63:  # beyond SQLite's integers: no such row
            raise StoreError(f"no session {session_id}")
        s = ctx.store().get_session(session_id)
    except StoreError:
        return _render(request, "error.html", 404, message=f"No session {session_id}")
    holds = [{**h, "kind_label": HOLD_LABELS.get(h["kind"], h["kind"]),
              "form_breaks": [{**b, "clock": clock(b.get("t_s"))}
                              for b in h.get("form_breaks", [])]}
             for h in s.get("holds", [])]
    sets = []
    for st in s.get("sets", []):
        rows = [h for h in holds if st["start_s"] - 0.5 <= h["start_s"] <= st["end_s"] + 0.5]
        sets.append({**st, "start": clock(st["start_s"]), "end": clock(st["end_s"]),
                     "rows": rows})
    if holds and not sets:
        sets = [{"set": 1, "start": clock(holds[0]["start_s"]),
                 "end": clock(holds[-1]["end_s"]), "rows": holds}]
    sym = s.get("symmetry") or None
    if sym and (sym.get("side_plank_left_s") or sym.get("side_plank_right_s")):
        top = max(sym["side_plank_left_s"], sym["side_plank_right_s"]) or 1.0
        sym = {**sym, "left_w": round(80 * sym["side_plank_left_s"] / top, 1),
               "right_w": round(80 * sym["side_plank_right_s"] / top, 1)}
    else:
        sym = None
    slumps = [{**e, "start": clock(e["start_s"]), "end": clock(e["end_s"]),
               "duration": clock(e["duration_s"])} for e in s.get("slumps", [])]
    marks = {"slumps": [[e["start_s"], e["end_s"]] for e in s.get("slumps", [])],
             "holds": [[h["start_s"], h["end_s"], h["kind"]] for h in s.get("holds", [])]}
    summ = s.get("summary") or {}
    return _render(request, "session.html", s={**s, "kind": session_kind(summ)},
                   day=session_day(s), duration=clock(summ.get("duration_s", s["last_t_s"])),
                   posture=s.get("posture"), cal=s.get("calibration"), slumps=slumps,
                   holds=holds, sets=sets, sym=sym, marks_json=json_script(marks),
                   alerts=[{**a, "clock": clock(a["t_s"])} for a in s.get("alerts", [])])


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request) -> HTMLResponse:
    return _render(request, "live.html")


@router.get("/trends", response_class=HTMLResponse)
def trends_page(request: Request, ctx: Ctx) -> HTMLResponse:
    sessions = ctx.store().list_sessions()
    blocks = []
    data = {}
    for days in (7, 30):
        rows = trends(sessions, days)
        data[str(days)] = rows
        blocks.append({"days": days, "rows": [
            {**r, "duration": clock(r["duration_s"]), "upright": pct(r["upright_pct"])}
            for r in rows]})
    return _render(request, "trends.html", blocks=blocks, data_json=json_script(data))
