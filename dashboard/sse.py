"""Server-sent events for ``GET /api/live``: a numbered event log with fan-out.

Every event gets an increasing id; the last :attr:`Broadcaster.keep` are kept so a client
reconnecting with ``Last-Event-ID`` gets what it missed (older ones are gone: it then
gets a fresh ``state`` snapshot, which it always gets first anyway).  A subscriber too
slow to keep up (its queue full) is disconnected rather than slowing everyone else; its
browser reconnects and resumes from its last id.  Keep-alive comments come from FastAPI's
own SSE support (``fastapi.sse``).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.sse import ServerSentEvent

#: ms the browser waits before reconnecting.
RETRY_MS = 2000
#: s between ``ping`` events on a quiet stream: a page that hears nothing for a few
#: pings knows the server is gone even when no error reaches it.
PING_S = 2.0


@dataclass(frozen=True)
class Event:
    id: int
    event: str
    data: dict[str, Any]

    def sse(self) -> ServerSentEvent:
        return ServerSentEvent(event=self.event, data=self.data, id=str(self.id))


class _Overflow:
    pass


OVERFLOW = _Overflow()


class Broadcaster:
    """Publish events (from any thread) to every subscriber (on the event loop)."""

    def __init__(self, keep: int = 2000, queue_size: int = 1000,
                 max_streams: int = 100) -> None:
        self.keep = keep
        self.queue_size = queue_size
        self.max_streams = max_streams
        self.streams = 0
        """Streams holding a slot (:meth:`acquire`), on the event loop only."""
        self._log: deque[Event] = deque(maxlen=keep)
        self._next = 1
        self._subs: set[asyncio.Queue[Event | _Overflow | None]] = set()
        self._lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None

    def acquire(self) -> bool:
        """Take a stream slot; False when ``max_streams`` are open (the caller says 503:
        each stream costs a serialisation per event, so a thousand idle ones would stall
        every other request)."""
        if self.streams >= self.max_streams:
            return False
        self.streams += 1
        return True

    def release(self) -> None:
        self.streams = max(0, self.streams - 1)

    def publish(self, event: str, data: dict[str, Any]) -> None:
        loop = self.loop
        if loop is not None and not _on_loop(loop):
            loop.call_soon_threadsafe(self._publish, event, data)
        else:
            self._publish(event, data)

    def _publish(self, event: str, data: dict[str, Any]) -> None:
        with self._lock:
            ev = Event(self._next, event, data)
            self._next += 1
            self._log.append(ev)
        for q in list(self._subs):
            if q.qsize() >= self.queue_size - 1:
                self._subs.discard(q)
                q.put_nowait(OVERFLOW)
            else:
                q.put_nowait(ev)

    def since(self, last_id: int) -> list[Event]:
        with self._lock:
            return [e for e in self._log if e.id > last_id]

    @property
    def last_id(self) -> int:
        return self._next - 1

    def close(self) -> None:
        """End every stream (server shutdown)."""
        for q in list(self._subs):
            q.put_nowait(None)
        self._subs.clear()

    async def stream(self, snapshot: Callable[[], dict[str, Any]], last_id: int | None,
                     limit: int | None = None) -> AsyncIterator[ServerSentEvent]:
        """A client's stream: ``state`` snapshot first, then missed events after
        ``last_id``, then live ones; ends after ``limit`` events when given."""
        q: asyncio.Queue[Event | _Overflow | None] = asyncio.Queue()
        self._subs.add(q)
        start = self.last_id  # events after this reach the queue
        if last_id is not None and last_id > start:
            last_id = None  # ids from before a server restart
        sent = 0
        try:
            yield ServerSentEvent(event="state", data=snapshot(), retry=RETRY_MS)
            sent += 1
            seen = last_id if last_id is not None else start
            if last_id is not None:
                for ev in self.since(last_id):
                    if limit is not None and sent >= limit:
                        return
                    yield ev.sse()
                    sent += 1
                    seen = ev.id
            while limit is None or sent < limit:
                try:
                    item = await asyncio.wait_for(q.get(), PING_S)
                except TimeoutError:
                    yield ServerSentEvent(event="ping", data={})
                    continue
                if item is None or isinstance(item, _Overflow):
                    return
                if item.id <= seen:
                    continue
                seen = item.id
                yield item.sse()
                sent += 1
        finally:
            self._subs.discard(q)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
