"""``POST /api/push/sensorlogger``: the Sensor Logger app's HTTP push (PROTOCOLS.md).

A message is ``{"messageId": int, "sessionId": str, "deviceId": str, "payload": [{"name":
..., "time": epoch ns, "values": {"x", "y", "z"}, "accuracy"?}]}``.  It is validated here
(a clear 422 naming the bad field), then decoded by
:class:`firmware_interface.codecs.sensorlogger.SensorLoggerPushDecoder`, which reorders
out-of-order messages and ignores repeated ``messageId`` s (phones retry).  Each
``sessionId`` is one live session, fed to a :class:`LiveRunner` as samples complete.

Hostile or broken phones: a message that cannot be stored (a ``time`` outside 64 bits, a
number that is not a finite double) is refused whole (422) *before* it reaches the
decoder, so the session carries on with the next one.  Readings beyond what a sensor can
report (|a| > 32 g, |w| > 4000 deg/s) or with a time far outside the session are
glitches: dropped, counted (``glitches`` in the reply, a ``glitch`` event on the session)
and never analysed.  Parsing, decoding and analysis run in worker threads (at most
``push_workers`` messages at a time), never on the event loop; live phone sessions are
capped in all and per client address, and a session without messages for ``push_idle_s``
ends and frees its store connection, decoder and analyser.

Push messages do not say which platform sent them: iOS without "Standardise Units &
Frames" reports acceleration and gravity with the opposite sign, so such phones push to
``...?frame=ios-raw`` (the URL is all the app lets one set).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from dashboard.live import LiveHub, LiveSession, PushSource
from firmware_interface.bounded import loads_json
from firmware_interface.codecs.sensorlogger import (
    GYRO_NAME,
    SENSORS,
    Frame,
    SensorLoggerPushDecoder,
)
from firmware_interface.errors import DecodeError
from firmware_interface.limits import LimitError
from firmware_interface.samples import G0, SampleBlock
from sensorcoach.plausibility import MAX_ACC_G, MAX_GYRO_DPS, glitch_mask

FRAMES: tuple[Frame, ...] = ("standard", "ios-raw")
MAX_ITEMS = 200_000
#: Largest time a reading may carry (epoch ns, signed 64 bits as stored).
MAX_TIME_NS = 2**63 - 1
#: A reading this far (ns) from the session's (or the message's) time is a glitch.
MAX_TIME_JUMP_NS = 3600 * 10**9
#: Readings a session may hold without producing one sample (no gravity sensor, say).
MAX_PENDING_ITEMS = 100_000

log = logging.getLogger(__name__)


class PushError(ValueError):
    """A push message that does not follow the documented schema (422)."""


class PushLimit(Exception):
    """Too many live phone sessions: ``status`` 429 (this client) or 503 (in all)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def parse(raw: bytes) -> dict[str, Any]:
    """The validated message in ``raw``; PushError (422) for anything else, including
    JSON nested too deeply to parse."""
    try:
        obj = loads_json(raw)  # refuses nesting past MAX_JSON_DEPTH before parsing
    except LimitError as e:
        raise PushError(f"not a Sensor Logger message: {e}") from None
    except DecodeError as e:
        raise PushError(str(e)) from None
    return validate(obj)


def validate(obj: Any) -> dict[str, Any]:
    """The message if it follows the schema; PushError naming the first bad field."""
    if not isinstance(obj, dict):
        raise PushError("a Sensor Logger message is a JSON object")
    mid = obj.get("messageId")
    if not isinstance(mid, int) or isinstance(mid, bool) or not 0 <= mid <= MAX_TIME_NS:
        raise PushError("messageId: expected a non-negative integer (64 bits)")
    sid = obj.get("sessionId")
    if not isinstance(sid, str) or not sid.strip() or len(sid) > 200:
        raise PushError("sessionId: expected a non-empty string (at most 200 characters)")
    dev = obj.get("deviceId")
    if dev is not None and (not isinstance(dev, str) or len(dev) > 200):
        raise PushError("deviceId: expected a string (at most 200 characters)")
    payload = obj.get("payload")
    if not isinstance(payload, list):
        raise PushError("payload: expected a list of readings")
    if len(payload) > MAX_ITEMS:
        raise PushError(f"payload: more than {MAX_ITEMS} readings in one message")
    for i, item in enumerate(payload):
        if not isinstance(item, dict):
            raise PushError(f"payload[{i}]: expected an object")
        name = item.get("name")
        if not isinstance(name, str):
            raise PushError(f"payload[{i}].name: expected a string")
        t = item.get("time")
        if not isinstance(t, int) or isinstance(t, bool) or not 0 <= t <= MAX_TIME_NS:
            raise PushError(f"payload[{i}].time: expected epoch nanoseconds (an integer "
                            f"from 0 to 2^63-1)")
        if name.lower() in SENSORS:
            vals = item.get("values")
            if not isinstance(vals, dict):
                raise PushError(f"payload[{i}].values: expected an object with x, y, z")
            for k in ("x", "y", "z"):
                if not _finite(vals.get(k)):
                    raise PushError(f"payload[{i}].values.{k}: expected a finite number")
    return obj


def _finite(v: Any) -> bool:
    if not isinstance(v, int | float) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer beyond any double
        return False


def screen(payload: list[dict[str, Any]], ref_ns: int | None,
           max_jump_ns: int = MAX_TIME_JUMP_NS) -> tuple[list[Any], int]:
    """(readings worth decoding, glitches dropped) of a validated payload.  Glitches:
    |a| > 32 g (acceleration, gravity: m/s^2), |w| > 4000 deg/s (gyroscope: rad/s), or a
    time more than ``max_jump_ns`` from ``ref_ns`` (the session's latest time; for its
    first message, the message's median time).  A session ends after ``push_idle_s``
    without messages, so a real phone never jumps that far within one."""
    times = [int(i["time"]) for i in payload if str(i["name"]).lower() in SENSORS]
    if ref_ns is None and times:
        ref_ns = sorted(times)[len(times) // 2]
    acc_max = MAX_ACC_G * G0
    gyro_max = math.radians(MAX_GYRO_DPS)
    keep: list[Any] = []
    bad = 0
    for item in payload:
        name = str(item["name"]).lower()
        if name in SENSORS:
            v = item["values"]
            mag = math.hypot(float(v["x"]), float(v["y"]), float(v["z"]))  # inf past max
            limit = gyro_max if name == GYRO_NAME else acc_max
            assert ref_ns is not None
            if not mag <= limit or abs(int(item["time"]) - ref_ns) > max_jump_ns:
                bad += 1
                continue
        keep.append(item)
    return keep, bad


def plausible(block: SampleBlock) -> tuple[SampleBlock, int]:
    """``block`` without the samples :func:`sensorcoach.plausibility.glitch_mask` calls
    glitches (|a| > 32 g once gravity is added, |w| > 4000 deg/s, non-finite, a lone time
    spike); and how many were dropped."""
    gyro_axes = None if block.gyro is None else block.gyro.T
    ok = ~glitch_mask(block.t, block.acc.T, gyro_axes, drop_nonfinite=True)
    bad = int((~ok).sum())
    if not bad:
        return block, 0
    gyro = None if block.gyro is None else block.gyro[ok]
    return SampleBlock(block.t[ok], block.acc[ok], gyro), bad


@dataclass
class _Phone:
    session: LiveSession
    decoder: SensorLoggerPushDecoder
    client: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    glitches: int = 0
    latest_ns: int | None = None
    pending: int = 0
    """Readings taken since the last message that produced samples."""


@dataclass(frozen=True)
class PushLimits:
    sessions: int = 16
    per_client: int = 4


class PushIngest:
    """Phone sessions by ``sessionId``; live sessions in ``hub``.  Thread-safe: each
    message is handled in a worker thread, one at a time per phone session."""

    def __init__(self, hub: LiveHub, limits: PushLimits | None = None) -> None:
        self.hub = hub
        self.limits = limits or PushLimits()
        self.phones: dict[str, _Phone] = {}
        self._lock = threading.Lock()

    def handle(self, raw: bytes, frame: Frame = "standard", client: str = "?"
               ) -> dict[str, Any]:
        """Parse, validate and take one message body (worker thread)."""
        return self.receive(parse(raw), frame, client)

    def receive(self, msg: dict[str, Any], frame: Frame = "standard", client: str = "?"
                ) -> dict[str, Any]:
        """Take one validated message; the reply for the phone."""
        for _ in range(3):  # a session may end (idle) between lookup and lock
            ph = self._phone(msg, frame, client)
            with ph.lock:
                if ph.session.id in self.hub.sessions:
                    return self._take(ph, msg)
        raise PushLimit(503, "this phone session is being closed; send the message again")

    def _phone(self, msg: dict[str, Any], frame: Frame, client: str) -> _Phone:
        key = str(msg["sessionId"])
        with self._lock:
            ph = self.phones.get(key)
            if ph is not None and ph.session.id not in self.hub.sessions:
                del self.phones[key]  # that session ended (idle): this is a new one
                ph = None
            if ph is None:
                self._check_limits(client)
                ph = self._open(msg, frame, client)
            return ph

    def _check_limits(self, client: str) -> None:
        alive = [p for p in self.phones.values() if p.session.id in self.hub.sessions]
        if len(alive) >= self.limits.sessions:
            raise PushLimit(503, f"too many live phone sessions ({self.limits.sessions}, "
                            "the push_max_sessions setting); try again when one ends")
        mine = sum(p.client == client for p in alive)
        if mine >= self.limits.per_client:
            raise PushLimit(429, f"too many live phone sessions from {client} "
                            f"({self.limits.per_client}, the push_max_sessions_per_client "
                            "setting); end one (stop pushing) and try again")

    def _take(self, ph: _Phone, msg: dict[str, Any]) -> dict[str, Any]:
        jump = max(MAX_TIME_JUMP_NS, int(2e9 * self.hub.push_idle_s))
        items, glitches = screen(msg["payload"], ph.latest_ns, jump)
        if ph.pending > MAX_PENDING_ITEMS:
            raise PushError(f"{ph.pending} readings and no sample yet: the session needs "
                            "Gravity (or TotalAcceleration) with the accelerometer")
        try:
            fresh = ph.decoder.add({**msg, "payload": items})
        except DecodeError as e:
            raise PushError(str(e)) from None
        if fresh:
            ph.pending += len(items)
            ph.glitches += glitches
            times = [int(i["time"]) for i in items if str(i["name"]).lower() in SENSORS]
            if times:
                ph.latest_ns = max(times + ([ph.latest_ns] if ph.latest_ns else []))
            block, bad = plausible(ph.decoder.drain())
            ph.glitches += bad
            if len(block):
                ph.pending = 0
            if glitches + bad:
                log.info("push session %s: %d glitches dropped", ph.session.id,
                         glitches + bad)
                ph.session.recorder.add_event(
                    "glitch", _t(block), None,
                    {"dropped": glitches + bad, "total": ph.glitches})
            self.hub.feed(ph.session, block)
        else:
            ph.session.last_seen = time.monotonic()
        st = ph.decoder.stats
        return {"ok": True, "session_id": ph.session.id, "duplicate": not fresh,
                "samples": st.samples_ok, "duplicates": st.duplicates,
                "reordered": st.reordered, "glitches": ph.glitches}

    def _open(self, msg: dict[str, Any], frame: Frame, client: str) -> _Phone:
        key = str(msg["sessionId"])
        dev = msg.get("deviceId") or ""
        dec = SensorLoggerPushDecoder(frame=frame)
        gyro = any(str(i.get("name", "")).lower() == GYRO_NAME for i in msg["payload"])
        meta = {"sessionId": key, "deviceId": dev, "frame": frame}
        label = dev or key
        ls = self.hub.open(name=f"Sensor Logger {label[:40]}", source="sensorlogger",
                           runner_source=PushSource(f"sensorlogger:{label[:40]}"),
                           rate_hz=None, has_gyro=gyro, placement=None, meta=meta)
        ph = _Phone(ls, dec, client)
        ls.extra["on_end"] = lambda: self._final(key, ph)
        self.phones[key] = ph
        log.info("push session %s opened for %s (sessionId %.40r)", ls.id, client, key)
        return ph

    def _final(self, key: str, ph: _Phone) -> None:
        """The session ended (worker thread): its held-back last second, then forget it
        so its decoder and runner can be freed."""
        with self._lock:
            if self.phones.get(key) is ph:
                del self.phones[key]
        with ph.lock:
            try:
                block, bad = plausible(ph.decoder.drain(final=True))
            except DecodeError:
                return
            ph.glitches += bad
            self.hub.feed(ph.session, block)


def _t(block: SampleBlock) -> float | None:
    return float(block.t[-1]) if len(block) else None

