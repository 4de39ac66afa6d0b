"""Sensor Logger (tszheichoi/awesome-sensor-logger): HTTP push JSON and CSV export.

Both carry epoch-nanosecond timestamps per sensor.  Posture needs gravity, so the
acceleration we output is *gravity-inclusive* specific force in g:

* ``totalacceleration`` / ``TotalAcceleration.csv`` (Android) is used as is;
* otherwise ``accelerometer`` (gravity removed) + ``gravity``, the gravity series
  linearly interpolated onto the accelerometer's timestamps;
* with ``gravity`` alone, gravity is used (smoothed specific force, no dynamics).

Sign convention.  Android (and iOS with "Standardise Units & Frames" on) reports
acceleration and gravity so that a phone lying face up reads +9.81 m/s^2 on z, which
is our specific force.  iOS by default reports the opposite sign on all three axes
(CROSSPLATFORM.md of awesome-sensor-logger); ``frame="ios-raw"`` negates acceleration
and gravity.  Rotation rate (rad/s -> deg/s) has the same sign on both.  Push messages
do not say which platform sent them (*unconfirmed*), so ``frame`` must be given for raw
iOS pushes; the export's ``Metadata.csv`` ``platform`` column (*unconfirmed name*) lets
``frame="auto"`` pick ``ios-raw`` for iOS when no standardisation flag is present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from firmware_interface.bounded import loads_json
from firmware_interface.errors import DecodeError
from firmware_interface.samples import G0, RAD2DEG, DecodeStats, FloatArray, SampleBlock

Frame = Literal["auto", "standard", "ios-raw"]
I64 = NDArray[np.int64]
ACC_NAMES = ("totalacceleration", "accelerometer", "gravity")
GYRO_NAME = "gyroscope"
SENSORS = (*ACC_NAMES, GYRO_NAME)


@dataclass(frozen=True)
class Series:
    """One sensor: ``t_ns`` sorted unique epoch ns, ``xyz`` (N, 3) in the app's units."""

    t_ns: I64
    xyz: FloatArray


def make_series(t_ns: I64, xyz: FloatArray, stats: DecodeStats) -> Series:
    """Sort by time and drop repeated timestamps (counted as duplicates)."""
    order = np.argsort(t_ns, kind="stable")
    t, v = t_ns[order], xyz[order]
    keep = np.ones(t.size, dtype=bool)
    keep[1:] = np.diff(t) > 0
    stats.duplicates += int((~keep).sum())
    ok = keep & np.isfinite(v).all(axis=1)
    stats.records_bad += int((keep & ~ok).sum())
    return Series(t[ok], v[ok])


def combine(series: Mapping[str, Series], *, ios_raw: bool, stats: DecodeStats,
            until_ns: int | None = None) -> tuple[I64, FloatArray, FloatArray | None, str]:
    """Gravity-inclusive acceleration (g) and gyro (deg/s) on one time base.

    Returns (t_ns, acc_g (N, 3), gyro_dps (N, 3) or None, how) where ``how`` names the
    acceleration source.  Samples outside the range of a series being interpolated are
    dropped (never extrapolated).  ``until_ns`` bounds the base series (live use).
    """
    have = {k for k, s in series.items() if s.t_ns.size}
    if "totalacceleration" in have:
        base, how = series["totalacceleration"], "totalacceleration"
        t, acc = base.t_ns, base.xyz
    elif "accelerometer" in have and "gravity" in have:
        base, how = series["accelerometer"], "accelerometer+gravity"
        t, acc = base.t_ns, base.xyz
        keep = _inside(t, series["gravity"].t_ns)
        t, acc = t[keep], acc[keep] + _interp(t[keep], series["gravity"])
    elif "gravity" in have:
        base, how = series["gravity"], "gravity"
        t, acc = base.t_ns, base.xyz
    elif "accelerometer" in have:
        raise DecodeError("accelerometer without gravity: the app removes gravity from "
                          "'accelerometer'; enable the Gravity sensor (or TotalAcceleration)")
    else:
        raise DecodeError("no accelerometer, gravity or total acceleration data")
    gyro = None
    if GYRO_NAME in have:
        g = series[GYRO_NAME]
        keep = _inside(t, g.t_ns)
        t, acc = t[keep], acc[keep]
        gyro = _interp(t, g) * RAD2DEG
    if until_ns is not None:
        keep = t <= until_ns
        t, acc = t[keep], acc[keep]
        gyro = None if gyro is None else gyro[keep]
    acc_g = acc / G0 * (-1.0 if ios_raw else 1.0)
    return t, acc_g, gyro, how


def _inside(t: I64, ref: I64) -> NDArray[np.bool_]:
    return (t >= ref[0]) & (t <= ref[-1]) if ref.size else np.zeros(t.size, dtype=bool)


def _interp(t: I64, s: Series) -> FloatArray:
    x0 = int(s.t_ns[0])
    tx = (t - x0).astype(np.float64)
    sx = (s.t_ns - x0).astype(np.float64)
    return np.stack([np.interp(tx, sx, s.xyz[:, k]) for k in range(3)], axis=1)


class SensorLoggerPushDecoder:
    """Assembles HTTP push messages (any order, retries) into a time-ordered stream.

    ``add(message)`` takes one decoded JSON object (or its text); ``drain()`` returns
    the samples that are now complete.  Live, samples newer than the oldest "latest"
    time over the sensors in use (minus ``latency_s``) wait for late messages; a sample
    older than what was already delivered is counted in ``late_dropped``.
    """

    def __init__(self, *, frame: Frame = "standard", latency_s: float = 1.0) -> None:
        self.frame: Frame = frame
        self.latency_ns = int(latency_s * 1e9)
        self.stats = DecodeStats()
        self.session_id: str | None = None
        self.t0_ns: int | None = None
        self._seen: set[int] = set()
        self._max_id = -1
        self._raw: dict[str, list[tuple[int, float, float, float]]] = {s: [] for s in SENSORS}
        self._delivered_ns: int | None = None
        self.gyro: bool | None = None

    def add(self, message: Mapping[str, Any] | str | bytes) -> bool:
        """Take one message; False if its ``messageId`` was already received."""
        msg = _as_mapping(message)
        mid = msg.get("messageId")
        payload = msg.get("payload")
        if not isinstance(mid, int) or not isinstance(payload, list):
            self.stats.records_bad += 1
            raise DecodeError("not a Sensor Logger message (needs integer 'messageId' and "
                              "a 'payload' list)")
        if mid in self._seen:
            self.stats.duplicates += 1
            return False
        self._seen.add(mid)
        if mid < self._max_id:
            self.stats.reordered += 1
        self._max_id = max(self._max_id, mid)
        sid = msg.get("sessionId")
        if isinstance(sid, str) and self.session_id is None:
            self.session_id = sid
        for item in payload:
            self._add_item(item)
        return True

    def _add_item(self, item: Any) -> None:
        if not isinstance(item, dict):
            self.stats.records_bad += 1
            return
        name = str(item.get("name", "")).lower()
        if name not in self._raw:
            self.stats.frames_other += 1
            return
        vals: Any = item.get("values")
        t: Any = item.get("time")
        try:
            rec = (int(t), float(vals["x"]), float(vals["y"]), float(vals["z"]))
        except (TypeError, KeyError, ValueError, IndexError):
            self.stats.records_bad += 1
            return
        if self._delivered_ns is not None and rec[0] <= self._delivered_ns:
            self.stats.late_dropped += 1
            return
        self.stats.frames_ok += 1
        self._raw[name].append(rec)

    def series(self, stats: DecodeStats) -> dict[str, Series]:
        """Every sensor received and not yet trimmed, sorted and de-duplicated."""
        out = {}
        for name, recs in self._raw.items():
            xyz = np.array([r[1:] for r in recs], dtype=np.float64).reshape(-1, 3)
            t_ns = np.array([r[0] for r in recs], dtype=np.int64)
            out[name] = make_series(t_ns, xyz, stats)
        return out

    def drain(self, *, final: bool = False) -> SampleBlock:
        """Samples complete so far, in time order, t in s since the first sample."""
        series = self.series(self.stats)
        active = [s for s in series.values() if s.t_ns.size]
        if not active:
            return SampleBlock.empty(bool(self.gyro))
        until = None
        if not final:
            until = min(int(s.t_ns[-1]) for s in active) - self.latency_ns
        try:
            t, acc, gyro, _ = combine(series, ios_raw=self.frame == "ios-raw",
                                      stats=self.stats, until_ns=until)
        except DecodeError:
            if not final:
                return SampleBlock.empty(bool(self.gyro))
            raise
        if self._delivered_ns is not None:
            keep = t > self._delivered_ns
            t, acc = t[keep], acc[keep]
            gyro = None if gyro is None else gyro[keep]
        if self.gyro is None:
            self.gyro = gyro is not None
        if t.size == 0:
            return SampleBlock.empty(bool(self.gyro))
        if self.t0_ns is None:
            self.t0_ns = int(t[0])
        self._delivered_ns = int(t[-1])
        self._trim()
        self.stats.samples_ok += int(t.size)
        return SampleBlock((t - self.t0_ns).astype(np.float64) * 1e-9, acc,
                           gyro if self.gyro else None)

    def _trim(self) -> None:
        # Keep one second before the delivered point for interpolation at the edge.
        assert self._delivered_ns is not None
        horizon = self._delivered_ns - 1_000_000_000
        for name, recs in self._raw.items():
            if recs and recs[0][0] < horizon:
                self._raw[name] = [r for r in recs if r[0] >= horizon]


def _as_mapping(message: Mapping[str, Any] | str | bytes) -> Mapping[str, Any]:
    if isinstance(message, Mapping):
        return message
    if not isinstance(message, str | bytes | bytearray):
        raise DecodeError(f"a Sensor Logger message is a JSON object, not "
                          f"{type(message).__name__}")
    obj = loads_json(bytes(message) if isinstance(message, bytearray) else message)
    if not isinstance(obj, dict):
        raise DecodeError("a Sensor Logger message is a JSON object")
    return obj


EXPORT_FILES = {"totalacceleration": "TotalAcceleration.csv",
                "accelerometer": "Accelerometer.csv", "gravity": "Gravity.csv",
                "gyroscope": "Gyroscope.csv"}


def is_export_file(name: str) -> bool:
    """Whether a file of an export (zip member or folder file) is one the decoder reads:
    the sensor CSVs above and ``Metadata.csv`` (others are never inflated)."""
    base = name.rsplit("/", 1)[-1].lower()
    return base == "metadata.csv" or base in {f.lower() for f in EXPORT_FILES.values()}


def export_series(names: list[str], table: FloatArray, stats: DecodeStats,
                  *, path: str | None = None) -> Series:
    """A sensor CSV of the export (``time,seconds_elapsed,z,y,x``), read by column name."""
    idx = {n.lower(): i for i, n in enumerate(names)}
    missing = [c for c in ("time", "x", "y", "z") if c not in idx]
    if missing:
        raise DecodeError(f"missing column(s) {','.join(missing)} (expected "
                          "time,seconds_elapsed,z,y,x)", path=path, line=1)
    t = table[:, idx["time"]]
    xyz = table[:, [idx["x"], idx["y"], idx["z"]]]
    good_t = np.isfinite(t)
    stats.records_bad += int((~good_t).sum())
    stats.frames_ok += int(good_t.sum())
    return make_series(t[good_t].astype(np.int64), xyz[good_t], stats)


def ios_raw_from_metadata(names: list[str], rows: list[list[str]]) -> bool | None:
    """From ``Metadata.csv`` (*unconfirmed columns*): True for iOS without
    standardisation, False for Android or standardised, None when it does not say."""
    if not rows:
        return None
    low = [n.strip().lower() for n in names]
    row = rows[0]
    cell = {n: (row[i].strip().lower() if i < len(row) else "") for i, n in enumerate(low)}
    platform = cell.get("platform", "")
    std = next((v for k, v in cell.items() if "standard" in k), "")
    if std in ("true", "1", "yes", "on"):
        return False
    if platform.startswith("ios"):
        return True
    if platform.startswith("android"):
        return False
    return None
