"""Command line: ``sensorcoach COMMAND ...`` (SPEC section 6).

Exit codes: 0 ok, 2 usage or bad input (one line on stderr), 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sensorcoach import __version__
from sensorcoach.errors import SensorcoachError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a single-line message for usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI parser; with ``argv``, only the command named in it is fully loaded."""
    parser = _Parser(prog="sensorcoach",
                     description="Posture and core-hold coach for IMU sensors and phones.")
    parser.add_argument("--version", action="version", version=f"sensorcoach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from sensorcoach import commands

    selected = next((a for a in argv if not a.startswith("-")), None) if argv else None
    if selected is not None and selected not in commands.COMMANDS:
        selected = None
    if selected is None and argv and "--version" in argv:
        selected = ""  # nothing to load

    commands.register(sub, selected)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return handler(args)
    except SensorcoachError as e:
        sys.stderr.write(f"sensorcoach: error: {e}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("sensorcoach: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # the last line of defence: one line, not a traceback
        sys.stderr.write(f"sensorcoach: internal error: {type(e).__name__}: {e} "
                         "(set SENSORCOACH_DEBUG=1 for details)\n")
        import os

        if os.environ.get("SENSORCOACH_DEBUG"):
            raise
        return EXIT_FAILURE
