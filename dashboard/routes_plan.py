"""The weekly plan (issue 16 item 4): ``GET``/``PUT /api/plan`` and ``GET /api/plan/today``,
and what the Today page shows of it (the plan, what is left for today, the streak).

The logic is :mod:`sensorcoach.plan` (pure); here the store's plan versions and the
sessions' holds and repetition sets are read and grouped by the person's local day (the
plan's time zone, else this machine's: the dashboard serves the person's own browser).
Requests pass the app's middleware like every other route (token off loopback, another
site's page refused on loopback); a bad plan is a 422 that says which field.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from dashboard.context import Context, get_ctx
from dashboard.summaries import started
from sensorcoach.core.catalogue import CATALOGUE
from sensorcoach.core.workout import label
from sensorcoach.plan import (
    DEFAULT_PLAN,
    Plan,
    PlanError,
    day_progress,
    done_days_with_history,
    group_by_day,
    local_day,
    streak,
)
from sensorcoach.store import Store

router = APIRouter()
Ctx = Annotated[Context, Depends(get_ctx)]
log = logging.getLogger(__name__)


def history(store: Store) -> list[tuple[dt.datetime, Plan]]:
    """The saved plan versions, oldest first (one that no longer parses is skipped and
    logged: the catalogue may have lost a row since)."""
    out = []
    for created, obj in store.plans():
        try:
            when = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
            out.append((when, Plan.parse(obj)))
        except ValueError as e:
            log.warning("plan saved at %s skipped: %s", created, e)
    return out


def current(store: Store) -> tuple[Plan, bool]:
    """The plan in force and whether the person saved it (False: the default plan)."""
    h = history(store)
    return (h[-1][1], True) if h else (DEFAULT_PLAN, False)


def catalogue_choices() -> list[dict[str, Any]]:
    """Every catalogue row the form offers, with the units it can be counted in."""
    return [{"exercise": e.name, "label": _cap(label(e.name)), "target_text": e.target,
             "units": sorted({"s" if m in ("hold", "stretch") else "reps" for m in e.modes},
                             reverse=True)}
            for e in CATALOGUE]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def plan_view(store: Store, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the Today page shows of the plan, at ``now`` (default: the clock)."""
    plan, saved = current(store)
    tz = plan.zone()
    now = now or dt.datetime.now(dt.UTC)
    today = local_day(now, tz)
    h = history(store) or [(now, plan)]
    sessions = []
    for s in store.exercise_sets():
        when = started(s)
        if when is not None:
            sessions.append((when, {"holds": s["holds"], "reps": s["reps"]}))
    by_day = group_by_day(sessions, tz)
    prog = day_progress(plan, by_day.get(today, []))
    st = streak(done_days_with_history(h, by_day, tz), today, plan.every_days)
    items = [{**p.to_dict(), "label": _cap(label(p.item.exercise))} for p in prog.items]
    return {"plan": plan.to_dict(), "saved": saved, "today": today.isoformat(),
            # sessions being recorded now count once they end (and are analysed)
            "recording": len(store.live_sessions()),
            "time_zone": plan.time_zone or _zone_name(now), "progress": prog.to_dict(),
            "items": items, "left": [i for i in items if i["left"]],
            "streak": st.to_dict(), "choices": catalogue_choices()}


def _zone_name(now: dt.datetime) -> str:
    return now.astimezone().tzname() or "local"


@router.get("/api/plan")
def get_plan(ctx: Ctx) -> JSONResponse:
    """The plan in force (``saved`` false: the default one, never saved)."""
    plan, saved = current(ctx.store())
    return JSONResponse({**plan.to_dict(), "saved": saved})


@router.put("/api/plan")
async def put_plan(request: Request, ctx: Ctx) -> JSONResponse:
    """A new plan: ``{"exercises": [{"exercise", "sets", "target", "unit"}], "every_days":
    1|2, "rest_s", "time_zone"}``; the previous versions are kept (past days keep their
    own plan)."""
    try:
        plan = Plan.parse(json.loads(await request.body()))
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError and PlanError too
        raise HTTPException(422, f"plan: {e}") from None
    ctx.store().save_plan(plan.to_dict())
    return JSONResponse({**plan.to_dict(), "saved": True})


@router.get("/api/plan/today")
def plan_today(ctx: Ctx) -> JSONResponse:
    """Today against the plan: ``items`` (done, left, best), ``left``, ``streak``."""
    return JSONResponse(plan_view(ctx.store()))


__all__ = ["PlanError", "plan_view", "router"]
