"""Sessions in a real browser (issue 14 item 6, "What to build"): times in the browser's
own time zone, newest first, rename, and delete only after a confirmation."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_harness import Server, start_server

from sensorcoach.store import Store


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    db = tmp_path / "db.sqlite3"
    with Store(db) as st:
        for name, when in (("january desk", "2026-01-05T09:00:00Z"),
                           ("december desk", "2026-12-01T08:30:00Z")):
            sid = st.create_session(name, "upload", sample_rate_hz=50, has_gyro=True,
                                    live=False)
            st.append_samples(sid, *_block())
            st.add_alert(sid, 40.0, "slump", "slumped for 30 s: sit up", delivered=True)
            st.finish_session(sid, summary={"duration_s": 1800.0, "started_at": when,
                                            "upright_pct": 80.0, "slumped_pct": 10.0,
                                            "slumps": 1, "holds": 0}, analysis=None)
    srv = start_server(db)
    yield srv
    srv.stop()


def _block() -> tuple[Any, Any, None]:
    import numpy as np

    t = np.arange(50) / 50.0
    return t, np.vstack([np.zeros(50), np.zeros(50), np.ones(50)]), None


def test_session_list_newest_first_in_local_time(browser: Any, server: Server) -> None:
    ctx = browser.new_context(timezone_id="America/New_York", locale="en-US")
    page = ctx.new_page()
    page.goto(server.url + "/sessions")
    rows = page.locator("#sessions tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).inner_text()
    assert "december desk" in first and "january desk" in rows.nth(1).inner_text()
    # 08:30 UTC is 3:30 AM in New York; no raw "T08:30:00Z" anywhere
    assert "3:30" in first and "AM" in first, first
    assert "T08:30" not in page.locator("main").inner_text()
    assert "30 min 00 s" in first  # a duration with units
    ctx.close()
    ctx = browser.new_context(timezone_id="Asia/Tokyo", locale="en-US")
    page = ctx.new_page()
    page.goto(server.url + "/sessions")
    assert "5:30" in page.locator("#sessions tbody tr").nth(0).inner_text()  # 17:30 JST
    ctx.close()


def test_rename_and_delete_after_confirmation(browser: Any, server: Server) -> None:
    page = browser.new_page()
    page.goto(server.url + "/sessions")
    page.locator("#sessions a", has_text="december desk").click()
    page.wait_for_selector("#session-name")
    assert page.locator("#rename-form").is_hidden()
    page.click("#rename-btn")
    page.fill("#rename-input", "Monday at the desk")
    page.click("#rename-form button[type=submit]")
    page.wait_for_function("document.getElementById('session-name').textContent"
                           " === 'Monday at the desk'")
    sid = page.locator("#session-name").get_attribute("data-session")
    page.click("#delete-btn")
    dialog = page.locator("#delete-dialog")
    assert dialog.is_visible() and "cannot be undone" in dialog.inner_text()
    dialog.locator("button", has_text="Keep it").click()
    assert dialog.is_hidden()
    with urllib.request.urlopen(f"{server.url}/api/sessions/{sid}") as r:
        assert json.load(r)["name"] == "Monday at the desk"  # kept
    page.click("#delete-btn")
    page.click("#delete-confirm")
    page.wait_for_url("**/sessions")
    assert page.locator("#sessions a", has_text="Monday").count() == 0
    assert page.locator("#sessions a", has_text="january desk").count() == 1
    with Store(server.ctx.db_path) as st:
        assert st.db.execute("SELECT COUNT(*) FROM samples WHERE session_id = ?",
                             (int(sid or 0),)).fetchone()[0] == 0
    page.close()


def test_today_opens_by_default_and_the_goal_form_saves(browser: Any, server: Server) -> None:
    page = browser.new_page()
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text().startswith("Today")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Today"
    page.fill("#goal-form input[name=hold_s]", "90")
    page.fill("#goal-form input[name=upright_pct]", "75")
    with page.expect_navigation():
        page.click("#goal-form button[type=submit]")
    assert "1 min 30 s of holds" in page.locator("#tile-holds").inner_text()
    assert "at least 75 % upright" in page.locator("#tile-upright").inner_text()
    page.fill("#goal-form input[name=upright_pct]", "150")  # the browser refuses it first
    page.click("#goal-form button[type=submit]")
    assert page.evaluate("document.querySelector('#goal-form input[name=upright_pct]')"
                         ".validity.valid") is False
    page.close()
