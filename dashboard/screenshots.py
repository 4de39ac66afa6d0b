"""``make screenshots``: every page of the demo at 1280x800 and 390x844, full length,
into ``build/screenshots/`` (not committed), for review.

Runs the demo's app (its imports and live replays) on a temporary database, drives
Debian's chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) through Playwright, waits
until a live card shows a hold, then shoots each page at both sizes.  One line per file.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn

from dashboard.app import create_app
from dashboard.server import DemoPlan, demo_task
from dashboard.settings import Settings

SIZES = ((1280, 800), (390, 844))
OUT = Path(__file__).resolve().parents[1] / "build" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _serve(db: Path) -> tuple[str, uvicorn.Server, threading.Thread]:
    plan = DemoPlan(live=(("desk_chest_100hz", 10.0), ("workout_steady", 8.0)))
    app = create_app(Settings(db=db), tasks=[demo_task(plan)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                       timeout_graceful_shutdown=1))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    while not srv.started:
        if not th.is_alive():
            raise SystemExit("screenshots: the dashboard did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", srv, th


def _sessions(url: str, want: int, timeout_s: float) -> list[dict[str, Any]]:
    """The finished sessions once ``want`` of them are stored (the demo's imports)."""
    deadline = time.monotonic() + timeout_s
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "/api/sessions") as r:
            rows = [s for s in json.load(r) if not s["live"]]
        if len(rows) >= want:
            break
        time.sleep(0.5)
    return rows


def _pages(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pages = [("today", "/"), ("sessions", "/sessions"), ("live", "/live"),
             ("trends", "/trends")]
    seen: set[str] = set()
    for s in rows:
        kind = s.get("kind") or "session"
        if kind not in seen:
            seen.add(kind)
            pages.append((f"session-{kind}", f"/sessions/{s['id']}"))
    pages.append(("not-found", "/no/such/page"))
    return pages


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = ap.parse_args(argv)
    chromium = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        print(f"screenshots: no chromium at {chromium} (apt-get install chromium, or set "
              "CHROMIUM)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sensorcoach-shots-") as tmp:
        url, srv, th = _serve(Path(tmp) / "demo.sqlite3")
        try:
            rows = _sessions(url, len(DemoPlan().imports), 180)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
                live = browser.new_page()
                live.goto(url + "/live")  # wait for a hold on a live card
                live.wait_for_function(
                    "[...document.querySelectorAll('.card .lead-label')]"
                    ".some(e => e.textContent === 'Holding for')", timeout=120_000)
                live.close()
                for w, h in SIZES:
                    page = browser.new_page(viewport={"width": w, "height": h})
                    for name, path in _pages(rows):
                        page.goto(url + path)
                        page.wait_for_timeout(1500)  # charts drawn, live cards filled
                        f = args.out / f"{name}-{w}x{h}.png"
                        page.screenshot(path=str(f), full_page=True)
                        print(f)
                    page.close()
                browser.close()
        finally:
            srv.should_exit = True
            th.join(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
