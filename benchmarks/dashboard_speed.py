"""Dashboard speed on loopback, against a real ``sensorcoach serve`` process.

1. Series endpoint for a 4-hour 100 Hz session (1.44 M samples; a desk fixture tiled):
   the first request (series computed from the stored samples) and cached ones
   (target < 200 ms).  4 hours at 100 Hz is the longest session the server can re-analyse
   (``firmware_interface.limits.MAX_ROWS``, 1.5 M samples).
2. API latency under 50 concurrent clients (sessions list, a session, alerts, a series):
   p50 / p99 (target p99 < 100 ms).
3. Sensor Logger push ingest: 20 phones at 50 Hz, one message per 0.2 s each (10
   accelerometer + gravity + gyroscope readings), paced in real time: whether the server
   keeps up (achieved vs offered sample rate, request p99, schedule lag).  The server
   allows 20 sessions from loopback; messages refused as too many in flight (503) are
   counted, not retried.

No peer is run; the rows of the table (``--rows FILE``) carry the server's peak RSS
(``VmHWM`` of the server process).

Usage: python benchmarks/dashboard_speed.py [--hours 4] [--push-s 20] [--skip-long]
                                             [--rows FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import numpy as np
from _harness import Row, Stat, write_rows

from dashboard.uploads import TempBody, import_upload
from sensorcoach.analysis import analyze
from sensorcoach.live.sessions import summarize
from sensorcoach.recording import Recording
from sensorcoach.store import Store

ROOT = Path(__file__).resolve().parents[1]
#: Phones of the push benchmark (the server is started allowing that many sessions).
PHONES = 20
FIX = ROOT / "fixtures" / "recordings"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def long_session(db: Path, hours: float) -> int:
    """Tile a 100 Hz desk fixture to ``hours`` and store it as a finished session."""
    rec = Recording.read(FIX / "desk_chest_100hz.csv.gz")
    n_total = int(hours * 3600 * 100)
    reps = -(-n_total // rec.n_samples)
    acc = np.tile(rec.acc_axes, reps)[:, :n_total]
    assert rec.gyro_axes is not None
    gyro = np.tile(rec.gyro_axes, reps)[:, :n_total]
    t = np.arange(n_total) / 100.0
    long = Recording.from_arrays(t, acc.T, gyro.T, sample_rate_hz=100.0,
                                 calibration_upright_s=rec.calibration_upright_s,
                                 calibration_forward_s=rec.calibration_forward_s,
                                 meta={"placement": "chest"})
    t0 = time.perf_counter()
    result = analyze(long).to_dict()
    t1 = time.perf_counter()
    with Store(db) as st:
        sid = st.import_recording(f"{hours:g} hours", "benchmark", long.t, long.acc_axes,
                                  long.gyro_axes, sample_rate_hz=100.0, placement="chest",
                                  meta={}, analysis=result, summary=summarize(result))
    print(f"  built {n_total:,} samples: analysis {t1 - t0:.1f} s, "
          f"storing {time.perf_counter() - t1:.1f} s")
    return sid


def small_sessions(db: Path) -> list[int]:
    ids = []
    with Store(db) as st:
        for name in ("workout_steady", "desk_upright", "mixed"):
            body = TempBody()
            body.write_file((FIX / f"{name}.csv.gz").open("rb"))
            ids.append(import_upload(st, body, name).id)
            body.close()
    return ids


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    # all benchmark phones push from loopback: allow PHONES sessions from one client
    env = {**os.environ, "SENSORCOACH_PUSH_IDLE_S": "5",
           "SENSORCOACH_PUSH_MAX_SESSIONS": str(PHONES),
           "SENSORCOACH_PUSH_MAX_SESSIONS_PER_CLIENT": str(PHONES)}
    proc = subprocess.Popen([sys.executable, "-m", "sensorcoach", "serve", "--db", str(db),
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, q))


def bench_series(base: str, sid: int) -> Row:
    url = f"{base}/api/sessions/{sid}/series?points=4000"
    t0 = time.perf_counter()
    r = httpx.get(url, timeout=600)
    cold = time.perf_counter() - t0
    r.raise_for_status()
    warm = []
    with httpx.Client(timeout=60) as c:
        for _ in range(20):
            t0 = time.perf_counter()
            c.get(url).raise_for_status()
            warm.append(time.perf_counter() - t0)
    d = r.json()
    print(f"series ({d['frames']:,} frames -> {d['points']} points): "
          f"first request {cold * 1000:.0f} ms (analyses the stored samples), cached "
          f"median {statistics.median(warm) * 1000:.1f} ms, max {max(warm) * 1000:.1f} ms "
          f"(target < 200 ms)")
    return Row(work=f"dashboard series, {d['frames'] / 36000:g} h session, cached", unit="ms",
               ours_name="GET /api/sessions/{id}/series?points=4000, cached (loopback)",
               ours=Stat.of(x * 1000 for x in warm),
               note=f"first request {cold * 1000:.0f} ms (analyses the stored samples)")


def _client(args: tuple[int, int, list[str], int]) -> list[float]:
    """One client process: a keep-alive connection, 5 warm-up requests, then timed ones."""
    port, k, paths, n = args
    c = http.client.HTTPConnection("127.0.0.1", port)
    lat = []
    for i in range(n + 5):
        t0 = time.perf_counter()
        c.request("GET", paths[(k + i) % len(paths)])
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"{paths[(k + i) % len(paths)]}: HTTP {r.status}")
        if i >= 5:
            lat.append(time.perf_counter() - t0)
    return lat


def bench_concurrent(port: int, ids: list[int], clients: int = 50, per_client: int = 60
                     ) -> Row:
    """Clients in separate processes (stdlib http.client) so the client side is not the
    bottleneck, as it is with one asyncio process of httpx clients."""
    paths = ["/api/sessions", f"/api/sessions/{ids[0]}", "/api/alerts",
             f"/api/sessions/{ids[1]}/series?points=1000", "/healthz"]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(clients) as ex:
        res = list(ex.map(_client, [(port, k, paths, per_client) for k in range(clients)]))
    wall = time.perf_counter() - t0
    lat = [x for r in res for x in r]
    print(f"API, {clients} concurrent clients, {len(lat)} requests: {len(lat) / wall:.0f} "
          f"req/s, p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms (target p99 < 100 ms)")
    return Row(work=f"dashboard API, {clients} concurrent clients", unit="ms",
               ours_name="request latency, 5 endpoints in turn, clients in separate processes",
               ours=Stat.of(x * 1000 for x in lat),
               note=f"p99 {pct(lat, 99):.1f} ms, {len(lat) / wall:.0f} req/s")


async def bench_push(base: str, phones: int = PHONES, rate: float = 50.0,
                     seconds: float = 20.0, batch_s: float = 0.2) -> Row:
    per = int(rate * batch_s)
    lat: list[float] = []
    lag: list[float] = []
    sent = refused = 0
    t_start = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 limits=httpx.Limits(max_connections=phones)) as c:

        async def phone(k: int) -> None:
            nonlocal sent, refused
            t0_ns = 1_764_000_000_000_000_000 + k
            for m in range(int(seconds / batch_s)):
                due = t_start + m * batch_s
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                lag.append(time.monotonic() - due)
                payload = []
                g = {"x": 0.1, "y": 0.2, "z": 9.8}
                for i in range(per):
                    ns = t0_ns + int((m * per + i) * 1e9 / rate)
                    payload += [
                        {"name": "accelerometer", "time": ns,
                         "values": {"x": 0.01, "y": 0.02, "z": 0.0}},
                        {"name": "gravity", "time": ns, "values": g},
                        {"name": "gyroscope", "time": ns,
                         "values": {"x": 0.0, "y": 0.0, "z": 0.01}}]
                msg = {"messageId": m, "sessionId": f"bench-{k}", "deviceId": f"p{k}",
                       "payload": payload}
                t0 = time.perf_counter()
                r = await c.post("/api/push/sensorlogger", json=msg)
                lat.append(time.perf_counter() - t0)
                if r.status_code == 503:  # too many in flight: counted, not retried
                    refused += 1
                    continue
                r.raise_for_status()
                sent += per

        await asyncio.gather(*(phone(k) for k in range(phones)))
    wall = time.monotonic() - t_start
    print(f"push, {phones} phones x {rate:g} Hz for {seconds:g} s: {sent / wall:.0f} samples/s "
          f"ingested of {phones * rate:.0f} offered, {refused} messages refused (503), "
          f"request p50 {pct(lat, 50):.1f} ms, "
          f"p99 {pct(lat, 99):.1f} ms, schedule lag p99 {pct(lag, 99):.1f} ms "
          f"(keeps up if lag stays well under the {batch_s * 1000:.0f} ms batch period)")
    return Row(work=f"push: {phones} phones x {rate:g} Hz", unit="ms",
               ours_name="POST /api/push/sensorlogger, one 0.2 s message per phone, real time",
               ours=Stat.of(x * 1000 for x in lat),
               note=f"{sent / wall:.0f} of {phones * rate:.0f} samples/s ingested, {refused} "
               f"messages refused (503, in flight), request p99 "
               f"{pct(lat, 99):.1f} ms, schedule lag p99 {pct(lag, 99):.1f} ms")


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def bench_wrk(port: int, ids: list[int], clients: int = 50, seconds: int = 15) -> None:
    """The same request mix from ``wrk`` (C, two threads), when installed: Python client
    processes on a 2-core machine take CPU from the server they measure."""
    import re
    import shutil

    wrk = shutil.which("wrk")
    if wrk is None:
        print("API via wrk: skipped (wrk not installed; Debian package 'wrk')")
        return
    paths = ["/api/sessions", f"/api/sessions/{ids[0]}", "/api/alerts",
             f"/api/sessions/{ids[1]}/series?points=1000", "/healthz"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    out = subprocess.run([wrk, "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s",
                          f.name, f"http://127.0.0.1:{port}"], capture_output=True,
                         text=True, check=True).stdout
    Path(f.name).unlink()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    print(f"API via wrk, {clients} connections, {seconds} s: {rps.group(1) if rps else '?'} "
          f"req/s, p50 {lat.get('50')}, p90 {lat.get('90')}, p99 {lat.get('99')} "
          "(target p99 < 100 ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=4.0)
    ap.add_argument("--push-s", type=float, default=20.0)
    ap.add_argument("--skip-long", action="store_true", help="skip the long session")
    ap.add_argument("--rows", help="append the table rows (JSON lines) to this file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        ids = small_sessions(db)
        long_id = None if args.skip_long else long_session(db, args.hours)
        port = free_port()
        proc = start_server(db, port)
        base = f"http://127.0.0.1:{port}"
        rows: list[Row] = []
        try:
            if long_id is not None:
                rows.append(bench_series(base, long_id))
            rows.append(bench_concurrent(port, ids))
            bench_wrk(port, ids)
            rows.append(asyncio.run(bench_push(base, seconds=args.push_s)))
            hwm = server_peak_rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)
    print(f"server peak RSS (VmHWM): {hwm:.0f} MiB")
    write_rows(args.rows, [Row(**{**r.__dict__, "ours_rss_mib": hwm}) for r in rows])


def server_peak_rss_mib(pid: int) -> float:
    """Peak resident memory of a running process (Linux ``VmHWM``), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmHWM in /proc status")


if __name__ == "__main__":
    main()
