"""Events the core emits: episodes, bouts and alerts (SPEC section 4 shapes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SlumpEpisode:
    """One slump, however long: from flexion leaving upright to its return."""

    start_s: float
    end_s: float
    peak_flexion_deg: float
    mean_flexion_deg: float
    onset_s: float
    """Where the lean began (flexion rose through the off-threshold), s."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "duration_s": round(self.duration_s, 2),
                "peak_flexion_deg": round(self.peak_flexion_deg, 1),
                "mean_flexion_deg": round(self.mean_flexion_deg, 1),
                "onset_s": round(self.onset_s, 2)}


@dataclass(frozen=True)
class Alert:
    t_s: float
    kind: str
    """``slump``, ``sedentary`` or ``form_break``."""
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"t_s": round(self.t_s, 2), "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class ActivitySpan:
    state: str
    start_s: float
    end_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "start_s": round(self.start_s, 2),
                "end_s": round(self.end_s, 2)}


@dataclass(frozen=True)
class Hold:
    """A finished plank or side-plank hold (SPEC section 4 ``holds`` item)."""

    kind: str
    start_s: float
    end_s: float
    ended_by: str
    stability: dict[str, Any]
    form_breaks: tuple[Any, ...]
    azimuth_deg: float = 0.0
    """Side down as an azimuth in the detector's frame (names holds whose side was not
    known while they ran; not part of the output)."""
    form: dict[str, float] = field(default_factory=dict)
    """The exercise's form measures (bird dog: ``hip_rotation_deg``, ``roll_sway_deg``)."""
    target_s: float | None = None
    """A stretch's target time, s (output with ``reached``); None for other holds."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start_s": round(self.start_s, 2),
                "end_s": round(self.end_s, 2), "duration_s": round(self.duration_s, 2),
                "stability": self.stability,
                "form_breaks": [b.to_dict() for b in self.form_breaks],
                "ended_by": self.ended_by, **({"form": self.form} if self.form else {}),
                **({"target_s": self.target_s, "reached": self.duration_s >= self.target_s}
                   if self.target_s is not None else {})}
