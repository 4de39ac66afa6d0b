"""The plan API (GET/PUT /api/plan, GET /api/plan/today), its store table and what the
Today page shows: an uploaded routine session counted against the plan, the streak across
days, plan versions, bad plans and another site's page refused."""

from __future__ import annotations

import datetime as dt
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.app import create_app
from dashboard.routes_plan import plan_view
from dashboard.settings import Settings
from sensorcoach.store import MIGRATIONS, Store

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
ROUTINE = FIX / "routine_100hz.csv.gz"  # recorded 2026-01-05T09:00:00Z (its header)
BASE = "http://127.0.0.1"
#: What the routine fixture does (see its labels): all of it reaches these targets.
DONE_BY_ROUTINE = {"every_days": 1, "time_zone": "UTC", "exercises": [
    {"exercise": "plank", "sets": 1, "target": 60},
    {"exercise": "side_plank_left", "sets": 1, "target": 30},
    {"exercise": "side_plank_right", "sets": 1, "target": 30},
    {"exercise": "bird_dog_left", "sets": 3, "target": 7},
    {"exercise": "cat_cow", "sets": 1, "target": 8, "unit": "reps"},
    {"exercise": "child_pose", "sets": 1, "target": 20}]}
DAY = dt.date(2026, 1, 5)


def at(day: dt.date, hour: int = 18) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    """The routine fixture uploaded through the API."""
    db = tmp_path_factory.mktemp("plan") / "db.sqlite3"
    with TestClient(create_app(Settings(db=db)), base_url=BASE) as c:
        r = c.post("/api/recordings?name=routine", content=ROUTINE.read_bytes(),
                   headers={"content-type": "application/gzip"})
        assert r.status_code == 201, r.text
        yield c, db


def fake_day(store: Store, day: dt.date, analysis: dict[str, Any]) -> int:
    """A finished session recorded on ``day`` with these holds and repetitions."""
    sid = store.create_session("old", "upload", sample_rate_hz=50.0, has_gyro=True, live=False)
    store.finish_session(sid, summary={"started_at": at(day, 9).isoformat(), "holds": 1},
                         analysis=analysis)
    return sid


def test_default_plan_until_one_is_saved_then_versions_are_kept(
        loaded: tuple[TestClient, Path]) -> None:
    c, db = loaded
    # the module's first test: nothing saved yet
    got = c.get("/api/plan").json()
    assert got["saved"] is False and got["every_days"] == 1 and got["exercises"]
    with Store(db) as st:
        v = plan_view(st, at(DAY))
    # the default plan asks for 2 planks of 30 s: the routine did one (84 s)
    plank = next(i for i in v["items"] if i["exercise"] == "plank")
    assert (plank["done"], plank["left"], plank["best"]) == (1, 1, pytest.approx(84, abs=8))
    assert v["streak"]["today"] == "due" and not v["progress"]["complete"]


def test_uploaded_routine_counts_against_the_plan_and_makes_a_streak(
        loaded: tuple[TestClient, Path]) -> None:
    c, db = loaded
    r = c.put("/api/plan", json=DONE_BY_ROUTINE)
    assert r.status_code == 200, r.text
    assert c.get("/api/plan").json()["saved"] is True
    with Store(db) as st:
        v = plan_view(st, at(DAY))
        assert v["progress"]["complete"] and v["left"] == [], v["left"]
        assert v["streak"] == {"days": 1, "today": "done", "next_due": "2026-01-06",
                               "last_done": "2026-01-05"}
        # the day before, the same routine (stored directly): two days in a row
        row = st.exercise_sets()[0]
        analysis = {"holds": row["holds"], "reps": row["reps"]}
        sid = fake_day(st, DAY - dt.timedelta(days=1), analysis)
        assert plan_view(st, at(DAY))["streak"]["days"] == 2
        # the next day, nothing yet: due, and the streak stands
        nxt = plan_view(st, at(DAY + dt.timedelta(days=1)))
        assert nxt["streak"]["days"] == 2 and nxt["streak"]["today"] == "due"
        assert nxt["progress"]["sets_left"] == 8
        # the day after that: the missed day broke it
        assert plan_view(st, at(DAY + dt.timedelta(days=2)))["streak"]["days"] == 0
        st.delete_session(sid)


def test_every_other_day_rest_day_and_a_new_plan_does_not_rewrite_the_past(
        loaded: tuple[TestClient, Path]) -> None:
    c, db = loaded
    assert c.put("/api/plan", json={**DONE_BY_ROUTINE, "every_days": 2}).status_code == 200
    with Store(db) as st:
        rest = plan_view(st, at(DAY + dt.timedelta(days=1)))
        assert rest["streak"]["today"] == "rest" and rest["streak"]["days"] == 2
        assert rest["streak"]["next_due"] == "2026-01-07"
        # a harder plan saved now (the store dates it today, after DAY): DAY keeps its own
        harder = {**DONE_BY_ROUTINE, "exercises": [{"exercise": "plank", "sets": 3,
                                                    "target": 60}]}
        assert c.put("/api/plan", json=harder).status_code == 200
        v = plan_view(st, at(DAY))
        assert v["streak"]["days"] == 1  # DAY judged by the plan of its own time
        assert plan_view(st, dt.datetime.now(dt.UTC) + dt.timedelta(days=30))["plan"] == \
            {**harder, "days_per_week": 7.0, "rest_s": 60.0,
             "exercises": [{"exercise": "plank", "sets": 3, "target": 60.0, "unit": "s"}]}
        assert len(st.plans()) == 3


def test_today_page_and_api_show_the_plan(loaded: tuple[TestClient, Path]) -> None:
    c, _ = loaded
    t = c.get("/api/plan/today").json()
    assert set(t) >= {"plan", "items", "left", "streak", "today", "progress", "choices"}
    html = c.get("/").text
    assert 'id="routine"' in html and 'id="plan-form"' in html
    assert "Plank" in html and "Save plan" in html


@pytest.mark.parametrize("body, words", [
    (b"not json", "plan:"),
    (b'{"exercises": [{"exercise": "plank", "target": 9999}]}', "target"),
    (b'{"every_days": 7, "exercises": [{"exercise": "plank", "target": 30}]}', "every_days"),
])
def test_bad_plan_is_a_422_that_says_why_and_stores_nothing(
        client: TestClient, body: bytes, words: str) -> None:
    r = client.put("/api/plan", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and words in r.json()["detail"]
    assert client.get("/api/plan").json()["saved"] is False


def test_another_sites_page_cannot_change_the_plan(client: TestClient) -> None:
    r = client.put("/api/plan", json=DONE_BY_ROUTINE,
                   headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert client.get("/api/plan").json()["saved"] is False


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=tmp_path / "db.sqlite3")), base_url=BASE) as c:
        yield c


def test_plans_migration_keeps_an_older_database(tmp_path: Path) -> None:
    """A database made before the plans table (schema 2) opens, keeps its data and gains
    the table."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for v, sql in enumerate(MIGRATIONS[:2], start=1):
        db.executescript(sql)
        db.execute("INSERT INTO schema_version VALUES (?, 'then')", (v,))
    db.execute("INSERT INTO prefs VALUES ('daily_goal', '{\"hold_s\": 30}')")
    db.commit()
    db.close()
    with Store(path) as st:
        assert st.schema_version == len(MIGRATIONS)
        assert st.get_pref("daily_goal") == {"hold_s": 30}
        assert st.plans() == []
        st.save_plan({"every_days": 2})
        assert st.plans()[0][1] == {"every_days": 2}


def test_today_says_a_session_recording_now_counts_once_it_ends(tmp_path: Path) -> None:
    """Walking ``make demo`` while the routine replayed: Today said '12 sets left' with
    no word that the routine under way would count once it ended."""
    db = tmp_path / "db.sqlite3"
    with TestClient(create_app(Settings(db=db)), base_url=BASE) as c:
        assert c.get("/api/plan/today").json()["recording"] == 0
        assert 'id="routine-recording"' not in c.get("/").text
        st = Store(db)
        st.create_session("routine now", "replay@8", sample_rate_hz=50.0, has_gyro=True)
        st.close()
        assert c.get("/api/plan/today").json()["recording"] == 1
        html = c.get("/").text
    assert 'id="routine-recording"' in html
    assert "A session is recording now: it counts here once it ends." in html
