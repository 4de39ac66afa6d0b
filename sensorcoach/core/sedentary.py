"""Sedentary time and reminders.

Sedentary time is every frame not spent walking or running. A reminder fires after
``sedentary_alert_s`` without a walking break (a walking bout of at least
``walking_break_s``; a few steps to the printer do not count), then every
``sedentary_repeat_s`` while the wearer stays put: spaced, never a stream. A data gap
longer than ``sedentary_gap_reset_s`` (sensor off, e.g. over lunch) restarts the count,
since what happened in it is unknown.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.activity import ON_FOOT, runs
from sensorcoach.core.events import Alert
from sensorcoach.core.framing import gaps_before

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class SedentaryTracker:
    def __init__(self, alert_s: float, repeat_s: float, break_s: float, gap_reset_s: float,
                 frame_s: float):
        self.alert_s, self.repeat_s, self.break_s = alert_s, repeat_s, break_s
        self.gap_reset_s, self.frame_s = gap_reset_s, frame_s
        self.since: float | None = None  # start of the current sedentary stretch
        self.next_alert: float | None = None
        self.walk_since: float | None = None
        self.last_t: float | None = None
        self.sedentary_s = 0.0

    def push(self, t: FloatArray, codes: IntArray) -> list[Alert]:
        alerts: list[Alert] = []
        if t.size == 0:
            return alerts
        half = self.frame_s / 2
        walking = np.isin(codes, ON_FOOT)
        self.sedentary_s += float((~walking).sum()) * self.frame_s
        gaps = gaps_before(t, self.last_t, self.gap_reset_s)
        _, starts, lengths = runs(walking.astype(np.int64) + 2 * np.cumsum(gaps))
        for s, n in zip(starts.tolist(), lengths.tolist(), strict=True):
            e = s + n - 1
            if gaps[s]:
                self.since = None
                self.walk_since = None
            t0, t1 = float(t[s]) - half, float(t[e]) + half
            if walking[s]:
                if self.walk_since is None:
                    self.walk_since = t0
                if t1 - self.walk_since >= self.break_s:
                    self.since = None  # a real break: the count starts over after it
                continue
            self.walk_since = None
            if self.since is None:
                self.since = t0
                self.next_alert = t0 + self.alert_s
            while self.next_alert is not None and t1 >= self.next_alert:
                mins = (self.next_alert - self.since) / 60
                alerts.append(Alert(round(self.next_alert, 3), "sedentary",
                                    f"sedentary for {mins:.0f} min: time to get up and move"))
                self.next_alert += self.repeat_s
        self.last_t = float(t[-1])
        return alerts
