"""The sessions database: schema and migrations, sessions, samples, events, alerts, and
crash safety (``kill -9`` of a live ``monitor``, then recovery)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sensorcoach import store as store_mod
from sensorcoach.analysis import analyze
from sensorcoach.live import recording_from_store, recover
from sensorcoach.live.sessions import summarize
from sensorcoach.recording import Recording
from sensorcoach.store import Store, StoreError, default_db_path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "recordings" / "desk_upper_50hz.csv.gz"


def test_default_path_env_and_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENSORCOACH_DB", str(tmp_path / "x" / "db.sqlite3"))
    assert default_db_path() == tmp_path / "x" / "db.sqlite3"
    with Store() as s:
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.schema_version == len(store_mod.MIGRATIONS)
    monkeypatch.delenv("SENSORCOACH_DB")
    assert default_db_path().name == "sessions.sqlite3"


def test_migrations_apply_in_order_and_newer_schema_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "m.db"
    Store(db).close()
    monkeypatch.setattr(store_mod, "MIGRATIONS", (*store_mod.MIGRATIONS,
                                                  "ALTER TABLE sessions ADD COLUMN note TEXT"))
    with Store(db) as s:
        assert s.schema_version == len(store_mod.MIGRATIONS)
        s.db.execute("UPDATE sessions SET note = ?", ("ok",))
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1])
    with pytest.raises(StoreError, match="newer"):
        Store(db)


def test_import_list_get_samples_alerts(tmp_path: Path) -> None:
    rec = Recording.read(FIXTURE)
    analysis = analyze(rec).to_dict()
    with Store(tmp_path / "s.db") as s:
        sid = s.import_recording("desk", "file", rec.t, rec.acc_axes, rec.gyro_axes,
                                 sample_rate_hz=rec.sample_rate_hz, placement="upper_back",
                                 meta=dict(rec.meta), analysis=analysis,
                                 summary=summarize(analysis))
        (row,) = s.list_sessions()
        assert row["id"] == sid and row["status"] == "finished" and not row["live"]
        assert row["summary"]["slumps"] == len(analysis["slumps"])
        got = s.get_session(sid)
        assert got["slumps"] == analysis["slumps"] and got["name"] == "desk"
        assert got["created_at"].endswith("Z")
        smp = s.get_samples(sid)
        np.testing.assert_allclose(smp.t, rec.t, atol=1e-6)
        np.testing.assert_allclose(smp.acc, rec.acc_axes, atol=1e-6)
        part = s.get_samples(sid, 100.0, 200.0)
        assert part.t[0] >= 100.0 and part.t[-1] <= 200.0
        assert len(s.recent_alerts(limit=2)) == 2
        assert s.live_sessions() == []
        back = recording_from_store(s, sid)
        again = analyze(back).to_dict()
        assert again["calibration"]["method"] == "header"
        assert [(e["start_s"], e["end_s"]) for e in again["slumps"]] == [
            (e["start_s"], e["end_s"]) for e in analysis["slumps"]]  # float32 samples
        with pytest.raises(StoreError):
            s.get_session(sid + 1)
        # parameterised SQL: a hostile name is just a name
        s.create_session("x'); DROP TABLE sessions; --", "t", sample_rate_hz=50,
                         has_gyro=False)
        assert len(s.list_sessions()) == 2


def test_kill_9_during_live_session_then_recovery(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sensorcoach", "monitor", "--source", f"replay:{FIXTURE}@40",
         "--json", "--db", str(db), "--no-desktop"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        samples = 0
        while time.monotonic() < deadline and samples < 50 * 60:
            time.sleep(0.2)
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=5) as c:
                        row = c.execute("SELECT MAX(samples) FROM sessions").fetchone()
                    samples = row[0] or 0
                except sqlite3.OperationalError:  # schema not created yet
                    pass
        assert samples >= 50 * 60, "the live session did not get going"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store(db) as s:
        (live,) = s.live_sessions()
        # stored samples are an exact prefix of the recording, up to the last commit
        rec = Recording.read(FIXTURE)
        smp = s.get_samples(live["id"])
        n = smp.t.size
        assert n == live["samples"] and n >= 50 * 60
        np.testing.assert_allclose(smp.t, rec.t[:n], atol=1e-6)
        np.testing.assert_allclose(smp.acc, rec.acc_axes[:, :n], atol=1e-6)
        ((sid, summary),) = recover(s)
        assert sid == live["id"]
        got = s.get_session(sid)
        assert got["status"] == "interrupted" and got["schema"] == "sensorcoach.analysis/1"
        assert got["calibration"]["method"] == "header"
        assert summary["duration_s"] == pytest.approx(smp.t[-1] - smp.t[0], abs=0.1)
        assert recover(s) == []  # closed once
