"""``sensorcoach monitor --source SOURCE [--rate HZ] [--json] ...``: live coaching."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import math
import re
import signal
import sys
from pathlib import Path
from typing import Any

from firmware_interface import bounded
from firmware_interface.errors import DecodeError, DeviceError
from sensorcoach.alerts import AlertDispatcher, AlertSink, DesktopSink, TerminalSink
from sensorcoach.core.calibration import Calibration
from sensorcoach.core.settings import DEFAULT_SETTINGS
from sensorcoach.errors import SensorcoachError
from sensorcoach.feedback import personal_settings
from sensorcoach.live import LiveRunner, SessionRecorder, open_live_source, recover
from sensorcoach.live.view import JsonPrinter, PlainPrinter, RichView
from sensorcoach.store import Store

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("monitor", help="live: calibrate, monitor, alert, record")
    p.add_argument("--source", required=True,
                   help="ble:ADDRESS_OR_NAME[:PROFILE], serial:PORT[@BAUD][:PROFILE], "
                        "replay:FILE[@SPEED], phone:phyphox@HOST[:PORT]")
    p.add_argument("--rate", type=float, default=None, metavar="HZ",
                   help="sensor output rate to set up (default: the profile's)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per line as things happen, each with 'type' "
                        "(calibrated, state, alert, hold, slump, source) and 't_s' (seconds "
                        "into the recording)")
    p.add_argument("--calibration", metavar="FILE",
                   help="reuse a saved calibration (JSON) and skip the guided one")
    p.add_argument("--save-calibration", metavar="FILE",
                   help="write the calibration to FILE for later --calibration")
    p.add_argument("--db", metavar="PATH",
                   help="sessions database (default $SENSORCOACH_DB or the user data dir)")
    p.add_argument("--no-store", action="store_true", help="do not record the session")
    p.add_argument("--name", help="session name (default: the source)")
    p.add_argument("--mode", choices=["training", "tracking"], default="training",
                   help="training: alerts; tracking: silent logging (default training)")
    p.add_argument("--snooze", type=float, default=0.0, metavar="MIN",
                   help="start with alerts snoozed for MIN minutes (they resume by themselves)")
    p.add_argument("--no-desktop", action="store_true", help="no desktop notifications")
    p.add_argument("--buzz", action="store_true",
                   help="buzz the sensor (reference firmware with a motor, SC_BUZZ_PIN) on a "
                        "slump alert, a form break and a hold target reached (the plan's)")
    p.add_argument("--buzz-every", type=float, default=60.0, metavar="S",
                   help="with --buzz: at most one buzz per S seconds (default 60)")
    p.set_defaults(handler=run)


def load_calibration(path: str) -> Calibration:
    """A calibration saved with ``--save-calibration`` (``Calibration.to_state`` JSON)."""
    try:
        state = bounded.loads_json(bounded.read_input(path), path)
        return Calibration.from_state(state, method="file")
    except DecodeError as e:
        raise SensorcoachError(f"cannot read calibration: {e}") from None
    except (ValueError, AttributeError, TypeError, KeyError) as e:
        raise SensorcoachError(f"{path}: cannot read calibration: {e}") from None


class HeldNotes(io.StringIO):
    """Side notes (e.g. "desktop notifications off") held back until the source delivers
    its first line, then written to stderr: a start that fails says one line, its reason."""

    def __init__(self) -> None:
        super().__init__()
        self.released = False

    def write(self, text: str) -> int:
        if self.released:
            return sys.stderr.write(text)
        return super().write(text)

    def flush(self) -> None:
        if self.released:
            sys.stderr.flush()

    def release(self, line: object = None) -> None:
        if not self.released:
            self.released = True
            self.write(self.getvalue())
            self.flush()


def check_replay_speed(spec: str) -> None:
    """A ``replay:FILE@SPEED`` whose SPEED is not a number is a bad speed, even when FILE
    does not exist either (the parser reads an '@' with no file before it as part of the
    file name, so the user would hear only "no such file")."""
    kind, colon, rest = spec.partition(":")
    path, at, speed = rest.rpartition("@")
    if kind.strip().lower() != "replay" or not colon or not at or Path(rest).exists():
        return
    if "/" in speed or re.search(r"\.[A-Za-z]", speed):  # 'a@b.csv': a file's name
        return
    try:
        float(speed.rstrip("xX"))
    except ValueError:
        missing = "" if Path(path).exists() else f"; and there is no file {path!r}"
        raise SensorcoachError(f"bad replay speed {speed[:20]!r} in {spec[:80]!r}: a number "
                               f"of times real time (0: as fast as possible){missing}") from None


def run(args: argparse.Namespace) -> int:
    if not args.snooze >= 0 or math.isinf(args.snooze):
        raise SensorcoachError("--snooze must be 0 or more minutes")
    if not (math.isfinite(args.buzz_every) and args.buzz_every >= 0):
        raise SensorcoachError("--buzz-every must be 0 or more seconds")
    if args.rate is not None and not (math.isfinite(args.rate) and args.rate > 0):
        raise SensorcoachError(f"--rate must be a positive number of Hz, got {args.rate:g}")
    cal = load_calibration(args.calibration) if args.calibration else None
    check_replay_speed(args.source)
    try:
        source, rec = open_live_source(args.source, rate_hz=args.rate)
    except (DeviceError, DecodeError) as e:
        raise SensorcoachError(str(e)) from None
    log.info("monitoring %s", source.name)
    header = None
    placement = None
    if rec is not None:
        placement = rec.meta.get("placement")
        if cal is None and rec.calibration_upright_s is not None:
            header = (rec.calibration_upright_s, rec.calibration_forward_s)
        elif cal is None:
            from sensorcoach.analysis import calibrate

            cal = calibrate(rec)  # no spans: the same automatic calibration as analyze
    store = None if args.no_store else Store(args.db)
    if store is not None:
        for sid, old in recover(store):
            sys.stderr.write(f"recovered interrupted session {sid}: "
                             f"{old.get('duration_s', 0):.0f} s, "
                             f"{old.get('slumps', 0)} slumps (analysed and closed)\n")
    recorder = None if store is None else SessionRecorder(
        store, name=args.name or args.source, source=args.source,
        rate_hz=getattr(source, "rate_hz", None), placement=placement,
        meta=dict(rec.meta) if rec is not None else {})
    sinks: list[AlertSink] = [TerminalSink()]
    notes = HeldNotes()
    if not args.no_desktop and args.mode == "training":
        sinks.append(DesktopSink(notice_stream=notes))
    dispatcher = AlertDispatcher(sinks, mode=args.mode)
    runner_kw: dict[str, Any] = dict(
        calibration=cal, header_spans=header, placement=placement, dispatcher=dispatcher,
        recorder=recorder,
        settings=DEFAULT_SETTINGS if store is None else personal_settings(store))
    if args.buzz:
        from sensorcoach.live.targets import buzzing_runner

        runner: LiveRunner = buzzing_runner(source, store, notes, args.buzz_every, **runner_kw)
    else:
        runner = LiveRunner(source, **runner_kw)
    runner.keep_lines = False
    runner.listeners.append(notes.release)
    if args.snooze:
        dispatcher.snooze(args.snooze, float(rec.t[0]) if rec is not None else 0.0)
    if args.save_calibration:
        runner.listeners.append(lambda ln: _save(ln, runner, args.save_calibration))
    tty = sys.stdout.isatty() and not args.json
    view: RichView | None = None
    if args.json:
        runner.listeners.append(JsonPrinter())
    elif tty and _has_rich():
        view = RichView(runner, f"sensorcoach monitor - {args.source}")
        runner.listeners.append(view)
    else:
        runner.listeners.append(PlainPrinter())
    interrupted = False
    try:
        if view is not None:
            with view:
                asyncio.run(_main(runner))
        else:
            asyncio.run(_main(runner))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        runner.finish()
        if recorder is not None:
            summary = recorder.finish(runner.calibration)
            if summary is not None and not args.json:
                sys.stderr.write(f"session {recorder.session_id} saved to {recorder.store.path}"
                                 f": {summary['slumps']} slumps, {summary['alerts']} alerts\n")
        if store is not None:
            store.close()
    return 130 if interrupted else 0


async def _main(runner: LiveRunner) -> None:
    """Run until the source ends.  SIGTERM ends the session quietly (exit 0); Ctrl-C
    (asyncio.run cancels this task on SIGINT) goes on as KeyboardInterrupt: exit 130."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
    except (NotImplementedError, RuntimeError):  # not on this platform
        pass
    try:
        await runner.run()
    except asyncio.CancelledError:
        if not terminated:
            raise
    except (DeviceError, DecodeError) as e:
        raise SensorcoachError(str(e)) from None


def _save(line: dict[str, Any], runner: LiveRunner, path: str) -> None:
    if line["type"] == "calibrated" and runner.calibration is not None:
        Path(path).write_text(json.dumps(runner.calibration.to_state(), indent=1) + "\n")


def _has_rich() -> bool:
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True
