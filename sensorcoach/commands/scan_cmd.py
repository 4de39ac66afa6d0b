"""``sensorcoach scan``: nearby BLE sensors that match a profile, and serial ports.

Without a Bluetooth adapter (or BlueZ/D-Bus) the BLE part is reported in one line and
the command still lists serial ports and exits 0 (``--require-ble`` makes it exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from firmware_interface.errors import DeviceError, safe_text
from firmware_interface.transports import ble
from firmware_interface.transports.serial_list import list_serial_ports
from sensorcoach.errors import SensorcoachError


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("scan", help="list nearby BLE sensors and serial ports")
    p.add_argument("--timeout", type=float, default=5.0, help="BLE scan time in s (default 5)")
    p.add_argument("--require-ble", action="store_true",
                   help="exit 2 when Bluetooth is unavailable")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    ports = list_serial_ports()
    out.write(f"serial ports ({len(ports)}):\n")
    for port in ports:
        hint = f"  [{port.profile_hint}]" if port.profile_hint else ""
        # USB descriptors and advertised names come from devices: escaped, cut
        out.write(safe_text(f"  serial:{port.device}  {port.description}{hint}", 200) + "\n")
    if not ports:
        out.write("  none found (a port can still be given by path, e.g. serial:/dev/pts/3)\n")
    try:
        found = asyncio.run(ble.scan(args.timeout))
    except DeviceError as e:
        if args.require_ble:
            raise SensorcoachError(f"bluetooth: {e}") from None
        out.write(f"bluetooth: unavailable: {safe_text(str(e))}\n")
        return 0
    out.write(f"bluetooth sensors ({len(found)}):\n")
    for f in found:
        rssi = f" rssi {f.rssi} dBm" if f.rssi is not None else ""
        out.write(safe_text(f"  ble:{f.address}:{f.profile}  {f.name}{rssi}", 200) + "\n")
    if not found:
        out.write("  none matching a known profile (witmotion, microbit, thingy52)\n")
    return 0
