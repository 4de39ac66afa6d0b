"""The command line's rough edges a new user hit (issue 14 item 9): each test is named
after the defect it guards.  Whole processes where the defect was in how the process
ends (a hang, a second line, a traceback); in-process where it was a message."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_harness import one_line, run

from sensorcoach.cli import command_word, main

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures" / "recordings"
#: s: a guard against a hang, not a timing assertion
HANG = 60


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sensorcoach", *args], capture_output=True,
                          text=True, timeout=HANG, cwd=ROOT, env=env)


# ---------------------------------------------------------------------- sources
def test_monitor_on_a_serial_port_that_does_not_exist_ends_in_one_line_exit_2(
        tmp_path: Path) -> None:
    """It hung forever, later said two lines (a desktop-notification note first)."""
    port = tmp_path / "ttyUSB0"  # a path no device will ever appear at
    r = cli("monitor", "--no-store", "--source", f"serial:{port}")
    assert r.returncode == 2, r.stderr
    assert one_line(r.stderr) and str(port) in r.stderr and "cannot open" in r.stderr


def test_replay_speed_that_is_not_a_number_is_called_a_bad_speed_not_a_missing_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    code, _, err = run(["monitor", "--no-store", "--source", f"replay:{missing}@abc"], capsys)
    assert code == 2 and one_line(err)
    assert "bad replay speed 'abc'" in err and "no such file" not in err
    assert "nope.csv" in err  # and the file is missing too: said after the speed
    existing = FIX / "desk_upright.csv.gz"
    code, _, err = run(["monitor", "--no-store", "--source", f"replay:{existing}@abc"], capsys)
    assert code == 2 and one_line(err) and "bad replay speed 'abc'" in err
    assert "there is no file" not in err


def test_replay_of_a_missing_file_whose_name_holds_an_at_sign_is_still_a_missing_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "me@home.csv"
    code, _, err = run(["monitor", "--no-store", "--source", f"replay:{missing}"], capsys)
    assert code == 2 and one_line(err) and "no such file" in err and "speed" not in err


def test_serve_on_a_busy_port_is_one_line_exit_2(tmp_path: Path) -> None:
    """It printed the other server's URL and exited 3 (fixed with issue 13: kept)."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = cli("serve", "--port", str(port), "--db", str(tmp_path / "db.sqlite3"))
    assert r.returncode == 2 and one_line(r.stderr) and "in use" in r.stderr
    assert r.stdout == ""


# ---------------------------------------------------------------------- files
def test_analyze_of_a_text_file_says_it_is_no_recording_without_pandas_words(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``analyze README.md`` printed "Error tokenizing data. C error: Expected 2 fields"."""
    code, out, err = run(["analyze", str(ROOT / "README.md")], capsys)
    assert code == 2 and out == "" and one_line(err)
    assert "not a recording or a sensor export" in err and "--from" in err
    for word in ("tokeniz", "C error", "Expected", "fields", "pandas"):
        assert word not in err


def test_analyze_of_a_table_with_a_bad_cell_still_names_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("time,ax,ay,az\n0,0,0,1\n0.02,x,0,1\n")
    code, _, err = run(["analyze", str(f)], capsys)
    assert code == 2 and one_line(err) and "bad.csv:3" in err and "'x'" in err


def test_analyze_of_a_table_without_sensor_columns_says_which_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ab.csv"
    f.write_text("# exported\nname,score\nann,3\n")
    code, _, err = run(["analyze", str(f)], capsys)
    assert code == 2 and one_line(err) and "line 2 ('name,score')" in err


# ---------------------------------------------------------------------- words
def test_a_misspelt_command_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    for typo, meant in (("anaylze", "analyze"), ("serv", "serve"), ("simulat", "simulate"),
                        ("mointor", "monitor")):
        code, _, err = run([typo, "x"], capsys)
        assert code == 2 and one_line(err), err
        assert f"unknown command {typo!r} (did you mean {meant!r}?)" in err
    code, _, err = run(["zzz"], capsys)
    assert code == 2 and one_line(err) and "sensorcoach --help" in err
    recording = str(FIX / "desk_upright.csv.gz")
    code, _, err = run([recording], capsys)
    assert code == 2 and one_line(err) and f"sensorcoach analyze {recording}" in err


def test_analyse_the_helps_own_spelling_is_accepted(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["analyse", str(FIX / "desk_upright.csv.gz"), "--json"], capsys)
    assert code == 0 and out.startswith("{")
    code, out, _ = run(["analyse", str(FIX / "desk_upright.csv.gz")], capsys)
    assert code == 0 and "Slumps" in out


def test_the_command_word_is_found_after_the_log_level_option() -> None:
    assert command_word(["--log-level", "debug", "analyse", "x"]) == "analyse"
    assert command_word(["--log-level=debug", "serv"]) == "serv"
    assert command_word(["--version"]) is None


def test_a_misspelt_option_gets_a_suggestion_and_the_commands_usage(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["analyze", "x.csv", "--jsn"])
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert "unrecognized arguments: --jsn (did you mean '--json'?)" in err
    assert err.startswith("usage: sensorcoach analyze")


def test_help_describes_the_json_in_a_users_words_not_specs(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The help cited "SPEC's JSON", a document a user does not have."""
    texts = []
    for args in (["--help"], ["analyze", "--help"], ["monitor", "--help"],
                 ["convert", "--help"], ["serve", "--help"], ["demo", "--help"]):
        with pytest.raises(SystemExit):
            main(args)
        texts.append(capsys.readouterr().out)
    assert not [t for t in texts if "SPEC" in t]
    assert "seconds" in texts[1] and "slump" in texts[1]  # analyze --json
    assert "one JSON object per line" in " ".join(texts[2].split())  # monitor --json


def test_help_lists_the_dashboards_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("analyze (analyse)", "convert", "simulate", "scan", "monitor", "serve",
                 "demo"):
        assert re.search(rf"^\s+{re.escape(name)}\s", out, re.M), name


# ---------------------------------------------------------------------- make install
@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_install_says_what_it_does_instead_of_a_minute_of_silence() -> None:
    """``make install`` ran pip with --quiet: ~50 s with nothing on the terminal."""
    r = subprocess.run(["make", "-n", "-B", "install", f"PYTHON={sys.executable}"],
                       capture_output=True, text=True, cwd=ROOT, timeout=HANG)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    install = [i for i, ln in enumerate(lines) if "pip install" in ln and "-e" in ln]
    assert install, r.stdout
    said = [ln for ln in lines[:install[0]] if ln.lstrip().startswith("echo")]
    assert said, "a line saying what is being installed comes first"
    assert not re.search(r"\s(--quiet|-q)\b", lines[install[0]]), lines[install[0]]


# ---------------------------------------------------------------------- Ctrl-C
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _open_event_stream(port: int) -> socket.socket:
    """A browser tab's live stream: connected, headers received, left open."""
    deadline = time.monotonic() + HANG
    while True:
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=HANG)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    c.sendall(f"GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
              "Accept: text/event-stream\r\n\r\n".encode())
    head = c.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return c


def _interrupt(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return proc.returncode, err


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_ctrl_c_with_a_tab_open_stops_without_a_traceback(command: str,
                                                          tmp_path: Path) -> None:
    """With a live stream open, Ctrl-C waited for uvicorn's graceful timeout and then
    printed a 57-line cancellation traceback."""
    port = _free_port()
    args = ["--port", str(port)]
    args += ["--db", str(tmp_path / "db.sqlite3")] if command == "serve" else ["--once"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sensorcoach", command, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f":{port}/" in first, first
        with _open_event_stream(port):
            code, err = _interrupt(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in err and "CancelledError" not in err, err
    assert err == "sensorcoach: interrupted\n", err
    assert code == 130


def test_ctrl_c_during_monitor_stops_without_a_traceback_exit_130() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sensorcoach", "monitor", "--no-store", "--no-desktop",
         "--source", f"replay:{FIX / 'desk_upright.csv.gz'}@1"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        assert "source connected" in proc.stdout.readline()
        code, err = _interrupt(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in err and err == "", err
    assert code == 130  # Ctrl-C: 130 as for serve and demo (it said 0)


def test_a_live_replay_stopped_before_its_calibration_span_is_cancelled_not_an_error() -> None:
    """Ctrl-C in the demo's first second: the live runner's finish raised
    CalibrationError ("the upright span holds 0 samples") in place of the cancellation,
    and the dashboard's shutdown printed it as a traceback."""
    import asyncio

    from sensorcoach import Recording
    from sensorcoach.live import LiveRunner, RecordingReplay

    rec = Recording.read(FIX / "workout_steady.csv.gz")
    assert rec.calibration_upright_s is not None
    runner = LiveRunner(RecordingReplay(rec, 1.0, block_s=0.02),
                        header_spans=(rec.calibration_upright_s, rec.calibration_forward_s))

    async def stop_early() -> None:
        task = asyncio.get_running_loop().create_task(runner.run())
        await asyncio.sleep(0.05)  # a few blocks in: before the upright span's samples
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(stop_early())
    assert runner.calibration is None and runner.finish() == []


def test_the_report_names_the_calibration_in_a_users_words(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The summary said "Calibration: header (upright 0.5-5 s, forward 5.5-10.5 s)"."""
    code, out, _ = run(["analyze", str(FIX / "desk_upright.csv.gz")], capsys)
    line = next(ln for ln in out.splitlines() if ln.startswith("Calibration:"))
    assert code == 0 and "header" not in line and "spans" not in line
    assert "at the recording's start (sitting upright 0.5-5 s, leaning forward" in line


def test_a_broken_plugin_command_is_one_line_and_left_out_of_the_help(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Commands of other packages come from entry points; one whose module cannot be
    imported must not cost the user a traceback, nor the other commands their help."""
    from importlib.metadata import EntryPoint

    from sensorcoach import commands

    broken = EntryPoint(name="broken", value="no_such_package.cmds:register",
                        group=commands.GROUP)
    monkeypatch.setattr(commands, "_entry_points", lambda: (broken,))
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0 and "analyze" in out and "broken" not in out.split("options:")[0]
    code, _, err = run(["broken"], capsys)
    assert code == 2 and one_line(err)
    assert "command 'broken' (no_such_package.cmds:register) cannot be loaded" in err
    assert "ModuleNotFoundError" in err
