"""CLI against hostile arguments (issue 13 items 3, 8, 9, 10): exit 2, one line, nothing
left behind, nothing replaced that is not a regular file."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from cli_harness import one_line, run

from sensorcoach import Recording
from sensorcoach.cli import main, setup_logging

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
SRC = str(FIX / "desk_upright.csv.gz")


# ---------------------------------------------------------------------- convert -o
def test_convert_output_never_replaces_a_fifo_or_a_link_to_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(fifo)
    for target in (fifo, link):
        code, _, err = run(["convert", SRC, "-o", str(target)], capsys)
        assert code == 2 and one_line(err) and "regular file" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.path.islink(link)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "pipe"]


def test_convert_output_onto_a_folder_exits_2_leaving_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    code, _, err = run(["convert", SRC, "-o", str(folder)], capsys)
    assert code == 2 and one_line(err) and "folder" in err
    assert list(folder.iterdir()) == [] and sorted(tmp_path.iterdir()) == [folder]


def test_convert_output_into_a_missing_folder_exits_2_leaving_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["convert", SRC, "-o", str(tmp_path / "nope" / "x.csv")], capsys)
    assert code == 2 and one_line(err) and "does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_convert_to_stdout_and_over_a_regular_file_and_through_a_link(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["convert", SRC, "-o", "-"], capsys)
    assert code == 0 and out.startswith("# sensorcoach-recording: 1\n")
    old = tmp_path / "old.csv"
    old.write_text("old")
    os.chmod(old, 0o640)
    assert run(["convert", SRC, "-o", str(old)], capsys)[0] == 0
    assert Recording.read(old).n_samples > 1000
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o640  # kept
    link = tmp_path / "l.csv"
    link.symlink_to(old)
    assert run(["convert", SRC, "-o", str(link)], capsys)[0] == 0
    assert link.is_symlink() and Recording.read(link).n_samples > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.csv", "old.csv"]  # no .partial


def test_failed_conversion_leaves_no_partial_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a\nrecording,x\n")
    code, _, err = run(["convert", str(bad), "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 2 and one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


# ---------------------------------------------------------------------- replay speed
@pytest.mark.parametrize("speed", ["nan", "-1", "abc", "NaNx", "-inf"])
def test_replay_speed_that_is_not_a_speed_exits_2_with_one_line(
        capsys: pytest.CaptureFixture[str], speed: str) -> None:
    code, _, err = run(["monitor", "--source", f"replay:{SRC}@{speed}", "--no-store",
                        "--json", "--no-desktop"], capsys)
    assert code == 2 and one_line(err), err
    assert "speed" in err


def test_replay_file_with_an_at_sign_in_its_name_still_replays(tmp_path: Path) -> None:
    from firmware_interface import devices

    p = tmp_path / "a@b.csv"
    p.write_text("x")
    parsed = devices.parse_source(f"replay:{p}")
    assert isinstance(parsed, devices.ReplaySource) and parsed.path == str(p)


# ---------------------------------------------------------------------- serial open
def test_serial_port_that_does_not_exist_is_one_line_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["monitor", "--source", f"serial:{tmp_path}/ttyNOPE", "--no-store",
                        "--json", "--no-desktop"], capsys)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert "cannot open" in last and "No such file" in last
    assert "Traceback" not in err and "Exception in thread" not in err


@pytest.mark.parametrize("baud", ["999999999999", "0", "12x"])
def test_absurd_baud_rate_is_one_line_exit_2(capsys: pytest.CaptureFixture[str],
                                              baud: str) -> None:
    code, _, err = run(["monitor", "--source", f"serial:/dev/ttyS0@{baud}", "--no-store",
                        "--json", "--no-desktop"], capsys)
    assert code == 2 and "baud" in err and "Traceback" not in err


# ---------------------------------------------------------------------- logging
def test_log_level_flag_and_environment_turn_logging_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "r.csv"
    Recording.read(SRC).write(p)
    try:
        assert main(["--log-level", "debug", "convert", str(p), "-o", str(tmp_path / "o.csv")]
                    ) == 0
        err = capsys.readouterr().err
        assert "DEBUG firmware_interface.formats: reading" in err
        monkeypatch.setenv("SENSORCOACH_LOG", "loud")
        code, _, err = run(["analyze", str(p)], capsys)
        assert code == 2 and "SENSORCOACH_LOG" in err
        monkeypatch.setenv("SENSORCOACH_LOG", "info")
        assert setup_logging(None) == "info"
        assert logging.getLogger("sensorcoach").level == logging.INFO
    finally:
        for name in ("sensorcoach", "firmware_interface", "dashboard", "bleak_retry_connector"):
            lg = logging.getLogger(name)
            lg.setLevel(logging.NOTSET)
            for h in list(lg.handlers):
                if getattr(h, "_sensorcoach", False):
                    lg.removeHandler(h)


@pytest.mark.parametrize("cmd", [["analyze"], ["convert", "-o", "-"],
                                 ["monitor", "--no-store", "--no-desktop", "--source"]])
def test_a_fifo_as_input_is_refused_not_waited_on(tmp_path: Path, cmd: list[str]) -> None:
    import subprocess
    import sys

    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    arg = f"replay:{fifo}" if cmd[0] == "monitor" else str(fifo)
    argv = [cmd[0], arg, *cmd[1:]] if cmd[0] != "monitor" else [*cmd, arg]
    done = subprocess.run([sys.executable, "-m", "sensorcoach", *argv], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "not a regular file" in done.stderr


def test_scan_escapes_names_that_devices_advertise(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from firmware_interface.transports import ble
    from firmware_interface.transports.serial_list import PortInfo
    from sensorcoach.commands import scan_cmd

    async def fake_scan(timeout_s: float = 5.0) -> list[ble.Found]:
        return [ble.Found("AA:BB:CC:DD:EE:FF", "WT901\x1b]0;owned\x07\x1b[2J", -50,
                          "witmotion")]

    monkeypatch.setattr(ble, "scan", fake_scan)
    monkeypatch.setattr(scan_cmd, "list_serial_ports",
                        lambda: [PortInfo("/dev/ttyUSB0", "CH340\x1b[31m" + "x" * 500, None)])
    code, out, _ = run(["scan", "--timeout", "0.1"], capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "WT901\\x1b]0;owned" in out
    assert max(len(line) for line in out.splitlines()) < 260
