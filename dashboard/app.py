"""The app factory: ``create_app(settings)`` (FastAPI, lifespan-managed store and live hub)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dashboard import routes_api, routes_feedback, routes_pages, routes_plan, routes_session
from dashboard.context import Context
from dashboard.render import render, wants_html
from dashboard.security import BodyLimit, BrowserGuard, TokenMiddleware, TooLarge, too_large
from dashboard.settings import Settings
from sensorcoach import __version__
from sensorcoach.live import recover

STATIC = Path(__file__).parent / "static"

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *,
               tasks: Sequence[Callable[[Context], Coroutine[Any, Any, None]]] = ()) -> FastAPI:
    """The dashboard app; ``settings`` default to the environment's; ``tasks`` run in
    the background while it serves (the demo's replays).  Raises
    :class:`dashboard.settings.ConfigError` for settings it refuses (no token off
    loopback)."""
    settings = settings or Settings.from_env()
    settings.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = Context(settings)
        recover(ctx.store())  # sessions a killed process left live: close and analyse
        ctx.bus.loop = asyncio.get_running_loop()
        ctx.hub.start()
        app.state.ctx = ctx
        running = [asyncio.get_running_loop().create_task(t(ctx)) for t in tasks]
        for task in running:
            task.add_done_callback(_report)
        try:
            yield
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await ctx.hub.stop()
            ctx.bus.close()
            ctx.close()

    app = FastAPI(title="sensorcoach dashboard", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    limit = settings.max_body_bytes

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (404, 405) and wants_html(request):
            return render(request, "error.html", exc.status_code,
                          title="Page not found" if exc.status_code == 404 else "Not here",
                          message=f"There is no page at {request.url.path[:80]}.")
        detail = exc.detail
        if exc.status_code == 413 and not isinstance(exc, TooLarge):
            detail = too_large(limit)  # the multipart parser's own words
        return JSONResponse({"detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        detail = "; ".join(parts) or "invalid request"
        if wants_html(request):  # a page's address with a bad part (?alerts_page=x)
            return render(request, "error.html", 400, title="Not a valid address",
                          message=f"This address has a part that is not valid ({detail}).")
        return JSONResponse({"detail": detail}, status_code=422)

    app.include_router(routes_api.router)
    app.include_router(routes_feedback.router)
    app.include_router(routes_plan.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_session.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.token:
        app.add_middleware(TokenMiddleware, token=settings.token)
    app.add_middleware(BodyLimit, limit=limit)  # before anything reads
    if not settings.token:  # loopback (settings.check): browsers are who must be kept out
        app.add_middleware(BrowserGuard, host=settings.host)
    return app


def _report(task: asyncio.Task[None]) -> None:
    """A background task that failed says so (one line) instead of vanishing."""
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        log.error("background task failed: %s: %s", type(exc).__name__, exc)
