"""Slump episodes: sustained forward flexion beyond calibrated upright, with hysteresis.

Per frame, a symbol: AWAY (not seated: walking, lying, bending, beyond ``slump_max_deg``),
BELOW (seated, flexion under the off-threshold), MID (seated, between the off- and
on-thresholds) or ABOVE (seated, flexion >= on-threshold). A slump is a lean away from
upright sitting, so an episode

- can start only once the wearer has been seen sitting upright since they were last
  away (walked, lay down, bent to the floor): ``release_s`` on end seated, still (not
  moving) and in the lower half of the hysteresis band or under it (:attr:`arm_deg`),
  or sitting back up from the previous episode. Getting up from the floor to kneel, or
  stopping bent at a counter after a walk, lands in the slump band without sitting
  upright first: that is not a slump, however long it lasts;
- starts where flexion crossed the on-threshold (``onset_s`` keeps where the lean began:
  the last rise through the off-threshold before that);
- ends where flexion fell back and stayed there ``release_s`` (sway around the threshold
  does not split one slump into many), or at a data gap longer than
  ``max_gap_in_episode_s``, or where the wearer stood up to walk or lay down. Falling
  back means below the off-threshold, or below the on-threshold and at most halfway from
  the episode's level (its mean flexion beyond the on-threshold) to upright: the fixed
  off-threshold alone sits inside the spread of upright sitting (a few degrees either
  way), so a wearer who sits back up to 4-6 deg would otherwise never end a slump of 11;
- counts only once flexion has spent ``slump_min_s`` beyond the on-threshold in it
  (a reach of a few seconds, or hovering at the threshold, is not a slump);
- raises one alert at ``slump_dwell_s`` after its start (or when it is confirmed, if
  later: only when flexion hovered at the threshold for a long time).

The machine steps over runs of equal symbols, not frames, and keeps its state between
blocks, so a stream split anywhere yields the episodes of the whole recording (the level
that decides falling back changes only in ABOVE runs, so it is constant over a MID run).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.events import Alert, SlumpEpisode
from sensorcoach.core.framing import gaps_before

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

AWAY, BELOW, MID, ABOVE = 0, 1, 2, 3
#: A MID run inside an episode is cut into frames that fell back (RELEASE) and the rest.
RELEASE = 4
#: Falling back: at most this fraction of the episode's level above upright.
RELEASE_FRACTION = 0.5


@dataclass
class _Stats:
    peak: float = -np.inf
    total: float = 0.0
    count: int = 0
    busy: int = 0

    def add(self, flex: FloatArray, busy: BoolArray | None = None) -> None:
        if flex.size:
            self.peak = max(self.peak, float(flex.max()))
            self.total += float(flex.sum())
            self.count += int(flex.size)
            if busy is not None:
                self.busy += int(busy.sum())

    def merge(self, other: _Stats) -> None:
        self.peak = max(self.peak, other.peak)
        self.total += other.total
        self.count += other.count
        self.busy += other.busy

    @property
    def busy_share(self) -> float:
        return self.busy / self.count if self.count else 0.0


class SlumpDetector:
    """Stateful slump episode detector over frames."""

    def __init__(self, on_deg: float, off_deg: float, min_s: float, release_s: float,
                 dwell_s: float, max_gap_s: float, frame_s: float,
                 busy_max_share: float = 1.0):
        """``busy_max_share``: an episode whose frames were busy (moving: reaching, a bend
        with the hands at work) in a larger share is not a slump, and raises no alert."""
        self.busy_max_share = busy_max_share
        self.on_deg, self.off_deg = on_deg, off_deg
        self.min_s, self.release_s, self.dwell_s = min_s, release_s, dwell_s
        self.max_gap_s, self.frame_s = max_gap_s, frame_s
        self.in_episode = False
        self.start_s = 0.0
        self.onset_s = 0.0
        self.above_s = 0.0  # time beyond the on-threshold in the current episode
        self.above_stats = _Stats()  # the frames beyond the on-threshold: the level
        self.confirmed_at: float | None = None
        self.alerted = False
        self.mid_since: float | None = None  # rise through the off-threshold, not yet on
        self.below_since: float | None = None
        self.below_away = False  # the wearer was away during the current fall back
        self.upright_s = 0.0  # seated below the off-threshold since last away
        self.armed = False  # seen sitting upright: a lean from here may be a slump
        self.stats = _Stats()
        self.below_stats = _Stats()
        self.last_t: float | None = None

    @property
    def counted(self) -> bool:
        """An episode is under way and counts: beyond the threshold for ``min_s`` and not
        mostly moving."""
        return (self.in_episode and self.confirmed_at is not None
                and self.stats.busy_share <= self.busy_max_share)

    @property
    def arm_deg(self) -> float:
        """Flexion under which still seated frames are sitting upright: the lower half of
        the hysteresis band (the off-threshold alone sits inside upright sitting's spread
        of a few degrees, more after a sensor slipped in its clip)."""
        return 0.5 * (self.on_deg + self.off_deg)

    @property
    def release_deg(self) -> float:
        """Flexion under which the current episode has fallen back: halfway from its level
        to upright, kept between the off- and on-thresholds."""
        level = (self.above_stats.total / self.above_stats.count if self.above_stats.count
                 else self.on_deg)
        return min(self.on_deg, max(self.off_deg, RELEASE_FRACTION * level))

    def push(self, t: FloatArray, flex: FloatArray, seated: BoolArray,
             busy: BoolArray | None = None) -> tuple[list[SlumpEpisode], list[Alert]]:
        """Frames' times (s), flexion (deg) and whether the wearer is seated (not walking
        or lying). Returns finished episodes and alerts raised in this block."""
        episodes: list[SlumpEpisode] = []
        alerts: list[Alert] = []
        if t.size == 0:
            return episodes, alerts
        sym = np.where(~seated, AWAY, np.where(flex < self.off_deg, BELOW,
                                               np.where(flex >= self.on_deg, ABOVE, MID)))
        # sitting upright (arms the detector): seated, still, in the lower half of the
        # hysteresis band or under it
        up = seated & (flex < self.arm_deg)
        if busy is not None:
            up &= ~busy
        brk = gaps_before(t, self.last_t, self.max_gap_s)
        cut = np.flatnonzero((np.diff(sym) != 0) | (np.diff(up) != 0)) + 1
        starts = np.unique(np.concatenate([[0], cut, np.flatnonzero(brk)]))
        ends = np.append(starts[1:], t.size)
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            if brk[s]:
                self._gap(float(t[s - 1]) if s > 0 else self.last_t, episodes)
            b = None if busy is None else busy[s:e]
            if sym[s] == MID and self.in_episode:
                self._mid_in_episode(t[s:e], flex[s:e], bool(up[s]), episodes, alerts, b)
            else:
                self._run(int(sym[s]), bool(up[s]), t[s:e], flex[s:e], episodes, alerts, b)
        self.last_t = float(t[-1])
        return episodes, alerts

    def flush(self) -> list[SlumpEpisode]:
        """End of stream: an open episode ends at the last frame."""
        out: list[SlumpEpisode] = []
        if self.in_episode:
            end = self.below_since if self.below_since is not None else (
                (self.last_t or 0.0) + self.frame_s / 2)
            self._close(end, out)
        return out

    # ------------------------------------------------------------------ internals
    def _gap(self, prev_t: float | None, episodes: list[SlumpEpisode]) -> None:
        if self.in_episode:
            end = self.below_since if self.below_since is not None else (
                (prev_t or 0.0) + self.frame_s / 2)
            self._close(end, episodes)
        self.mid_since = None
        self.below_since = None

    def _mid_in_episode(self, t: FloatArray, flex: FloatArray, up: bool,
                        episodes: list[SlumpEpisode], alerts: list[Alert],
                        busy: BoolArray | None) -> None:
        """A MID run inside an episode: frames under :attr:`release_deg` fall back."""
        low = flex < self.release_deg  # constant over the run: no ABOVE frame in it
        bounds = [0, *(np.flatnonzero(np.diff(low) != 0) + 1).tolist(), t.size]
        for a, b in itertools.pairwise(bounds):
            if not self.in_episode:  # it ended in this run: the rest is a MID run
                self._run(MID, up, t[a:], flex[a:], episodes, alerts,
                          None if busy is None else busy[a:])
                return
            self._run(RELEASE if low[a] else MID, up, t[a:b], flex[a:b], episodes, alerts,
                      None if busy is None else busy[a:b])

    def _run(self, sym: int, up: bool, t: FloatArray, flex: FloatArray,
             episodes: list[SlumpEpisode], alerts: list[Alert],
             busy: BoolArray | None = None) -> None:
        t0 = float(t[0]) - self.frame_s / 2  # a frame covers frame_s around its time
        span = t.size * self.frame_s
        if sym == AWAY:
            self.armed = False
            self.upright_s = 0.0
        elif up:
            self.upright_s += span
            self.armed |= self.upright_s >= self.release_s - 1e-9
        else:
            self.upright_s = 0.0
        if sym in (AWAY, BELOW, RELEASE):
            if self.in_episode:
                if self.below_since is None:
                    self.below_since = t0
                    self.below_stats = _Stats()
                    self.below_away = False
                self.below_away |= sym == AWAY
                self.below_stats.add(flex, busy)
                if float(t[-1]) + self.frame_s / 2 - self.below_since >= self.release_s:
                    ended = self.below_since
                    sat_up = not self.below_away
                    self._close(ended, episodes)
                    if sat_up:  # sitting back up from a slump is sitting upright
                        self.armed = True
                        if sym == RELEASE:  # still above the off-threshold
                            self.mid_since = ended + self.release_s
            if sym != RELEASE:
                self.mid_since = None
            return
        # MID or ABOVE
        prior = self.stats.peak
        if self.in_episode:
            if self.below_since is not None:
                self.stats.merge(self.below_stats)
                prior = self.stats.peak
                self.below_since = None
            self.stats.add(flex, busy)
        elif self.armed:
            if self.mid_since is None:
                self.mid_since = t0
            if sym == ABOVE:
                self.in_episode = True
                self.alerted = False
                self.start_s = t0
                self.onset_s = self.mid_since
                self.above_s = 0.0
                self.above_stats = _Stats()
                self.confirmed_at = None
                self.stats = _Stats()
                prior = -np.inf
                self.stats.add(flex, busy)
        if self.in_episode and sym == ABOVE:
            self.above_stats.add(flex)
            if self.confirmed_at is None:
                need = self.min_s - self.above_s
                if span >= need:
                    self.confirmed_at = t0 + need
                self.above_s += span
        if (self.in_episode and self.confirmed_at is not None and not self.alerted
                and self.stats.busy_share <= self.busy_max_share):
            due = max(self.start_s + self.dwell_s, self.confirmed_at)
            if float(t[-1]) + self.frame_s / 2 >= due:
                self.alerted = True
                # the peak so far at the alert's time, however the stream was cut
                upto = flex[t - self.frame_s / 2 <= due]
                peak = max(prior, float(upto.max()) if upto.size else prior)
                alerts.append(Alert(round(due, 3), "slump",
                                    f"slumped for {due - self.start_s:.0f} s "
                                    f"(flexion up to {peak:.0f} deg): sit up"))

    def _close(self, end_s: float, episodes: list[SlumpEpisode]) -> None:
        if (self.confirmed_at is not None and self.stats.count
                and self.stats.busy_share <= self.busy_max_share):
            episodes.append(SlumpEpisode(self.start_s, end_s, self.stats.peak,
                                         self.stats.total / self.stats.count, self.onset_s))
        self.in_episode = False
        self.below_since = None
        self.mid_since = None
