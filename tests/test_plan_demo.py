"""``make demo`` shows the weekly plan and its streak working (issue 16 item 4, "Done
when"): the routine replayed live is counted today, yesterday's imported routine keeps the
streak, and the plan the demo saves is one those routines do."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from dashboard.app import create_app
from dashboard.server import DEMO_IMPORTS, DEMO_LIVE, DEMO_WEEKLY, FIXTURES, DemoPlan, demo_task
from dashboard.settings import Settings
from sensorcoach.analysis import analyze
from sensorcoach.plan import DEFAULT_PLAN, Plan, day_progress
from sensorcoach.recording import Recording

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

BASE = "http://127.0.0.1"


def _analysis(name: str) -> dict[str, Any]:
    return analyze(Recording.read(FIXTURES / f"{name}.csv.gz")).to_dict()


def test_demo_plan_streak_was_0_because_the_demo_routine_does_bridges_as_reps() -> None:
    """Walking ``make demo``: Today said 0 days, glute bridge 1 left, after the whole
    routine replay had been counted (its session is dated now): the routine does the
    bridges as repetitions, the suggested plan asks a 20 s hold. The demo's own plan is
    one both the replayed routine and yesterday's imported routine complete."""
    live = [n for n, _ in DEMO_LIVE if n.startswith("routine_")]
    yesterday = [n for n, days in DEMO_IMPORTS if n.startswith("routine_") and days == 1]
    assert live and yesterday
    plan = Plan.parse(DEMO_WEEKLY)
    for name in (*live, *yesterday):
        a = _analysis(name)
        prog = day_progress(plan, [a])
        assert prog.complete, (name, [p.to_dict() for p in prog.left])
    left = day_progress(DEFAULT_PLAN, [_analysis(live[0])]).left
    assert [p.item.exercise for p in left] == ["glute_bridge"]


def test_demo_counts_the_routine_replayed_live_today_beside_yesterdays(
        tmp_path: Path) -> None:
    plan = DemoPlan(imports=(("routine_nocal_25hz", 1),), live=(("routine_50hz", 400.0),),
                    loop=False)
    app = create_app(Settings(db=tmp_path / "db.sqlite3"), tasks=[demo_task(plan)])
    with TestClient(app, base_url=BASE) as c:
        deadline = time.monotonic() + 120
        rows: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            rows = c.get("/api/sessions").json()
            if len(rows) == 2 and not any(r["live"] for r in rows):
                break
            time.sleep(0.3)
        assert len(rows) == 2 and not any(r["live"] for r in rows), rows
        today = c.get("/api/plan/today").json()
    assert today["saved"] and today["plan"]["exercises"] == Plan.parse(
        DEMO_WEEKLY).to_dict()["exercises"]
    assert today["progress"]["complete"], today["left"]
    assert today["streak"]["today"] == "done" and today["streak"]["days"] == 2
