"""Typed errors that the CLI and the dashboard turn into one clear line (never a traceback)."""

from __future__ import annotations

from pathlib import Path


class SensorcoachError(Exception):
    """Base class for errors a user can act on: bad input, bad settings, bad calibration."""


class RecordingError(SensorcoachError):
    """A recording file (or array set) is missing, malformed or physically invalid.

    ``path`` and ``line`` (1-based, counting header lines) say where, when known.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        return f"{where}{self.message}"


class CalibrationError(SensorcoachError):
    """Calibration spans are present but cannot give a usable body frame."""
