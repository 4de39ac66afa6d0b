"""The dashboard's commands for the ``sensorcoach`` CLI: ``serve`` and ``demo``.

They reach the CLI through the ``sensorcoach.commands`` entry point group
(pyproject.toml), so sensorcoach never names this package and the import arrow stays
``dashboard -> sensorcoach``.  ``sensorcoach --help`` imports this module: the web stack
(FastAPI, uvicorn) is imported only when a command runs.
"""

from __future__ import annotations

import argparse
from typing import Any


def serve(sub: argparse._SubParsersAction[Any]) -> None:
    """``sensorcoach serve [--host 127.0.0.1] [--port 8000] [--db PATH] [--token T]``."""
    p = sub.add_parser("serve", help="the dashboard (web UI and HTTP API)")
    p.add_argument("--host", default=None,
                   help="address to listen on (default 127.0.0.1; $SENSORCOACH_HOST); "
                        "any other than loopback needs a token")
    p.add_argument("--port", type=int, default=None, help="port (default 8000)")
    p.add_argument("--db", metavar="PATH",
                   help="sessions database (default $SENSORCOACH_DB or the user data dir)")
    p.add_argument("--token", default=None,
                   help="access token (default $SENSORCOACH_TOKEN); required off loopback")
    p.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from dashboard import server
    from dashboard.settings import Settings

    settings = Settings.from_env(host=args.host, port=args.port, db=args.db,
                                 token=args.token)
    return server.serve(settings)


def demo(sub: argparse._SubParsersAction[Any]) -> None:
    """``sensorcoach demo``: the dashboard on a temporary database, fixtures replayed live;
    ``--print-only``: the terminal demo (a simulated desk session, analysed and printed)."""
    p = sub.add_parser("demo", help="dashboard with fixtures replayed live (no hardware)")
    p.add_argument("--host", default=None, help="address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help="port (default 8000, or a free one if that is taken)")
    p.add_argument("--token", default=None, help="access token (needed off loopback)")
    p.add_argument("--open", action="store_true", help="open the live page in a browser")
    p.add_argument("--once", action="store_true", help="replay each live fixture once")
    p.add_argument("--print-only", action="store_true",
                   help="no server: simulate a desk session and print its analysis")
    p.add_argument("--seed", type=int, default=7, help="simulator seed for --print-only")
    p.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    if args.print_only:
        from sensorcoach.commands.demo_cmd import print_demo

        return print_demo(args.seed)
    from dashboard import server
    from dashboard.settings import Settings

    settings = Settings.from_env(host=args.host, port=args.port, token=args.token)
    plan = server.DemoPlan(loop=not args.once)
    return server.demo(settings, plan, open_browser=args.open)
