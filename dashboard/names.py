"""Human names for the analysis' internal ones (hold kinds, states, alert kinds, ...),
and the formatting the pages share: durations with units, never a bare ``28:27``."""

from __future__ import annotations

from typing import Any

HOLDS = {"plank": "Plank", "side_plank_left": "Side plank (left)",
         "side_plank_right": "Side plank (right)", "side_plank_a": "Side plank (side A)",
         "side_plank_b": "Side plank (side B)", "hold": "Hold"}
STATES = {"upright": "Upright", "slumped": "Slumped", "leaning": "Leaning forward",
          "sitting": "Sitting", "hold": "Holding", "walking": "Walking",
          "running": "Running", "lying": "Lying down", "bending": "Bending",
          "standing": "Standing", "calibrating": "Calibrating",
          "disconnected": "Sensor disconnected", "waiting": "Waiting for data",
          "still": "Still", "moving": "Moving"}
ALERTS = {"slump": "Posture", "sedentary": "Time to move", "form_break": "Form break"}
BREAKS = {"sag": "hips sagging", "pike": "hips piking", "twist": "twisting"}
ENDED_BY = {"rest": "rest", "form_break": "form break", "end": "end of recording",
            "gap": "data gap", "moved": "moved away"}
KINDS = {"desk": "Desk", "workout": "Workout", "mixed": "Desk and workout"}
CALIBRATION = {"header": "from the recording's upright/forward spans",
               "guided": "guided", "auto": "automatic", "saved": "saved",
               "file": "saved"}
SOURCES = {"sensorlogger": "phone (Sensor Logger)", "upload": "uploaded file",
           "demo import": "demo recording", "file": "file"}
#: Everything the browser needs to name things the same way (``base.html``).
ALL = {"holds": HOLDS, "states": STATES, "alerts": ALERTS, "breaks": BREAKS,
       "ended_by": ENDED_BY, "kinds": KINDS, "sources": SOURCES}


def human(table: dict[str, str], key: Any) -> str:
    """``key``'s human name; an unknown one with underscores as spaces."""
    if key is None:
        return "-"
    return table.get(str(key), str(key).replace("_", " "))


def duration(t_s: Any) -> str:
    """A duration with units: ``45 s``, ``3 min 05 s``, ``1 h 02 min``."""
    if not isinstance(t_s, int | float):
        return "-"
    s = round(max(float(t_s), 0.0))
    if s < 60:
        return f"{s} s"
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h} h {m:02d} min" if h else f"{m} min {sec:02d} s"


def clock(t_s: Any) -> str:
    """A time within a session: ``m:ss`` or ``h:mm:ss`` from its start."""
    if not isinstance(t_s, int | float):
        return "-"
    s = round(max(float(t_s), 0.0))
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def source(src: Any) -> str:
    """``replay@10`` -> ``replay at 10x``; ``sensorlogger`` -> ``phone``."""
    s = str(src or "")
    if s.startswith("replay@"):
        return f"replay at {s[7:]}x speed"
    return SOURCES.get(s, s)
