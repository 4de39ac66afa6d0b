"""Live coaching: sources -> guided calibration -> the incremental core -> events, alerts
and a crash-safe session in the store (SPEC section 6)."""

from sensorcoach.live.faults import OrientationWatch
from sensorcoach.live.guide import CalibrationGuide
from sensorcoach.live.replay import RecordingReplay, open_live_source
from sensorcoach.live.runner import LiveRunner, LiveState
from sensorcoach.live.sessions import SessionRecorder, finish_session, recording_from_store, recover

__all__ = ["CalibrationGuide", "LiveRunner", "LiveState", "OrientationWatch", "RecordingReplay",
           "SessionRecorder", "finish_session", "open_live_source", "recording_from_store",
           "recover"]
