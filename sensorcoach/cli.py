"""Command line: ``sensorcoach COMMAND ...`` (SPEC section 6).

Exit codes: 0 ok, 2 usage or bad input (one line on stderr), 1 anything else.
Messages are cut to a length limit and show control characters escaped (a file name or
header cannot put escape sequences on the terminal).  ``--log-level LEVEL`` or the
``SENSORCOACH_LOG`` environment variable turns on the ``logging`` of the three packages
(to stderr); it is off by default.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import sys
from collections.abc import Callable, Sequence

from firmware_interface.errors import FirmwareInterfaceError, safe_text
from sensorcoach import __version__
from sensorcoach.errors import SensorcoachError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_ENV = "SENSORCOACH_LOG"
_PACKAGES = ("sensorcoach", "firmware_interface", "dashboard")

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a single-line message for usage errors; an unknown
    option gets the closest known one suggested (``command``: set by :func:`build_parser`
    to the parser of the command being run, whose usage and options are meant)."""

    command: argparse.ArgumentParser | None = None

    def error(self, message: str) -> None:  # type: ignore[override]
        (self.command or self).print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {safe_text(message)}{self._hint(message)}\n")
        raise SystemExit(EXIT_BAD_INPUT)

    def _hint(self, message: str) -> str:
        head, _, rest = message.partition(": ")
        if head != "unrecognized arguments":
            return ""
        known = list((self.command or self)._option_string_actions)
        for word in rest.split():
            if word.startswith("-"):
                close = difflib.get_close_matches(word.split("=")[0], known, n=1)
                if close:
                    return f" (did you mean {close[0]!r}?)"
        return ""


def setup_logging(level: str | None) -> str | None:
    """Send the three packages' log records at ``level`` and above to stderr; ``None``:
    the ``SENSORCOACH_LOG`` environment variable, else logging stays off.  Returns the
    level used, or None."""
    name = (level or os.environ.get(LOG_ENV, "")).strip().lower()
    if not name:
        return None
    if name not in LOG_LEVELS:
        raise SensorcoachError(f"{LOG_ENV} must be one of {', '.join(LOG_LEVELS)}, got "
                               f"{name!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for pkg in _PACKAGES:
        lg = logging.getLogger(pkg)
        lg.setLevel(name.upper())
        if not any(getattr(h, "_sensorcoach", False) for h in lg.handlers):
            handler._sensorcoach = True  # type: ignore[attr-defined]
            lg.addHandler(handler)
    if name == "debug":  # the BLE stack's own retries and errors, too
        logging.getLogger("bleak_retry_connector").setLevel(logging.DEBUG)
        logging.getLogger("bleak_retry_connector").addHandler(handler)
    return name


def _fail(message: str) -> int:
    sys.stderr.write(f"sensorcoach: error: {safe_text(message)}\n")
    return EXIT_BAD_INPUT


def command_word(argv: Sequence[str]) -> str | None:
    """The word naming the command in ``argv`` (the first one that is not an option or
    the value of ``--log-level``), or None."""
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--log-level":
            skip = True
        elif a == "--":
            return None
        elif not a.startswith("-"):
            return a
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI parser; with ``argv``, only the command named in it is fully loaded
    (none for ``--help``: its list comes from the command table)."""
    parser = _Parser(prog="sensorcoach",
                     description="Posture and core-hold coach for IMU sensors and phones.")
    parser.add_argument("--version", action="version", version=f"sensorcoach {__version__}")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default=None,
                        help=f"log to stderr at this level (default: ${LOG_ENV}, else off)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from sensorcoach import commands

    word = command_word(argv or [])
    selected = commands.canonical(word) if word is not None else None
    commands.register(sub, selected)
    if selected is not None:
        chosen = sub.choices.get(selected)
        if isinstance(chosen, argparse.ArgumentParser):
            parser.command = chosen
    return parser


def unknown_command(word: str) -> str:
    """The one-line reason for a command that does not exist, with the closest one."""
    from sensorcoach import commands

    close = commands.suggest(word)
    if os.path.isfile(word):  # a file given without a command
        hint = f"to analyse it: sensorcoach analyze {word}"
    elif close:
        hint = f"did you mean {close!r}?"
    else:
        hint = "see sensorcoach --help"
    return f"unknown command {word!r} ({hint})"


def main(argv: Sequence[str] | None = None) -> int:
    from sensorcoach.commands import CommandLoadError, canonical

    argv = list(sys.argv[1:] if argv is None else argv)
    word = command_word(argv)
    if word is not None and canonical(word) is None:
        return _fail(unknown_command(word))
    try:
        parser = build_parser(argv)
    except CommandLoadError as e:
        return _fail(str(e))
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        setup_logging(args.log_level)
        return handler(args)
    except (SensorcoachError, FirmwareInterfaceError) as e:
        return _fail(str(e))
    except KeyboardInterrupt:
        sys.stderr.write("sensorcoach: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as e:  # a path the system refuses (too long, no permission, ...)
        where = f"{e.filename}: " if e.filename else ""
        return _fail(f"{where}{e.strerror or e}")
    except Exception as e:  # the last line of defence: one line, not a traceback
        sys.stderr.write(f"sensorcoach: internal error: {type(e).__name__}: "
                         f"{safe_text(str(e))} (set SENSORCOACH_DEBUG=1 for details)\n")
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        if os.environ.get("SENSORCOACH_DEBUG"):
            raise
        return EXIT_FAILURE
