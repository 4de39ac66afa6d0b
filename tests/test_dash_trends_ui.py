"""Trend charts in a real browser (issue 14 item 7): end bars whole, whole-number slump
ticks, nothing drawn on days without slumps, plank days outside the upright line, a
chart of hold time per week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_harness import Server, page_of, start_server

from sensorcoach.store import Store

#: (days ago, slumps, kind) of the stored sessions
DAYS = ((0, 1, "desk"), (1, 0, "desk"), (2, 0, "workout"), (3, 2, "desk"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    db = tmp_path / "db.sqlite3"
    today = dt.date.today()
    with Store(db) as st:
        for ago, slumps, kind in DAYS:
            sid = st.create_session(f"{kind} {ago}", "upload", sample_rate_hz=50,
                                    has_gyro=True, live=False)
            day = (today - dt.timedelta(days=ago)).isoformat()
            st.finish_session(sid, summary={
                "duration_s": 600.0, "started_at": f"{day}T10:00:00", "upright_pct": 80.0,
                "slumped_pct": 10.0, "slumps": slumps, "holds": 3 if kind == "workout" else 0,
                "kind": kind}, analysis=None)
            if kind == "workout":
                st.add_event(sid, "hold", 10.0, 70.0, {"kind": "plank", "duration_s": 60.0})
    srv = start_server(db)
    yield srv
    srv.stop()


def test_trend_bars_whole_ticks_integer_and_no_zero_slump_marks(browser: Any,
                                                                server: Server) -> None:
    page, errors = page_of(browser)
    page.goto(server.url + "/trends")
    page.wait_for_selector("#trend-7 canvas")
    got = page.evaluate("""() => { const u = SC.charts['trend-7'];
        return {x: [u.scales.x.min, u.scales.x.max], ticks: u.axes[2]._splits,
                slumps: u.data[1], upright: u.data[2]}; }""")
    assert got["x"] == [-0.5, 6.5]  # the first and last bars are whole
    assert all(float(t).is_integer() for t in got["ticks"]), got["ticks"]
    # oldest first: 3 days ago 2 slumps, plank day and a zero-slump day draw nothing
    assert got["slumps"][-4:] == [2, None, None, 1]
    assert got["upright"][-3] is None and got["upright"][-1] == pytest.approx(88.9, abs=0.1)
    weeks = page.evaluate("SC.charts['trend-weeks'].data[1]")
    assert weeks[-1] == 1.0 or weeks[-2] == 1.0  # 60 s of plank this week (or last)
    assert "Plank" in page.locator("#bests").inner_text()
    assert not errors, errors
    page.close()
