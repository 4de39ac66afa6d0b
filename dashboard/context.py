"""What the routes share: settings, per-thread store connections, the live hub, the SSE
broadcaster and the series cache.  Created and closed by the app's lifespan."""

from __future__ import annotations

import threading

import anyio
from fastapi import Request

from dashboard.live import LiveHub
from dashboard.push import PushIngest, PushLimits
from dashboard.series import SeriesCache
from dashboard.settings import Settings
from dashboard.sse import Broadcaster
from sensorcoach.store import Store


class Context:
    """One per app, created on the event loop (lifespan).  API handlers run in worker
    threads: each thread gets its own SQLite connection (WAL lets readers run beside the
    one writer)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db_path = settings.db_path
        self.bus = Broadcaster(max_streams=settings.max_live_streams)
        self.hub = LiveHub(self.db_path, self.bus, sample_hz=settings.sample_hz,
                           push_idle_s=settings.push_idle_s)
        self.push = PushIngest(self.hub, PushLimits(
            sessions=settings.push_max_sessions,
            per_client=settings.push_max_sessions_per_client))
        # Work off the event loop, bounded: push messages (parse, decode, analyse) and
        # the heavy jobs (an upload's read and analysis, a long session's series), one
        # at a time, so memory stays bounded whatever the number of clients.
        self.push_workers = anyio.CapacityLimiter(settings.push_workers)
        self.push_in_flight = 0
        self.heavy = anyio.CapacityLimiter(1)
        self.cache = SeriesCache()
        self._local = threading.local()
        self._stores: list[Store] = []
        self._lock = threading.Lock()
        self.store()  # open (and migrate) now: a bad --db fails at startup

    def store(self) -> Store:
        st: Store | None = getattr(self._local, "store", None)
        if st is None:
            st = Store(self.db_path, check_same_thread=False)
            self._local.store = st
            with self._lock:
                self._stores.append(st)
        return st

    def delete_session(self, session_id: int) -> str:
        """Delete a finished session with its samples, alerts and events, forget its
        series and tell the live streams; returns its name.  StoreError if there is
        none."""
        st = self.store()
        name = str(st.get_session(session_id)["name"])
        st.delete_session(session_id)
        self.cache.drop(session_id)
        self.bus.publish("session", {"session_id": session_id, "event": "deleted",
                                     "name": name})
        return name

    def close(self) -> None:
        with self._lock:
            stores, self._stores = self._stores, []
        for st in stores:
            st.close()


async def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx
