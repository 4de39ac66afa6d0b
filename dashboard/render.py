"""Rendering the pages: the templates, the token carried on links, JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from dashboard import names, routine_guide
from dashboard.security import request_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["names_json"] = json.dumps(names.ALL)
templates.env.filters["duration"] = names.duration
templates.env.filters["clock"] = names.clock


def json_script(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(obj).replace("<", "\\u003c").replace(">", "\\u003e")


# the live page's guided routine: the exercises it offers (dashboard/routine_guide.py)
templates.env.globals["routine_json"] = json_script(routine_guide.exercises())


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    tok = request_token_of(request)
    ctx.update(token=tok or "", q=f"?token={quote(tok, safe='')}" if tok else "",
               amp=f"&token={quote(tok, safe='')}" if tok else "",
               path=request.url.path)
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def request_token_of(request: Request) -> str | None:
    return request_token(request.scope)


def wants_html(request: Request) -> bool:
    """A page, not the API: every path outside ``/api/`` unless the client asks for
    JSON only."""
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "json" not in accept
