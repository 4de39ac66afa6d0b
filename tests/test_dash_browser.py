"""The dashboard in a real browser: Debian's chromium, headless, driven by Playwright.

Skipped (saying why) when chromium or Playwright is missing, except in CI (``CI=true``),
where that is a failure.  Playwright's own browser download is never used.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from dash_harness import launch, page_of, start_server

from dashboard.context import Context
from sensorcoach.recording import Recording

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # another site whose name resolves to this machine (as after DNS rebinding)
    yield from launch(("--host-resolver-rules=MAP evil.example 127.0.0.1",))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    srv = start_server(tmp_path_factory.mktemp("b") / "db.sqlite3")
    yield srv.url, srv.app
    srv.stop()


def test_upload_shows_session_and_chart(browser: Any, server: tuple[str, Any]) -> None:
    url, _ = server
    page, errors = page_of(browser)
    page.goto(url + "/sessions")
    page.set_input_files("#upload-file", str(FIX / "workout_steady.csv.gz"))
    page.click("#upload-form button")
    row = page.locator("#sessions tbody tr", has_text="workout_steady")
    row.wait_for(timeout=20_000)
    assert "workout" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("#angle-chart canvas", timeout=10_000)
    box = page.locator("#angle-chart canvas").first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert page.locator("text=Left vs right").count() == 1
    page.goto(url + "/trends")
    page.wait_for_selector("#trend-7 canvas", timeout=10_000)
    assert not errors, errors
    page.close()


def test_live_replay_raises_a_toast(browser: Any, server: tuple[str, Any]) -> None:
    url, app = server
    page, errors = page_of(browser)
    page.goto(url + "/live")
    page.wait_for_selector("#conn.on", timeout=10_000)
    ctx: Context = app.state.ctx
    assert ctx.bus.loop is not None
    rec = Recording.read(FIX / "desk_chest_100hz.csv.gz")

    async def start() -> None:  # the first slump alert is ~118 s in: ~3 s at 40x
        ctx.hub.start_replay(rec, name="browser replay", speed=40.0)

    asyncio.run_coroutine_threadsafe(start(), ctx.bus.loop).result(10)
    page.wait_for_selector(".card .state", timeout=15_000)
    toast = page.locator("#toasts .toast").first
    toast.wait_for(timeout=30_000)
    assert "Posture" in toast.inner_text()
    assert not errors, errors
    page.close()


ATTACK = """<!doctype html><title>cute cats</title>
<form id="f" method="POST" enctype="text/plain" action="%(target)s/api/recordings?name=csrf-form">
<input name="x" value="y"></form>
<script>
const csv = %(csv)s;
const fd = new FormData();
fd.append("file", new File([csv], "csrf.csv", {type: "text/csv"}));
const push = {messageId: 0, sessionId: "csrf-phone", deviceId: "csrf", payload: []};
Promise.allSettled([
  fetch("%(target)s/api/recordings", {method: "POST", mode: "no-cors", body: fd}),
  fetch("%(target)s/api/push/sensorlogger", {method: "POST", mode: "no-cors",
                                             body: new Blob([JSON.stringify(push)])}),
]).then(() => document.getElementById("f").submit());
</script>"""


def _attacker(html: str) -> tuple[ThreadingHTTPServer, int]:
    """Another site (http://evil.example:PORT/, resolved to this machine by chromium)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, int(srv.server_address[1])


def test_another_site_cannot_post_or_rebind(browser: Any, server: tuple[str, Any]) -> None:
    url, app = server
    port = url.rsplit(":", 1)[1]
    text = gzip.decompress((FIX / "workout_steady.csv.gz").read_bytes()).decode()
    csv = "\n".join(text.splitlines()[:1500])  # ~30 s: enough to be stored as a session
    srv, evil_port = _attacker(ATTACK % {"target": url, "csv": json.dumps(csv)})
    page, _ = page_of(browser)
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.request.method, r.status))
            if r.url.startswith(url) else None)
    try:
        page.goto(f"http://evil.example:{evil_port}/")
        deadline = time.monotonic() + 20
        while len([s for s in seen if s[0] == "POST"]) < 3 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        # the posts reached the dashboard and were refused (not blocked on the way)
        assert sorted(seen) == [("POST", 403)] * 3, seen
        # DNS rebinding: the dashboard's own port under the other site's name (in a page of
        # its own: the attacker page's form post may still be navigating its frame)
        page2, _ = page_of(browser)
        try:
            r = page2.goto(f"http://evil.example:{port}/api/sessions")
            assert r is not None and r.status == 400
        finally:
            page2.close()
    finally:
        page.close()
        srv.shutdown()
        srv.server_close()
    with urllib.request.urlopen(url + "/api/sessions") as resp:
        names = [s["name"] for s in json.load(resp)]
    assert not [n for n in names if "csrf" in n or "Sensor Logger" in n], names
    assert not any(ls.source == "sensorlogger" for ls in app.state.ctx.hub.sessions.values())
