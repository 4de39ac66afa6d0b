"""``sensorcoach analyze FILE [--json] [--from FORMAT]``."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from firmware_interface.bounded import read_head
from firmware_interface.codecs.generic_csv import guess_mapping
from firmware_interface.errors import FirmwareInterfaceError, safe_text
from firmware_interface.formats import FORMATS, sniff
from sensorcoach.analysis import analyze
from sensorcoach.commands import COMMANDS
from sensorcoach.commands.convert_cmd import load_recording
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings
from sensorcoach.errors import SensorcoachError
from sensorcoach.feedback import personal_settings, thresholds_used
from sensorcoach.recording import Recording, is_recording_file
from sensorcoach.report import render
from sensorcoach.store import Store, default_db_path


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("analyze", aliases=list(COMMANDS["analyze"].aliases),
                       help=COMMANDS["analyze"].help)
    p.add_argument("file", help="a recording (.csv or .csv.gz), or a raw capture or app "
                                "export (see --from)")
    p.add_argument("--json", action="store_true",
                   help="print the whole analysis as one JSON object instead of the report: "
                        "posture and activity time, every slump, hold, set and alert with "
                        "its start and end in seconds, left/right symmetry, the calibration "
                        "and the gyro check")
    p.add_argument("--from", dest="fmt", default="auto", choices=FORMATS,
                   help="input format (default auto: sniffed; csv: a sensorcoach recording)")
    p.add_argument("--orientation", choices=["auto", "accel", "gyro"], default="auto",
                   help="gravity estimate: gyro-aided where a gyro exists (auto), or forced")
    p.add_argument("--personal", nargs="?", const="", default=None, metavar="DB",
                   help="use your slump thresholds learnt from 'not a slump' feedback, kept in "
                   "the sessions database DB (default: $SENSORCOACH_DB or the user data one)")
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
        try:
            return load_recording(path, fmt)
        except (SensorcoachError, FirmwareInterfaceError) as e:
            why = not_a_table(p)
            if why is None:
                raise
            raise SensorcoachError(f"{safe_text(path)}: not a recording or a sensor export "
                                   f"sensorcoach reads: {why}") from e
    return load_recording(path, fmt)


def not_a_table(path: Path) -> str | None:
    """Why a file sniffed as a generic CSV table is none (its first table line names no
    time and acceleration columns), or None when it is one or is not text.  The reason
    is in a user's terms: the CSV reader's own words about a text that was never a table
    help nobody."""
    try:
        if sniff(path) != "csv":
            return None
        head = read_head(path, 1 << 16)
    except (OSError, FirmwareInterfaceError):
        return None
    for number, raw in enumerate(head.decode("utf-8", "replace").splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        try:
            guess_mapping([n for n in re.split(r"[,;\t]", line) if n.strip()])
        except FirmwareInterfaceError:
            shown = line if len(line) <= 40 else line[:37] + "..."
            return (f"line {number} ({safe_text(shown)!r}) is not a header naming time and "
                    "acceleration columns (name the format with --from, or the columns with "
                    "sensorcoach convert --columns)")
        return None
    return None


def learnt_settings(db: str) -> Settings:
    """The person's learnt thresholds from the sessions database ``db`` ('' = default)."""
    path = Path(db) if db else default_db_path()
    if not path.is_file():
        raise SensorcoachError(f"{safe_text(str(path))}: no sessions database, so no "
                               "learnt thresholds (give --personal the --db of serve/monitor)")
    with Store(path) as st:
        return personal_settings(st)


def run(args: argparse.Namespace) -> int:
    rec = load(args.file, args.fmt)
    settings = DEFAULT_SETTINGS if args.personal is None else learnt_settings(args.personal)
    result = analyze(rec, settings, orientation=args.orientation)
    d = result.to_dict()
    if args.personal is not None:
        d["thresholds"] = thresholds_used(settings, rec.meta.get("placement"))
    if args.json:
        json.dump(d, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(d, safe_text(args.file)) + "\n")
    return 0
