"""Dashboard HTTP API (SPEC section 7) through TestClient used as a context manager."""

from __future__ import annotations

import gzip
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dashboard.app import create_app
from dashboard.series import minmax_indices
from dashboard.settings import ConfigError, Settings, is_loopback

with warnings.catch_warnings():  # starlette 1.x nudges towards httpx2; httpx works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
#: The dashboard answers only to its own names (DNS rebinding guard): not "testserver".
BASE = "http://127.0.0.1"
WORKOUT = FIX / "workout_steady.csv.gz"
DESK = FIX / "desk_upright.csv.gz"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(db=tmp_path / "db.sqlite3", max_body_bytes=8 * 1024 * 1024))
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int, int]]:
    """A client with a workout (raw body) and a desk session (multipart) uploaded."""
    db = tmp_path_factory.mktemp("dash") / "db.sqlite3"
    with TestClient(create_app(Settings(db=db)), base_url=BASE) as c:
        r1 = c.post("/api/recordings?name=my workout", content=WORKOUT.read_bytes(),
                    headers={"content-type": "application/gzip"})
        r2 = c.post("/api/recordings",
                    files={"file": ("desk_upright.csv.gz", DESK.read_bytes(), "application/gzip")})
        assert r1.status_code == 201 and r2.status_code == 201, (r1.text, r2.text)
        yield c, r1.json()["id"], r2.json()["id"]


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"ok": True}


def test_upload_names_and_sessions(loaded: tuple[TestClient, int, int]) -> None:
    c, w, d = loaded
    sessions = {s["id"]: s for s in c.get("/api/sessions").json()}
    assert sessions[w]["name"] == "my workout" and sessions[d]["name"] == "desk_upright"
    assert sessions[w]["kind"] == "workout" and sessions[d]["kind"] == "desk"
    assert sessions[w]["summary"]["holds"] >= 4
    assert not sessions[w]["live"] and sessions[w]["samples"] > 10_000


def test_session_detail_is_the_analysis(loaded: tuple[TestClient, int, int]) -> None:
    c, w, _ = loaded
    s = c.get(f"/api/sessions/{w}").json()
    assert s["schema"] == "sensorcoach.analysis/1"
    assert {"id", "name", "created_at", "recording", "calibration", "posture", "activity",
            "slumps", "holds", "symmetry", "alerts"} <= set(s)
    assert s["id"] == w and s["calibration"]["method"] == "header"
    assert s["symmetry"]["imbalance_pct"] is not None


def test_series_is_decimated_and_keeps_peaks(loaded: tuple[TestClient, int, int]) -> None:
    c, w, _ = loaded
    full = c.get(f"/api/sessions/{w}/series?points=100000").json()
    small = c.get(f"/api/sessions/{w}/series?points=200").json()
    assert full["points"] == full["frames"] > 1000
    assert small["points"] <= 200 and len(small["t"]) == len(small["flexion_deg"])
    assert max(small["flexion_deg"]) == pytest.approx(max(full["flexion_deg"]))
    assert min(small["lateral_deg"]) == pytest.approx(min(full["lateral_deg"]))
    assert small["t"] == sorted(small["t"]) and set(small["activity"]) <= set(range(10))


def test_minmax_bounds() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=10_001)
    x[5000] = 50.0
    for n in (10, 99, 1000):
        idx = minmax_indices([x, -x], n)
        assert idx.size <= n and 5000 in idx and np.all(np.diff(idx) > 0)
    assert minmax_indices([x], 20_000).size == x.size


def test_alerts_and_trends(loaded: tuple[TestClient, int, int]) -> None:
    c, _, _ = loaded
    alerts = c.get("/api/alerts?limit=5").json()
    assert isinstance(alerts, list) and len(alerts) <= 5
    t = c.get("/api/trends?days=30").json()
    assert t["days"] == 30 and len(t["per_day"]) == 30


@pytest.mark.parametrize("path", ["/", "/live", "/trends"])
def test_pages(loaded: tuple[TestClient, int, int], path: str) -> None:
    r = loaded[0].get(path)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "/static/vendor/uPlot.iife.min.js" in r.text


def test_session_page(loaded: tuple[TestClient, int, int]) -> None:
    c, w, _ = loaded
    r = c.get(f"/sessions/{w}")
    assert r.status_code == 200 and "my workout" in r.text and "Left vs right" in r.text
    assert c.get("/sessions/9999").status_code == 404
    assert c.get("/static/vendor/uPlot.LICENSE").status_code == 200


def test_unknown_ids(client: TestClient) -> None:
    for path in ("/api/sessions/42", "/api/sessions/42/series"):
        r = client.get(path)
        assert r.status_code == 404 and r.json() == {"detail": "no session 42"}
    r = client.get("/api/sessions/abc")
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    assert client.post("/api/live/42/snooze").status_code == 404
    assert client.post("/api/live/42/calibrate").status_code == 404


def test_bad_uploads_store_nothing(client: TestClient) -> None:
    bad_csv = b"# sensorcoach-recording: 1\nt,ax,ay,az\n0,0,0,1\n0.02,x,0,1\n"
    r = client.post("/api/recordings?name=bad", content=bad_csv,
                    headers={"content-type": "text/csv"})
    assert r.status_code == 422 and "bad: line 4" in r.json()["detail"]
    assert "/tmp" not in r.json()["detail"]
    r = client.post("/api/recordings", content=b"", headers={"content-type": "text/csv"})
    assert r.status_code == 422 and "empty" in r.json()["detail"]
    r = client.post("/api/recordings", content=b"\x1f\x8bnot gzip",
                    headers={"content-type": "application/gzip"})
    assert r.status_code == 422
    r = client.post("/api/recordings", content=b"{}",
                    headers={"content-type": "application/json"})
    assert r.status_code == 415 and "content type" in r.json()["detail"]
    r = client.post("/api/recordings", files={"other": ("x.csv", b"t\n", "text/csv")})
    assert r.status_code == 400 and "'file'" in r.json()["detail"]
    assert client.get("/api/sessions").json() == []


def test_body_limit_413(tmp_path: Path) -> None:
    app = create_app(Settings(db=tmp_path / "db.sqlite3", max_body_bytes=1000))
    big = gzip.compress(DESK.read_bytes()[:5000])
    with TestClient(app, base_url=BASE) as c:
        r = c.post("/api/recordings", content=b"x" * 5000, headers={"content-type": "text/csv"})
        assert r.status_code == 413 and "1000 bytes" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            for i in range(0, len(big), 300):
                yield big[i:i + 300]

        r = c.post("/api/recordings", content=chunks(),
                   headers={"content-type": "application/gzip"})
        assert r.status_code == 413
        r = c.post("/api/recordings", files={"file": ("a.csv", b"y" * 5000, "text/csv")})
        assert r.status_code == 413
        r = c.post("/api/push/sensorlogger", content=b"[" + b" " * 5000 + b"]",
                   headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert c.get("/api/sessions").json() == []


def test_sse_state_first_and_resume(client: TestClient) -> None:
    with client.stream("GET", "/api/live?limit=1") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = r.read().decode()
    assert text.startswith("event: state\n")
    assert json.loads(text.split("data: ")[1].split("\n")[0]) == {"sessions": []}
    r = client.post("/api/recordings?name=a", content=WORKOUT.read_bytes(),
                    headers={"content-type": "application/gzip"})
    assert r.status_code == 201
    with client.stream("GET", "/api/live?limit=2", headers={"Last-Event-ID": "0"}) as r:
        text = r.read().decode()
    events = [b for b in text.split("\n\n") if b.strip()]
    assert events[0].startswith("event: state")
    assert "event: session" in events[1] and "id: 1" in events[1] and '"imported"' in events[1]


def test_token_required_off_loopback(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="token"):
        create_app(Settings(host="0.0.0.0", db=tmp_path / "db.sqlite3"))
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.168.1.5")
    app = create_app(Settings(host="0.0.0.0", db=tmp_path / "db.sqlite3", token="s3cret"))
    with TestClient(app, base_url=BASE) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/api/sessions")
        assert r.status_code == 401 and "token" in r.json()["detail"]
        assert c.get("/api/sessions?token=nope").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/api/sessions", headers={"Authorization": "Bearer s3cret"}).json() == []
        assert c.get("/api/sessions?token=s3cret").status_code == 200
        page = c.get("/?token=s3cret")
        assert page.status_code == 200 and "app.js?token=s3cret" in page.text


def test_settings_from_env(tmp_path: Path) -> None:
    s = Settings.from_env({"SENSORCOACH_PORT": "9000", "SENSORCOACH_TOKEN": "t",
                           "SENSORCOACH_DB": str(tmp_path / "x.db")}, port=9100)
    assert s.port == 9100 and s.token == "t" and s.db == tmp_path / "x.db"
    with pytest.raises(ConfigError):
        Settings.from_env({"SENSORCOACH_PORT": "many"})
