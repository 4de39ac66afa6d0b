"""What the dashboard says (issue 14 items 4-8, 10): live cards that lead with the right
thing and count consistently, sessions newest first with rename and delete, paged
alerts, workout and desk views, hold trends, the Today page with goal and streak, 404s."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from dashboard.app import create_app
from dashboard.live import LiveSession
from dashboard.names import duration
from dashboard.settings import Settings
from dashboard.summaries import newest_first, trends
from dashboard.today import Goal, GoalError, enrich, streak, today_view
from dashboard.workouts import hold_trends
from sensorcoach.core.settings import DEFAULT_SETTINGS
from sensorcoach.live.runner import LiveState
from sensorcoach.store import Store

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
BASE = "http://127.0.0.1"
HTML = {"accept": "text/html"}


# ---------------------------------------------------------------- live cards
def _live(state: str, *, t: float = 100.0, slump_since: float | None = None,
          hold_since: float | None = None, flexion: float = 20.0,
          enabled: bool = True, counts: dict[str, int] | None = None) -> LiveSession:
    view = LiveState(t_s=t, state=state, flexion_deg=flexion, slump_since_s=slump_since,
                     hold_kind="side_plank_left" if hold_since is not None else None,
                     hold_since_s=hold_since)
    if counts:
        view.counts.update(counts)
    runner = SimpleNamespace(view=view, settings=DEFAULT_SETTINGS,
                             dispatcher=SimpleNamespace(snoozed_until_s=None),
                             analyzer=SimpleNamespace(slumps_enabled=enabled),
                             recalibrate=lambda: [])
    return LiveSession(1, "s", "replay@10", runner, None, None)  # type: ignore[arg-type]


def test_live_card_not_slumped_while_getting_into_a_plank() -> None:
    # the slump band is crossed on the way down: seconds, and beyond it
    snap = _live("slumped", slump_since=98.0, flexion=30.0).snapshot()
    assert snap["state"] == "leaning" and snap["slump_s"] is None
    assert snap["counts"]["slump"] == 0
    snap = _live("slumped", slump_since=60.0, flexion=70.0).snapshot()
    assert snap["state"] == "leaning"


def test_live_card_not_slumped_with_slumps_off() -> None:
    snap = _live("slumped", slump_since=20.0, enabled=False).snapshot()
    assert snap["state"] == "sitting" and snap["slumps_off"] and snap["slump_s"] is None


def test_live_card_counts_the_slump_under_way() -> None:
    snap = _live("slumped", slump_since=40.0, counts={"slump": 2}).snapshot()
    assert snap["state"] == "slumped" and snap["slump_s"] == 60.0
    assert snap["counts"]["slump"] == 3  # "slumped for 1:00" is never beside "slumps 0"


def test_live_card_alert_count_matches_the_toasts() -> None:
    ls = _live("upright", counts={"alert": 5})
    ls.extra.update(alerts_shown=2, alerts_held=3)  # as LiveHub._forward counts them
    assert ls.snapshot()["counts"]["alert"] == 2 and ls.snapshot()["counts"]["held"] == 3


def test_live_card_hold_timer_only_during_a_hold() -> None:
    snap = _live("hold", hold_since=70.0, counts={"hold": 1}).snapshot()
    assert snap["hold_s"] == 30.0 and snap["hold_kind"] == "side_plank_left"
    assert snap["counts"]["hold"] == 2  # the hold under way counts
    assert _live("upright").snapshot()["hold_s"] is None


# ---------------------------------------------------------------- pages over a store
@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, int]]]:
    db = tmp_path_factory.mktemp("views") / "db.sqlite3"
    with TestClient(create_app(Settings(db=db)), base_url=BASE) as c:
        ids = {}
        for f in ("workout_weak_left", "desk_noisy", "mixed"):
            r = c.post(f"/api/recordings?name={f}", content=(FIX / f"{f}.csv.gz").read_bytes(),
                       headers={"content-type": "application/gzip"})
            assert r.status_code == 201, r.text
            ids[f] = r.json()["id"]
        yield c, ids


def _main(html: str) -> str:
    """What the page shows (not the names table every page carries for its scripts)."""
    m = re.search(r'<main id="main">(.*?)</main>', html, re.S)
    return re.sub(r"<script.*?</script>", "", m.group(1) if m else "", flags=re.S)


def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    return m.group(1) if m else ""


def test_workout_session_shows_holds_not_desk_figures(
        loaded: tuple[TestClient, dict[str, int]]) -> None:
    c, ids = loaded
    html = _main(c.get(f"/sessions/{ids['workout_weak_left']}").text)
    assert "Upright" not in html and "Slumped" not in html and "Sedentary" not in html
    assert "lying" not in html.lower() and "replay@" not in html
    w = _section(html, "workout")
    assert "Set 1" in w and "Set 2" in w and "Best plank" in w and "Total hold time" in w
    assert "Left vs right" in w and "weaker: left" in w
    assert "side_plank" not in html and "form_break" not in html.replace("form-break", "")
    assert "1 min 52 s" in w  # durations with units


def test_desk_session_shows_the_desk_view(loaded: tuple[TestClient, dict[str, int]]) -> None:
    c, ids = loaded
    html = c.get(f"/sessions/{ids['desk_noisy']}").text
    assert _section(html, "desk") and not _section(html, "workout")
    assert "Slumps per sitting hour" in html


def test_mixed_session_shows_both(tmp_path: Path,
                                  loaded: tuple[TestClient, dict[str, int]]) -> None:
    c, ids = loaded
    analysis = c.get(f"/api/sessions/{ids['workout_weak_left']}").json()
    analysis["slumps"] = [{"start_s": 10.0, "end_s": 50.0, "duration_s": 40.0,
                           "peak_flexion_deg": 20.0, "mean_flexion_deg": 15.0}]
    analysis["posture"] = {"upright_pct": 60.0, "slumped_pct": 10.0, "sedentary_s": 400.0}
    with Store(tmp_path / "m.db") as st:
        sid = st.create_session("desk then plank", "upload", sample_rate_hz=50, has_gyro=True,
                                live=False)
        st.finish_session(sid, analysis=analysis, summary={
            "duration_s": 696.8, "upright_pct": 60.0, "slumped_pct": 10.0, "slumps": 1,
            "holds": 6, "kind": "mixed"})
    with TestClient(create_app(Settings(db=tmp_path / "m.db")), base_url=BASE) as c2:
        html = c2.get(f"/sessions/{sid}").text
    assert "Desk and workout" in html
    assert "Best plank" in _section(html, "workout") and "0:10" in _section(html, "desk")


def test_sessions_newest_first_by_recording_time(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as st:
        for name, when in (("january", "2026-01-05T09:00:00Z"),
                           ("december", "2026-12-01T08:00:00Z"),
                           ("march", "2026-03-01T08:00:00Z")):
            sid = st.create_session(name, "upload", sample_rate_hz=50, has_gyro=True, live=False)
            st.finish_session(sid, summary={"duration_s": 60.0, "started_at": when,
                                            "upright_pct": 90.0, "slumped_pct": 0.0,
                                            "slumps": 0, "holds": 0}, analysis=None)
        rows = newest_first(st.list_sessions())
    assert [r["name"] for r in rows] == ["december", "march", "january"]
    with TestClient(create_app(Settings(db=tmp_path / "s.db")), base_url=BASE) as c:
        assert [s["name"] for s in c.get("/api/sessions").json()] == ["december", "march",
                                                                      "january"]
        html = c.get("/sessions").text
        assert html.index("december") < html.index("march") < html.index("january")
        assert 'datetime="2026-12-01T08:00:00Z"' in html and "1 min 00 s" in html


def test_rename_and_delete_with_samples_alerts_events(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    with TestClient(create_app(Settings(db=db)), base_url=BASE) as c:
        sid = c.post("/api/recordings?name=x", content=(FIX / "desk_noisy.csv.gz").read_bytes(),
                     headers={"content-type": "application/gzip"}).json()["id"]
        r = c.patch(f"/api/sessions/{sid}", json={"name": "  Monday   desk "})
        assert r.status_code == 200 and r.json()["name"] == "Monday desk"
        assert c.patch(f"/api/sessions/{sid}", json={"name": "   "}).status_code == 422
        assert c.patch(f"/api/sessions/{sid}", json={"name": "x" * 201}).status_code == 422
        assert c.patch("/api/sessions/999", json={"name": "y"}).status_code == 404
        evil = {"origin": "http://evil.example"}  # another site's page: refused
        assert c.delete(f"/api/sessions/{sid}", headers=evil).status_code == 403
        assert c.patch(f"/api/sessions/{sid}", json={"name": "z"}, headers=evil
                       ).status_code == 403
        with Store(db) as st:
            assert st.events(sid) and st.alerts_page(100)[1] > 0
        assert c.delete(f"/api/sessions/{sid}").status_code == 204
        assert c.get(f"/api/sessions/{sid}").status_code == 404
        assert c.delete(f"/api/sessions/{sid}").status_code == 404
        with Store(db) as st:
            for table in ("samples", "events", "alerts", "calibrations"):
                n = st.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                assert n == 0, table
    html = Path(__file__).resolve().parents[1] / "dashboard" / "templates" / "session.html"
    assert "delete-dialog" in html.read_text()  # deleting asks first


def test_alerts_are_paged(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as st:
        sid = st.create_session("desk", "upload", sample_rate_hz=50, has_gyro=True, live=False)
        for i in range(25):
            st.add_alert(sid, float(i), "slump", f"alert number {i}", delivered=True)
    with TestClient(create_app(Settings(db=tmp_path / "s.db")), base_url=BASE) as c:
        p1 = c.get("/sessions").text
        assert "alert number 24" in p1 and "alert number 14" not in p1 and "Page 1 of 3" in p1
        p3 = c.get("/sessions?alerts_page=3").text
        assert "alert number 0" in p3 and "alert number 5" not in p3
        r = c.get("/api/alerts?limit=5&offset=20")
        assert r.json()[0]["message"] == "alert number 4"
        assert r.headers["x-total-count"] == "25"


def test_unknown_urls_are_404_pages_and_api_json(loaded: tuple[TestClient, dict[str, int]]
                                                 ) -> None:
    c, _ = loaded
    for path in ("/nope", "/sessions/abc", "/sessions/123456"):
        r = c.get(path, headers=HTML)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "<h1>" in r.text and '"detail"' not in r.text
    r = c.get("/api/nope")
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    r = c.get("/sessions?alerts_page=abc", headers=HTML)
    assert r.status_code == 400 and "alerts_page" in r.text and "<h1>" in r.text


# ---------------------------------------------------------------- trends and today
def _sess(sid: int, day: str, *, dur: float, up: float, sl: float, slumps: int, holds: int,
          kind: str) -> dict[str, Any]:
    return {"id": sid, "name": f"s{sid}", "live": False, "created_at": f"{day}T12:00:00",
            "summary": {"duration_s": dur, "upright_pct": up, "slumped_pct": sl,
                        "slumps": slumps, "holds": holds, "kind": kind,
                        "started_at": f"{day}T12:00:00"}}


def test_trends_plank_days_not_in_upright_and_no_zero_slump_dashes() -> None:
    today = dt.date(2026, 12, 1)
    sessions = [_sess(1, "2026-12-01", dur=600, up=30, sl=0, slumps=0, holds=6, kind="workout"),
                _sess(2, "2026-11-30", dur=3600, up=60, sl=20, slumps=3, holds=0, kind="desk")]
    rows = {r["date"]: r for r in trends(sessions, 7, today)}
    assert rows["2026-12-01"]["upright_pct"] is None and rows["2026-12-01"]["slumps"] is None
    assert rows["2026-12-01"]["holds"] == 6
    assert rows["2026-11-30"]["upright_pct"] == 75.0 and rows["2026-11-30"]["slumps"] == 3
    assert rows["2026-11-29"]["slumps"] is None  # no session: nothing drawn


def test_hold_trends_bests_weeks_and_balance() -> None:
    sessions = [_sess(1, "2026-11-20", dur=600, up=0, sl=0, slumps=0, holds=3, kind="workout"),
                _sess(2, "2026-12-01", dur=600, up=0, sl=0, slumps=0, holds=3, kind="workout")]
    holds = [{"session_id": 1, "kind": "plank", "duration_s": 60.0},
             {"session_id": 1, "kind": "side_plank_left", "duration_s": 20.0},
             {"session_id": 1, "kind": "side_plank_right", "duration_s": 40.0},
             {"session_id": 2, "kind": "plank", "duration_s": 90.0},
             {"session_id": 2, "kind": "side_plank_a", "duration_s": 30.0}]
    t = hold_trends(sessions, holds, lambda s: s["summary"]["started_at"][:10], weeks=4,
                    today=dt.date(2026, 12, 1))
    best = {b["kind"]: b for b in t["bests"]}
    assert best["plank"]["duration_s"] == 90.0 and best["plank"]["day"] == "2026-12-01"
    assert best["plank"]["label"] == "Plank"
    assert best["side_plank_a"]["label"] == "Side plank (side A)"
    weeks = {w["week"]: w for w in t["weeks"]}
    assert len(weeks) == 4 and weeks["2026-W49"]["hold_s"] == 120.0
    assert weeks["2026-W47"]["hold_s"] == 120.0 and weeks["2026-W47"]["holds"] == 3
    (lr, ab) = t["balance"]
    assert lr["a_label"] == "Left" and lr["imbalance_pct"] == 50.0 and lr["weaker"] == "Left"
    assert ab["a_label"] == "Side A" and ab["imbalance_pct"] is None


def test_today_against_the_goal_with_a_streak() -> None:
    today = dt.date(2026, 12, 1)
    goal = Goal(upright_pct=70, slumps_per_hour=2, hold_s=30)
    sessions = enrich(
        [_sess(1, "2026-12-01", dur=3600, up=80, sl=10, slumps=1, holds=0, kind="desk"),
         _sess(2, "2026-12-01", dur=600, up=10, sl=0, slumps=0, holds=2, kind="workout"),
         _sess(3, "2026-11-30", dur=3600, up=90, sl=5, slumps=0, holds=1, kind="mixed"),
         _sess(4, "2026-11-29", dur=3600, up=50, sl=40, slumps=9, holds=0, kind="desk")],
        [{"session_id": 2, "duration_s": 45.0}, {"session_id": 3, "duration_s": 31.0}],
        {1: 2})
    v = today_view(goal, sessions, today)
    assert v["upright_s"] == 2880.0 and v["slumped_s"] == 360.0  # the workout's 10 % not counted
    assert v["upright_pct"] == pytest.approx(88.9) and v["slumps_per_hour"] == pytest.approx(1.11)
    assert v["holds"] == 2 and v["hold_s"] == 45.0 and v["sitting_stretches"] == 2
    assert v["met"] and v["streak"] == 2 and v["hold"] == "45 s"
    # today not met yet: the streak is the days before it
    assert streak(Goal(hold_s=100), sessions, today) == 0
    assert streak(Goal(upright_pct=70, slumps_per_hour=2, hold_s=30), sessions[2:], today) == 1


def test_goal_api_validates_and_today_page_opens_by_default(
        loaded: tuple[TestClient, dict[str, int]]) -> None:
    c, _ = loaded
    assert c.get("/api/goal").json() == Goal().to_dict()
    r = c.put("/api/goal", json={"upright_pct": 75, "hold_s": 90})
    assert r.status_code == 200 and r.json()["upright_pct"] == 75.0
    assert c.get("/api/goal").json()["hold_s"] == 90.0
    for bad in ({"upright_pct": 150}, {"nope": 1}, [1], {"hold_s": True}):
        r = c.put("/api/goal", json=bad)
        assert r.status_code == 422 and "goal" in r.json()["detail"]
    html = c.get("/").text
    assert "<h1" in html and "Today" in html and "1 min 30 s of holds" in html
    assert "day" in html and "in a row" in html
    with pytest.raises(GoalError):
        Goal.parse({"slumps_per_hour": -1})
    assert duration(3725) == "1 h 02 min" and duration(65) == "1 min 05 s"


# ---------------------------------------------------------------- the demo
def test_demo_reuses_its_replay_sessions(tmp_path: Path) -> None:
    import gzip
    import time

    from dashboard.server import DemoPlan, demo_task

    lines = gzip.decompress((FIX / "desk_upright.csv.gz").read_bytes()).decode().splitlines()
    head = [x for x in lines if x.startswith("#")]
    body = [x for x in lines if not x.startswith("#")][:1 + 25 * 40]  # 40 s at 25 Hz
    (tmp_path / "fx").mkdir()
    (tmp_path / "fx" / "short.csv.gz").write_bytes(gzip.compress(
        "\n".join(head + body).encode() + b"\n"))
    plan = DemoPlan(imports=(), live=(("short", 40.0),), fixtures=tmp_path / "fx")
    app = create_app(Settings(db=tmp_path / "db.sqlite3"), tasks=[demo_task(plan)])
    with TestClient(app, base_url=BASE) as c:
        deadline = time.monotonic() + 60
        rows: list[dict[str, Any]] = []
        while time.monotonic() < deadline:  # until the fourth replay has started
            rows = c.get("/api/sessions").json()
            if rows and max(r["id"] for r in rows) >= 4:
                break
            time.sleep(0.2)
        assert rows and max(r["id"] for r in rows) >= 4, rows
        finished = [r for r in rows if not r["live"]]
        assert len(rows) <= 2 and len(finished) <= 1, rows
        assert {r["name"] for r in rows} == {"short (demo replay)"}


def test_a_live_session_cannot_be_deleted_but_can_be_renamed(tmp_path: Path) -> None:
    from test_dash_push import messages

    with TestClient(create_app(Settings(db=tmp_path / "db.sqlite3")), base_url=BASE) as c:
        for m in messages("phone-session", seconds=3.0)[:2]:
            assert c.post("/api/push/sensorlogger", json=m).status_code == 200
        (live,) = [s for s in c.get("/api/sessions").json() if s["live"]]
        r = c.delete(f"/api/sessions/{live['id']}")
        assert r.status_code == 409 and "still recording" in r.json()["detail"]
        assert c.patch(f"/api/sessions/{live['id']}", json={"name": "my phone"}
                       ).status_code == 200
        assert c.app.state.ctx.hub.sessions[live["id"]].name == "my phone"  # type: ignore[attr-defined]


def test_desk_view_says_when_slumps_were_not_looked_for(tmp_path: Path) -> None:
    analysis = {"recording": {"duration_s": 600.0, "glitches": 3},
                "calibration": {"method": "auto", "confidence": 0.3,
                                "reference": "still posture"},
                "posture": {"upright_pct": 90.0, "slumped_pct": 0.0, "sedentary_s": 500.0},
                "slumps": [], "holds": [], "sets": [], "alerts": []}
    with Store(tmp_path / "u.db") as st:
        sid = st.create_session("no calibration", "upload", sample_rate_hz=50,
                                has_gyro=True, live=False)
        st.finish_session(sid, analysis=analysis, summary={
            "duration_s": 600.0, "upright_pct": 90.0, "slumped_pct": 0.0, "slumps": 0,
            "holds": 0})
    with TestClient(create_app(Settings(db=tmp_path / "u.db")), base_url=BASE) as c:
        html = _main(c.get(f"/sessions/{sid}").text)
    assert 'id="slumps-off"' in html and "confidence 0.30" in html
    assert "from the least tilted still posture" in html
    assert "Impossible readings dropped</dt><dd>3" in html
