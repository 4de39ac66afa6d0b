"""Sample-count timing for streams that carry no timestamps (WitMotion, micro:bit, Thingy).

SPEC section 6: such streams are timed by sample count at the device's output rate, so
stream time never stretches with USB or BLE batching.  A sample lost inside the stream
still consumes its slot (time keeps running across the hole); an outage measured by the
transport (a disconnect) is added with :meth:`SlotClock.skip_seconds`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class SlotClock:
    """Maps sample slots (0, 1, 2, ...) to seconds at a nominal ``rate_hz``."""

    def __init__(self, rate_hz: float) -> None:
        if not rate_hz > 0:
            raise ValueError(f"rate_hz must be positive, got {rate_hz!r}")
        self.rate_hz = float(rate_hz)
        self.next_slot = 0
        """Slot the next sample would occupy if nothing is lost."""

    def times(self, slots: NDArray[np.int64]) -> NDArray[np.float64]:
        """Seconds of absolute ``slots``; also moves ``next_slot`` past the last one."""
        if slots.size:
            self.next_slot = int(slots[-1]) + 1
        return slots.astype(np.float64) / self.rate_hz

    def take(self, n: int) -> NDArray[np.float64]:
        """Times of ``n`` consecutive samples starting at ``next_slot``."""
        slots = np.arange(self.next_slot, self.next_slot + n, dtype=np.int64)
        return self.times(slots)

    def skip_seconds(self, seconds: float) -> int:
        """Leave a hole of ``seconds`` (an outage measured by the host); returns the
        number of slots skipped."""
        n = max(0, round(seconds * self.rate_hz))
        self.next_slot += n
        return n
