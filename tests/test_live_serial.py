"""End to end through a pty: WitMotion bytes -> pyserial -> decoder -> guided calibration
-> core -> ``monitor --json`` alert lines, in a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path
from typing import Any

from test_live_guide import GOOD, trunk

from firmware_interface.codecs import encode
from sensorcoach.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_pty_witmotion_stream_to_json_alert(tmp_path: Path) -> None:
    # calibration as guided, upright, then a 20 deg slump from ~15 s
    _, acc, gyro = trunk([*GOOD[:-1], (14, 0), (15, 20), (60, 20), (61, 0), (64, 0)])
    wire = encode.witmotion_serial(acc, gyro)
    master, slave = os.openpty()
    tty.setraw(slave)
    link = tmp_path / "ttyWIT"
    link.symlink_to(os.ttyname(slave))
    os.close(slave)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sensorcoach", "monitor", "--source",
         f"serial:{link}@115200:witmotion", "--rate", "50", "--json", "--no-store",
         "--no-desktop"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, cwd=ROOT)
    lines: list[dict[str, Any]] = []

    def feed() -> None:
        view = memoryview(wire)
        while view:  # a pty may take less than asked when its buffer is full
            view = view[os.write(master, view[:330]):]

    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 40
        writer: threading.Thread | None = None
        for raw in proc.stdout:
            line = json.loads(raw)
            lines.append(line)
            if line["type"] == "source" and line["event"] == "connected":
                writer = threading.Thread(target=feed, daemon=True)
                writer.start()
            if line["type"] == "alert" or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGTERM)  # a clean stop: the session is closed
        assert proc.wait(10) in (0, 130)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    kinds = [ln["type"] for ln in lines]
    assert kinds[0] == "source" and "calibrated" in kinds, lines
    cal = next(ln for ln in lines if ln["type"] == "calibrated")
    assert cal["method"] == "guided" and cal["forward_known"] and 25 < cal["lean_deg"] < 35
    alert = lines[-1]
    assert alert["type"] == "alert" and alert["kind"] == "slump", lines
    # flexion crosses 11 deg at ~14.55 s; the alert is due 30 s later (sample-count time)
    assert abs(alert["t_s"] - 44.5) < 0.6 and alert["delivered"]


def test_snooze_from_the_command_line(capsys: Any) -> None:
    path = ROOT / "fixtures" / "recordings" / "desk_lower_25hz.csv.gz"
    assert main(["monitor", "--source", f"replay:{path}@0", "--json", "--no-store",
                 "--no-desktop", "--snooze", "10"]) == 0
    out = capsys.readouterr()
    alerts = [json.loads(x) for x in out.out.splitlines() if '"alert"' in x]
    early = [a for a in alerts if a["t_s"] < 600]
    late = [a for a in alerts if a["t_s"] >= 600]
    assert early and late
    assert all(a.get("held") == "snoozed" for a in early)
    assert all(a["delivered"] for a in late)
    assert out.err.count("\a") == len(late)
