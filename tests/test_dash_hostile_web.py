"""Issue 13, the web half: a hostile browser page (DNS rebinding, cross-site posts),
absurd ids, too many live streams, and ``serve`` refusing bad settings in one line."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_harness import start_server

from dashboard.app import create_app
from dashboard.settings import Settings

with warnings.catch_warnings():  # starlette 1.x nudges towards httpx2; httpx works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
BASE = "http://127.0.0.1"
CSV = (FIX / "workout_steady.csv.gz").read_bytes()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(db=tmp_path / "db.sqlite3"))
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        yield c


def _upload(c: TestClient, **headers: str) -> Any:
    return c.post("/api/recordings?name=x", content=CSV,
                  headers={"content-type": "application/gzip", **headers})


def test_dns_rebinding_host_is_refused(client: TestClient) -> None:
    r = client.get("/api/sessions", headers={"host": "evil.example"})
    assert r.status_code == 400 and "evil.example" in r.json()["detail"]
    r = client.get("/api/sessions", headers={"host": "evil.example:8000"})
    assert r.status_code == 400
    r = client.get("/", headers={"host": "127.0.0.1.evil.example"})
    assert r.status_code == 400
    for own in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.0.0.1"):
        assert client.get("/api/sessions", headers={"host": own}).status_code == 200, own


def test_dns_rebinding_guard_knows_the_configured_host(tmp_path: Path) -> None:
    app = create_app(Settings(host="::1", db=tmp_path / "db.sqlite3"))
    with TestClient(app, base_url="http://[::1]:8000") as c:
        assert c.get("/api/sessions").status_code == 200
        assert c.get("/api/sessions", headers={"host": "rebind.example"}).status_code == 400


def test_cross_site_form_post_is_refused(client: TestClient) -> None:
    r = _upload(client, origin="http://evil.example")
    assert r.status_code == 403 and "cross-site" in r.json()["detail"]
    # a no-cors fetch or a form from another port of this machine is another origin too
    r = _upload(client, origin="http://127.0.0.1:3000")
    assert r.status_code == 403
    r = _upload(client, origin="null")  # sandboxed frames, file:// pages
    assert r.status_code == 403
    r = _upload(client, **{"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    r = client.post("/api/push/sensorlogger", json={"messageId": 0, "sessionId": "s",
                                                    "payload": []},
                    headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.get("/api/sessions").json() == []
    # the dashboard's own page, and clients that are not browsers, may post
    assert _upload(client, origin=BASE).status_code == 201
    assert _upload(client, **{"sec-fetch-site": "same-origin"}).status_code == 201
    assert _upload(client).status_code == 201
    # reading is not state-changing: a GET with another Origin gets no CORS headers
    r = client.get("/api/sessions", headers={"origin": "http://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_token_replaces_the_browser_guard_off_loopback(tmp_path: Path) -> None:
    app = create_app(Settings(host="0.0.0.0", token="s3cret", db=tmp_path / "db.sqlite3"))
    with TestClient(app, base_url="http://192.168.1.5:8000") as c:
        assert c.get("/api/sessions").status_code == 401
        r = c.get("/api/sessions", headers={"authorization": "Bearer s3cret"})
        assert r.status_code == 200


@pytest.mark.parametrize("path", ["/api/sessions/{n}", "/api/sessions/{n}/series",
                                  "/sessions/{n}"])
def test_session_id_beyond_64_bits_is_not_a_500(client: TestClient, path: str) -> None:
    for n in (2**63, 2**64 + 5, 10**30):
        r = client.get(path.format(n=n))
        assert r.status_code in (404, 422), (path, n, r.status_code)
    r = client.post(f"/api/live/{2**63}/snooze")
    assert r.status_code in (404, 422)


# ---------------------------------------------------------------- live stream cap
@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Any]]:
    """A real server (streams need one): (port, app) with at most 3 live streams."""
    srv = start_server(tmp_path / "db.sqlite3", log_level="error", max_live_streams=3)
    yield srv.port, srv.app
    srv.stop()


def _get(port: int, path: str) -> tuple[socket.socket, str]:
    """Send a GET; return the socket (still open) and the status line and headers."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    return s, head.decode("latin-1")


def test_live_streams_are_capped_with_a_clear_503(server: tuple[int, Any]) -> None:
    port, app = server
    open_ = [_get(port, "/api/live") for _ in range(3)]
    assert all(h.startswith("HTTP/1.1 200") for _, h in open_)
    extra = [_get(port, "/api/live") for _ in range(40)]  # idle streams, as in the issue
    assert all(h.startswith("HTTP/1.1 503") for _, h in extra)
    assert "too many live streams" in extra[0][1] and "max_live_streams" in extra[0][1]
    # the API still answers while the streams are open
    s, head = _get(port, "/api/sessions")
    assert head.startswith("HTTP/1.1 200")
    for sock, _ in (*extra, (s, "")):
        sock.close()
    open_[0][0].close()  # a closed stream gives its slot back
    deadline = time.monotonic() + 10
    while app.state.ctx.bus.streams > 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    again, head = _get(port, "/api/live")
    assert head.startswith("HTTP/1.1 200")
    for sock, _ in (*open_[1:], (again, "")):
        sock.close()


# ---------------------------------------------------------------- serve
def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sensorcoach", "serve", *args],
                          capture_output=True, text=True, timeout=60)


def test_serve_on_a_file_that_is_not_a_database_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("these are my notes, not a database\n" * 100)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = _serve("--db", str(bad), "--port", str(port))
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.count("\n") == 1 and "not a database" in p.stderr
    assert "Traceback" not in p.stderr and "http://" not in p.stdout


def test_serve_on_a_busy_port_is_one_line_exit_2(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = _serve("--db", str(tmp_path / "db.sqlite3"), "--port", str(port))
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.count("\n") == 1 and f"port {port} is in use" in p.stderr
    assert "http://" not in p.stdout  # not the other server's URL
