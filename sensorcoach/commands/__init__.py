"""Subcommands. Each module has ``register(subparsers)`` that adds its parser and sets
``handler`` (a function ``(argparse.Namespace) -> int``)."""

from __future__ import annotations

import argparse
from typing import Any

from sensorcoach.commands import (
    analyze_cmd,
    convert_cmd,
    demo_cmd,
    scan_cmd,
    simulate_cmd,
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    for module in (analyze_cmd, convert_cmd, simulate_cmd, scan_cmd, demo_cmd):
        module.register(sub)
