"""Issue 13, "done when": a real ``sensorcoach serve`` process under the attacks of the
issue (gzip bombs, a 21 MB push, many phone sessions, nested JSON, 1,500 idle live
streams) never exceeds 1 GB, and returns to its baseline after a refused upload.

Memory is read from ``/proc/PID/status`` (VmRSS now, VmHWM the peak).  Run as a script
(``python tests/test_dash_memory.py``) it prints the figures, including how long
``/healthz`` took while a 21 MB push was processed (measured, never asserted).
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
GIB = 1024 * MIB
T0_NS = 1_764_000_000_000_000_000


class Server:
    """``sensorcoach serve`` in a subprocess on a free port."""

    def __init__(self, db: Path, **env: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sensorcoach", "serve", "--db", str(db), "--port",
             str(self.port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **env})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 120
                ) -> tuple[int, Any]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, json.loads(data) if data else None
        finally:
            c.close()

    def memory_kib(self) -> dict[str, int]:
        out = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key = line.split(":")[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1])
        return out

    def settle(self, seconds: float = 1.0) -> int:
        """VmRSS (KiB) once the server is idle again."""
        time.sleep(seconds)
        return self.memory_kib()["VmRSS"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for f in (self.proc.stdout, self.proc.stderr):
            if f is not None:
                f.close()


def gzip_bomb(size: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [z.compress(b"# sensorcoach-recording: 1\nt,ax,ay,az\n")]
    block = b"0.0,0.0,0.0,1.0\n" * (MIB // 16)
    out += [z.compress(block) for _ in range(size // MIB)]
    out.append(z.flush())
    return b"".join(out)


def push_message(session: str, readings: int, mid: int = 0, start_s: float = 0.0) -> bytes:
    payload = []
    for i in range(readings // 2):
        ns = T0_NS + int(start_s * 1e9) + i * 10_000_000
        payload.append({"name": "gravity", "time": ns,
                        "values": {"x": 0.1 + i * 1e-9, "y": 0.2, "z": 9.79}})
        payload.append({"name": "accelerometer", "time": ns,
                        "values": {"x": 0.01 + i * 1e-9, "y": -0.02, "z": 0.03}})
    return json.dumps({"messageId": mid, "sessionId": session, "deviceId": "d",
                       "payload": payload}).encode()


def idle_streams(port: int, n: int) -> tuple[list[socket.socket], dict[int, int]]:
    """Open ``n`` ``/api/live`` connections and leave them idle; their statuses."""
    socks, statuses = [], {}
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(f"GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        socks.append(s)
    for s in socks:
        line = s.recv(64).split(b"\r\n")[0].split()
        code = int(line[1]) if len(line) > 1 else 0
        statuses[code] = statuses.get(code, 0) + 1
    return socks, statuses


def long_recording(size: int) -> bytes:
    """A valid recording of about ``size`` bytes: a fixture repeated, time running on."""
    text = gzip.decompress((ROOT / "fixtures/recordings/desk_upright.csv.gz").read_bytes())
    lines = text.decode().splitlines()
    n_head = next(i for i, x in enumerate(lines) if not x.startswith("#")) + 1
    rows = [r.split(",", 1) for r in lines[n_head:]]
    span = float(rows[-1][0]) + 0.04
    out = ["\n".join(lines[:n_head]) + "\n"]
    total, k = 0, 0
    while total < size:
        chunk = "".join(f"{float(t) + k * span:.6f},{rest}\n" for t, rest in rows)
        out.append(chunk)
        total += len(chunk)
        k += 1
    return "".join(out).encode()


def attack(srv: Server, *, streams: int, bomb_mib: int, report: dict[str, Any],
           upload_mib: int = 0) -> None:
    """The issue's attacks against ``srv``; figures into ``report``; ``upload_mib``: also
    a valid recording that large (the heaviest accepted upload)."""
    report["baseline_rss_mib"] = srv.settle() / 1024
    if upload_mib:
        rec = long_recording(upload_mib * MIB - 64 * 1024)
        report["upload_bytes"] = len(rec)
        report["upload_status"] = srv.request("POST", "/api/recordings?name=long", rec,
                                              {"content-type": "text/csv"})[0]
        report["upload_peak_mib"] = srv.memory_kib()["VmHWM"] / 1024
        report["after_upload_rss_mib"] = srv.settle() / 1024
    bomb = gzip_bomb(bomb_mib * MIB)
    report["bomb_bytes"] = len(bomb)
    status, body = srv.request("POST", "/api/recordings?name=bomb", bomb,
                               {"content-type": "application/gzip"})
    report["bomb_status"], report["bomb_detail"] = status, body["detail"]
    report["after_bomb_rss_mib"] = srv.settle() / 1024
    report["after_bomb_peak_mib"] = srv.memory_kib()["VmHWM"] / 1024
    status, _ = srv.request("POST", "/api/recordings", b"--x\r\nContent-Disposition: "
                            b"form-data; name=\"file\"; filename=\"b.csv.gz\"\r\n\r\n"
                            + bomb + b"\r\n--x--\r\n",
                            {"content-type": "multipart/form-data; boundary=x"})
    report["multipart_bomb_status"] = status
    nested = b"[" * 200_000 + b"]" * 200_000
    report["nested_push_status"] = srv.request(
        "POST", "/api/push/sensorlogger", nested, {"content-type": "application/json"})[0]
    report["id_2_63_status"] = srv.request("GET", f"/api/sessions/{2**63}")[0]
    codes: dict[int, int] = {}
    for i in range(60):  # many phone session ids
        code = srv.request("POST", "/api/push/sensorlogger", push_message(f"s{i}", 20),
                           {"content-type": "application/json"})[0]
        codes[code] = codes.get(code, 0) + 1
    report["sessions_60_statuses"] = codes
    big = push_message("s0", 200_000, mid=1, start_s=1.0)  # ~21 MB: 1000 s more of s0
    report["big_push_bytes"] = len(big)
    waits: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            t = time.perf_counter()
            srv.request("GET", "/healthz")
            waits.append(time.perf_counter() - t)
            time.sleep(0.02)

    th = threading.Thread(target=probe)
    th.start()
    report["big_push_status"] = srv.request("POST", "/api/push/sensorlogger", big,
                                            {"content-type": "application/json"})[0]
    done.set()
    th.join()
    report["healthz_during_big_push_max_ms"] = round(1000 * max(waits), 1) if waits else None
    socks, statuses = idle_streams(srv.port, streams)
    t = time.perf_counter()
    report["api_with_streams_status"] = srv.request("GET", "/api/sessions")[0]
    report["api_with_streams_ms"] = round(1000 * (time.perf_counter() - t), 1)
    report["stream_statuses"] = statuses
    for s in socks:
        s.close()
    report["end_rss_mib"] = srv.settle() / 1024
    report["peak_mib"] = srv.memory_kib()["VmHWM"] / 1024


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "db.sqlite3", SENSORCOACH_PUSH_MAX_BYTES=str(24 * MIB),
                 SENSORCOACH_PUSH_MAX_SESSIONS_PER_CLIENT="16")
    yield srv
    srv.stop()


def test_dashboard_stays_under_1_gb_under_attack(server: Server) -> None:
    r: dict[str, Any] = {}
    attack(server, streams=300, bomb_mib=2048, report=r)
    assert r["bomb_status"] == 413 and "\n" not in r["bomb_detail"]
    assert r["multipart_bomb_status"] == 413
    assert r["after_bomb_rss_mib"] - r["baseline_rss_mib"] < 50, r
    assert r["nested_push_status"] == 422 and r["id_2_63_status"] in (404, 422)
    assert r["sessions_60_statuses"] == {200: 16, 503: 44}
    assert r["big_push_status"] == 200
    assert r["stream_statuses"] == {200: 100, 503: 200} and r["api_with_streams_status"] == 200
    assert r["peak_mib"] < 1024, r


if __name__ == "__main__":  # the figures, at the sizes
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(Path(tmp) / "db.sqlite3", SENSORCOACH_PUSH_MAX_BYTES=str(24 * MIB),
                     SENSORCOACH_PUSH_MAX_SESSIONS_PER_CLIENT="16")
        figures: dict[str, Any] = {}
        try:
            attack(srv, streams=1500, bomb_mib=4096, report=figures, upload_mib=63)
        finally:
            srv.stop()
        print(json.dumps(figures, indent=1))
