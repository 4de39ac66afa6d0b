"""``sensorcoach serve [--host 127.0.0.1] [--port 8000] [--db PATH] [--token T]``: the dashboard.

The dashboard package sits above sensorcoach (``dashboard -> sensorcoach``), so it is
loaded with ``importlib`` when the command runs: sensorcoach itself never imports it.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("serve", help="the dashboard (web UI and HTTP API)")
    p.add_argument("--host", default=None,
                   help="address to listen on (default 127.0.0.1; $SENSORCOACH_HOST); "
                        "any other than loopback needs a token")
    p.add_argument("--port", type=int, default=None, help="port (default 8000)")
    p.add_argument("--db", metavar="PATH",
                   help="sessions database (default $SENSORCOACH_DB or the user data dir)")
    p.add_argument("--token", default=None,
                   help="access token (default $SENSORCOACH_TOKEN); required off loopback")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings_mod = importlib.import_module("dashboard.settings")  # see the module docstring
    server = importlib.import_module("dashboard.server")
    settings = settings_mod.Settings.from_env(host=args.host, port=args.port, db=args.db,
                                              token=args.token)
    return int(server.serve(settings))
