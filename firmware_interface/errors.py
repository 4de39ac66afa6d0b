"""Typed errors of the ingestion layer.

They carry where the problem is (file, line, byte offset, device) so that a caller such
as the ``sensorcoach`` CLI can turn them into one clear line.  This package does not
import ``sensorcoach``; the CLI wraps these into its own ``SensorcoachError``.
"""

from __future__ import annotations

import unicodedata
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


def safe_text(text: str, limit: int | None = None) -> str:
    """``text`` fit for a terminal: control and format characters (escape sequences,
    bidirectional overrides, raw bytes decoded as C1 controls) shown as ``\\xNN`` /
    ``\\uNNNN``, and cut to ``limit`` characters
    (default :data:`firmware_interface.limits.MAX_MESSAGE_CHARS`)."""
    from firmware_interface import limits

    cap = limits.MAX_MESSAGE_CHARS if limit is None else limit
    out = []
    size = 0
    for i, ch in enumerate(text[: cap + 1]):  # escaping only lengthens
        piece = ch
        if _needs_escape(ch):
            code = ord(ch)
            piece = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        if size + len(piece) > cap:
            out.append(f"... [{len(text) - i} more characters]")
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return True
    return code > 0xFF and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
