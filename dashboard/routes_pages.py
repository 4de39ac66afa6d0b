"""Server-rendered pages: Today (the default), sessions (with paged alerts), a session
(routes_session.py), live, trends."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from dashboard.context import Context, get_ctx
from dashboard.names import ALERTS, KINDS, clock, duration, human, source
from dashboard.render import json_script, render
from dashboard.routes_plan import plan_view
from dashboard.summaries import newest_first, session_day, session_kind, trends
from dashboard.today import GOAL_KEY, Goal, enrich, today_view
from dashboard.workouts import hold_trends

router = APIRouter()
Ctx = Annotated[Context, Depends(get_ctx)]
#: Alerts per page on the sessions page.
ALERTS_PER_PAGE = 10


def pct(v: Any) -> str:
    return "-" if v is None else f"{float(v):.0f} %"


def row(s: dict[str, Any]) -> dict[str, Any]:
    """A session as the list shows it."""
    summ = s.get("summary") or {}
    dur = summ.get("duration_s")
    if dur is None and s.get("last_t_s") is not None:
        dur = s["last_t_s"]
    kind = session_kind(summ)
    started = summ.get("started_at") or s.get("created_at")
    return {**s, "day": session_day(s), "when": started, "kind": kind,
            "kind_label": KINDS.get(kind or "", "-"), "source_label": source(s["source"]),
            "duration": duration(dur),
            "upright": pct(summ.get("upright_pct")) if kind != "workout" else "-",
            "slumps": summ.get("slumps", "-") if kind != "workout" else "-",
            "holds": summ.get("holds", "-")}


def goal_of(ctx: Context) -> Goal:
    stored = ctx.store().get_pref(GOAL_KEY)
    try:
        return Goal.parse(stored) if stored is not None else Goal()
    except ValueError:
        return Goal()


def today_data(ctx: Context, today: dt.date | None = None) -> dict[str, Any]:
    st = ctx.store()
    sessions = enrich(st.list_sessions(), st.hold_events(), st.alert_counts("sedentary"))
    return today_view(goal_of(ctx), sessions, today)


@router.get("/", response_class=HTMLResponse)
def today_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return render(request, "today.html", t=today_data(ctx), plan=plan_view(ctx.store()),
                  date=dt.date.today().strftime("%A %d %B %Y"))


@router.get("/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, ctx: Ctx,
                  alerts_page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    st = ctx.store()
    alerts, total = st.alerts_page(ALERTS_PER_PAGE, (alerts_page - 1) * ALERTS_PER_PAGE)
    pages = max(1, -(-total // ALERTS_PER_PAGE))
    return render(request, "sessions.html",
                  sessions=[row(s) for s in newest_first(st.list_sessions())],
                  alerts=[{**a, "clock": clock(a["t_s"]), "title": human(ALERTS, a["kind"])}
                          for a in alerts],
                  alerts_page=alerts_page, alerts_pages=pages, alerts_total=total)


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request) -> HTMLResponse:
    return render(request, "live.html")


@router.get("/trends", response_class=HTMLResponse)
def trends_page(request: Request, ctx: Ctx) -> HTMLResponse:
    st = ctx.store()
    sessions = st.list_sessions()
    blocks = []
    data = {}
    for days in (7, 30):
        rows = trends(sessions, days)
        data[str(days)] = rows
        blocks.append({"days": days, "rows": [
            {**r, "duration": duration(r["duration_s"]), "upright": pct(r["upright_pct"])}
            for r in rows]})
    holds = hold_trends(sessions, st.hold_events(), session_day)
    return render(request, "trends.html", blocks=blocks, holds=holds,
                  data_json=json_script({**data, "weeks": holds["weeks"],
                                         "balance": holds["balance"]}))
