"""``POST /api/push/sensorlogger``: the Sensor Logger app's HTTP push (PROTOCOLS.md).

A message is ``{"messageId": int, "sessionId": str, "deviceId": str, "payload": [{"name":
..., "time": epoch ns, "values": {"x", "y", "z"}, "accuracy"?}]}``.  It is validated here
(a clear 422 naming the bad field), then decoded by
:class:`firmware_interface.codecs.sensorlogger.SensorLoggerPushDecoder`, which reorders
out-of-order messages and ignores repeated ``messageId`` s (phones retry).  Each
``sessionId`` is one live session, fed to a :class:`LiveRunner` as samples complete.

Push messages do not say which platform sent them: iOS without "Standardise Units &
Frames" reports acceleration and gravity with the opposite sign, so such phones push to
``...?frame=ios-raw`` (the URL is all the app lets one set).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from dashboard.live import LiveHub, LiveSession, PushSource
from firmware_interface.codecs.sensorlogger import SENSORS, Frame, SensorLoggerPushDecoder
from firmware_interface.errors import DecodeError

FRAMES: tuple[Frame, ...] = ("standard", "ios-raw")
MAX_ITEMS = 200_000


class PushError(ValueError):
    """A push message that does not follow the documented schema (422)."""


def validate(obj: Any) -> dict[str, Any]:
    """The message if it follows the schema; PushError naming the first bad field."""
    if not isinstance(obj, dict):
        raise PushError("a Sensor Logger message is a JSON object")
    mid = obj.get("messageId")
    if not isinstance(mid, int) or isinstance(mid, bool) or mid < 0:
        raise PushError("messageId: expected a non-negative integer")
    sid = obj.get("sessionId")
    if not isinstance(sid, str) or not sid.strip() or len(sid) > 200:
        raise PushError("sessionId: expected a non-empty string (at most 200 characters)")
    dev = obj.get("deviceId")
    if dev is not None and not isinstance(dev, str):
        raise PushError("deviceId: expected a string")
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
        if not isinstance(t, int) or isinstance(t, bool) or t < 0:
            raise PushError(f"payload[{i}].time: expected epoch nanoseconds (integer)")
        if name.lower() in SENSORS:
            vals = item.get("values")
            if not isinstance(vals, dict):
                raise PushError(f"payload[{i}].values: expected an object with x, y, z")
            for k in ("x", "y", "z"):
                v = vals.get(k)
                if (not isinstance(v, int | float) or isinstance(v, bool)
                        or not math.isfinite(v)):
                    raise PushError(f"payload[{i}].values.{k}: expected a finite number")
    return obj


@dataclass
class _Phone:
    session: LiveSession
    decoder: SensorLoggerPushDecoder


class PushIngest:
    """Phone sessions by ``sessionId``; live sessions in ``hub``."""

    def __init__(self, hub: LiveHub) -> None:
        self.hub = hub
        self.phones: dict[str, _Phone] = {}

    def receive(self, msg: dict[str, Any], frame: Frame = "standard") -> dict[str, Any]:
        """Take one validated message; the reply for the phone."""
        key = str(msg["sessionId"])
        ph = self.phones.get(key)
        if ph is not None and ph.session.id not in self.hub.sessions:
            del self.phones[key]  # that session ended (idle): this is a new one
            ph = None
        if ph is None:
            ph = self._open(msg, frame)
        try:
            fresh = ph.decoder.add(msg)
        except DecodeError as e:
            raise PushError(str(e)) from None
        if fresh:
            self.hub.feed(ph.session, ph.decoder.drain())
        else:
            ph.session.last_seen = time.monotonic()
        st = ph.decoder.stats
        return {"ok": True, "session_id": ph.session.id, "duplicate": not fresh,
                "samples": st.samples_ok, "duplicates": st.duplicates,
                "reordered": st.reordered}

    def _open(self, msg: dict[str, Any], frame: Frame) -> _Phone:
        key = str(msg["sessionId"])
        dev = msg.get("deviceId") or ""
        dec = SensorLoggerPushDecoder(frame=frame)
        gyro = any(str(i.get("name", "")).lower() == "gyroscope" for i in msg["payload"])
        meta = {"sessionId": key, "deviceId": dev, "frame": frame}
        label = dev or key
        ls = self.hub.open(name=f"Sensor Logger {label[:40]}", source="sensorlogger",
                           runner_source=PushSource(f"sensorlogger:{label[:40]}"),
                           rate_hz=None, has_gyro=gyro, placement=None, meta=meta)
        ph = _Phone(ls, dec)
        ls.extra["on_end"] = lambda: self._final(ph)
        self.phones[key] = ph
        return ph

    def _final(self, ph: _Phone) -> None:
        try:
            block = ph.decoder.drain(final=True)
        except DecodeError:
            return
        self.hub.feed(ph.session, block)

