"""Shared helpers of the command-line tests: run ``sensorcoach.cli.main`` in-process and
check that an error is one line without a traceback."""

from __future__ import annotations

import pytest

from sensorcoach.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``sensorcoach ARGS``."""
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err
