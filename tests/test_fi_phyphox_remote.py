"""phyphox remote access against a fake phone: a stdlib HTTP server on loopback that
speaks the documented ``/get`` and ``/control`` JSON."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from firmware_interface.errors import DeviceError
from firmware_interface.samples import G0, SampleBlock
from firmware_interface.transports.base import Backoff, Status
from firmware_interface.transports.phyphox_remote import PhyphoxSource

RATE = 100.0


class FakePhyphox:
    """The "Acceleration with g" experiment: every ``/get`` reveals ``step`` more samples
    (the phone keeps measuring); ``advance`` does so while the server is down."""

    def __init__(self, step: int = 7, port: int = 0, seed: int = 0) -> None:
        self.step = step
        self.fail_next: list[str] = []
        self.queries: list[str] = []
        self.measuring = False
        self._new_session(seed)
        self._server: ThreadingHTTPServer | None = None
        self.port = port
        self.up()

    def _new_session(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        n = 2000
        # Phone clocks jitter a little; times are as the app would send them.
        self.t = 0.0123 + np.arange(n) / RATE + rng.uniform(0, 1e-4, n)
        self.acc = rng.normal(0, 2, (n, 3)) + np.array([0, 0, G0])
        self.revealed = 0
        self.session = f"{seed:06x}"

    def restart_app(self, seed: int) -> None:
        """The app reloads the experiment: new session, time from zero again."""
        self._new_session(seed)

    def advance(self, n: int) -> None:
        self.revealed += n

    def up(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True).start()

    def down(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None

    # ------------------------------------------------------------------ protocol
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlsplit(h.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if self.fail_next and url.path == "/get":
            fault = self.fail_next.pop(0)
            if fault == "500":
                return self._send(h, 500, b"oops")
            return self._send(h, 200, b'{"buffer": {"acc_time": ')
        if url.path == "/control":
            if q.get("cmd") == "start":
                self.measuring = True
            return self._send(h, 200, json.dumps({"result": True}).encode())
        if url.path != "/get":
            return self._send(h, 404, b"not found")
        self.queries.append(h.path)
        if self.measuring:
            self.revealed += self.step
        n = min(self.revealed, self.t.size)
        t = self.t[:n]
        buffers: dict[str, Any] = {}
        cols = {"acc_time": t, "accX": self.acc[:n, 0], "accY": self.acc[:n, 1],
                "accZ": self.acc[:n, 2]}
        for name, spec in q.items():
            values = cols[name]
            if spec == "full":
                keep = np.ones(n, dtype=bool)
            else:  # "T" on the time buffer itself, "T|acc_time" on the others
                since, _, ref = spec.partition("|")
                keep = cols[ref or name] > float(since)
            buffers[name] = {"size": 0, "updateMode": "full" if spec == "full" else "partial",
                             "buffer": values[keep].tolist()}
        body = {"buffer": buffers, "status": {"session": self.session, "measuring":
                                              self.measuring, "timedRun": False,
                                              "countDown": 0}}
        self._send(h, 200, json.dumps(body).encode())

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, code: int, body: bytes) -> None:
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def make_source(fake: FakePhyphox, **kw: Any) -> PhyphoxSource:
    kw.setdefault("backoff", Backoff(0.01, 0.05))
    return PhyphoxSource("127.0.0.1", fake.port, poll_interval_s=0.002, timeout_s=1.0, **kw)


async def collect(src: PhyphoxSource, want: int, on_samples: Any = None,
                  on_status: Any = None) -> tuple[list[SampleBlock], list[Status]]:
    blocks: list[SampleBlock] = []
    events: list[Status] = []
    got = 0

    async def run() -> None:
        nonlocal got
        async for ev in src.blocks():
            if isinstance(ev, Status):
                events.append(ev)
                if on_status is not None:
                    await on_status(ev)
                continue
            blocks.append(ev)
            got += len(ev)
            if on_samples is not None:
                await on_samples(got)
            if got >= want:
                return

    await asyncio.wait_for(run(), 10)
    await src.aclose()
    return blocks, events


def test_incremental_polling_without_duplicates() -> None:
    fake = FakePhyphox(step=7)
    try:
        src = make_source(fake)
        blocks, events = asyncio.run(collect(src, 60))
    finally:
        fake.down()
    out = SampleBlock.concat(blocks, gyro=False)
    n = len(out)
    assert n >= 60 and [e.kind for e in events] == ["connected"]
    np.testing.assert_array_equal(out.t, fake.t[:n] - fake.t[0])
    np.testing.assert_allclose(out.acc, fake.acc[:n] / G0)
    assert src.stats.duplicates == 0 and src.stats.samples_ok == n
    assert fake.measuring  # /control?cmd=start was sent
    assert fake.queries[0] == "/get?acc_time=full&accX=full&accY=full&accZ=full"
    since = repr(float(fake.t[6]))
    assert fake.queries[1] == (f"/get?acc_time={since}&accX={since}|acc_time"
                               f"&accY={since}|acc_time&accZ={since}|acc_time")


def test_outage_continuation_then_app_restart() -> None:
    fake = FakePhyphox(step=5)
    src = make_source(fake, max_failures=None)
    phase = {"n": 0}

    async def on_samples(got: int) -> None:
        if got >= 20 and phase["n"] == 0:
            phase["n"] = 1
            fake.down()
            fake.advance(30)  # the phone keeps measuring during the outage
        elif got >= 80 and phase["n"] == 2:
            phase["n"] = 3
            fake.down()
            fake.restart_app(seed=7)
            fake.measuring = False

    async def on_status(ev: Status) -> None:
        if ev.kind == "disconnected":
            await asyncio.sleep(0.15)
            fake.up()
            if phase["n"] == 1:
                phase["n"] = 2

    try:
        blocks, events = asyncio.run(collect(src, 120, on_samples, on_status))
    finally:
        fake.down()
    kinds = [e.kind for e in events]
    assert kinds == ["connected", "disconnected", "reconnected", "disconnected",
                     "reconnected"]
    out = SampleBlock.concat(blocks, gyro=False)
    # First session: every sample exactly once, the outage cost nothing.
    first = events[2]
    assert first.dropped == 0 and first.detail.startswith("phone:phyphox")
    old = FakePhyphox.__new__(FakePhyphox)
    old._new_session(0)
    k = int(np.flatnonzero(np.diff(out.t) > 0.1)[0]) + 1  # where the restart hole is
    np.testing.assert_array_equal(out.t[:k], old.t[:k] - old.t[0])
    np.testing.assert_allclose(out.acc[:k], old.acc[:k] / G0)
    assert k >= 80
    # After the app restarted: a new time base placed after the outage, never backwards.
    second = events[4]
    assert second.detail == "phyphox restarted: new time base"
    assert second.outage_s >= 0.1 and second.dropped >= 10
    assert out.t[k] - out.t[k - 1] >= second.outage_s * 0.9
    np.testing.assert_allclose(out.t[k:] - out.t[k], fake.t[: len(out) - k] - fake.t[0])
    np.testing.assert_allclose(out.acc[k:], fake.acc[: len(out) - k] / G0)
    assert np.all(np.diff(out.t) > 0) and src.stats.duplicates == 0
    assert src.counters["restarts"] == 1


def test_http_error_and_bad_json_are_retried() -> None:
    fake = FakePhyphox(step=4)
    src = make_source(fake)

    injected: list[bool] = []

    async def on_samples(got: int) -> None:
        if got >= 12 and not injected:
            fake.fail_next = ["500", "badjson"]
            injected.append(True)

    try:
        blocks, events = asyncio.run(collect(src, 40, on_samples))
    finally:
        fake.down()
    assert [e.kind for e in events] == ["connected", "disconnected", "reconnected"]
    assert events[1].detail == "HTTP 500 from /get"
    assert src.counters["failures"] == 2
    out = SampleBlock.concat(blocks, gyro=False)
    np.testing.assert_array_equal(out.t, fake.t[: len(out)] - fake.t[0])
    assert src.stats.duplicates == 0


def test_server_gone_ends_with_one_device_error() -> None:
    fake = FakePhyphox(step=3)
    src = make_source(fake, max_failures=3)

    async def on_samples(got: int) -> None:
        fake.down()

    with pytest.raises(DeviceError) as err:
        asyncio.run(collect(src, 1000, on_samples))
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"phone:phyphox@127.0.0.1:{fake.port}: ")
    assert "cannot connect" in msg and "after 3 attempts" in msg


def test_nobody_listening_and_wrong_experiment() -> None:
    fake = FakePhyphox()
    port = fake.port
    fake.down()
    src = PhyphoxSource("127.0.0.1", port, backoff=Backoff(0.001, 0.002), first_attempts=2)
    with pytest.raises(DeviceError, match="remote access on"):
        asyncio.run(collect(src, 1))

    class NoAcc(FakePhyphox):
        def handle(self, h: BaseHTTPRequestHandler) -> None:
            self._send(h, 200, b'{"buffer": {"acc_time": {"buffer": [1.0]}}, "status": {}}')

    fake2 = NoAcc()
    try:
        src = make_source(fake2, first_attempts=2)
        with pytest.raises(DeviceError, match=r"missing 'accX'.*Acceleration with g"):
            asyncio.run(collect(src, 1))
    finally:
        fake2.down()
