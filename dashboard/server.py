"""Running the dashboard: ``sensorcoach serve`` and ``sensorcoach demo`` (uvicorn).

The demo serves a temporary database, imports a few fixtures as finished sessions (dated
over the last days so the trends page has a week to show), and replays a desk and a
workout fixture live through the live runner, faster than real time and in a loop, so a
newcomer sees live state, a slump alert, a hold timer and finished sessions within a
minute, with no hardware.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import logging
import socket
import sys
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import anyio
import uvicorn
from fastapi import FastAPI

from dashboard.app import create_app
from dashboard.context import Context
from dashboard.settings import ConfigError, Settings
from dashboard.uploads import TempBody, import_upload
from sensorcoach.plan import Plan
from sensorcoach.recording import Recording
from sensorcoach.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
#: (fixture, days ago) imported as finished sessions by the demo (one today: the Today page;
#: yesterday's whole routine: the weekly plan's streak).
DEMO_IMPORTS = (("desk_upright", 6), ("desk_noisy", 4), ("workout_weak_left", 3),
                ("mixed", 2), ("routine_nocal_25hz", 1), ("desk_upper_50hz", 0))
#: The weekly plan the demo saves (``sensorcoach.plan.Plan.parse``): what both the routine
#: replayed live (``routine_50hz``) and yesterday's imported one do, in the order they do
#: it. They do the bridges as repetitions, so the suggested plan's 20 s glute-bridge hold
#: would stay "left" for ever; a deadlift set stands in. Yesterday's routine keeps the plan,
#: and today's counts once its live replay has ended and been analysed (its session is
#: recorded now): then the Today page says done today, 2 days in a row.
DEMO_WEEKLY: dict[str, Any] = {"every_days": 1, "rest_s": 30.0, "exercises": [
    {"exercise": "bird_dog_left", "sets": 3, "target": 6.0, "unit": "s"},
    {"exercise": "bird_dog_right", "sets": 3, "target": 6.0, "unit": "s"},
    {"exercise": "plank", "sets": 1, "target": 30.0, "unit": "s"},
    {"exercise": "side_plank_left", "sets": 1, "target": 15.0, "unit": "s"},
    {"exercise": "side_plank_right", "sets": 1, "target": 15.0, "unit": "s"},
    {"exercise": "deadlift", "sets": 1, "target": 6.0, "unit": "reps"},
    {"exercise": "child_pose", "sets": 1, "target": 20.0, "unit": "s"},
    {"exercise": "cat_cow", "sets": 1, "target": 6.0, "unit": "reps"}]}
#: (fixture, speed) replayed live by the demo: a slump alert ~12 s in, a plank ~15 s in,
#: and the whole routine (bird dog ~8 s in, holds, reps, stretches: the live page's guide).
DEMO_LIVE = (("desk_chest_100hz", 10.0), ("workout_steady", 4.0), ("routine_50hz", 8.0))

Task = Callable[[Context], Coroutine[Any, Any, None]]

log = logging.getLogger(__name__)


def free_port(host: str, preferred: int) -> int:
    """``preferred`` if it can be bound on ``host``, else a free port."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise OSError(f"no free port on {host}")


def listen(settings: Settings) -> socket.socket:
    """The listening socket, bound before anything is printed: a busy port or an
    address this machine does not have is one line (ConfigError), never another
    server's URL or uvicorn's exit code."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((settings.host.strip("[]"), settings.port))
        sock.listen(2048)
    except OSError as e:
        sock.close()
        why = ("is in use (another server?); pick another with --port"
               if e.errno == errno.EADDRINUSE else f"cannot be used: {e.strerror or e}")
        raise ConfigError(f"{settings.host} port {settings.port} {why}") from None
    sock.set_inheritable(True)
    return sock


def check_db(settings: Settings) -> None:
    """Open (and migrate) the database once, so a file that is not one is a one-line
    StoreError before the server starts."""
    Store(settings.db_path).close()


def run_server(app: FastAPI, settings: Settings, sock: socket.socket | None = None) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM), on ``sock`` if given."""
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                            timeout_graceful_shutdown=3, access_log=False)
    server = _Server(config, app)
    if sock is None:
        server.run()
        return
    with sock:
        server.run(sockets=[sock])


class _Server(uvicorn.Server):
    """Ends the live streams as soon as shutdown starts: uvicorn waits for open
    responses, and an open tab's endless event stream held Ctrl-C for the graceful
    timeout, then ended in a cancellation traceback."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        ctx: Context | None = getattr(self.app.state, "ctx", None)
        loop = None if ctx is None else ctx.bus.loop
        if ctx is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(ctx.bus.close)


def serve(settings: Settings, out: TextIO | None = None) -> int:
    """``sensorcoach serve``."""
    app = create_app(settings)
    check_db(settings)
    sock = listen(settings)
    out = out or sys.stdout
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    port = sock.getsockname()[1]
    out.write(f"sensorcoach dashboard on http://{host}:{port}/ "
              f"(database {settings.db_path}); Ctrl-C stops it\n")
    out.flush()
    log.info("serving on %s port %d", settings.host, port)
    run_server(app, settings, sock)
    return 0


@dataclass(frozen=True)
class DemoPlan:
    imports: tuple[tuple[str, int], ...] = DEMO_IMPORTS
    live: tuple[tuple[str, float], ...] = DEMO_LIVE
    loop: bool = True
    fixtures: Path = FIXTURES
    weekly: dict[str, Any] | None = field(default_factory=lambda: dict(DEMO_WEEKLY))
    """The weekly plan saved before the imports (None: the suggested one applies)."""


def demo_task(plan: DemoPlan) -> Task:
    """The demo's background work inside the app: live replays, then imports."""

    async def run(ctx: Context) -> None:
        async with anyio.create_task_group() as tg:
            for name, speed in plan.live:
                tg.start_soon(_replay_loop, ctx, plan, name, speed)
            tg.start_soon(_imports, ctx, plan)

    return run


async def _replay_loop(ctx: Context, plan: DemoPlan, name: str, speed: float) -> None:
    """Replays ``name`` in a loop, reusing its session: once a new replay is stored, the
    previous one is deleted (one finished and one live per fixture, never a pile)."""
    rec = await anyio.to_thread.run_sync(Recording.read, plan.fixtures / f"{name}.csv.gz")
    previous: int | None = None
    while True:
        ls = ctx.hub.start_replay(rec, name=f"{name} (demo replay)", speed=speed)
        assert ls.task is not None
        with contextlib.suppress(Exception):
            await asyncio.shield(ls.task)
        while ls.id in ctx.hub.sessions:  # being analysed and stored
            await asyncio.sleep(0.2)
        if previous is not None:
            ctx.delete_session(previous)
        previous = ls.id
        if not plan.loop:
            return
        await asyncio.sleep(2.0)


async def _imports(ctx: Context, plan: DemoPlan) -> None:
    if plan.weekly is not None:
        ctx.store().save_plan(Plan.parse(plan.weekly).to_dict())
    # 09:00 on this machine's clock (the pages' days are local), stored in UTC
    today = dt.datetime.now().astimezone().replace(hour=9, minute=0, second=0, microsecond=0)
    for name, days_ago in plan.imports:
        path = plan.fixtures / f"{name}.csv.gz"
        started = (today - dt.timedelta(days=days_ago)).astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ")

        def work(path: Path = path, name: str = name, started: str = started) -> None:
            body = TempBody()
            try:
                with path.open("rb") as f:  # closed (an open file warned in tests)
                    body.write_file(f)
                imp = import_upload(ctx.store(), body, name, started_at=started,
                                    source="demo import")
                ctx.cache.put(imp.id, imp.series)
                ctx.bus.publish("session", {"session_id": imp.id, "event": "imported",
                                            "name": imp.name, "summary": imp.summary})
            finally:
                body.close()

        await anyio.to_thread.run_sync(work)


def demo(settings: Settings, plan: DemoPlan | None = None, out: TextIO | None = None,
         open_browser: bool = False) -> int:
    """``sensorcoach demo``: the dashboard on a temporary database with live replays."""
    plan = plan or DemoPlan()
    missing = [n for n, _ in (*plan.live, *plan.imports)
               if not (plan.fixtures / f"{n}.csv.gz").is_file()]
    if missing:
        from sensorcoach.errors import SensorcoachError

        raise SensorcoachError(f"demo fixtures missing in {plan.fixtures}: "
                               f"{', '.join(missing)} (run it from a clone of the repository)")
    out = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="sensorcoach-demo-") as tmp:
        settings = replace(settings, db=Path(tmp) / "demo.sqlite3",
                           port=free_port(settings.host, settings.port))
        app = create_app(settings, tasks=[demo_task(plan)])
        url = f"http://{settings.host}:{settings.port}/live"
        if settings.token:
            url += f"?token={settings.token}"
        out.write(f"sensorcoach demo: open {url}\n"
                  "  a desk session (10x real time) and a workout (4x) replay live through "
                  "the live runner;\n  within a minute: live state, a slump alert, a timed "
                  "plank; finished sessions under Sessions and Trends.\n"
                  "  The whole routine replays too (8x, about 4.5 min): follow it with the "
                  "live page's guided routine;\n  once it has ended, Today counts it against "
                  "the demo's weekly plan (yesterday's routine is imported: 2 days in a row).\n"
                  "  Temporary database, deleted on exit. Ctrl-C stops it.\n")
        out.flush()
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        run_server(app, settings)
    return 0
