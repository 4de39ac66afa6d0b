"""Who may talk to the dashboard.

- With a token (required off loopback): every request but ``GET /healthz`` carries it, as
  ``Authorization: Bearer TOKEN`` or ``?token=TOKEN`` (phone apps can only set a URL).
  Tokens are compared in constant time.
- On loopback without a token, browsers are the risk: :class:`BrowserGuard` accepts only
  the server's own Host names (a page on a rebinding domain that resolves to 127.0.0.1
  sends its own name: refused) and refuses state-changing requests (POST, PUT, PATCH,
  DELETE) sent by another site's page (its ``Origin``, or ``Sec-Fetch-Site: cross-site``
  when a browser sends no Origin).  Clients that are not browsers (curl, phones) send
  neither header and pass.

Pure ASGI middlewares (not ``BaseHTTPMiddleware``) so server-sent event streams and
uploads pass through untouched.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import parse_qs, urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz"})
#: Names every loopback dashboard answers to (the configured host is added).
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

log = logging.getLogger(__name__)


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
        log.warning("refused %s %s from %s: %s", scope.get("method"), scope.get("path"),
                    _client(scope), why)
        await _json(send, 401, why, [(b"www-authenticate", b"Bearer")])


def host_name(host: str) -> str:
    """The name part of a ``Host`` header or an origin's netloc (``[::1]`` keeps its
    brackets), lower case, without port or trailing dot."""
    h = host.strip().lower()
    if h.startswith("["):
        end = h.find("]")
        return h[: end + 1] if end > 0 else h
    return h.split(":", 1)[0].rstrip(".")


class BrowserGuard:
    """For a loopback dashboard without a token: 400 for a ``Host`` that is not one of
    the server's names (DNS rebinding), 403 for a state-changing request from another
    site's page.  Ports are not compared for ``Host``: a rebinding page controls the name
    only, and a port forward (``ssh -L 9000:localhost:8000``) changes the port."""

    def __init__(self, app: ASGIApp, host: str) -> None:
        self.app = app
        own = host.strip().lower()
        if ":" in own and not own.startswith("["):
            own = f"[{own}]"  # an IPv6 address, as it appears in a Host header
        self.names = LOOPBACK_NAMES | {own}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {bytes(k): bytes(v).decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get(b"host")
        if host is not None and host_name(host) not in self.names:
            log.warning("refused %s %s from %s: Host %.80r is not this server",
                        scope.get("method"), scope.get("path"), _client(scope), host)
            await _json(send, 400, f"Host {host[:80]!r} is not this dashboard's name: open "
                        "it as http://127.0.0.1 or http://localhost (another name that "
                        "points here, as in DNS rebinding, is refused)")
            return
        if scope.get("method") in STATE_CHANGING:
            why = self.cross_site(headers, host)
            if why is not None:
                log.warning("refused %s %s from %s: %s", scope.get("method"),
                            scope.get("path"), _client(scope), why)
                await _json(send, 403, f"{why}: another site's page may not change this "
                            "dashboard (use the dashboard's own page, or a client that is "
                            "not a browser)")
                return
        await self.app(scope, receive, send)

    @staticmethod
    def cross_site(headers: dict[bytes, str], host: str | None) -> str | None:
        """Why a state-changing request comes from another site, or None."""
        origin = headers.get(b"origin")
        if origin is not None:
            o = origin.strip().lower()
            parts = urlsplit(o)
            same = (parts.scheme in ("http", "https") and host is not None
                    and parts.netloc == host.strip().lower())
            return None if same else f"cross-site request refused (Origin {origin[:80]!r})"
        if headers.get(b"sec-fetch-site", "").strip().lower() == "cross-site":
            return "cross-site request refused (Sec-Fetch-Site: cross-site)"
        return None


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
                        log.warning("refused %s %s from %s: Content-Length %d over %d",
                                    scope.get("method"), scope.get("path"), _client(scope),
                                    size, self.limit)
                        await _json(send, 413, too_large(self.limit))
                        return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    log.warning("refused %s %s from %s: body over %d bytes",
                                scope.get("method"), scope.get("path"), _client(scope),
                                self.limit)
                    raise TooLarge(too_large(self.limit))
            return msg

        await self.app(scope, counted if scope["type"] == "http" else receive, send)


class TooLarge(HTTPException):
    """413 whose detail names the limit that was passed (kept as is by the app)."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)


def _client(scope: Scope) -> str:
    c = scope.get("client")
    return str(c[0]) if c else "?"


def too_large(limit: int) -> str:
    return f"request body too large: the limit is {limit} bytes"


async def _json(send: Send, status: int, detail: str,
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
