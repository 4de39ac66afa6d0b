"""Live runner cost: per-block latency and CPU of a live session at 100 Hz, and the cost of
storing samples.

    python benchmarks/live_latency.py [--seconds 30] [--rounds 3] [--rows FILE]

1. Latency: a 100 Hz recording (fixtures/recordings/desk_chest_100hz) cut into 20 ms
   blocks, each handed to ``LiveRunner.handle`` (calibration, core, alert dispatch, session
   storage in a temporary SQLite database) as fast as possible; the time from a block's
   arrival to its events, p50 / p99 / max over every block, the first 600 (12 s: the
   calibration spans and the catch-up after them) included (target: p99 < 5 ms).
   Beside it, the same samples analysed offline in one ``analyze`` call, per 20 ms of
   data: what streaming costs over a batch.  Both timed whole, with the same warm-up and
   rounds (:func:`_harness.compare`); median (best) per block.
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
from _harness import Row, Stat, child_argv, compare, peak_rss_mib, write_rows

from firmware_interface.samples import SampleBlock
from sensorcoach.analysis import analyze
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


#: Blocks in the first 12 s: calibration spans, then the catch-up once calibrated.
FIRST_BLOCKS = 600


def latency(rec: Recording, store: Store) -> np.ndarray:
    """Per-block latency (ms) of every 20 ms block of ``rec``, none dropped."""
    r = runner_for(rec, store, RecordingReplay(rec))
    t, acc, gyro = rec.t, rec.acc_axes.T, rec.gyro_axes.T  # type: ignore[union-attr]
    lat = []
    for i in range(0, t.size, 2):  # 2 samples = 20 ms at 100 Hz
        b = SampleBlock(t[i:i + 2], acc[i:i + 2], gyro[i:i + 2])
        t0 = time.perf_counter()
        r.handle(b)
        lat.append(time.perf_counter() - t0)
    r.finish()
    return np.array(lat) * 1e3


def pct(x: np.ndarray) -> str:
    return (f"p50 {np.percentile(x, 50):.3f} ms, p99 {np.percentile(x, 99):.3f} ms, "
            f"max {x.max():.2f} ms")


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


def storage(store: Store, blocks: int = 300) -> tuple[float, float, list[float]]:
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
    ms = [c * 1e3 for c in cost]
    return float(np.median(ms)), size / (blocks * 100), ms


def _child(side: str) -> None:
    rec = Recording.read(FIXTURE)
    if side == "offline":
        analyze(rec)
        return
    with tempfile.TemporaryDirectory() as d, Store(Path(d) / "a.db") as s:
        latency(rec, s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="real-time run for CPU (s)")
    ap.add_argument("--rounds", type=int, default=3, help="timed replays (default 3)")
    ap.add_argument("--rows", help="append the table rows (JSON lines) to this file")
    ap.add_argument("--child", nargs=1, metavar="SIDE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0])
        return
    rec = Recording.read(FIXTURE)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as d:
        lats: list[np.ndarray] = []

        def live() -> None:
            with Store(Path(d) / f"a{len(lats)}.db") as s:
                lats.append(latency(rec, s))

        res = compare({"live": live, "offline": lambda: analyze(rec)}, rounds=args.rounds,
                      warmup=1)
        timed = lats[1:]  # the warm-up replay is not counted
        lat = np.concatenate(timed)
        first = np.concatenate([x[:FIRST_BLOCKS] for x in timed])
        rest = np.concatenate([x[FIRST_BLOCKS:] for x in timed])
        nb = timed[0].size
        rss = {k: peak_rss_mib(child_argv(__file__, k)) for k in ("live", "offline")}
        print(f"per-block latency, 100 Hz, 20 ms blocks, {nb} blocks x {len(timed)} replays "
              f"(core + dispatch + storage), every block: {pct(lat)} (target p99 < 5 ms)")
        print(f"  first {FIRST_BLOCKS} blocks (calibration and catch-up): {pct(first)}; "
              f"after: {pct(rest)}")
        per = {k: Stat(v.median / nb * 1e3, v.best / nb * 1e3, v.n) for k, v in res.items()}
        print(f"  whole replay {res['live'].median:.2f} s ({res['live'].best:.2f}); offline "
              f"analyze of the same samples {res['offline'].median:.2f} s "
              f"({res['offline'].best:.2f}); peak RSS live {rss['live']:.0f} MiB, offline "
              f"{rss['offline']:.0f} MiB")
        rows.append(Row(
            work="live: 20 ms block at 100 Hz, every block",
            ours_name=f"LiveRunner.handle per block, whole replay / {nb} blocks (per block "
            f"{pct(lat)}; first {FIRST_BLOCKS} blocks max {first.max():.1f} ms)",
            ours=per["live"], unit="ms",
            peer_name="offline analyze of the same samples, per 20 ms of data", peer=per["offline"],
            ours_rss_mib=rss["live"], peer_rss_mib=rss["offline"],
            note=f"{rec.duration_s / 60:.0f}-min 100 Hz desk fixture; storage to SQLite on"))
        with Store(Path(d) / "b.db") as s:
            own, total, source = cpu(rec, s, args.seconds)
        print(f"CPU of a live session at 100 Hz in real time ({args.seconds:g} s, 20 ms "
              f"blocks, storage on): our processing {own:.2f} % of one core (target < 2 %); "
              f"whole process {total:.2f} %, of which the replay source and event loop "
              f"alone {source:.2f} %")
        rows.append(Row(
            work=f"live CPU at 100 Hz, real time, {args.seconds:g} s", unit="%",
            ours_name="LiveRunner processing time / wall time (one run)",
            ours=Stat.of([own]),
            note=f"whole process {total:.2f} %, replay source and event loop alone "
            f"{source:.2f} %"))
        with Store(Path(d) / "c.db") as s:
            ms, per_sample, costs = storage(s)
        print(f"storage: 1 s of 100 Hz samples as a float32 BLOB + commit (WAL, "
              f"synchronous=NORMAL): median {ms:.3f} ms, {per_sample:.1f} bytes/sample on disk")
        rows.append(Row(
            work="store 1 s of 100 Hz samples + commit", unit="ms",
            ours_name="Store.append_samples in a transaction (float32 BLOB, WAL)",
            ours=Stat.of(costs), note=f"{per_sample:.1f} bytes/sample on disk"))
    write_rows(args.rows, rows)


if __name__ == "__main__":
    main()
