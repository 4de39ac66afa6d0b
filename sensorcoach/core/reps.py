"""Hip-hinge repetitions (deadlifts) counted from the trunk's tilt, as sets.

A repetition is one excursion of the trunk's tilt from upright: it leaves the upright zone
(below ``rep_low_deg``), reaches its bottom at least ``rep_min_range_deg`` further, and
comes back below ``rep_low_deg``. Its range is the bottom's tilt minus the tilt it started
from, ``down_s`` the time from leaving upright to the bottom, ``up_s`` from the bottom back,
and its lateral lean the sideways tilt at the bottom (with the forward direction known).
Repetitions that follow each other within ``rep_gap_s`` form a set; a set of at least
``rep_min_count`` is reported (one bend to pick something up is not a set of deadlifts).

Single-leg deadlifts are the same hinge on one leg; their standing leg is not told yet
(issue "The whole corrective routine"), so they are reported as ``deadlift``. Cat-cow
cycles happen with the trunk horizontal and are not counted here.

Causal and streaming: frames in any blocks give the same sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.settings import Settings

FloatArray = NDArray[np.float64]


#: deg: the trunk is still at its standing level within this of the upright stretch's
#: lowest tilt (where a repetition's descent starts; a timing detail).
REST_BAND_DEG = 3.0


@dataclass(frozen=True)
class Rep:
    start_s: float
    bottom_s: float
    end_s: float
    range_deg: float
    lateral_lean_deg: float | None

    @property
    def down_s(self) -> float:
        return self.bottom_s - self.start_s

    @property
    def up_s(self) -> float:
        return self.end_s - self.bottom_s


@dataclass(frozen=True)
class RepSet:
    """A set of repetitions (SPEC section 4 ``reps`` item)."""

    kind: str
    reps: tuple[Rep, ...]

    @property
    def start_s(self) -> float:
        return self.reps[0].start_s

    @property
    def end_s(self) -> float:
        return self.reps[-1].end_s

    def to_dict(self) -> dict[str, Any]:
        leans = [r.lateral_lean_deg for r in self.reps if r.lateral_lean_deg is not None]
        return {
            "kind": self.kind,
            "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2),
            "count": len(self.reps),
            "range_deg": round(float(np.median([r.range_deg for r in self.reps])), 1),
            "down_s": round(float(np.median([r.down_s for r in self.reps])), 2),
            "up_s": round(float(np.median([r.up_s for r in self.reps])), 2),
            "lateral_lean_deg": round(float(np.median(leans)), 1) if leans else None,
        }


@dataclass
class _Open:
    start_s: float
    base_deg: float
    bottom_s: float
    bottom_deg: float
    lateral: float | None


@dataclass
class RepCounter:
    """Stateful: settled frames in, finished sets out."""

    settings: Settings
    _rep: _Open | None = None
    _set: list[Rep] = field(default_factory=list)
    # the upright stretch before an excursion: its lowest tilt, and the last time the trunk
    # was within REST_BAND_DEG of it (where a repetition starts)
    _low_min: float | None = None
    _low_t: float | None = None

    def push(self, t: FloatArray, tilt_deg: FloatArray,
             lateral_deg: FloatArray | None) -> list[RepSet]:
        """``tilt_deg`` from upright (unsigned), ``lateral_deg`` signed or None."""
        s = self.settings
        out: list[RepSet] = []
        low = tilt_deg < s.rep_low_deg
        high = np.flatnonzero(~low)
        i = 0
        while i < t.size:
            if self._rep is None and low[i]:
                # upright with no repetition under way: step to the next excursion in bulk
                k = int(np.searchsorted(high, i))
                j = int(high[k]) if k < high.size else t.size
                self._low_run(t[i:j], tilt_deg[i:j])
                last = j - 1
                if self._set and float(t[last]) - self._set[-1].end_s > s.rep_gap_s:
                    out += self._close_set()
                i = j
                continue
            k = i
            i += 1
            ti, tilt = float(t[k]), float(tilt_deg[k])
            if self._set and ti - self._set[-1].end_s > s.rep_gap_s and self._rep is None:
                out += self._close_set()
            if low[k]:  # back upright: a repetition under way ends here (see above)
                r = self._rep
                assert r is not None
                self._rep = None
                if r.bottom_deg - r.base_deg >= s.rep_min_range_deg:
                    self._set.append(Rep(r.start_s, r.bottom_s, ti, r.bottom_deg - r.base_deg,
                                         r.lateral))
                elif self._set:
                    out += self._close_set()  # a shallow dip breaks a set
                self._low_min, self._low_t = None, None
                self._low_run(t[k:k + 1], tilt_deg[k:k + 1])
                continue
            if self._rep is None:
                base = self._low_min if self._low_min is not None else tilt
                start = self._low_t if self._low_t is not None else ti
                self._rep = _Open(start, base, ti, tilt, None)
            r = self._rep
            if tilt > r.bottom_deg:
                r.bottom_deg, r.bottom_s = tilt, ti
                r.lateral = None if lateral_deg is None else abs(float(lateral_deg[k]))
            if ti - r.start_s > s.rep_max_s:  # held down: a bend or a stretch, not a rep
                self._rep = None
                self._low_min, self._low_t = None, None
                if self._set:
                    out += self._close_set()
        return out

    def _low_run(self, t: FloatArray, tilt: FloatArray) -> None:
        """Extend the upright stretch with frames ``t``, ``tilt`` (all upright)."""
        if t.size == 0:
            return
        lo = float(tilt.min()) if self._low_min is None else min(self._low_min,
                                                                   float(tilt.min()))
        self._low_min = lo
        near = np.flatnonzero(tilt <= lo + REST_BAND_DEG)
        if near.size:
            self._low_t = float(t[near[-1]])

    def flush(self) -> list[RepSet]:
        self._rep = None
        return self._close_set()

    def _close_set(self) -> list[RepSet]:
        reps, self._set = self._set, []
        if len(reps) >= self.settings.rep_min_count:
            return [RepSet("deadlift", tuple(reps))]
        return []
