"""sensorcoach: a local-first posture and core-hold coach for commodity IMU sensors.

The Python API of SPEC section 5: ``from sensorcoach import Recording, analyze``.
"""

from sensorcoach.analysis import Analysis, analyze
from sensorcoach.errors import CalibrationError, RecordingError, SensorcoachError
from sensorcoach.recording import Recording

__version__ = "0.1.0"

__all__ = ["Analysis", "CalibrationError", "Recording", "RecordingError", "SensorcoachError",
           "__version__", "analyze"]
