"""Host-clock drift of streams timed by sample count (SPEC section 6: measured, not imposed).

Stream time of a WitMotion, micro:bit or Thingy stream is ``slot / nominal rate``; the
sensor's crystal makes the true rate differ by tens to hundreds of ppm.  We fit host
arrival time (s) against stream time (s) by least squares, one point per delivered block
(its last sample and the host time its bytes arrived).  Arrival jitter (USB and BLE
batching) is noise on the host axis, which is why host is regressed on stream time.
Each connection is a segment with its own intercept (an outage's hole is only an
estimate); the slope is pooled over segments.

``ppm = (d stream / d host - 1) x 1e6``: positive when stream time runs ahead of the host
clock (the sensor samples faster than its nominal rate).  Its standard error is about
jitter / (sqrt(blocks) x span), e.g. ~1-2 ppm after 3 minutes of 50 Hz notifications
with 10 ms of arrival jitter; early figures are rough.
"""

from __future__ import annotations


class DriftMeter:
    """Running pooled linear fit of host arrival time on stream time.

    ``min_span_s``: stream seconds of data before :attr:`ppm` is reported (short spans
    are dominated by arrival jitter).
    """

    def __init__(self, min_span_s: float = 30.0) -> None:
        self.min_span_s = min_span_s
        self.points = 0
        self._sxx_done = 0.0
        self._sxy_done = 0.0
        self._span_done = 0.0
        self._new_segment_state()

    def _new_segment_state(self) -> None:
        self._n = 0
        self._x0 = self._y0 = 0.0
        self._mx = self._my = 0.0
        self._sxx = self._sxy = 0.0
        self._xmin = self._xmax = 0.0

    def add(self, stream_t: float, host_t: float) -> None:
        """One block: stream time of its last sample (s), host arrival time (s)."""
        if self._n == 0:
            self._x0, self._y0 = stream_t, host_t
        x, y = stream_t - self._x0, host_t - self._y0  # small numbers: no cancellation
        self._n += 1
        self.points += 1
        dx = x - self._mx
        self._mx += dx / self._n
        self._my += (y - self._my) / self._n
        self._sxx += dx * (x - self._mx)
        self._sxy += dx * (y - self._my)
        self._xmin, self._xmax = min(self._xmin, x), max(self._xmax, x)

    def new_segment(self) -> None:
        """A reconnect: later points get their own intercept."""
        self._sxx_done += self._sxx
        self._sxy_done += self._sxy
        self._span_done += self._xmax - self._xmin
        self._new_segment_state()

    @property
    def span_s(self) -> float:
        """Stream seconds covered by the fit, all segments."""
        return self._span_done + self._xmax - self._xmin

    @property
    def ppm(self) -> float | None:
        """Drift of stream time against the host clock (ppm), None until ``min_span_s``."""
        sxx = self._sxx_done + self._sxx
        sxy = self._sxy_done + self._sxy
        if self.span_s < self.min_span_s or sxx <= 0 or sxy <= 0:
            return None
        return (sxx / sxy - 1.0) * 1e6

    def counters(self, base: dict[str, int]) -> dict[str, int]:
        """``base`` plus ``drift_ppm`` (rounded) once it is known."""
        ppm = self.ppm
        return base if ppm is None else {**base, "drift_ppm": round(ppm)}
