"""Sensor Logger HTTP push end to end: messages built from the documented schema
(PROTOCOLS.md: accelerometer without gravity + gravity in m/s^2, gyroscope in rad/s, epoch
ns), Android and raw-iOS sign conventions, out-of-order delivery and retried messages."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dashboard.app import create_app
from dashboard.push import PushError, validate
from dashboard.settings import Settings
from sensorcoach.recording import Recording
from sensorcoach.store import Store

with warnings.catch_warnings():  # starlette 1.x nudges towards httpx2; httpx works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
#: The dashboard answers only to its own names (DNS rebinding guard): not "testserver".
BASE = "http://127.0.0.1"
G0 = 9.80665
T0_NS = 1_764_000_000_000_000_000
URL = "/api/push/sensorlogger"


def messages(session: str, *, seconds: float = 16.0, batch_s: float = 0.5,
             ios_raw: bool = False) -> list[dict[str, Any]]:
    """Push messages carrying the first ``seconds`` of a 50 Hz fixture."""
    rec = Recording.read(FIX / "workout_steady.csv.gz")
    n = int(seconds * rec.sample_rate_hz)
    t, acc = rec.t[:n], rec.acc_axes[:, :n].T * G0
    assert rec.gyro_axes is not None
    gyro = np.radians(rec.gyro_axes[:, :n].T)
    k = np.ones(25) / 25  # gravity: the app's low-passed share of specific force
    grav = np.column_stack([np.convolve(np.pad(acc[:, i], 12, mode="edge"), k, "valid")
                            for i in range(3)])
    lin = acc - grav
    sign = -1.0 if ios_raw else 1.0
    out = []
    per = int(batch_s * rec.sample_rate_hz)
    for m, a in enumerate(range(0, n, per)):
        payload = []
        for i in range(a, min(a + per, n)):
            ns = T0_NS + round(float(t[i]) * 1e9)
            for name, v, s in (("accelerometer", lin[i], sign), ("gravity", grav[i], sign),
                               ("gyroscope", gyro[i], 1.0)):
                payload.append({"name": name, "time": ns, "accuracy": 3,
                                "values": {"x": s * v[0], "y": s * v[1], "z": s * v[2]}})
        out.append({"messageId": m, "sessionId": session, "deviceId": "phone-1",
                    "payload": payload})
    return out


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(db=tmp_path / "db.sqlite3", push_idle_s=0.3))
    with TestClient(app, base_url=BASE) as c:
        yield c


def _post(c: TestClient, msg: dict[str, Any], query: str = "") -> dict[str, Any]:
    r = c.post(URL + query, json=msg)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def _samples(db: Path, sid: int) -> np.ndarray:
    with Store(db) as st:
        return st.get_samples(sid).acc


def test_push_android_ios_reordered_and_retried(client: TestClient, tmp_path: Path) -> None:
    android = messages("A-1")
    for m in android:
        r = _post(client, m)
        assert not r["duplicate"]
    sid_a = r["session_id"]
    listed = {s["id"]: s for s in client.get("/api/sessions").json()}[sid_a]
    assert listed["source"] == "sensorlogger" and listed["live"] is True
    assert listed["status"] == "live" and listed["samples"] == r["samples"] > 300

    # iOS without standardisation: opposite sign on acceleration and gravity, and the
    # messages arrive out of order (adjacent pairs swapped) with retries in between
    ios = messages("I-1", ios_raw=True)
    order = [j for i in range(0, len(ios) - 1, 2) for j in (i + 1, i)]
    order += [i for i in range(len(ios)) if i not in order]
    dups = 0
    for n, i in enumerate(order):
        r = _post(client, ios[i], "?frame=ios-raw")
        if n % 5 == 4:
            again = _post(client, ios[i], "?frame=ios-raw")
            assert again["duplicate"] and again["samples"] == r["samples"]
            dups += 1
    sid_i = r["session_id"]
    assert r["duplicates"] == dups and r["reordered"] > 0
    # both end after push_idle_s without messages: the held-back last second is
    # delivered, then they are analysed and closed
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        st = {s["id"]: s for s in client.get("/api/sessions").json()}
        if st[sid_a]["status"] == "finished" and st[sid_i]["status"] == "finished":
            break
        time.sleep(0.1)
    assert st[sid_i]["samples"] == st[sid_a]["samples"] == 16 * 25
    # same samples whatever the platform, order or retries; specific force ~ +1 g at rest
    a, i = _samples(tmp_path / "db.sqlite3", sid_a), _samples(tmp_path / "db.sqlite3", sid_i)
    np.testing.assert_allclose(a, i, atol=1e-5)
    assert 0.9 < float(np.median(np.linalg.norm(a, axis=0))) < 1.1
    rec = Recording.read(FIX / "workout_steady.csv.gz")
    np.testing.assert_allclose(a[:, :100], rec.acc_axes[:, :100], atol=2e-3)
    detail = client.get(f"/api/sessions/{sid_a}").json()
    assert detail["status"] == "finished" and detail["calibration"]["method"] == "guided"
    assert detail["recording"]["duration_s"] > 14


def test_live_stream_sees_the_phone(client: TestClient) -> None:
    for m in messages("S-1", seconds=14)[:20]:
        _post(client, m)
    with client.stream("GET", "/api/live?limit=1") as r:
        text = r.read().decode()
    snap = json.loads(text.split("data: ")[1].split("\n")[0])
    (s,) = snap["sessions"]
    assert s["source"] == "sensorlogger" and s["state"] in ("calibrating", "upright")
    r2 = client.post(f"/api/live/{s['id']}/snooze?minutes=5")
    assert r2.status_code == 200 and r2.json()["snoozed"] is True


@pytest.mark.parametrize(("body", "ctype", "status", "words"), [
    (b"{not json", "application/json", 422, "not JSON"),
    (b"[1, 2]", "application/json", 422, "JSON object"),
    (json.dumps({"sessionId": "s", "payload": []}).encode(), "application/json", 422,
     "messageId"),
    (json.dumps({"messageId": 1, "payload": []}).encode(), "application/json", 422,
     "sessionId"),
    (json.dumps({"messageId": 1, "sessionId": "s", "payload": [
        {"name": "gravity", "time": 5, "values": {"x": "a", "y": 0, "z": 9.8}}]}).encode(),
     "application/json", 422, "payload[0].values.x"),
    (json.dumps({"messageId": 1, "sessionId": "s", "payload": [
        {"name": "gravity", "time": 1.5, "values": {"x": 0, "y": 0, "z": 9.8}}]}).encode(),
     "application/json", 422, "payload[0].time"),
    (b"messageId=1", "application/x-www-form-urlencoded", 415, "JSON"),
])
def test_bad_push(client: TestClient, body: bytes, ctype: str, status: int, words: str) -> None:
    r = client.post(URL, content=body, headers={"content-type": ctype})
    assert r.status_code == status and words in r.json()["detail"]
    assert client.get("/api/sessions").json() == []


def test_bad_frame(client: TestClient) -> None:
    r = client.post(URL + "?frame=windows", json=messages("x", seconds=1)[0])
    assert r.status_code == 422 and "frame" in r.json()["detail"]


def test_validate_accepts_other_sensors() -> None:
    msg = {"messageId": 0, "sessionId": "s", "payload": [
        {"name": "location", "time": 1, "values": {"latitude": 1.0}},
        {"name": "battery", "time": 2, "values": {}}]}
    assert validate(msg) is msg
    with pytest.raises(PushError, match="messageId"):
        validate({**msg, "messageId": True})
