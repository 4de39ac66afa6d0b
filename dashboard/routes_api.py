"""The HTTP API of SPEC section 7 (plus trends and live-session controls)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.datastructures import UploadFile

from dashboard.context import Context, get_ctx
from dashboard.push import FRAMES, PushError, validate
from dashboard.series import decimate
from dashboard.summaries import trends, with_kind
from dashboard.uploads import RAW_TYPES, TempBody, UploadError, default_name, import_upload
from dashboard.uploads import session_name as stem
from sensorcoach.store import StoreError

router = APIRouter()
Ctx = Annotated[Context, Depends(get_ctx)]


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

        def work() -> Any:
            return import_upload(ctx.store(), body, final)

        try:
            imp = await anyio.to_thread.run_sync(work)
        except UploadError as e:
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
    return _json([with_kind(s) for s in ctx.store().list_sessions()])


def _session(ctx: Context, session_id: int) -> dict[str, Any]:
    try:
        return ctx.store().get_session(session_id)
    except StoreError:
        raise HTTPException(404, f"no session {session_id}") from None


@router.get("/api/sessions/{session_id}")
async def session(session_id: int, ctx: Ctx) -> JSONResponse:
    s = with_kind(_session(ctx, session_id))
    if s["live"]:
        s["events"] = ctx.store().events(session_id)
    return _json(s)


@router.get("/api/sessions/{session_id}/series")
async def series(session_id: int, ctx: Ctx,
           points: Annotated[int, Query(ge=10, le=100_000)] = 2000) -> Response:
    s = _session(ctx, session_id)
    live = bool(s["live"])
    body = None if live else ctx.cache.body(session_id, points)
    if body is not None:
        return Response(body, media_type="application/json")
    fs = None if live else ctx.cache.get(session_id)
    if fs is None:  # analyses the stored samples: seconds for a long session
        fs = await anyio.to_thread.run_sync(
            lambda: ctx.cache.load(ctx.store(), session_id, live=live))
    resp = _json({"id": session_id, **decimate(fs, points)})
    if not live:
        ctx.cache.put_body(session_id, points, bytes(resp.body))
    return resp


@router.get("/api/alerts")
async def alerts(ctx: Ctx, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> JSONResponse:
    return _json(ctx.store().recent_alerts(limit))


@router.get("/api/trends")
async def trend(ctx: Ctx, days: Annotated[int, Query(ge=1, le=366)] = 7) -> JSONResponse:
    return _json({"days": days, "per_day": trends(ctx.store().list_sessions(), days)})


@router.get("/api/live", response_class=EventSourceResponse)
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
async def snooze(session_id: int, ctx: Ctx,
                 minutes: Annotated[float, Query(ge=0, le=24 * 60)] = 15.0) -> dict[str, Any]:
    _live_session(ctx, session_id)
    return ctx.hub.snooze(session_id, minutes)


@router.post("/api/live/{session_id}/calibrate")
async def calibrate(session_id: int, ctx: Ctx) -> dict[str, Any]:
    _live_session(ctx, session_id)
    if not ctx.hub.calibrate(session_id):
        raise HTTPException(409, "this live runner cannot recalibrate a running session; "
                            "stop it and start a new one to calibrate again")
    return {"ok": True}


@router.post("/api/push/sensorlogger")
async def push(request: Request, ctx: Ctx,
               frame: Annotated[str, Query()] = "standard") -> dict[str, Any]:
    if frame not in FRAMES:
        raise HTTPException(422, f"frame must be one of {', '.join(FRAMES)}")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/json", ""):
        raise HTTPException(415, f"unsupported content type {ctype!r}: send JSON")
    raw = await request.body()
    try:
        msg = validate(json.loads(raw))
        return ctx.push.receive(msg, "ios-raw" if frame == "ios-raw" else "standard")
    except (ValueError, UnicodeDecodeError) as e:
        detail = str(e) if isinstance(e, PushError) else f"not JSON: {e}"
        raise HTTPException(422, detail) from None
