"""Plot series: per-frame flexion, lateral angle and activity of a session, decimated.

Decimation is min-max per bucket over both angles: each bucket keeps the frames holding
the minimum and maximum of flexion and of lateral angle (at most 4 per bucket), so peaks
(a slump, a form break) survive at any zoom level, and the result never exceeds ``points``.

The per-frame series comes from the analysis of the stored samples.  Re-analysing an
8-hour session takes seconds, so finished sessions' series are kept in a small in-memory
LRU cache (filled at upload time and on first request).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.analysis import Analysis, analyze
from sensorcoach.core.activity import ACTIVITY_NAMES
from sensorcoach.core.calibration import Calibration
from sensorcoach.errors import SensorcoachError
from sensorcoach.live.sessions import recording_from_store
from sensorcoach.store import Store

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class FrameSeries:
    """Per-frame ``t`` (s), ``flexion``/``lateral`` (deg, lateral NaN if unknown),
    ``activity`` codes."""

    t: FloatArray
    flexion: FloatArray
    lateral: FloatArray
    activity: IntArray

    @staticmethod
    def empty() -> FrameSeries:
        return FrameSeries(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int64))

    @staticmethod
    def of(analysis: Analysis) -> FrameSeries:
        s = analysis.series
        lat = s.lateral_deg if s.lateral_deg is not None else np.full(s.t.size, np.nan)
        return FrameSeries(np.asarray(s.t, np.float64), np.asarray(s.flexion_deg, np.float64),
                           np.asarray(lat, np.float64), np.asarray(s.activity, np.int64))


def minmax_indices(values: list[FloatArray], points: int) -> IntArray:
    """Indices (sorted, unique, at most ``points``) keeping each bucket's extremes of
    every array in ``values`` (all the same length)."""
    n = values[0].size if values else 0
    if n <= points:
        return np.arange(n, dtype=np.int64)
    per = 2 * len(values)
    nb = max(1, points // per)
    bs = math.ceil(n / nb)
    nb = math.ceil(n / bs)
    picks = [np.array([0, n - 1], np.int64)]
    offs = np.arange(nb, dtype=np.int64) * bs
    for v in values:
        x = np.where(np.isfinite(v), v, 0.0)
        pad = np.full(nb * bs - n, x[-1])
        m = np.concatenate([x, pad]).reshape(nb, bs)
        picks.append(np.minimum(offs + np.argmin(m, axis=1), n - 1))
        picks.append(np.minimum(offs + np.argmax(m, axis=1), n - 1))
    idx = np.unique(np.concatenate(picks))
    if idx.size > points:  # first/last on top of full buckets: drop evenly
        idx = idx[np.linspace(0, idx.size - 1, points).round().astype(np.int64)]
    return idx


def decimate(fs: FrameSeries, points: int) -> dict[str, Any]:
    """The JSON for ``/api/sessions/{id}/series``."""
    lat_known = bool(np.isfinite(fs.lateral).any())
    idx = minmax_indices([fs.flexion, fs.lateral] if lat_known else [fs.flexion], points)

    def rnd(a: FloatArray, nd: int) -> list[float | None]:
        return [None if not math.isfinite(v) else v for v in np.round(a[idx], nd).tolist()]

    return {"frames": int(fs.t.size), "points": int(idx.size), "decimation": "minmax",
            "t": np.round(fs.t[idx], 2).tolist(), "flexion_deg": rnd(fs.flexion, 2),
            "lateral_deg": rnd(fs.lateral, 2) if lat_known else None,
            "activity": fs.activity[idx].tolist(), "activity_names": list(ACTIVITY_NAMES)}


class SeriesCache:
    """Frame series of finished sessions by id (LRU, ``size`` sessions)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._d: OrderedDict[int, FrameSeries] = OrderedDict()
        self._bodies: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def body(self, session_id: int, points: int) -> bytes | None:
        """The encoded response for a finished session's series at ``points``, if kept:
        plot requests repeat, and decimating plus encoding costs more than serving."""
        with self._lock:
            return self._bodies.get((session_id, points))

    def put_body(self, session_id: int, points: int, body: bytes) -> None:
        with self._lock:
            self._bodies[(session_id, points)] = body
            while len(self._bodies) > 4 * self.size:
                self._bodies.popitem(last=False)

    def put(self, session_id: int, fs: FrameSeries) -> None:
        with self._lock:
            for key in [k for k in self._bodies if k[0] == session_id]:
                del self._bodies[key]
            self._d[session_id] = fs
            self._d.move_to_end(session_id)
            while len(self._d) > self.size:
                self._d.popitem(last=False)

    def drop(self, session_id: int) -> None:
        """Forget a (deleted) session."""
        with self._lock:
            self._d.pop(session_id, None)
            for key in [k for k in self._bodies if k[0] == session_id]:
                del self._bodies[key]

    def get(self, session_id: int) -> FrameSeries | None:
        with self._lock:
            fs = self._d.get(session_id)
            if fs is not None:
                self._d.move_to_end(session_id)
            return fs

    def load(self, store: Store, session_id: int, *, live: bool) -> FrameSeries:
        """From the cache, else analysed from the stored samples (cached unless live)."""
        fs = None if live else self.get(session_id)
        if fs is not None:
            return fs
        st = store.session_calibration(session_id)
        cal = None if st is None else Calibration.from_state(st)
        try:
            rec = recording_from_store(store, session_id, cal)
        except SensorcoachError:  # too few samples yet
            return FrameSeries.empty()
        fs = FrameSeries.of(analyze(rec, calibration=cal))
        if not live:
            self.put(session_id, fs)
        return fs
