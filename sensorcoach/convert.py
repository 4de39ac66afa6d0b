"""Other formats -> Recording, through firmware_interface's decoders (wired by the
ingestion layer)."""

from __future__ import annotations

from pathlib import Path

from sensorcoach.errors import SensorcoachError
from sensorcoach.recording import Recording


def convert_file(path: Path, fmt: str, rate_hz: float | None = None) -> Recording:
    raise SensorcoachError(f"unknown input format {fmt!r}; this build reads 'csv' recordings")
