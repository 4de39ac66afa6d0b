""""That was not a slump": verdicts on slump alerts and the thresholds they teach (SPEC
section 7: ``POST /api/alerts/{id}/feedback``, ``GET /api/profile``,
``POST /api/profile/reset``; plus undo and a session's alerts with their ids)."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dashboard.context import Context, get_ctx
from sensorcoach.feedback import FeedbackError, FeedbackStore, profile, session_alerts
from sensorcoach.store import StoreError

router = APIRouter()
Ctx = Annotated[Context, Depends(get_ctx)]
RowId = Annotated[int, Path(ge=0, le=2**63 - 1)]
Placement = Literal["upper_back", "lower_back", "chest", "waist"]

log = logging.getLogger(__name__)


class Feedback(BaseModel):
    verdict: Literal["not_a_slump", "right"]


def _fail(e: FeedbackError) -> HTTPException:
    return HTTPException(404 if e.missing else 422, str(e))


def _placement_of(ctx: Context, session_id: int) -> str | None:
    try:
        p = ctx.store().get_session(session_id).get("placement")
    except StoreError:
        return None
    return p if isinstance(p, str) else None


@router.post("/api/alerts/{alert_id}/feedback")
async def give(alert_id: RowId, body: Feedback, ctx: Ctx) -> JSONResponse:
    """The person's verdict on a slump alert; returns it with the thresholds it leads to."""
    try:
        v = FeedbackStore(ctx.store()).give(alert_id, body.verdict)
    except FeedbackError as e:
        raise _fail(e) from None
    return JSONResponse({"verdict": v.to_dict(),
                         "profile": profile(ctx.store(), _placement_of(ctx, v.session_id))})


@router.delete("/api/alerts/{alert_id}/feedback")
async def undo(alert_id: RowId, ctx: Ctx) -> JSONResponse:
    """Take back the verdict on an alert; 404 when none counts."""
    try:
        v = FeedbackStore(ctx.store()).undo(alert_id)
    except FeedbackError as e:
        raise _fail(e) from None
    return JSONResponse({"verdict": v.to_dict(),
                         "profile": profile(ctx.store(), _placement_of(ctx, v.session_id))})


@router.get("/api/profile")
async def get_profile(ctx: Ctx, placement: Annotated[Placement | None, Query()] = None,
                      ) -> JSONResponse:
    """The person's slump thresholds: value, default, bounds, history of changes."""
    return JSONResponse(profile(ctx.store(), placement))


@router.post("/api/profile/reset")
async def reset(ctx: Ctx, placement: Annotated[Placement | None, Query()] = None,
                ) -> JSONResponse:
    """Back to the default thresholds (the verdicts stay in the history)."""
    when = FeedbackStore(ctx.store()).reset()
    log.info("personal thresholds reset at %s", when)
    return JSONResponse(profile(ctx.store(), placement))


@router.get("/api/sessions/{session_id}/alerts")
async def alerts_of(session_id: RowId, ctx: Ctx) -> JSONResponse:
    """A session's alerts with their ids and the verdicts given on them."""
    try:
        rows: list[dict[str, Any]] = session_alerts(ctx.store(), session_id)
    except StoreError:
        raise HTTPException(404, f"no session {session_id}") from None
    return JSONResponse(rows)
