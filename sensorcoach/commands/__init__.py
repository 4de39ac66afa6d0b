"""Subcommands. Each module has ``register(subparsers)`` that adds its parser and sets
``handler`` (a function ``(argparse.Namespace) -> int``).

Modules are imported only for the command being run: the monitor and the simulator pull
in asyncio and scipy stacks that ``sensorcoach analyze`` should not pay for at process
start, and ``sensorcoach --help`` lists every command from the table without importing any.

Commands of the packages above sensorcoach (the dashboard's ``serve`` and ``demo``) come
from the :data:`GROUP` entry point group: each entry point names a ``register`` function
of the same shape, in a module that imports nothing heavy at import time (``--help``
loads it).  sensorcoach itself never names those packages, so the import arrows stay
``dashboard -> sensorcoach``.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

#: The entry point group other packages register commands in (pyproject.toml).
GROUP = "sensorcoach.commands"

Register = Callable[["argparse._SubParsersAction[Any]"], None]
log = logging.getLogger(__name__)


class Builtin(NamedTuple):
    module: str
    help: str
    aliases: tuple[str, ...] = ()


#: command -> its module here, one-line help, other accepted spellings
COMMANDS: dict[str, Builtin] = {
    "analyze": Builtin("analyze_cmd", "analyse a recording: posture, slumps, holds, alerts",
                       ("analyse",)),
    "convert": Builtin("convert_cmd", "raw capture or app export -> recording CSV"),
    "simulate": Builtin("simulate_cmd", "make a labelled synthetic recording"),
    "scan": Builtin("scan_cmd", "list nearby BLE sensors and serial ports that look usable"),
    "monitor": Builtin("monitor_cmd", "live: calibrate, monitor, alert, record"),
}
ALIASES = {alias: name for name, c in COMMANDS.items() for alias in c.aliases}


class CommandLoadError(Exception):
    """A command registered by another package could not be loaded."""


@functools.cache
def _entry_points() -> tuple[EntryPoint, ...]:
    from importlib.metadata import entry_points  # ~30 ms: only when a plugin may be needed

    eps = [ep for ep in entry_points(group=GROUP) if ep.name not in COMMANDS]
    return tuple(sorted(eps, key=lambda ep: ep.name))


def plugin_names() -> list[str]:
    """Names of the commands other packages register (:data:`GROUP`), builtins excepted."""
    return [ep.name for ep in _entry_points()]


def canonical(name: str) -> str | None:
    """The command ``name`` selects (an alias resolved), or None when there is none."""
    if name in COMMANDS:
        return name
    if name in ALIASES:
        return ALIASES[name]
    return name if name in plugin_names() else None


def suggest(name: str) -> str | None:
    """The command (or alias) closest to a misspelt ``name``, if one is close."""
    known = [*COMMANDS, *ALIASES, *plugin_names()]
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    return close[0] if close else None


def register(sub: argparse._SubParsersAction[Any], selected: str | None = None) -> None:
    """Add every command; fully load ``selected`` only (None: none, for ``--help``).

    Commands of other packages are loaded for ``--help`` too (their modules are light);
    one that fails to load is left out of the list, or raises :class:`CommandLoadError`
    when it is the one selected."""
    for name, c in COMMANDS.items():
        if selected == name:
            importlib.import_module(f"sensorcoach.commands.{c.module}").register(sub)
        else:
            sub.add_parser(name, help=c.help, aliases=list(c.aliases))
    if selected is not None and selected in COMMANDS:
        return
    for ep in _entry_points():
        if selected is not None and ep.name != selected:
            continue
        try:
            fn: Register = ep.load()
            fn(sub)
        except Exception as e:  # a broken plugin: one line, never a traceback
            why = f"{type(e).__name__}: {e}"
            if ep.name == selected:
                raise CommandLoadError(f"command {ep.name!r} ({ep.value}) cannot be loaded: "
                                       f"{why}") from e
            log.warning("command %s (%s) left out: %s", ep.name, ep.value, why)
