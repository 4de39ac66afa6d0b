"""'That was not a slump' in Chromium at phone size: a tap on a slump alert changes the
thresholds shown, the next analysed session uses them, and a live alert can be marked."""

from __future__ import annotations

from typing import Any

from dash_harness import Server, page_of, upload

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
VALUE = "Number(document.querySelector('#feedback .fb-values').dataset.slumpOnDeg)"


def test_a_tap_on_an_alert_moves_the_thresholds_and_the_next_session_uses_them(
        browser: Any, server: Server) -> None:
    first = upload(server.url, "desk_noisy", "first")  # lower back: slumps from 9 deg
    page, errors = page_of(browser, **PHONE)
    page.goto(f"{server.url}/sessions/{first}")
    marks = page.locator("#feedback .fb-mark")
    marks.first.wait_for(timeout=15_000)
    page.wait_for_function(f"{VALUE} > 0", timeout=10_000)
    assert page.evaluate(VALUE) == 9.0
    assert "defaults" in page.locator("#feedback .fb-used").inner_text()
    before = marks.count()
    assert before >= 3
    third = marks.nth(2)
    box = third.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # on the phone's screen
    third.tap()
    page.wait_for_function(f"{VALUE} > 9", timeout=10_000)
    learnt = page.evaluate(VALUE)
    assert 9.0 < learnt <= 19.0
    assert third.inner_text() == "Undo"
    page.locator("#feedback details summary").tap()
    assert "raised" in page.locator("#feedback .fb-history li").first.inner_text()

    second = upload(server.url, "desk_noisy", "second")
    page.goto(f"{server.url}/sessions/{second}")
    used = page.locator("#feedback .fb-used")
    page.wait_for_function("document.querySelector('#feedback .fb-used')"
                           ".textContent.includes('your own')", timeout=15_000)
    assert f"{round(learnt, 1):g}\u00b0" in used.inner_text()
    # the same recording: fewer slump alerts than with the defaults
    page.locator("#feedback .fb-alerts li").first.wait_for(timeout=10_000)
    assert page.locator("#feedback .fb-mark").count() < before
    # reset: back to the defaults on the page
    page.locator("#feedback .fb-reset").tap()
    page.wait_for_function(f"{VALUE} === 9", timeout=10_000)
    assert not errors, errors
    page.close()


def test_a_live_slump_alert_can_be_marked_from_the_live_page(browser: Any,
                                                             server: Server) -> None:
    page, errors = page_of(browser, **PHONE)
    page.goto(server.url + "/live")
    page.locator("#feedback .fb-values").wait_for(timeout=10_000)
    # no placement known yet: the upper back's default
    page.wait_for_function(f"{VALUE} === 11", timeout=10_000)
    server.replay("desk_noisy", 40.0, name="desk now")  # first alert at 271.5 s: ~7 s
    mark = page.locator("#feedback .fb-mark").first
    mark.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # the alert row is committed within a second
    mark.tap()
    page.wait_for_function("document.querySelector('#feedback .fb-mark').textContent === 'Undo'",
                           timeout=10_000)
    # the alert's episode ends within seconds of stream time: then it teaches
    page.wait_for_function(
        "fetch('/api/profile?placement=lower_back').then(r => r.json())"
        ".then(p => p.thresholds.slump_on_deg.value > 9)", timeout=30_000, polling=500)
    # the page shows the thresholds of the session's placement (lower back) once marked
    page.wait_for_function(f"{VALUE} > 9 && {VALUE} < 19", timeout=10_000)
    assert "learnt from your marks" in page.locator("#feedback .fb-values").inner_text()
    assert not errors, errors
    page.close()


def test_a_live_mark_on_a_slump_under_way_shows_its_verdict_without_a_reload(
        browser: Any, server: Server) -> None:
    """Walking ``make demo``: a live alert marked while its slump still ran said 'counts
    once its slump has ended', and the page kept saying so (and the old thresholds) until
    reloaded."""
    page, errors = page_of(browser, **PHONE)
    page.goto(server.url + "/live")
    page.locator("#feedback .fb-values").wait_for(timeout=10_000)
    server.replay("desk_chest_100hz", 10.0, name="desk now")  # alert ~12 s, slump to ~21 s
    mark = page.locator("#feedback .fb-mark").first
    mark.wait_for(timeout=60_000)
    assert page.locator("#feedback .fb-alerts li").first.inner_text().startswith("desk now, ")
    page.wait_for_timeout(1000)  # the alert row is committed within a second
    mark.tap()
    waiting = ("[...document.querySelectorAll('#feedback .fb-history li')]"
               ".some(li => li.textContent.includes('counts once its slump has ended'))")
    page.wait_for_function(waiting, timeout=10_000)  # marked while the slump ran
    page.wait_for_function(f"!({waiting}) && document.querySelector('#feedback .fb-history li')"
                           ".textContent.includes('marked not a slump')", timeout=60_000)
    assert not errors, errors
    page.close()


def test_an_alert_can_be_marked_right_and_taken_back(browser: Any, server: Server) -> None:
    import json
    import urllib.request

    sid = upload(server.url, "desk_noisy", "marked right")
    page, errors = page_of(browser, **PHONE)
    page.goto(f"{server.url}/sessions/{sid}")
    row = page.locator("#feedback .fb-alerts li").first
    right = row.locator(".fb-right")
    right.wait_for(timeout=15_000)
    box = right.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # on the phone's screen
    right.tap()
    page.wait_for_function("document.querySelector('#feedback .fb-alerts li .fb-state')"
                           ".textContent.includes('marked right')", timeout=10_000)
    assert right.is_hidden() and row.locator(".fb-mark").inner_text() == "Undo"

    def verdicts() -> list[Any]:
        with urllib.request.urlopen(f"{server.url}/api/sessions/{sid}/alerts") as r:
            return [a.get("verdict") for a in json.load(r) if a["kind"] == "slump"]

    assert verdicts()[0] == "right"
    page.locator("#feedback details summary").tap()
    assert "marked right" in page.locator("#feedback .fb-history").inner_text()
    row.locator(".fb-mark").tap()  # Undo
    right.wait_for(state="visible", timeout=10_000)
    assert verdicts()[0] is None
    assert not errors, errors
    page.close()
