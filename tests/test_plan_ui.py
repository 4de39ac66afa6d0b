"""The Today page's plan in a real browser at phone size (390 x 844; issue 16 items 4, 5):
the person sets a plan with the form, a routine recorded today (the routine fixture,
uploaded through the API) counts against it, what is left and the streak show, and a
second session finishing the day turns today to done."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import urllib.request
from pathlib import Path
from typing import Any

from dash_harness import FIX, Server, page_of

from sensorcoach.store import Store

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
#: The plan the person enters: what the routine fixture does, plus a second glute bridge.
PLAN = {"plank": (1, 60), "side_plank_left": (1, 30), "side_plank_right": (1, 30),
        "bird_dog_left": (3, 7), "glute_bridge": (2, 30), "child_pose": (1, 20)}


def upload_routine_recorded_at(url: str, when: dt.datetime) -> int:
    """The routine fixture with its header's start moved to ``when``, through the API."""
    text = gzip.decompress((FIX / "routine_100hz.csv.gz").read_bytes()).decode()
    lines = [f"# started_at: {when.isoformat()}" if ln.startswith("# started_at:") else ln
             for ln in text.splitlines()]
    req = urllib.request.Request(f"{url}/api/recordings?name=routine", method="POST",
                                 data="\n".join(lines).encode(),
                                 headers={"content-type": "text/csv"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return int(json.load(r)["id"])


def store_session(db: Path, when: dt.datetime, holds: list[dict[str, Any]],
                  reps: list[dict[str, Any]]) -> None:
    with Store(db) as st:
        sid = st.create_session("more", "upload", sample_rate_hz=100.0, has_gyro=True,
                                live=False)
        st.finish_session(sid, summary={"started_at": when.isoformat(), "holds": len(holds)},
                          analysis={"holds": holds, "reps": reps})


def fill_plan(page: Any) -> None:
    """Open "Change the plan", tick exactly the exercises of PLAN, set sets and targets."""
    page.click("#plan-edit summary")
    for row in page.query_selector_all("#plan-form tr[data-exercise]"):
        name = row.get_attribute("data-exercise")
        box = row.query_selector("input[name=on]")
        if name in PLAN:
            box.check()
            sets, target = PLAN[name]
            row.query_selector("input[name=sets]").fill(str(sets))
            row.query_selector("input[name=target]").fill(str(target))
            unit = row.query_selector("select[name=unit]")
            if unit is not None:
                unit.select_option("s")
        else:
            box.uncheck()
    page.check("#plan-form input[name=every_days][value='1']")


def items(page: Any) -> dict[str, str]:
    return {li.get_attribute("data-exercise"): li.get_attribute("data-left")
            for li in page.query_selector_all("#plan-items li")}


def test_today_page_shows_the_plan_what_is_left_and_the_streak(browser: Any,
                                                               server: Server) -> None:
    page, errors = page_of(browser, **PHONE)
    page.goto(server.url + "/")
    assert page.get_attribute("#routine", "data-status") == "due"
    assert page.inner_text("#routine-streak").startswith("0 days")
    # the person makes the plan theirs
    fill_plan(page)
    with page.expect_navigation():
        page.click("#plan-form button[type=submit]")
    saved = json.load(urllib.request.urlopen(server.url + "/api/plan", timeout=10))
    assert saved["saved"] is True and saved["every_days"] == 1
    assert {e["exercise"]: (e["sets"], e["target"]) for e in saved["exercises"]} == PLAN
    assert saved["time_zone"]  # the browser's own zone
    assert set(items(page)) == set(PLAN)

    # yesterday's routine was whole (stored directly); today's is uploaded: the routine
    # fixture does one glute bridge of the two planned
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    sid = upload_routine_recorded_at(server.url, now)
    with Store(server.ctx.db_path) as st:
        row = next(r for r in st.exercise_sets() if r["id"] == sid)
    store_session(server.ctx.db_path, now - dt.timedelta(days=1),
                  row["holds"] + [{"kind": "glute_bridge", "duration_s": 35.0}], row["reps"])
    page.reload()
    assert page.get_attribute("#routine", "data-status") == "due"
    left = items(page)
    assert left == {**{k: "0" for k in PLAN}, "glute_bridge": "1"}, left
    assert page.inner_text("#routine-streak").startswith("1 day in a row")
    status = page.inner_text("#routine-status")
    assert "due today" in status and "1 set left" in status
    bridge = page.inner_text("#plan-items li[data-exercise=glute_bridge]")
    assert "1 of 2 sets" in bridge and "1 left" in bridge and "best today 37" in bridge

    # a second session today with the missing bridge: done, two days in a row
    store_session(server.ctx.db_path, now, [{"kind": "glute_bridge", "duration_s": 31.0}], [])
    page.reload()
    assert page.get_attribute("#routine", "data-status") == "done"
    assert set(items(page).values()) == {"0"}
    assert page.inner_text("#routine-streak").startswith("2 days in a row")
    assert "done today" in page.inner_text("#routine-status")
    # nothing scrolls sideways on the phone, the form open included
    page.click("#plan-edit summary")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    assert errors == []
