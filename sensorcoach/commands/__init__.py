"""Subcommands. Each module has ``register(subparsers)`` that adds its parser and sets
``handler`` (a function ``(argparse.Namespace) -> int``).

Modules are imported only for the command being run: the monitor, the dashboard and the
simulator pull in asyncio, web and scipy stacks that ``sensorcoach analyze`` should not
pay for at process start. ``sensorcoach --help`` lists every command from the table.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

#: command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("analyze_cmd", "analyse a recording: posture, slumps, holds, alerts"),
    "convert": ("convert_cmd", "raw capture or app export -> recording CSV"),
    "simulate": ("simulate_cmd", "make a labelled synthetic recording"),
    "scan": ("scan_cmd", "list nearby BLE sensors and serial ports that look usable"),
    "monitor": ("monitor_cmd", "live: calibrate, monitor, alert, record"),
    "serve": ("serve_cmd", "the dashboard"),
    "demo": ("demo_cmd", "dashboard plus fixtures replayed live, no hardware needed"),
}


def register(sub: argparse._SubParsersAction[Any], selected: str | None = None) -> None:
    """Add every command; import the module of ``selected`` only (all when None)."""
    for name, (module, help_text) in COMMANDS.items():
        if selected is None or selected == name:
            try:
                mod = importlib.import_module(f"sensorcoach.commands.{module}")
            except ModuleNotFoundError as e:
                if e.name != f"sensorcoach.commands.{module}":
                    raise
                continue  # a command this build does not ship yet
            mod.register(sub)
        else:
            sub.add_parser(name, help=help_text)
