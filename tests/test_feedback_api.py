"""'That was not a slump' over HTTP: verdicts, undo, profile, reset, and the next upload
analysed with the learnt thresholds; the store migration keeps older databases working."""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from sensorcoach import store as store_mod
from sensorcoach.feedback import personal_settings
from sensorcoach.store import Store

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
BASE = "http://127.0.0.1"
#: lower back, four slump alerts, the shallowest a few degrees beyond the 9 deg threshold
DESK = FIX / "desk_noisy.csv.gz"


def upload(c: TestClient, name: str) -> int:
    r = c.post(f"/api/recordings?name={name}", content=DESK.read_bytes(),
               headers={"content-type": "application/gzip"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=tmp_path / "db.sqlite3")), base_url=BASE) as c:
        yield c


def slump_alerts(c: TestClient, sid: int) -> list[dict[str, object]]:
    rows = c.get(f"/api/sessions/{sid}/alerts").json()
    return [a for a in rows if a["kind"] == "slump"]


def test_mark_undo_reset_and_history(client: TestClient) -> None:
    c = client
    sid = upload(c, "first")
    alerts = slump_alerts(c, sid)
    assert len(alerts) >= 3 and all(a["verdict"] is None for a in alerts)
    p0 = c.get("/api/profile?placement=lower_back").json()
    assert p0["thresholds"]["slump_on_deg"]["value"] == 9.0 and p0["history"] == []
    shallow = alerts[2]
    r = c.post(f"/api/alerts/{shallow['id']}/feedback", json={"verdict": "not_a_slump"})
    assert r.status_code == 200, r.text
    prof = r.json()["profile"]
    on = prof["thresholds"]["slump_on_deg"]
    assert on["default"] == 9.0 and 9.0 < on["value"] <= on["max"] == 19.0
    (h,) = prof["history"]
    assert h["alert_id"] == shallow["id"] and h["changed"] and "raised" in h["reason"]
    assert h["before"]["slump_on_deg"] == 9.0 and h["after"]["slump_on_deg"] == on["value"]
    ep = r.json()["verdict"]["episode"]
    assert on["value"] == pytest.approx(min(ep["mean_flexion_deg"] + 1.0, 19.0), abs=0.01)
    assert ep["start_s"] - 1.0 <= shallow["t_s"] <= ep["end_s"] + 1.0
    # the same verdict again changes nothing; the alert shows its verdict
    again = c.post(f"/api/alerts/{shallow['id']}/feedback", json={"verdict": "not_a_slump"})
    assert again.json()["profile"]["thresholds"] == prof["thresholds"]
    assert len(again.json()["profile"]["history"]) == 1
    assert {a["id"]: a["verdict"] for a in slump_alerts(c, sid)}[shallow["id"]] == "not_a_slump"
    # undo: back to the default, the verdict listed as earlier
    u = c.delete(f"/api/alerts/{shallow['id']}/feedback")
    assert u.status_code == 200
    assert u.json()["profile"]["thresholds"]["slump_on_deg"]["value"] == 9.0
    assert u.json()["profile"]["earlier"][0]["undone_at"] is not None
    assert c.delete(f"/api/alerts/{shallow['id']}/feedback").status_code == 404
    # mark again, then reset
    c.post(f"/api/alerts/{shallow['id']}/feedback", json={"verdict": "not_a_slump"})
    assert c.get("/api/profile?placement=lower_back").json()["thresholds"][
        "slump_on_deg"]["value"] > 9.0
    rs = c.post("/api/profile/reset?placement=lower_back")
    assert rs.status_code == 200
    assert rs.json()["thresholds"]["slump_on_deg"]["value"] == 9.0
    assert rs.json()["reset_at"] and rs.json()["history"] == []
    assert all(a["verdict"] is None for a in slump_alerts(c, sid))


def test_the_next_upload_uses_the_learnt_thresholds(client: TestClient) -> None:
    c = client
    first = upload(c, "first")
    before = c.get(f"/api/sessions/{first}").json()
    assert before["thresholds"] == {"slump_on_deg": 9.0, "slump_min_s": 15.0,
                                    "slump_dwell_s": 30.0, "personal": False}
    for a in slump_alerts(c, first):
        assert c.post(f"/api/alerts/{a['id']}/feedback",
                      json={"verdict": "not_a_slump"}).status_code == 200
    prof = c.get("/api/profile?placement=lower_back").json()
    nxt = c.get(f"/api/sessions/{upload(c, 'second')}").json()
    used = nxt["thresholds"]
    assert used["personal"] and used["slump_on_deg"] == prof["thresholds"]["slump_on_deg"]["value"]
    # the same recording, fewer slump alerts than with the defaults
    n = [sum(a["kind"] == "slump" for a in s["alerts"]) for s in (before, nxt)]
    assert n[1] < n[0]


@pytest.mark.parametrize("path,body,status,words", [
    ("/api/alerts/999999/feedback", {"verdict": "not_a_slump"}, 404, "no alert 999999"),
    ("/api/alerts/1/feedback", {"verdict": "maybe"}, 422, "verdict"),
    ("/api/alerts/1/feedback", {}, 422, "verdict"),
    ("/api/alerts/x/feedback", {"verdict": "right"}, 422, "alert_id"),
    ("/api/alerts/-1/feedback", {"verdict": "right"}, 422, "alert_id"),
])
def test_bad_feedback_is_a_clear_4xx(client: TestClient, path: str, body: dict[str, str],
                                     status: int, words: str) -> None:
    r = client.post(path, json=body)
    assert r.status_code == status and words in r.json()["detail"], r.text


def test_other_bad_requests(client: TestClient) -> None:
    c = client
    r = c.get("/api/profile?placement=lower-back")
    assert r.status_code == 422 and "placement" in r.json()["detail"]
    assert c.delete("/api/alerts/5/feedback").status_code == 404
    assert "no session 77" in c.get("/api/sessions/77/alerts").json()["detail"]
    # a sedentary (not slump) alert cannot teach slump thresholds
    st = Store(c.app.state.settings.db_path)  # type: ignore[attr-defined]
    sid = st.create_session("x", "test", sample_rate_hz=50.0, has_gyro=False, live=False)
    st.add_alert(sid, 10.0, "sedentary", "get up", delivered=True)
    aid = c.get(f"/api/sessions/{sid}/alerts").json()[0]["id"]
    st.close()
    r = c.post(f"/api/alerts/{aid}/feedback", json={"verdict": "not_a_slump"})
    assert r.status_code == 422 and "only slump alerts" in r.json()["detail"]


def test_state_changing_feedback_from_another_site_is_refused(client: TestClient) -> None:
    r = client.post("/api/profile/reset", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_a_database_of_the_previous_schema_opens_and_learns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.sqlite3"
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:2])
    with Store(db) as old:
        sid = old.create_session("old", "test", sample_rate_hz=50.0, has_gyro=True, live=False)
        old.add_alert(sid, 40.0, "slump", "slumped", delivered=True)
        old.add_event(sid, "slump", 10.0, 70.0, {"start_s": 10.0, "end_s": 70.0,
                      "duration_s": 60.0, "mean_flexion_deg": 12.0, "peak_flexion_deg": 14.0})
    monkeypatch.undo()
    with Store(db) as st:
        assert st.schema_version == len(store_mod.MIGRATIONS)
        assert personal_settings(st).slump_on_deg_upper == 11.0
        from sensorcoach.feedback import FeedbackStore

        FeedbackStore(st).give(1, "not_a_slump")
        # level (the episode's 12 deg mean) + 1 deg margin
        assert personal_settings(st).slump_on_deg_upper == pytest.approx(12.0 + 1.0)
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    con.close()
