"""Typed errors of the ingestion layer.

They carry where the problem is (file, line, byte offset, device) so that a caller such
as the ``sensorcoach`` CLI can turn them into one clear line.  This package does not
import ``sensorcoach``; the CLI wraps these into its own ``SensorcoachError``.
"""

from __future__ import annotations

from pathlib import Path


class FirmwareInterfaceError(Exception):
    """Base class of every error raised on purpose by ``firmware_interface``."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 line: int | None = None, offset: int | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.offset = offset
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class DecodeError(FirmwareInterfaceError):
    """Input that cannot be decoded at all (wrong format, no usable samples, bad rows).

    Recoverable damage inside a stream (bad checksums, noise) is *not* an error: it is
    counted in :class:`firmware_interface.samples.DecodeStats` instead.
    """


class DeviceError(FirmwareInterfaceError):
    """A device or transport problem: no adapter, port missing, device not found."""
