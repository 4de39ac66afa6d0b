"""Serial port listing with USB descriptions (pyserial ``comports``).

USB-serial bridges commonly found on WitMotion boards (CH340, CP210x, FTDI) are hinted;
*unconfirmed* per model, so it is only a hint.  ptys are never listed by ``comports``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from serial.tools import list_ports

log = logging.getLogger(__name__)

#: (vid, pid) -> chip, for USB-serial bridges seen on WitMotion modules.
_BRIDGES = {(0x1A86, 0x7523): "CH340", (0x1A86, 0x55D4): "CH9102", (0x10C4, 0xEA60): "CP210x",
            (0x0403, 0x6001): "FTDI"}


@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str
    profile_hint: str | None


def list_serial_ports() -> list[PortInfo]:
    """Ports pyserial sees, with their USB description and a profile hint."""
    out = []
    for p in sorted(list_ports.comports(), key=lambda p: p.device):
        desc = p.description or ""
        if p.vid is not None and p.pid is not None:
            desc += f" (USB {p.vid:04x}:{p.pid:04x}"
            desc += f", {p.manufacturer})" if p.manufacturer else ")"
        chip = _BRIDGES.get((p.vid, p.pid)) if p.vid is not None else None
        hint = f"witmotion? {chip} bridge" if chip else None
        if p.device.startswith("/dev/rfcomm"):
            hint = "witmotion? Bluetooth SPP (BWT901CL, 115200 baud)"
        out.append(PortInfo(p.device, desc, hint))
    log.debug("serial ports: %s", [p.device for p in out])
    return out
