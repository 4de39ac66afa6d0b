"""Shared by the dashboard's browser tests: Debian's chromium through Playwright and a
real uvicorn server in a thread (stoppable, for the stale-view test)."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from dashboard.app import create_app
from dashboard.context import Context
from dashboard.settings import Settings
from sensorcoach.recording import Recording

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"


def need(what: str) -> None:
    msg = f"browser test needs {what}"
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (CI=true: .ci/run installs it with apt)")
    pytest.skip(msg)


def launch(extra_args: tuple[str, ...] = ()) -> Iterator[Any]:
    """A headless chromium (skips, or fails in CI, when it is missing); ``extra_args``
    go to chromium after :data:`ARGS`."""
    if not CHROMIUM.exists():
        need("Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("Playwright for Python (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[*ARGS, *extra_args],
                              headless=True)
        yield b
        b.close()


@dataclass
class Server:
    url: str
    app: Any
    srv: uvicorn.Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def ctx(self) -> Context:
        ctx: Context = self.app.state.ctx
        return ctx

    def stop(self) -> None:
        """As ``serve`` stops on Ctrl-C: the live streams end, then the server."""
        loop = self.ctx.bus.loop
        if loop is not None and not loop.is_closed() and self.thread.is_alive():
            loop.call_soon_threadsafe(self.ctx.bus.close)
        self.srv.should_exit = True
        self.thread.join(15)

    def run(self, fn: Any) -> Any:
        """``fn()`` on the server's event loop (live replays must start there)."""
        loop = self.ctx.bus.loop
        assert loop is not None

        async def call() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(15)

    def replay(self, fixture: str, speed: float, name: str | None = None) -> int:
        rec = Recording.read(FIX / f"{fixture}.csv.gz")
        ls = self.run(lambda: self.ctx.hub.start_replay(rec, name=name or fixture,
                                                        speed=speed))
        return int(ls.id)


def start_server(db: Path, log_level: str = "warning", **settings: Any) -> Server:
    """A real uvicorn server on a free loopback port, in a thread, with ``settings``."""
    app = create_app(Settings(db=db, **settings))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level,
                                       timeout_graceful_shutdown=1, lifespan="on"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline and th.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    return Server(f"http://127.0.0.1:{port}", app, srv, th)


def page_of(browser: Any, **kw: Any) -> tuple[Any, list[str]]:
    """A new page and the JavaScript errors it logs."""
    page = browser.new_page(**kw)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def upload(url: str, fixture: str, name: str | None = None) -> int:
    import json
    import urllib.parse
    import urllib.request

    q = urllib.parse.quote(name or fixture)
    req = urllib.request.Request(
        f"{url}/api/recordings?name={q}", method="POST",
        data=(FIX / f"{fixture}.csv.gz").read_bytes(),
        headers={"content-type": "application/gzip"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return int(json.load(r)["id"])
