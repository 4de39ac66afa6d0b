"""The common async interface of every transport.

``async for event in source.blocks()`` yields :class:`~firmware_interface.samples.
SampleBlock` (t in s of stream time, acc in g, gyro in deg/s) and :class:`Status`
events (connected, disconnected, reconnected with the samples the outage cost).
``await source.aclose()`` stops it.  Transports are the only I/O of this package.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from firmware_interface.samples import DecodeStats, SampleBlock

StatusKind = Literal["connected", "disconnected", "reconnected", "ended"]


@dataclass(frozen=True)
class Status:
    """A change of link state, at stream time ``t_s`` (s)."""

    kind: StatusKind
    t_s: float
    detail: str = ""
    dropped: int = 0
    """Samples the outage is estimated to have cost (outage s x rate), on reconnect."""
    outage_s: float = 0.0
    counters: dict[str, int] = field(default_factory=dict)
    drift_ppm: float | None = None
    """Stream time against the host clock (ppm, see :mod:`.drift`), once measured."""


Event = SampleBlock | Status


class Source(Protocol):
    """Anything that produces sample blocks and status events."""

    name: str
    stats: DecodeStats

    def blocks(self) -> AsyncIterator[Event]:
        """Events until the source ends or :meth:`aclose` is called."""
        ...

    async def aclose(self) -> None:
        """Stop and release the device."""
        ...


class Backoff:
    """Reconnect delays: ``initial_s`` doubling up to ``max_s`` (s); reset on success."""

    def __init__(self, initial_s: float = 0.2, max_s: float = 5.0) -> None:
        self.initial_s = initial_s
        self.max_s = max_s
        self._next = initial_s

    def next(self) -> float:
        d = self._next
        self._next = min(self.max_s, self._next * 2)
        return d

    def reset(self) -> None:
        self._next = self.initial_s
