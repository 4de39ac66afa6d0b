"""sensorcoach: a local-first posture and core-hold coach for commodity IMU sensors.

The Python API of SPEC section 5: ``from sensorcoach import Recording, analyze``.

The names are loaded on first use (PEP 562), so ``sensorcoach --help`` and the commands
that need neither do not pay for numpy and the analysis code at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sensorcoach.errors import CalibrationError, RecordingError, SensorcoachError

if TYPE_CHECKING:
    from sensorcoach.analysis import Analysis, analyze
    from sensorcoach.recording import Recording

__version__ = "0.1.0"

__all__ = ["Analysis", "CalibrationError", "Recording", "RecordingError", "SensorcoachError",
           "__version__", "analyze"]

_LAZY = {"Analysis": "sensorcoach.analysis", "analyze": "sensorcoach.analysis",
         "Recording": "sensorcoach.recording"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sensorcoach' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
