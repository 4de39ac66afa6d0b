"""Every page on a phone and for everyone (issue 14 items 2, 10, 11): no sideways
scrolling at 360 and 390 px, tables that fit, tap targets of at least 44 px, one h1 per
page, text contrast of at least 4.5:1, human 404 pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dash_harness import Server, page_of, start_server, upload


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, list[str]]]:
    srv = start_server(tmp_path_factory.mktemp("layout") / "db.sqlite3")
    w = upload(srv.url, "workout_weak_left", "a workout with a long name_without_spaces_here")
    d = upload(srv.url, "desk_noisy")
    m = upload(srv.url, "mixed")
    srv.replay("desk_chest_100hz", 2.0, name="desk live")
    yield srv, ["/", "/sessions", "/live", "/trends", f"/sessions/{w}", f"/sessions/{d}",
                f"/sessions/{m}", "/sessions/abc", "/no/such/page"]
    srv.stop()


OVERFLOW = """() => {
  const doc = document.scrollingElement.scrollWidth - window.innerWidth;
  const tables = [...document.querySelectorAll('table')]
    .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
    .map(t => t.id || t.className);
  const wide = [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className).slice(0, 5);
  return {doc, tables, wide};
}"""

TAPS = """() => [...document.querySelectorAll(
    'header a, nav a, button, input, select, table a, .pager a')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 20),
             e.getBoundingClientRect().height, e.getBoundingClientRect().width])
  .filter(([, h, w]) => h < 44 || w < 44)"""

CONTRAST = """() => {
  const lum = c => { const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(x => {
      x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const bg = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
      const a = c.match(/[\\d.]+/g); if (a && (a.length < 4 || Number(a[3]) > 0.5)) return c; }
    return 'rgb(255, 255, 255)'; };
  const bad = [];
  for (const e of document.querySelectorAll('body *')) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!e.offsetParent || !own) continue;
    if (e.closest('.card') && document.body.classList.contains('stale-view')) continue;
    const s = getComputedStyle(e);
    const a = lum(s.color), b = lum(bg(e));
    const r = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const what = e.tagName + '.' + e.className;
    if (r < 4.5) bad.push([what, e.textContent.trim().slice(0, 20), r.toFixed(2)]);
  }
  return bad;
}"""


@pytest.mark.parametrize("width", [360, 390])
def test_no_page_scrolls_sideways_and_taps_are_44px(browser: Any,
                                                    server: tuple[Server, list[str]],
                                                    width: int) -> None:
    srv, paths = server
    page, errors = page_of(browser, viewport={"width": width, "height": 800})
    for path in paths:
        page.goto(srv.url + path)
        page.wait_for_load_state("networkidle") if path != "/live" and path != "/sessions" \
            else page.wait_for_timeout(1500)
        if page.locator(".chart").count():
            page.wait_for_selector(".chart canvas", timeout=15_000)
        res = page.evaluate(OVERFLOW)
        assert res["doc"] <= 0 and not res["tables"] and not res["wide"], (path, res)
        small = page.evaluate(TAPS)
        assert not small, (path, small)
    assert not [e for e in errors if "status of 404" not in e], errors  # the 404 pages
    page.close()


def test_every_page_has_one_h1_and_readable_text(browser: Any,
                                                 server: tuple[Server, list[str]]) -> None:
    srv, paths = server
    page, errors = page_of(browser, viewport={"width": 1280, "height": 800})
    for path in paths:
        page.goto(srv.url + path)
        page.wait_for_timeout(300)
        assert page.locator("h1").count() == 1, path
        bad = page.evaluate(CONTRAST)
        assert not bad, (path, bad)
    page.goto(srv.url + "/live")
    page.wait_for_selector("#conn.on", timeout=10_000)
    assert page.locator("#conn .conn-text").inner_text() == "live"  # not by colour alone
    assert not [e for e in errors if "status of 404" not in e], errors  # the 404 pages
    page.close()


def test_unknown_pages_are_human_404s(browser: Any, server: tuple[Server, list[str]]) -> None:
    srv, _ = server
    page, _ = page_of(browser)
    for path, words in (("/sessions/abc", "no session"), ("/no/such/page", "no page"),
                        ("/sessions/99999", "no session 99999")):
        r = page.goto(srv.url + path)
        assert r is not None and r.status == 404
        assert "text/html" in (r.headers.get("content-type") or "")
        assert words in page.locator("main").inner_text().lower(), path
        assert page.locator("a", has_text="Go to Today").count() == 1
    page.close()
