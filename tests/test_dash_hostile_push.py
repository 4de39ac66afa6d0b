"""Issue 13, phone pushes and uploads: poisoned and absurd messages, limits, work off the
event loop, idle sessions that free what they held, and gzip bombs."""

from __future__ import annotations

import asyncio
import gzip
import sqlite3
import threading
import time
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.app import create_app
from dashboard.context import Context
from dashboard.settings import MIB, Settings
from dashboard.uploads import UploadError, UploadLimits, UploadTooLarge, gunzip_bounded
from tests.test_dash_push import URL, messages

with warnings.catch_warnings():  # starlette 1.x nudges towards httpx2; httpx works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

BASE = "http://127.0.0.1"
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"


def _client(tmp_path: Path, **kw: Any) -> TestClient:
    settings = Settings(db=tmp_path / "db.sqlite3", **{"push_idle_s": 0.3, **kw})
    return TestClient(create_app(settings), base_url=BASE, raise_server_exceptions=False)


def _finished(c: TestClient, sid: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        s: dict[str, Any] = {x["id"]: x for x in c.get("/api/sessions").json()}[sid]
        if s["status"] != "live":
            return s
        time.sleep(0.1)
    raise AssertionError(f"session {sid} still live")


def _ctx(c: TestClient) -> Context:
    ctx: Context = c.app.state.ctx  # type: ignore[attr-defined]
    return ctx


@pytest.mark.parametrize("bad_time", [2**64, 2**63, -(2**70)])
def test_push_time_beyond_64_bits_is_422_and_the_session_carries_on(
        tmp_path: Path, bad_time: int) -> None:
    msgs = messages("P-1", seconds=16)
    with _client(tmp_path) as c:
        for m in msgs[:10]:
            assert c.post(URL, json=m).status_code == 200
        poisoned = {**msgs[10], "payload": [dict(i) for i in msgs[10]["payload"]]}
        poisoned["payload"][3]["time"] = bad_time
        r = c.post(URL, json=poisoned)
        assert r.status_code == 422 and "payload[3].time" in r.json()["detail"]
        for m in msgs[10:]:  # the same message, repaired, and every later one
            r = c.post(URL, json=m)
            assert r.status_code == 200, r.text
        s = _finished(c, r.json()["session_id"])
    assert s["status"] == "finished" and s["samples"] == 16 * 25
    assert s["summary"]["duration_s"] > 14


@pytest.mark.parametrize("value", [1e300, 10**400, 1e6])
def test_pushed_absurd_sample_is_a_glitch_not_the_end_of_the_analysis(
        tmp_path: Path, value: float) -> None:
    msgs = messages("G-1", seconds=16)
    with _client(tmp_path) as c:
        for n, m in enumerate(msgs):
            if n == 12:
                m = {**m, "payload": [dict(i) for i in m["payload"]]}
                m["payload"][0] = {**m["payload"][0], "values": {"x": value, "y": 0,
                                                                 "z": 0}}
            r = c.post(URL, json=m)
            if value == 10**400 and n == 12:  # not a double: cannot be stored at all
                assert r.status_code == 422 and "finite number" in r.json()["detail"]
                continue
            assert r.status_code == 200, r.text
        sid = r.json()["session_id"]
        glitches = r.json()["glitches"]
        s = _finished(c, sid)
        detail = c.get(f"/api/sessions/{sid}").json()
    assert glitches == (0 if value == 10**400 else 1)
    assert s["status"] == "finished" and detail["calibration"]["method"] == "guided"
    assert detail["posture"] and detail["recording"]["duration_s"] > 14


def test_push_glitches_in_gyro_and_time_are_dropped(tmp_path: Path) -> None:
    msgs = messages("G-2", seconds=8)
    with _client(tmp_path) as c:
        for n, m in enumerate(msgs):
            m = {**m, "payload": [dict(i) for i in m["payload"]]}
            if n == 5:
                m["payload"][2]["values"] = {"x": 500.0, "y": 0, "z": 0}  # rad/s
                m["payload"][4]["time"] += 10**18  # 31 years later
            r = c.post(URL, json=m)
            assert r.status_code == 200, r.text
        assert r.json()["glitches"] == 2
        s = _finished(c, r.json()["session_id"])
    assert s["status"] == "finished" and s["summary"]["duration_s"] < 10


def test_deeply_nested_push_json_is_a_4xx(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        for body in (b"[" * 100_000 + b"]" * 100_000,
                     b'{"messageId": 1, "sessionId": "s", "payload": ' + b"[" * 50_000):
            r = c.post(URL, content=body, headers={"content-type": "application/json"})
            assert 400 <= r.status_code < 500 and isinstance(r.json()["detail"], str)
        assert c.get("/api/sessions").json() == []


def test_push_message_size_limit(tmp_path: Path) -> None:
    msg = messages("L-1", seconds=4, batch_s=4.0)[0]
    with _client(tmp_path, push_max_bytes=20_000) as c:
        r = c.post(URL, json=msg)
        assert r.status_code == 413 and "push_max_bytes" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            import json

            body = json.dumps(msg).encode()
            for i in range(0, len(body), 4096):
                yield body[i:i + 4096]

        r = c.post(URL, content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert c.get("/api/sessions").json() == []


def test_push_live_sessions_are_capped_per_client_and_in_all(tmp_path: Path) -> None:
    with _client(tmp_path, push_max_sessions_per_client=2, push_idle_s=60) as c:
        for sid in ("a", "b"):
            assert c.post(URL, json=messages(sid, seconds=1)[0]).status_code == 200
        r = c.post(URL, json=messages("c", seconds=1)[0])
        assert r.status_code == 429 and "push_max_sessions_per_client" in r.json()["detail"]
        assert c.post(URL, json=messages("a", seconds=2)[1]).status_code == 200  # known
    with _client(tmp_path, push_max_sessions=2, push_idle_s=60) as c:
        for sid in ("a", "b"):
            assert c.post(URL, json=messages(sid, seconds=1)[0]).status_code == 200
        r = c.post(URL, json=messages("c", seconds=1)[0])
        assert r.status_code == 503 and "push_max_sessions" in r.json()["detail"]
        assert "retry-after" in r.headers


def test_push_work_runs_off_the_event_loop(tmp_path: Path) -> None:
    """While one push is being processed, another request is answered: the processing
    waits for that answer (bounded by a timeout, which only turns a hang into a
    failure)."""
    with _client(tmp_path) as c:
        ctx = _ctx(c)
        answered = threading.Event()
        seen: dict[str, Any] = {}
        receive = ctx.push.receive

        def slow_receive(*args: Any, **kw: Any) -> dict[str, Any]:
            try:
                asyncio.get_running_loop()
                seen["on_loop"] = True
            except RuntimeError:
                seen["on_loop"] = False
            seen["waited"] = answered.wait(15)
            return receive(*args, **kw)

        ctx.push.receive = slow_receive  # type: ignore[method-assign]
        result: dict[str, Any] = {}
        th = threading.Thread(target=lambda: result.update(
            r=c.post(URL, json=messages("E-1", seconds=1)[0])))
        th.start()
        while "on_loop" not in seen and th.is_alive():
            time.sleep(0.01)
        assert c.get("/api/sessions").status_code == 200
        answered.set()
        th.join(30)
    assert seen == {"on_loop": False, "waited": True}
    assert result["r"].status_code == 200


def test_idle_push_session_ends_and_frees_its_resources(tmp_path: Path) -> None:
    with _client(tmp_path, push_idle_s=0.3) as c:
        for m in messages("I-1", seconds=12):
            r = c.post(URL, json=m)
        sid = r.json()["session_id"]
        ctx = _ctx(c)
        live = ctx.hub.sessions[sid]
        s = _finished(c, sid)
        deadline = time.monotonic() + 10
        while (ctx.push.phones or ctx.hub.sessions) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert s["status"] == "finished"
        assert ctx.push.phones == {} and ctx.hub.sessions == {}
        with pytest.raises(sqlite3.ProgrammingError):  # its connection is closed
            live.store.db.execute("SELECT 1")
        assert live.extra == {}


# ---------------------------------------------------------------- gzip bombs
def _bomb(size: int) -> bytes:
    head = b"# sensorcoach-recording: 1\nt,ax,ay,az\n"
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [z.compress(head)]
    zeros = b"0" * MIB
    for _ in range(size // MIB):
        out.append(z.compress(zeros))
    out.append(z.flush())
    return b"".join(out)


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def test_gzip_bomb_upload_is_413_by_bytes_produced(tmp_path: Path) -> None:
    bomb = _bomb(256 * MIB)  # ~250 KB that inflate to 256 MiB
    assert len(bomb) < 2 * MIB
    with _client(tmp_path) as c:  # default limits
        c.get("/healthz")
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM)
        base = _rss_kib("VmRSS")
        r = c.post("/api/recordings?name=bomb", content=bomb,
                   headers={"content-type": "application/gzip"})
        peak = _rss_kib("VmHWM")
        assert r.status_code == 413, r.text
        detail = r.json()["detail"]
        assert "\n" not in detail and ("upload_max_ratio" in detail
                                       or "upload_max_bytes" in detail)
        assert c.get("/api/sessions").json() == []
    assert peak - base < 100 * 1024, (base, peak)  # KiB: never the inflated body


def test_gunzip_bounded_limits_and_members(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.gz", tmp_path / "a.csv"
    text = (FIX / "desk_upright.csv.gz").read_bytes()
    plain = gzip.decompress(text)
    src.write_bytes(gzip.compress(plain[:5000]) + gzip.compress(plain[5000:]) + b"\0" * 8)
    assert gunzip_bounded(src, dst, UploadLimits()) == len(plain)
    assert dst.read_bytes() == plain
    with pytest.raises(UploadTooLarge, match="upload_max_bytes"):
        gunzip_bounded(src, dst, UploadLimits(max_bytes=len(plain) - 1))
    src.write_bytes(_bomb(8 * MIB))
    with pytest.raises(UploadTooLarge, match="upload_max_ratio"):
        gunzip_bounded(src, dst, UploadLimits())
    src.write_bytes(text[: len(text) // 2])
    with pytest.raises(UploadError, match="cut short"):
        gunzip_bounded(src, dst, UploadLimits())
    src.write_bytes(b"\x1f\x8b not gzip at all")
    with pytest.raises(UploadError, match="not valid gzip"):
        gunzip_bounded(src, dst, UploadLimits())


def test_push_session_without_usable_readings_stops_growing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Accelerometer without gravity never makes a sample: its readings would pile up
    in the decoder; past the bound the session's messages are refused."""
    monkeypatch.setattr("dashboard.push.MAX_PENDING_ITEMS", 100)
    with _client(tmp_path) as c:
        codes = []
        for m in messages("N-1", seconds=8):
            m = {**m, "payload": [i for i in m["payload"] if i["name"] == "accelerometer"]}
            r = c.post(URL, json=m)
            codes.append(r.status_code)
        assert codes[0] == 200 and codes[-1] == 422
        assert "Gravity" in r.json()["detail"]


def test_push_session_whose_analysis_fails_is_still_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong in the final analysis, the session does not stay live with
    its connection open (issue 13: "the session stays live forever")."""

    def broken(*args: Any, **kw: Any) -> None:
        raise FloatingPointError("overflow in an analyser")

    monkeypatch.setattr("sensorcoach.live.sessions.SessionRecorder.finish", broken)
    with _client(tmp_path) as c:
        for m in messages("F-1", seconds=6):
            r = c.post(URL, json=m)
        sid = r.json()["session_id"]
        live = _ctx(c).hub.sessions[sid]
        s = _finished(c, sid)
        assert s["status"] == "finished" and s["summary"]["error"] == "analysis failed"
        with pytest.raises(sqlite3.ProgrammingError):
            live.store.db.execute("SELECT 1")
