"""sensorcoach: a local-first posture and core-hold coach for commodity IMU sensors."""

from sensorcoach.errors import CalibrationError, RecordingError, SensorcoachError
from sensorcoach.recording import Recording

__version__ = "0.1.0"

__all__ = ["CalibrationError", "Recording", "RecordingError", "SensorcoachError", "__version__"]
