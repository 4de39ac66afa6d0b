"""Sessions, calibrations, events, alerts and samples in SQLite: the only SQL in the project.

One database file (WAL mode) at :func:`default_db_path` (``$SENSORCOACH_DB``, else the
user's data directory), shared by ``monitor`` (writer) and the dashboard (reader).

Samples are stored as BLOBs of float32, one row per block of about a second
(:data:`SAMPLE_COLUMNS` per sample: time offset from the block's ``t0`` and the axes).
Measured (benchmarks/live_latency.py): appending a 1 s block of 100 Hz samples and
committing costs ~0.1 ms in WAL mode with ``synchronous=NORMAL``, ~30 bytes per sample, so
a second-by-second commit is cheap, and keeping samples inside the database (rather than in
an append-only file beside it) gives one file to back up, one transaction per second that
covers samples, events and alerts together, and nothing to reconcile after a crash.
A process killed with ``kill -9`` loses only what it had not committed (at most the last
second); WAL keeps the file consistent (an OS crash or power cut may lose the last few
commits with ``synchronous=NORMAL``, never the file).

Time offsets are float32 relative to a float64 ``t0`` per block, so sub-microsecond
timing survives long sessions; accelerations (g) and rates (deg/s) as float32 keep ~7
significant digits, far beyond sensor resolution.

The schema is versioned: :data:`MIGRATIONS` are applied in order, each in a transaction,
and ``schema_version`` records the last one applied.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.errors import SensorcoachError

FloatArray = NDArray[np.float64]

#: float32 values per sample in a samples BLOB: dt, ax, ay, az, gx, gy, gz (gyro NaN if none).
SAMPLE_COLUMNS = 7

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        created_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('live', 'finished', 'interrupted')),
        sample_rate_hz REAL,
        has_gyro INTEGER NOT NULL DEFAULT 1,
        placement TEXT,
        meta TEXT NOT NULL DEFAULT '{}',
        owner_pid INTEGER,
        samples INTEGER NOT NULL DEFAULT 0,
        last_t_s REAL,
        summary TEXT,
        analysis TEXT
    );
    CREATE TABLE calibrations (
        id INTEGER PRIMARY KEY,
        session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        method TEXT NOT NULL,
        state TEXT NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        start_s REAL,
        end_s REAL,
        data TEXT NOT NULL
    );
    CREATE INDEX events_session ON events(session_id, start_s);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t_s REAL NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        delivered INTEGER NOT NULL,
        reason TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX alerts_created ON alerts(created_at);
    CREATE TABLE samples (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        t0 REAL NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    """,
    # 2: the person's settings (the dashboard's daily goal), one JSON value per key
    """
    CREATE TABLE prefs (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: "that was not a slump": verdicts on slump alerts (sensorcoach.feedback) with the
    # episode's figures kept (they outlive a deleted session), and resets of what they taught
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL,
        session_id INTEGER NOT NULL,
        t_s REAL NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('not_a_slump', 'right')),
        placement TEXT,
        episode TEXT,
        created_at TEXT NOT NULL,
        undone_at TEXT
    );
    CREATE INDEX feedback_alert ON feedback(alert_id);
    CREATE TABLE feedback_resets (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        after_mark INTEGER NOT NULL
    );
    """,
    # 4: the weekly plan (sensorcoach.plan), every version kept: a past day is judged by
    # the plan in force that day
    """
    CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        plan TEXT NOT NULL
    );
    """,
)


class StoreError(SensorcoachError):
    """The database cannot be opened, is newer than this program, or lacks a session."""


def default_db_path() -> Path:
    """``$SENSORCOACH_DB``, else ``sessions.sqlite3`` in the user's data directory."""
    env = os.environ.get("SENSORCOACH_DB")
    if env:
        return Path(env).expanduser()
    try:
        from platformdirs import user_data_dir

        base = Path(user_data_dir("sensorcoach", appauthor=False))
    except ImportError:  # platformdirs missing: the XDG rule by hand
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        base = Path(xdg) / "sensorcoach"
    return base / "sessions.sqlite3"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass(frozen=True)
class Samples:
    """Stored samples: ``t`` (n,) s, ``acc`` (3, n) g, ``gyro`` (3, n) deg/s or None."""

    t: FloatArray
    acc: FloatArray
    gyro: FloatArray | None


class Store:
    """A connection to the sessions database (``path``; created with its folder)."""

    def __init__(self, path: str | Path | None = None, *, check_same_thread: bool = True):
        self.path = Path(path) if path is not None else default_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0,
                                      check_same_thread=check_same_thread)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"{self.path}: cannot open the sessions database: {e}") from None
        self._seq: dict[int, int] = {}

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes into one commit (all or nothing)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------------ schema
    @property
    def schema_version(self) -> int:
        row = self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_version "
                        "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        have = self.schema_version
        if have > len(MIGRATIONS):
            raise StoreError(f"{self.path}: schema version {have} is newer than this "
                             f"sensorcoach understands ({len(MIGRATIONS)}); upgrade it")
        for version in range(have + 1, len(MIGRATIONS) + 1):
            # executescript would commit on its own; run statements inside our transaction
            with self.transaction():
                for stmt in MIGRATIONS[version - 1].split(";"):
                    if stmt.strip():
                        self.db.execute(stmt)
                self.db.execute("INSERT INTO schema_version VALUES (?, ?)", (version, _now()))

    # ------------------------------------------------------------------ sessions
    def create_session(self, name: str, source: str, *, sample_rate_hz: float | None,
                       has_gyro: bool, placement: str | None = None, live: bool = True,
                       meta: dict[str, str] | None = None) -> int:
        """A new session (``live`` ones are owned by this process until finished)."""
        cur = self.db.execute(
            "INSERT INTO sessions (name, source, created_at, status, sample_rate_hz, has_gyro,"
            " placement, meta, owner_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, source, _now(), "live" if live else "finished", sample_rate_hz,
             int(has_gyro), placement, json.dumps(meta or {}), os.getpid() if live else None))
        return int(cur.lastrowid or 0)

    def finish_session(self, session_id: int, *, summary: dict[str, Any] | None,
                       analysis: dict[str, Any] | None, status: str = "finished") -> None:
        """Close a session with its summary and SPEC section 4 analysis."""
        self.db.execute(
            "UPDATE sessions SET status = ?, ended_at = COALESCE(ended_at, ?), summary = ?,"
            " analysis = ?, owner_pid = NULL WHERE id = ?",
            (status, _now(), None if summary is None else json.dumps(summary),
             None if analysis is None else json.dumps(analysis), session_id))

    def orphaned_sessions(self) -> list[int]:
        """Live sessions whose owning process is gone (killed or crashed), marked
        ``interrupted`` here; returns their ids (oldest first)."""
        rows = self.db.execute(
            "SELECT id, owner_pid FROM sessions WHERE status = 'live' ORDER BY id").fetchall()
        dead = [int(r["id"]) for r in rows if not _alive(r["owner_pid"])]
        for sid in dead:
            self.db.execute("UPDATE sessions SET status = 'interrupted', ended_at = ?,"
                            " owner_pid = NULL WHERE id = ?", (_now(), sid))
        return dead

    def import_recording(self, name: str, source: str, t: FloatArray, acc: FloatArray,
                         gyro: FloatArray | None, *, sample_rate_hz: float,
                         placement: str | None, meta: dict[str, str],
                         analysis: dict[str, Any], summary: dict[str, Any]) -> int:
        """Store a finished session (an imported file) with its samples and analysis in one
        transaction; ``acc``/``gyro`` (3, n)."""
        with self.transaction():
            sid = self.create_session(name, source, sample_rate_hz=sample_rate_hz,
                                      has_gyro=gyro is not None, placement=placement,
                                      live=False, meta=meta)
            step = max(1, round(sample_rate_hz))
            for i in range(0, t.size, step):
                s = slice(i, i + step)
                self.append_samples(sid, t[s], acc[:, s], None if gyro is None else gyro[:, s])
            for ep in analysis.get("slumps", []):
                self.add_event(sid, "slump", ep.get("start_s"), ep.get("end_s"), ep)
            for h in analysis.get("holds", []):
                self.add_event(sid, "hold", h.get("start_s"), h.get("end_s"), h)
            for a in analysis.get("alerts", []):
                self.add_alert(sid, float(a["t_s"]), str(a["kind"]), str(a["message"]),
                               delivered=False, reason="imported")
            self.finish_session(sid, summary=summary, analysis=analysis)
        return sid

    def list_sessions(self) -> list[dict[str, Any]]:
        """Every session, newest first, with its summary (no analysis, no samples)."""
        rows = self.db.execute(
            "SELECT id, name, source, created_at, ended_at, status, sample_rate_hz, has_gyro,"
            " placement, samples, last_t_s, summary FROM sessions ORDER BY id DESC").fetchall()
        return [_session_row(r) for r in rows]

    def rename_session(self, session_id: int, name: str) -> None:
        """A new name for a session; StoreError when there is none."""
        cur = self.db.execute("UPDATE sessions SET name = ? WHERE id = ?", (name, session_id))
        if cur.rowcount == 0:
            raise StoreError(f"no session {session_id}")

    def delete_session(self, session_id: int) -> None:
        """A session with its samples, events, alerts and calibrations (one transaction);
        StoreError when there is none."""
        with self.transaction():
            for table in ("samples", "events", "alerts", "calibrations"):
                self.db.execute(f"DELETE FROM {table} WHERE session_id = ?",
                                (session_id,))
            cur = self.db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            if cur.rowcount == 0:
                raise StoreError(f"no session {session_id}")
        self._seq.pop(session_id, None)

    def hold_events(self) -> list[dict[str, Any]]:
        """Every stored hold of finished sessions (its JSON object plus ``session_id``),
        oldest session first: the material of workout trends."""
        rows = self.db.execute(
            "SELECT e.session_id, e.data FROM events e JOIN sessions s ON s.id = e.session_id"
            " WHERE e.kind = 'hold' AND s.status != 'live' ORDER BY e.session_id, e.start_s"
        ).fetchall()
        return [{**json.loads(r["data"]), "session_id": int(r["session_id"])} for r in rows]

    def alert_counts(self, kind: str) -> dict[int, int]:
        """Alerts of ``kind`` per session id (sessions without one absent)."""
        rows = self.db.execute("SELECT session_id, COUNT(*) AS n FROM alerts WHERE kind = ?"
                               " GROUP BY session_id", (kind,)).fetchall()
        return {int(r["session_id"]): int(r["n"]) for r in rows}

    def get_pref(self, key: str) -> Any:
        """A stored setting of the person (None if never set)."""
        r = self.db.execute("SELECT value FROM prefs WHERE key = ?", (key,)).fetchone()
        return None if r is None else json.loads(r["value"])

    def set_pref(self, key: str, value: Any) -> None:
        self.db.execute("INSERT INTO prefs (key, value) VALUES (?, ?) ON CONFLICT(key)"
                        " DO UPDATE SET value = excluded.value", (key, json.dumps(value)))

    def save_plan(self, plan: dict[str, Any]) -> int:
        """A new version of the weekly plan (``sensorcoach.plan.Plan.to_dict``)."""
        cur = self.db.execute("INSERT INTO plans (created_at, plan) VALUES (?, ?)",
                              (_now(), json.dumps(plan)))
        return int(cur.lastrowid or 0)

    def plans(self) -> list[tuple[str, dict[str, Any]]]:
        """Every version of the plan, oldest first: (created_at, plan)."""
        rows = self.db.execute("SELECT created_at, plan FROM plans ORDER BY id").fetchall()
        return [(str(r["created_at"]), json.loads(r["plan"])) for r in rows]

    def exercise_sets(self) -> list[dict[str, Any]]:
        """Per analysed session (oldest first): ``id``, ``created_at``, ``summary`` and the
        ``holds`` and ``reps`` of its analysis (SPEC section 4), the material of the plan's
        days (the rest of the analysis is not read)."""
        rows = self.db.execute(
            "SELECT id, created_at, summary, json_extract(analysis, '$.holds') AS holds,"
            " json_extract(analysis, '$.reps') AS reps FROM sessions"
            " WHERE status != 'live' AND analysis IS NOT NULL ORDER BY id").fetchall()
        return [{"id": int(r["id"]), "created_at": r["created_at"],
                 "summary": json.loads(r["summary"]) if r["summary"] else None,
                 "holds": json.loads(r["holds"] or "[]"), "reps": json.loads(r["reps"] or "[]")}
                for r in rows]

    def alerts_page(self, limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Alerts newest first from ``offset`` (at most ``limit``) and how many there are."""
        total = int(self.db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0])
        rows = self.db.execute(
            "SELECT a.id, a.session_id, s.name AS session_name, a.t_s, a.kind, a.message,"
            " a.delivered, a.reason, a.created_at FROM alerts a JOIN sessions s"
            " ON s.id = a.session_id ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (limit, offset)).fetchall()
        return [{**dict(r), "delivered": bool(r["delivered"])} for r in rows], total

    def live_sessions(self) -> list[dict[str, Any]]:
        """Sessions being recorded now."""
        return [s for s in self.list_sessions() if s["status"] == "live"]

    def get_session(self, session_id: int) -> dict[str, Any]:
        """The analysis JSON (SPEC section 4; empty while live) plus ``id``, ``name``,
        ``created_at`` and the session's columns; StoreError when there is none."""
        r = self.db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if r is None:
            raise StoreError(f"no session {session_id}")
        out: dict[str, Any] = json.loads(r["analysis"]) if r["analysis"] else {}
        out.update(_session_row(r))
        out["meta"] = json.loads(r["meta"])
        return out

    # ------------------------------------------------------------------ data
    def append_samples(self, session_id: int, t: FloatArray, acc: FloatArray,
                       gyro: FloatArray | None) -> None:
        """One block of samples: ``t`` (n,) s, ``acc``/``gyro`` (3, n). Not committed by
        itself when inside :meth:`transaction`."""
        n = int(t.size)
        if n == 0:
            return
        seq = self._seq.get(session_id)
        if seq is None:
            row = self.db.execute("SELECT MAX(seq) FROM samples WHERE session_id = ?",
                                  (session_id,)).fetchone()
            seq = -1 if row[0] is None else int(row[0])
        seq += 1
        self._seq[session_id] = seq
        t0 = float(t[0])
        block = np.empty((n, SAMPLE_COLUMNS), np.float32)
        block[:, 0] = t - t0
        block[:, 1:4] = acc.T
        block[:, 4:7] = np.nan if gyro is None else gyro.T
        self.db.execute("INSERT INTO samples VALUES (?, ?, ?, ?, ?)",
                        (session_id, seq, t0, n, block.tobytes()))
        self.db.execute("UPDATE sessions SET samples = samples + ?, last_t_s = ? WHERE id = ?",
                        (n, float(t[-1]), session_id))

    def get_samples(self, session_id: int, start_s: float | None = None,
                    end_s: float | None = None) -> Samples:
        """Samples of a session (optionally those in ``[start_s, end_s]``, s)."""
        has_gyro = bool(self.get_session(session_id)["has_gyro"])
        rows = self.db.execute("SELECT t0, n, data FROM samples WHERE session_id = ?"
                               " ORDER BY seq", (session_id,)).fetchall()
        if not rows:
            return Samples(np.zeros(0), np.zeros((3, 0)), np.zeros((3, 0)) if has_gyro else None)
        parts = [np.frombuffer(r["data"], np.float32).reshape(int(r["n"]), SAMPLE_COLUMNS)
                 for r in rows]
        t = np.concatenate([float(r["t0"]) + p[:, 0].astype(np.float64)
                            for r, p in zip(rows, parts, strict=True)])
        vals = np.concatenate(parts).astype(np.float64)
        sel = np.ones(t.size, bool)
        if start_s is not None:
            sel &= t >= start_s
        if end_s is not None:
            sel &= t <= end_s
        return Samples(t[sel], vals[sel, 1:4].T.copy(),
                       vals[sel, 4:7].T.copy() if has_gyro else None)

    def save_calibration(self, session_id: int | None, state: dict[str, Any]) -> int:
        """A calibration (``Calibration.to_state()``) used by a session."""
        cur = self.db.execute(
            "INSERT INTO calibrations (session_id, created_at, method, state) VALUES (?,?,?,?)",
            (session_id, _now(), str(state.get("method", "")), json.dumps(state)))
        return int(cur.lastrowid or 0)

    def session_calibration(self, session_id: int) -> dict[str, Any] | None:
        """The latest calibration saved for a session, as saved."""
        r = self.db.execute("SELECT state FROM calibrations WHERE session_id = ? "
                            "ORDER BY id DESC LIMIT 1", (session_id,)).fetchone()
        return None if r is None else dict(json.loads(r["state"]))

    def add_event(self, session_id: int, kind: str, start_s: float | None,
                  end_s: float | None, data: dict[str, Any]) -> None:
        """A finished episode, hold, form break, ... (``data``: its JSON object)."""
        self.db.execute("INSERT INTO events (session_id, kind, start_s, end_s, data)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (session_id, kind, start_s, end_s, json.dumps(data)))

    def events(self, session_id: int, kind: str | None = None) -> list[dict[str, Any]]:
        """Stored events of a session (each its JSON object plus ``kind``)."""
        rows = self.db.execute(
            "SELECT kind, data FROM events WHERE session_id = ? AND (? IS NULL OR kind = ?)"
            " ORDER BY start_s, id", (session_id, kind, kind)).fetchall()
        return [{**json.loads(r["data"]), "kind": r["kind"]} for r in rows]

    def add_alert(self, session_id: int, t_s: float, kind: str, message: str, *,
                  delivered: bool, reason: str | None = None) -> None:
        """An alert; ``delivered`` False when held back (tracking mode, snooze, stale
        calibration: ``reason``)."""
        self.db.execute("INSERT INTO alerts (session_id, t_s, kind, message, delivered, reason,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (session_id, t_s, kind, message, int(delivered), reason, _now()))

    def recent_alerts(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest alerts across sessions, newest first."""
        rows = self.db.execute(
            "SELECT a.session_id, s.name AS session_name, a.t_s, a.kind, a.message,"
            " a.delivered, a.reason, a.created_at FROM alerts a JOIN sessions s"
            " ON s.id = a.session_id ORDER BY a.id DESC LIMIT ?", (limit,)).fetchall()
        return [{**dict(r), "delivered": bool(r["delivered"])} for r in rows]


def _session_row(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": int(r["id"]), "name": r["name"], "source": r["source"],
            "created_at": r["created_at"], "ended_at": r["ended_at"], "status": r["status"],
            "live": r["status"] == "live", "sample_rate_hz": r["sample_rate_hz"],
            "has_gyro": bool(r["has_gyro"]), "placement": r["placement"],
            "samples": int(r["samples"]), "last_t_s": r["last_t_s"],
            "summary": json.loads(r["summary"]) if r["summary"] else None}


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
