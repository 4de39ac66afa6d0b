"""``open_source(SOURCE)``: a SOURCE string (SPEC section 6) -> a ready :class:`Source`.

``ble:ADDRESS_OR_NAME[:PROFILE]``, ``serial:PORT[@BAUD][:PROFILE]``,
``replay:FILE[@SPEED]`` and ``phone:phyphox@HOST[:PORT]`` are opened here;
``phone:sensorlogger`` is pushed by the app into the dashboard's HTTP server, so it is
refused with a :class:`DeviceError` that says to run ``sensorcoach serve``.

Nothing is connected yet: the transport connects when its ``blocks()`` is iterated.
A replay reads (and checks) its file here.
"""

from __future__ import annotations

import logging
from typing import Any

from firmware_interface import devices
from firmware_interface.errors import DeviceError
from firmware_interface.transports.base import Source

log = logging.getLogger(__name__)


def open_source(spec: str, *, rate_hz: float | None = None, **options: Any) -> Source:
    """The transport for ``spec``.

    ``rate_hz``: output rate to set up on sensors (Hz; default the profile's), or the rate
    of a timestamp-less raw capture being replayed; phones choose their own rate.
    ``options``: passed to the transport's constructor (backoff, injected clients, ...).
    Raises :class:`DeviceError` for a bad string, profile or unsupported rate, and
    :class:`~firmware_interface.errors.DecodeError` for an unreadable replay file.
    """
    parsed = devices.parse_source(spec)
    log.debug("opening %s", parsed)
    if isinstance(parsed, devices.BleSource):
        from firmware_interface.transports.ble import BleSource

        if parsed.profile is not None:
            prof = devices.profile(parsed.profile, "ble")
        else:  # by advertised name when the target is one, else the most common sensor
            prof = (devices.guess_ble_profile(parsed.target, [])
                    or devices.PROFILES["witmotion"])
        return BleSource(parsed.target, prof, rate_hz=rate_hz, **options)
    if isinstance(parsed, devices.SerialSource):
        from firmware_interface.transports.serial_port import SerialSource

        prof = devices.profile(parsed.profile, "serial")
        return SerialSource(parsed.port, baud=parsed.baud, profile=prof, rate_hz=rate_hz,
                            **options)
    if isinstance(parsed, devices.ReplaySource):
        from firmware_interface.transports.replay import ReplaySource

        return ReplaySource(parsed.path, parsed.speed, rate_hz=rate_hz, **options)
    if parsed.app == "phyphox":
        from firmware_interface.transports.phyphox_remote import PhyphoxSource

        assert parsed.host is not None
        return PhyphoxSource(parsed.host, parsed.port, **options)
    raise DeviceError("phone:sensorlogger pushes its data over HTTP into the dashboard: run "
                      "`sensorcoach serve` and set Sensor Logger's HTTP push URL to it")
