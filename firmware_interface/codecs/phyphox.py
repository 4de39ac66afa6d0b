"""phyphox (RWTH Aachen): CSV export and remote-access JSON.

CSV export of "Acceleration with g": quoted headers such as ``"Time (s)"``,
``"Acceleration x (m/s^2)"``, numbers like ``3.674579167E-2``, short columns padded with
``NaN``; separators comma, tab or semicolon, possibly with decimal commas (see
:mod:`._table`).  The gyroscope experiment exports ``"Gyroscope x (rad/s)"``.  Columns
are found by name; units come from the parenthesised suffix.

Sign: "Acceleration with g" is the Android accelerometer (specific force, +9.81 m/s^2
up at rest); phyphox is assumed to present iOS data in the same convention
(*unconfirmed*).  Linear acceleration (gravity removed) is refused: posture needs g.

Remote access (``/get``): ``{"buffer": {"accX": {"buffer": [...]}, ...}, "status":
{...}}``; incremental requests ``acc_time=T&accX=T|acc_time`` return values whose time is
later than ``T``.  ``status.session`` identifies the app's experiment session (a change
means the phone reloaded the experiment and its time restarted; *unconfirmed* whether
every phyphox version sends it, so it is optional here).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from firmware_interface.errors import DecodeError
from firmware_interface.samples import G0, RAD2DEG, DecodeStats, FloatArray, SampleBlock

_TIME = re.compile(r"^time\b.*\(s\)", re.I)
_ACC = re.compile(r"^acceleration ([xyz])\b.*\((m/s\^?2|m/s²|g)\)", re.I)
_LINEAR = re.compile(r"^linear acceleration", re.I)
_GYRO = re.compile(r"^gyroscope ([xyz])\b.*\((rad/s|deg/s|°/s)\)", re.I)


@dataclass(frozen=True)
class PhyphoxTable:
    """One exported file reduced to what we use; NaN padding rows removed."""

    t: FloatArray
    acc: FloatArray | None
    gyro: FloatArray | None


def from_table(names: list[str], table: FloatArray, stats: DecodeStats, *,
               path: str | None = None) -> PhyphoxTable:
    """Pick time, acceleration (-> g) and gyroscope (-> deg/s) columns by header name."""
    t_idx = next((i for i, n in enumerate(names) if _TIME.match(n)), None)
    if t_idx is None:
        raise DecodeError("no 'Time (s)' column: not a phyphox export", path=path, line=1)
    acc = _axes(names, table, _ACC, {"g": 1.0}, 1.0 / G0)
    gyro = _axes(names, table, _GYRO, {"deg/s": 1.0, "°/s": 1.0}, RAD2DEG)
    if acc is None and gyro is None:
        if any(_LINEAR.match(n) for n in names):
            raise DecodeError("linear acceleration has gravity removed; export phyphox's "
                              "'Acceleration with g' instead", path=path, line=1)
        raise DecodeError("no 'Acceleration x/y/z' or 'Gyroscope x/y/z' columns", path=path,
                          line=1)
    t = table[:, t_idx]
    used = [t[:, None]] + [a for a in (acc, gyro) if a is not None]
    ok = np.isfinite(np.hstack(used)).all(axis=1)
    stats.rows_padding += int((~ok).sum())
    stats.frames_ok += int(ok.sum())
    return PhyphoxTable(t[ok], None if acc is None else acc[ok],
                        None if gyro is None else gyro[ok])


def _axes(names: list[str], table: FloatArray, pattern: re.Pattern[str],
          units: dict[str, float], default_scale: float) -> FloatArray | None:
    found: dict[str, tuple[int, float]] = {}
    for i, n in enumerate(names):
        m = pattern.match(n)
        if m and m.group(1).lower() not in found:
            found[m.group(1).lower()] = (i, units.get(m.group(2).lower(), default_scale))
    if set(found) != {"x", "y", "z"}:
        return None
    return np.stack([table[:, found[k][0]] * found[k][1] for k in "xyz"], axis=1)


def merge(parts: list[PhyphoxTable], stats: DecodeStats) -> tuple[FloatArray, FloatArray,
                                                                    FloatArray | None]:
    """Acceleration from the first table that has it; gyroscope (from the same table or
    another file) interpolated onto its times, inside the gyro's time range only."""
    acc_part = next((p for p in parts if p.acc is not None), None)
    if acc_part is None or acc_part.acc is None:
        raise DecodeError("no acceleration data (a gyroscope export alone is not enough)")
    t, acc, gyro = acc_part.t, acc_part.acc, acc_part.gyro
    if gyro is None:
        g = next((p for p in parts if p.gyro is not None), None)
        if g is not None and g.gyro is not None and g.t.size:
            keep = (t >= g.t[0]) & (t <= g.t[-1])
            stats.samples_dropped += int((~keep).sum())
            t, acc = t[keep], acc[keep]
            gyro = np.stack([np.interp(t, g.t, g.gyro[:, k]) for k in range(3)], axis=1)
    return t, acc, gyro


class PhyphoxRemoteDecoder:
    """Incremental ``/get`` polling of phyphox's remote access (pure: builds queries,
    decodes replies).  Buffers default to the "Acceleration with g" experiment.

    Output time is s of stream time: the phone's experiment time minus that of the first
    sample received, plus ``offset_s`` (moved forward when the phone's time restarts, so
    stream time never runs backwards).  After a lost connection call :meth:`resync`: the
    next query fetches the whole buffers again and :meth:`feed` tells a continuation (the
    last sample we have is still in the phone's buffer: only newer samples are kept,
    nothing is lost) from a restart (a new time base, placed ``gap_s`` after our last
    sample).
    """

    def __init__(self, *, time_buffer: str = "acc_time",
                 acc_buffers: tuple[str, str, str] = ("accX", "accY", "accZ"),
                 acc_scale: float = 1.0 / G0) -> None:
        self.time_buffer = time_buffer
        self.acc_buffers = acc_buffers
        self.acc_scale = acc_scale
        self.last_time: float | None = None
        """Phone experiment time (s) of the newest sample delivered."""
        self.t0: float | None = None
        self.offset_s = 0.0
        self.session: str | None = None
        self.measuring: bool | None = None
        """``status.measuring`` of the last reply (None when the app does not say)."""
        self.restarts = 0
        """Times the phone's experiment time was found restarted."""
        self.stats = DecodeStats()
        self._resync = False
        self._restart_pending = False

    def resync(self) -> None:
        """Fetch the whole buffers with the next query (after a lost connection)."""
        self._resync = True

    def query(self) -> str:
        """Path and query of the next ``/get`` request."""
        if self.last_time is None or self._resync:
            parts = {self.time_buffer: "full", **{b: "full" for b in self.acc_buffers}}
        else:
            since = repr(self.last_time)
            parts = {self.time_buffer: since,
                     **{b: f"{since}|{self.time_buffer}" for b in self.acc_buffers}}
        return "/get?" + urllib.parse.urlencode(parts, safe="|")

    def feed(self, reply: Mapping[str, Any], *, gap_s: float = 0.0) -> SampleBlock:
        """Decode one ``/get`` reply (to the last :meth:`query`).

        ``gap_s``: host seconds since the previous reply that carried samples; it places
        the first sample after a restart.  A reply whose session differs from the known
        one is not used: the next query fetches the new session's buffers whole.
        """
        try:
            buf = reply["buffer"]
            t = np.asarray(buf[self.time_buffer]["buffer"], dtype=np.float64)
            cols = [np.asarray(buf[b]["buffer"], dtype=np.float64) for b in self.acc_buffers]
        except (KeyError, TypeError, ValueError) as e:
            self.stats.records_bad += 1
            raise DecodeError(f"unexpected phyphox /get reply (missing {e})") from None
        status = reply.get("status")
        if isinstance(status, Mapping):
            m = status.get("measuring")
            self.measuring = m if isinstance(m, bool) else None
            session = status.get("session")
            if isinstance(session, str):
                changed = self.session is not None and session != self.session
                self.session = session
                if changed:
                    self._restart_pending = True
                    if not self._resync:  # only the new session's tail: fetch it whole
                        self._resync = True
                        return SampleBlock.empty(False)
        # Buffers are read one after the other on the phone: trim to the shortest.
        n = min([t.size, *(c.size for c in cols)])
        t = t[:n]
        acc = np.stack([c[:n] for c in cols], axis=1) * self.acc_scale
        ok = np.isfinite(t) & np.isfinite(acc).all(axis=1)
        if self._resync:
            self._resync = False
            restarted, self._restart_pending = self._restart_pending, False
            if self.last_time is not None:
                if restarted or not bool(np.any(t == self.last_time)):
                    self._restart(t[ok], gap_s)
                else:  # the same buffers, re-read whole: keep only what is new to us
                    ok &= t > self.last_time
        if self.last_time is not None:
            late = ok & (t <= self.last_time)
            self.stats.duplicates += int(late.sum())
            ok &= ~late
        t, acc = t[ok], acc[ok]
        if t.size:
            inc = np.ones(t.size, dtype=bool)
            inc[1:] = np.diff(t) > 0
            self.stats.duplicates += int((~inc).sum())
            t, acc = t[inc], acc[inc]
        if t.size == 0:
            return SampleBlock.empty(False)
        if self.t0 is None:
            self.t0 = float(t[0])
        self.last_time = float(t[-1])
        self.stats.frames_ok += int(t.size)
        self.stats.samples_ok += int(t.size)
        return SampleBlock(t - self.t0 + self.offset_s, acc, None)

    def _restart(self, t: FloatArray, gap_s: float) -> None:
        """A new time base: its first sample goes ``gap_s`` (at least one sample period,
        s) after the last one delivered."""
        self.restarts += 1
        if self.last_time is None or self.t0 is None:
            return
        last_stream = self.last_time - self.t0 + self.offset_s
        period = float(np.median(np.diff(t))) if t.size > 1 else 0.0
        self.offset_s = last_stream + max(gap_s, period, 1e-3)
        self.t0 = self.last_time = None  # the next sample received starts the new base
