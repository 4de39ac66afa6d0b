"""The common async interface of every transport.

``async for event in source.blocks()`` yields :class:`~firmware_interface.samples.
SampleBlock` (t in s of stream time, acc in g, gyro in deg/s) and :class:`Status`
events (connected, disconnected, reconnected with the samples the outage cost).
``await source.aclose()`` stops it.  Transports are the only I/O of this package.

A transport whose sensor can buzz (a motor or buzzer: the reference firmware built with
``SC_BUZZ_PIN``) also has ``await source.buzz(duration_ms) -> bool``; :func:`buzz` calls
it on any source and is a no-op (a debug log line, False) where there is none.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from firmware_interface.devices import DeviceProfile, Write
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
log = logging.getLogger(__name__)


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


class Buzzer(Protocol):
    """A source whose sensor can buzz."""

    async def buzz(self, duration_ms: int) -> bool:
        """Buzz for ``duration_ms`` (ms); True when the command went out."""
        ...


def buzz_commands(name: str, profile: DeviceProfile, decoder: object
                  ) -> Callable[[int], list[Write]] | None:
    """The commands that buzz a sensor, when it can: its profile has them and, where it has
    said so in its device info, it was built with a buzzer; None (the reason logged) when
    not."""
    if profile.buzz is None:
        log.debug("%s: %s sensors cannot buzz", name, profile.name)
        return None
    info = getattr(decoder, "device_info", None)
    if info is not None and not getattr(info, "has_buzzer", True):
        log.debug("%s: the sensor was built without a buzzer (SC_BUZZ_PIN)", name)
        return None
    return profile.buzz


async def buzz(source: object, duration_ms: int) -> bool:
    """Buzz the sensor behind ``source`` for ``duration_ms`` (ms) if its transport can;
    else nothing happens (logged at debug level) and the answer is False."""
    fn = getattr(source, "buzz", None)
    if fn is None:
        log.debug("%s: this source cannot buzz", getattr(source, "name", type(source).__name__))
        return False
    return bool(await fn(duration_ms))


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
