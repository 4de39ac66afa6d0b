"""A live session's storage: samples committed about every second, events and alerts with
them; finishing (analysis) and recovery of sessions a killed process left behind.

Crash safety: everything of a session is written in one transaction per flush (at most
``flush_s`` of stream or host time apart), so ``kill -9`` loses at most that much and
leaves the database consistent (SQLite WAL).  At the next start :func:`recover` marks
sessions whose process is gone ``interrupted`` and analyses what they stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.analysis import analyze
from sensorcoach.core.calibration import Calibration
from sensorcoach.errors import SensorcoachError
from sensorcoach.feedback import personal_settings
from sensorcoach.recording import Recording
from sensorcoach.store import Store

FloatArray = NDArray[np.float64]


class SessionRecorder:
    """Buffers a live session's samples, events and alerts and commits them together.

    The session row is created with the first samples (when gyro presence is known).
    ``rate_hz``: nominal rate (Hz) if the source knows it, else estimated from the data.
    """

    def __init__(self, store: Store, *, name: str, source: str, rate_hz: float | None,
                 placement: str | None, meta: dict[str, str] | None = None,
                 flush_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.name, self.source = name, source
        self.rate_hz, self.placement = rate_hz, placement
        self.meta = dict(meta or {})
        self.flush_s = flush_s
        self.session_id: int | None = None
        self._clock = clock
        self._last_flush = clock()
        self._t: list[FloatArray] = []
        self._acc: list[FloatArray] = []
        self._gyro: list[FloatArray | None] = []
        self._writes: list[Callable[[int], None]] = []
        self._has_gyro: bool | None = None

    def add_samples(self, t: FloatArray, acc: FloatArray, gyro: FloatArray | None) -> None:
        """``t`` (n,) s, ``acc``/``gyro`` (3, n) g and deg/s."""
        if self._has_gyro is None:
            self._has_gyro = gyro is not None
        self._t.append(t)
        self._acc.append(acc)
        self._gyro.append(gyro)
        span = float(t[-1]) - float(self._t[0][0])
        if span >= self.flush_s or self._clock() - self._last_flush >= self.flush_s:
            self.flush()

    def add_calibration(self, cal: Calibration) -> None:
        state = cal.to_state()
        self._writes.append(lambda sid: self._save_cal(sid, state))

    def _save_cal(self, sid: int, state: dict[str, Any]) -> None:
        self.store.save_calibration(sid, state)

    def add_event(self, kind: str, start_s: float | None, end_s: float | None,
                  data: dict[str, Any]) -> None:
        self._writes.append(lambda sid: self.store.add_event(sid, kind, start_s, end_s, data))

    def add_alert(self, t_s: float, kind: str, message: str, delivered: bool,
                  reason: str | None) -> None:
        self._writes.append(lambda sid: self.store.add_alert(sid, t_s, kind, message,
                                                             delivered=delivered,
                                                             reason=reason))

    def flush(self) -> None:
        """Commit what is buffered (one transaction)."""
        self._last_flush = self._clock()
        if self.session_id is None:
            if not self._t:
                return
            t = np.concatenate(self._t)
            rate = self.rate_hz or (1.0 / float(np.median(np.diff(t))) if t.size > 1 else None)
            self.rate_hz = rate
            self.session_id = self.store.create_session(
                self.name, self.source, sample_rate_hz=rate, has_gyro=bool(self._has_gyro),
                placement=self.placement, meta=self.meta)
        sid = self.session_id
        if not self._t and not self._writes:
            return
        with self.store.transaction():
            if self._t:
                t = np.concatenate(self._t)
                acc = np.concatenate(self._acc, axis=1)
                gyro = (None if not self._has_gyro else
                        np.concatenate([g if g is not None else np.full((3, x.size), np.nan)
                                        for g, x in zip(self._gyro, self._t, strict=True)],
                                       axis=1))
                self.store.append_samples(sid, t, acc, gyro)
            for w in self._writes:
                w(sid)
        self._t, self._acc, self._gyro, self._writes = [], [], [], []

    def finish(self, calibration: Calibration | None, status: str = "finished"
               ) -> dict[str, Any] | None:
        """Flush, analyse the stored samples and close the session; returns the summary."""
        self.flush()
        if self.session_id is None:
            return None
        return finish_session(self.store, self.session_id, calibration, status)


def recording_from_store(store: Store, session_id: int,
                         calibration: Calibration | None = None) -> Recording:
    """Rebuild a session's :class:`Recording` from its stored samples.  Calibration spans
    of a guided or header calibration (``calibration``, else the one saved) become the
    header spans, so ``analyze`` calibrates it as it was live."""
    s = store.get_session(session_id)
    smp = store.get_samples(session_id)
    if smp.t.size < 2:
        raise SensorcoachError(f"session {session_id} has {smp.t.size} stored samples")
    if calibration is None:
        st = store.session_calibration(session_id)
        calibration = None if st is None else Calibration.from_state(st)
    spans: tuple[Any, Any] = (None, None)
    if calibration is not None and calibration.method in ("guided", "header"):
        spans = (calibration.upright_s, calibration.forward_s)
    elif calibration is None and (s.get("calibration") or {}).get("method") == "header":
        spans = (s["calibration"]["upright_s"], s["calibration"]["forward_s"])  # imported
    meta = {k: v for k, v in s["meta"].items() if not k.startswith("calibration_")}
    if s["placement"]:
        meta["placement"] = s["placement"]
    rec = Recording.from_arrays(smp.t, smp.acc, smp.gyro, sample_rate_hz=s["sample_rate_hz"],
                                calibration_upright_s=spans[0],
                                calibration_forward_s=spans[1], meta=meta)
    return rec


def summarize(analysis: dict[str, Any]) -> dict[str, Any]:
    """The short summary kept beside a session (counts and posture shares)."""
    return {"duration_s": analysis["recording"]["duration_s"],
            "slumps": len(analysis["slumps"]), "holds": len(analysis["holds"]),
            "alerts": len(analysis["alerts"]), **analysis["posture"]}


def finish_session(store: Store, session_id: int, calibration: Calibration | None,
                   status: str = "finished") -> dict[str, Any]:
    """Analyse a session's stored samples and close it with analysis and summary."""
    try:
        rec = recording_from_store(store, session_id, calibration)
    except SensorcoachError:
        summary: dict[str, Any] = {"duration_s": 0.0, "slumps": 0, "holds": 0, "alerts": 0}
        store.finish_session(session_id, summary=summary, analysis=None, status=status)
        return summary
    if calibration is None:
        st = store.session_calibration(session_id)
        calibration = None if st is None else Calibration.from_state(st)
    # the person's thresholds (learnt from feedback), as the live runner had them
    result = analyze(rec, personal_settings(store), calibration=calibration).to_dict()
    summary = summarize(result)
    store.finish_session(session_id, summary=summary, analysis=result, status=status)
    return summary


def recover(store: Store) -> list[tuple[int, dict[str, Any]]]:
    """Close sessions left ``live`` by a process that is gone: mark them ``interrupted``
    and analyse what they stored; returns (id, summary) of each."""
    out = []
    for sid in store.orphaned_sessions():
        out.append((sid, finish_session(store, sid, None, status="interrupted")))
    return out
