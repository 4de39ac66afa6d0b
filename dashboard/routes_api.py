"""The HTTP API of SPEC section 7 (plus trends and live-session controls)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterable, AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from dashboard.context import Context, get_ctx
from dashboard.push import FRAMES, PushError, PushLimit
from dashboard.routes_pages import goal_of, today_data
from dashboard.security import TooLarge
from dashboard.series import decimate
from dashboard.summaries import newest_first, session_day, trends, with_kind
from dashboard.today import GOAL_KEY, Goal
from dashboard.uploads import (
    RAW_TYPES,
    TempBody,
    UploadError,
    UploadLimits,
    UploadTooLarge,
    default_name,
    import_upload,
    release_memory,
)
from dashboard.uploads import session_name as stem
from dashboard.workouts import hold_trends
from firmware_interface.codecs.sensorlogger import Frame
from sensorcoach.store import StoreError

router = APIRouter()
Ctx = Annotated[Context, Depends(get_ctx)]
#: Row ids are SQLite integers (64 bits): a larger one is a 422, never a 500.
SessionId = Annotated[int, Path(ge=0, le=2**63 - 1)]
#: Push requests in flight (bodies being read or waiting for a worker) per worker.
PUSH_QUEUE_PER_WORKER = 8

log = logging.getLogger(__name__)


@router.get("/healthz")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


@router.post("/api/recordings", status_code=201)
async def upload(request: Request, ctx: Ctx,
                 name: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
                 ) -> JSONResponse:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = TempBody()
    try:
        if ctype == "multipart/form-data":
            async with request.form(max_files=1, max_fields=4) as form:
                f = form.get("file")
                if not isinstance(f, UploadFile):
                    raise HTTPException(400, "multipart upload without a 'file' field")
                await anyio.to_thread.run_sync(body.write_file, f.file)
                name = name or stem(f.filename)
        elif ctype in RAW_TYPES:
            await body.write_stream(request.stream())
            name = name or stem(request.headers.get("x-filename"))
        else:
            raise HTTPException(415, f"unsupported content type {ctype!r}: send the recording "
                                "CSV as the raw body (text/csv, application/gzip or "
                                "application/octet-stream) or as multipart field 'file'")
        final = name or default_name()
        limits = UploadLimits(ctx.settings.upload_max_bytes, ctx.settings.upload_max_ratio)

        def work() -> Any:
            try:
                return import_upload(ctx.store(), body, final, limits=limits)
            finally:
                release_memory()

        try:  # one import at a time (ctx.heavy): memory stays bounded
            imp = await anyio.to_thread.run_sync(work, limiter=ctx.heavy)
        except UploadTooLarge as e:
            raise TooLarge(str(e)) from None
        except UploadError as e:
            log.info("upload %r refused: %s", final[:80], e)
            raise HTTPException(422, str(e)) from None
    finally:
        body.close()
    ctx.cache.put(imp.id, imp.series)
    ctx.bus.publish("session", {"session_id": imp.id, "event": "imported", "name": imp.name,
                                "summary": imp.summary})
    return JSONResponse({"id": imp.id, "name": imp.name}, status_code=201,
                        headers={"Location": f"/api/sessions/{imp.id}"})


def _json(content: Any) -> JSONResponse:
    """Plain ``json.dumps`` of data that is JSON already (the store's), skipping
    FastAPI's per-value encoder.  Reads are quick SQLite queries, so these handlers run
    on the event loop (a worker-thread hop per request cost more than the query)."""
    return JSONResponse(content)


@router.get("/api/sessions")
async def sessions(ctx: Ctx) -> JSONResponse:
    return _json([with_kind(s) for s in newest_first(ctx.store().list_sessions())])


def _session(ctx: Context, session_id: int) -> dict[str, Any]:
    try:
        return ctx.store().get_session(session_id)
    except StoreError:
        raise HTTPException(404, f"no session {session_id}") from None


@router.get("/api/sessions/{session_id}")
async def session(session_id: SessionId, ctx: Ctx) -> JSONResponse:
    s = with_kind(_session(ctx, session_id))
    if s["live"]:
        s["events"] = ctx.store().events(session_id)
    return _json(s)


@router.get("/api/sessions/{session_id}/series")
async def series(session_id: SessionId, ctx: Ctx,
           points: Annotated[int, Query(ge=10, le=100_000)] = 2000) -> Response:
    s = _session(ctx, session_id)
    live = bool(s["live"])
    body = None if live else ctx.cache.body(session_id, points)
    if body is not None:
        return Response(body, media_type="application/json")
    fs = None if live else ctx.cache.get(session_id)
    if fs is None:  # analyses the stored samples: seconds for a long session
        fs = await anyio.to_thread.run_sync(
            lambda: ctx.cache.load(ctx.store(), session_id, live=live), limiter=ctx.heavy)
    resp = _json({"id": session_id, **decimate(fs, points)})
    if not live:
        ctx.cache.put_body(session_id, points, bytes(resp.body))
    return resp


class Rename(BaseModel):
    name: str = Field(min_length=1, max_length=200)


@router.patch("/api/sessions/{session_id}")
async def rename(session_id: SessionId, body: Rename, ctx: Ctx) -> JSONResponse:
    name = " ".join(body.name.split())
    if not name:
        raise HTTPException(422, "name: a session's name cannot be blank")
    try:
        ctx.store().rename_session(session_id, name)
    except StoreError:
        raise HTTPException(404, f"no session {session_id}") from None
    live = ctx.hub.sessions.get(session_id)
    if live is not None:
        live.name = name
    ctx.bus.publish("session", {"session_id": session_id, "event": "renamed", "name": name})
    return _json(with_kind(_session_row(ctx, session_id)))


@router.delete("/api/sessions/{session_id}", status_code=204)
async def delete(session_id: SessionId, ctx: Ctx) -> Response:
    if session_id in ctx.hub.sessions:
        raise HTTPException(409, f"session {session_id} is still recording: stop it first")
    try:
        ctx.delete_session(session_id)
    except StoreError:
        raise HTTPException(404, f"no session {session_id}") from None
    return Response(status_code=204)


def _session_row(ctx: Context, session_id: int) -> dict[str, Any]:
    for s in ctx.store().list_sessions():
        if s["id"] == session_id:
            return s
    raise StoreError(f"no session {session_id}")


@router.get("/api/alerts")
async def alerts(ctx: Ctx, limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                 offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> JSONResponse:
    """Alerts newest first, ``limit`` from ``offset``; ``X-Total-Count`` says how many."""
    rows, total = ctx.store().alerts_page(limit, offset)
    return JSONResponse(rows, headers={"X-Total-Count": str(total)})


@router.get("/api/goal")
async def goal(ctx: Ctx) -> JSONResponse:
    return _json(goal_of(ctx).to_dict())


@router.put("/api/goal")
async def set_goal(request: Request, ctx: Ctx) -> JSONResponse:
    """The daily goal: ``{"upright_pct", "slumps_per_hour", "hold_s"}`` (any of them)."""
    try:
        g = Goal.parse(json.loads(await request.body()))
    except (ValueError, UnicodeDecodeError) as e:
        raise HTTPException(422, f"goal: {e}") from None
    ctx.store().set_pref(GOAL_KEY, g.to_dict())
    return _json(g.to_dict())


@router.get("/api/today")
async def today(ctx: Ctx) -> JSONResponse:
    return _json(today_data(ctx))


@router.get("/api/trends")
async def trend(ctx: Ctx, days: Annotated[int, Query(ge=1, le=366)] = 7) -> JSONResponse:
    """Per day (desk figures and holds) and, for workouts, personal bests, hold time per
    week and side balance per session."""
    st = ctx.store()
    sessions = st.list_sessions()
    return _json({"days": days, "per_day": trends(sessions, days),
                  "holds": hold_trends(sessions, st.hold_events(), session_day)})


async def live_slot(ctx: Ctx) -> AsyncIterator[None]:
    """A slot among ``max_live_streams`` for the whole stream, else 503."""
    if not ctx.bus.acquire():
        log.warning("refused a live stream: %d open", ctx.bus.streams)
        raise HTTPException(503, f"too many live streams open ({ctx.bus.max_streams}, the "
                            "max_live_streams setting); close a dashboard tab or try "
                            "again later", headers={"Retry-After": "10"})
    try:
        yield
    finally:
        ctx.bus.release()


@router.get("/api/live", response_class=EventSourceResponse,
            dependencies=[Depends(live_slot)])
async def live(ctx: Ctx,
               last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
               limit: Annotated[int | None, Query(ge=1, le=100_000)] = None,
               ) -> AsyncIterable[ServerSentEvent]:
    """``state`` first, then ``sample``, ``state``, ``alert``, ``hold``, ``slump``,
    ``calibrated``, ``guide``, ``source`` and ``session`` events; ``limit`` ends the
    stream after that many events (for scripts)."""
    last = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    async for ev in ctx.bus.stream(ctx.hub.snapshot, last, limit):
        yield ev


def _live_session(ctx: Context, session_id: int) -> None:
    if session_id not in ctx.hub.sessions:
        raise HTTPException(404, f"no live session {session_id}")


@router.post("/api/live/{session_id}/snooze")
async def snooze(session_id: SessionId, ctx: Ctx,
                 minutes: Annotated[float, Query(ge=0, le=24 * 60)] = 15.0) -> dict[str, Any]:
    _live_session(ctx, session_id)
    return ctx.hub.snooze(session_id, minutes)


@router.post("/api/live/{session_id}/calibrate")
async def calibrate(session_id: SessionId, ctx: Ctx) -> dict[str, Any]:
    _live_session(ctx, session_id)
    if not ctx.hub.calibrate(session_id):
        raise HTTPException(409, "this live runner cannot recalibrate a running session; "
                            "stop it and start a new one to calibrate again")
    return {"ok": True}


@router.post("/api/push/sensorlogger")
async def push(request: Request, ctx: Ctx,
               frame: Annotated[str, Query()] = "standard") -> dict[str, Any]:
    """One Sensor Logger message: read (at most ``push_max_bytes``), then parsed,
    decoded and analysed in a worker thread (``push_workers`` at a time)."""
    if frame not in FRAMES:
        raise HTTPException(422, f"frame must be one of {', '.join(FRAMES)}")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/json", ""):
        raise HTTPException(415, f"unsupported content type {ctype!r}: send JSON")
    limit = ctx.settings.push_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(_push_too_large(limit))
    if ctx.push_in_flight >= ctx.settings.push_workers * PUSH_QUEUE_PER_WORKER:
        log.warning("push refused: %d messages in flight", ctx.push_in_flight)
        raise HTTPException(503, "too many push messages in flight; send it again shortly",
                            headers={"Retry-After": "2"})
    client = request.client.host if request.client else "?"
    ctx.push_in_flight += 1
    try:
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > limit:
                raise TooLarge(_push_too_large(limit))
        fr: Frame = "ios-raw" if frame == "ios-raw" else "standard"
        return await anyio.to_thread.run_sync(ctx.push.handle, bytes(raw), fr, client,
                                              limiter=ctx.push_workers)
    except PushError as e:
        log.info("push from %s refused: %s", client, e)
        raise HTTPException(422, str(e)) from None
    except PushLimit as e:
        log.warning("push from %s refused: %s", client, e.detail)
        raise HTTPException(e.status, e.detail, headers={"Retry-After": "10"}) from None
    finally:
        ctx.push_in_flight -= 1


def _push_too_large(limit: int) -> str:
    return f"push message too large: the limit is {limit} bytes (push_max_bytes)"
