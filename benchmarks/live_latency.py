"""Live runner cost: per-block latency and CPU of a live session at 100 Hz, and the cost of
storing samples.

    python benchmarks/live_latency.py [--seconds 30]

1. Latency: a 100 Hz recording (fixtures/recordings/desk_chest_100hz) cut into 20 ms
   blocks, each handed to ``LiveRunner.handle`` (calibration, core, alert dispatch, session
   storage in a temporary SQLite database) as fast as possible; the time from a block's
   arrival to its events, p50 / p99 / max (targets: p99 < 5 ms).
2. CPU: the same recording replayed in real time (20 ms blocks) through the asyncio loop
   for ``--seconds``; process CPU time / wall time (target < 2 % of one core).
3. Storage: appending a 1 s block of 100 Hz samples as float32 BLOBs and committing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np

from firmware_interface.samples import SampleBlock
from sensorcoach.core.calibration import calibration_from_spans
from sensorcoach.live import LiveRunner, RecordingReplay, SessionRecorder
from sensorcoach.recording import Recording
from sensorcoach.store import Store

FIXTURE = (Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
           / "desk_chest_100hz.csv.gz")


def runner_for(rec: Recording, store: Store, source: object) -> LiveRunner:
    recorder = SessionRecorder(store, name="bench", source="bench", rate_hz=100.0,
                               placement="chest")
    r = LiveRunner(source,  # type: ignore[arg-type]
                   header_spans=(rec.calibration_upright_s,  # type: ignore[arg-type]
                                 rec.calibration_forward_s),
                   placement="chest", recorder=recorder)
    r.keep_lines = False
    return r


def latency(rec: Recording, store: Store) -> np.ndarray:
    r = runner_for(rec, store, RecordingReplay(rec))
    t, acc, gyro = rec.t, rec.acc_axes.T, rec.gyro_axes.T  # type: ignore[union-attr]
    lat = []
    for i in range(0, t.size, 2):  # 2 samples = 20 ms at 100 Hz
        b = SampleBlock(t[i:i + 2], acc[i:i + 2], gyro[i:i + 2])
        t0 = time.perf_counter()
        r.handle(b)
        lat.append(time.perf_counter() - t0)
    r.finish()
    return np.array(lat[600:]) * 1e3  # after calibration (the one-off catch-up)


def cpu(rec: Recording, store: Store, seconds: float) -> tuple[float, float, float]:
    """Steady state: calibrated beforehand (a saved calibration), replaying from 300 s."""
    cal = calibration_from_spans(rec.t, rec.acc_axes, rec.calibration_upright_s,  # type: ignore[arg-type]
                                 rec.calibration_forward_s)
    keep = (rec.t >= 300.0) & (rec.t < 300.0 + seconds)
    part = Recording.from_arrays(rec.t[keep], rec.acc_axes[:, keep],
                                 rec.gyro_axes[:, keep],  # type: ignore[index]
                                 sample_rate_hz=100.0)
    recorder = SessionRecorder(store, name="bench", source="bench", rate_hz=100.0,
                               placement="chest")
    r = LiveRunner(RecordingReplay(part, 1.0, block_s=0.02), calibration=cal,
                   placement="chest", recorder=recorder)
    r.keep_lines = False
    c0, w0 = time.process_time(), time.perf_counter()
    asyncio.run(r.run())
    wall = time.perf_counter() - w0
    total = (time.process_time() - c0) / wall * 100
    own = sum(r.latency_s) / wall * 100

    async def drain() -> None:  # the replay source and event loop alone
        async for _ in RecordingReplay(part, 1.0, block_s=0.02).blocks():
            pass

    c0, w0 = time.process_time(), time.perf_counter()
    asyncio.run(drain())
    source = (time.process_time() - c0) / (time.perf_counter() - w0) * 100
    return own, total, source


def storage(store: Store, blocks: int = 300) -> tuple[float, float]:
    sid = store.create_session("bench", "bench", sample_rate_hz=100, has_gyro=True)
    rng = np.random.default_rng(0)
    cost = []
    for k in range(blocks):
        t = k + np.arange(100) / 100
        a, g = rng.normal(0, 1, (3, 100)), rng.normal(0, 1, (3, 100))
        t0 = time.perf_counter()
        with store.transaction():
            store.append_samples(sid, t, a, g)
        cost.append(time.perf_counter() - t0)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = store.path.stat().st_size
    return float(np.median(cost)) * 1e3, size / (blocks * 100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="real-time run for CPU (s)")
    args = ap.parse_args()
    rec = Recording.read(FIXTURE)
    with tempfile.TemporaryDirectory() as d:
        with Store(Path(d) / "a.db") as s:
            lat = latency(rec, s)
        print(f"per-block latency, 100 Hz, 20 ms blocks, {lat.size} blocks "
              f"(core + dispatch + storage): p50 {np.percentile(lat, 50):.3f} ms, "
              f"p99 {np.percentile(lat, 99):.3f} ms, max {lat.max():.2f} ms "
              f"(target p99 < 5 ms)")
        with Store(Path(d) / "b.db") as s:
            own, total, source = cpu(rec, s, args.seconds)
        print(f"CPU of a live session at 100 Hz in real time ({args.seconds:g} s, 20 ms "
              f"blocks, storage on): our processing {own:.2f} % of one core (target < 2 %); "
              f"whole process {total:.2f} %, of which the replay source and event loop "
              f"alone {source:.2f} %")
        with Store(Path(d) / "c.db") as s:
            ms, per = storage(s)
        print(f"storage: 1 s of 100 Hz samples as a float32 BLOB + commit (WAL, "
              f"synchronous=NORMAL): median {ms:.3f} ms, {per:.1f} bytes/sample on disk")


if __name__ == "__main__":
    main()
