"""The token check: every request but ``GET /healthz`` carries the token, as
``Authorization: Bearer TOKEN`` or ``?token=TOKEN`` (phone apps can only set a URL).

A pure ASGI middleware (not ``BaseHTTPMiddleware``) so server-sent event streams and
uploads pass through untouched.  Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz"})


def request_token(scope: Scope) -> str | None:
    """The token a request carries (header first, then the query string)."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            v = bytes(value).decode("latin-1")
            if v[:7].lower() == "bearer ":
                return v[7:].strip()
    qs = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
    vals = qs.get("token")
    return str(vals[0]) if vals else None


class TokenMiddleware:
    """401 with ``{"detail": ...}`` for requests without the right token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        got = request_token(scope)
        if got is not None and hmac.compare_digest(got.encode(), self.token):
            await self.app(scope, receive, send)
            return
        why = ("missing token: send 'Authorization: Bearer TOKEN' or add ?token=TOKEN"
               if got is None else "wrong token")
        await _json(send, 401, why, [(b"www-authenticate", b"Bearer")])


class BodyLimit:
    """413 with ``{"detail": ...}`` for a declared ``Content-Length`` over the limit,
    before a byte of the body is read; bodies without one are counted as they stream and
    the handler reading them gets an HTTPException(413) the moment they pass it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", []):
                if name == b"content-length":
                    try:
                        size = int(bytes(value))
                    except ValueError:
                        size = 0
                    if size > self.limit:
                        await _json(send, 413, too_large(self.limit))
                        return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, too_large(self.limit))
            return msg

        await self.app(scope, counted if scope["type"] == "http" else receive, send)


def too_large(limit: int) -> str:
    return f"request body too large: the limit is {limit} bytes"


async def _json(send: Send, status: int, detail: str,
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
