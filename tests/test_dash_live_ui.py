"""Live view in a real browser (issue 14 items 1, 3, 4, 5): working controls on cards
that update in place, a dead view that looks dead, cards that lead with the right thing,
an events log grouped per session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_harness import Server, page_of, start_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    # samples at 20 Hz: the rate at which a rebuilt card used to swallow clicks
    srv = start_server(tmp_path / "db.sqlite3", sample_hz=20.0)
    yield srv
    srv.stop()


def test_snooze_works_with_a_150ms_press_and_the_keyboard(browser: Any,
                                                          server: Server) -> None:
    server.replay("desk_chest_100hz", 10.0, name="desk now")  # a view every 50 ms
    page, errors = page_of(browser)
    page.goto(server.url + "/live")
    snooze = page.locator(".card .snooze")
    snooze.wait_for(timeout=15_000)
    # angles shown: calibrated, samples flowing (20 a second)
    page.wait_for_function("document.querySelector('.card').innerText.includes('\u00b0')",
                           timeout=20_000)
    box = snooze.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(150)  # a normal click, while samples arrive at 20 Hz
    page.mouse.up()
    page.wait_for_function("document.querySelector('.card .snooze').textContent"
                           ".includes('Resume')", timeout=5_000)
    assert "alerts snoozed" in page.locator(".card .counts").inner_text()
    snooze.focus()
    page.wait_for_timeout(600)  # a dozen sample updates later focus is still there
    assert page.evaluate("document.activeElement.classList.contains('snooze')")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('.card .snooze').textContent"
                           ".includes('Snooze')", timeout=5_000)
    assert page.evaluate("document.activeElement.classList.contains('snooze')")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('.card .snooze').textContent"
                           ".includes('Resume')", timeout=5_000)
    assert not errors, errors
    page.close()


def test_calibrate_answers_a_150ms_press(browser: Any, server: Server) -> None:
    server.replay("desk_chest_100hz", 10.0)
    page, errors = page_of(browser)
    page.goto(server.url + "/live")
    cal = page.locator(".card .calibrate")
    cal.wait_for(timeout=15_000)
    page.wait_for_function("document.querySelector('.card').innerText.includes('\u00b0')",
                           timeout=20_000)
    box = cal.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(150)
    page.mouse.up()
    page.locator("#toasts .toast", has_text="Calibration restarted").wait_for(timeout=5_000)
    cal.focus()
    page.wait_for_timeout(600)
    assert page.evaluate("document.activeElement.classList.contains('calibrate')")
    assert not errors, errors
    page.close()


def test_stale_banner_within_5s_of_the_server_stopping(browser: Any, server: Server) -> None:
    server.replay("workout_steady", 20.0)
    page, _ = page_of(browser)
    page.goto(server.url + "/live")
    page.locator(".card .lead").wait_for(timeout=15_000)
    page.wait_for_selector("#conn.on", timeout=10_000)
    assert page.locator("#stale").is_hidden()
    server.stop()
    page.wait_for_selector("#stale:not([hidden])", timeout=5_000)
    assert "Not live" in page.locator("#stale").inner_text()
    assert page.locator("#conn .conn-text").inner_text() == "offline"  # not by colour alone
    opacity = float(page.evaluate("getComputedStyle(document.querySelector('.card')).opacity"))
    assert opacity < 0.6
    page.close()


def test_hold_card_leads_with_the_timer_and_log_uses_human_names(browser: Any,
                                                                server: Server) -> None:
    page, errors = page_of(browser)
    page.goto(server.url + "/live")
    page.wait_for_selector("#conn.on", timeout=10_000)
    sid = server.replay("workout_steady", 20.0, name="core workout")
    page.wait_for_function("(document.querySelector('.card .lead-label') || {}).textContent"
                           " === 'Holding for'", timeout=30_000)
    lead = page.locator(".card .lead").inner_text()
    assert re.fullmatch(r"\d+\.\d s", lead), lead
    assert page.locator(".card .state").inner_text() in (
        "Plank", "Side plank (left)", "Side plank (right)")
    group = page.locator(f".log-group[data-session='{sid}']")
    assert "core workout" in group.locator("h3").inner_text()
    assert group.locator(".placeholder").count() == 1  # opened mid-session: says so
    page.wait_for_function(f"document.querySelector(\".log-group[data-session='{sid}']\")"
                           ".innerText.includes('held')", timeout=30_000)
    text = page.locator("#live-log").inner_text()
    assert "_" not in text, text
    assert "SLUMPED" not in page.locator(".card").inner_text().upper().replace(
        "SLUMPS", "")
    assert not errors, errors
    page.close()
