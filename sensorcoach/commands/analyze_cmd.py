"""``sensorcoach analyze FILE [--json] [--from FORMAT]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from firmware_interface.errors import safe_text
from firmware_interface.formats import FORMATS
from sensorcoach.analysis import analyze
from sensorcoach.commands.convert_cmd import load_recording
from sensorcoach.recording import Recording, is_recording_file
from sensorcoach.report import render


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("analyze", help="analyse a recording: posture, slumps, activity, alerts")
    p.add_argument("file", help="a recording (.csv or .csv.gz)")
    p.add_argument("--json", action="store_true", help="print SPEC's analysis JSON")
    p.add_argument("--from", dest="fmt", default="auto", choices=FORMATS,
                   help="input format (default auto: sniffed; csv: a sensorcoach recording)")
    p.add_argument("--orientation", choices=["auto", "accel", "gyro"], default="auto",
                   help="gravity estimate: gyro-aided where a gyro exists (auto), or forced")
    p.set_defaults(handler=run)


def load(path: str, fmt: str) -> Recording:
    """A recording from a file in any supported format (``auto``: sniffed). Our own
    recordings, and files that cannot be anything else (missing, empty, not gzip-readable)
    go straight to :meth:`Recording.read`, whose errors name the line."""
    if fmt == "csv":
        return Recording.read(path)
    if fmt == "auto":
        p = Path(path)
        try:
            ours = is_recording_file(p) or not p.is_file() or p.stat().st_size == 0
        except OSError:  # e.g. a name too long: the reader says so with the file name
            ours = True
        if ours:
            return Recording.read(p)
    return load_recording(path, fmt)


def run(args: argparse.Namespace) -> int:
    rec = load(args.file, args.fmt)
    result = analyze(rec, orientation=args.orientation)
    d = result.to_dict()
    if args.json:
        json.dump(d, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(d, safe_text(args.file)) + "\n")
    return 0
