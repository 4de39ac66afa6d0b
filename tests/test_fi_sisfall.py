"""SisFall trial files: raw counts in, g and deg/s out (rows copied from SA01/D01_SA01_R01
and SE01/D01_SE01_R01 of the public data set, which is not committed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from firmware_interface.codecs import sisfall
from firmware_interface.errors import DecodeError
from firmware_interface.formats import decode_file, sniff

ROWS = (b"  17,-179, -99, -18,-504,-352,  76,-697,-279\n"
        b"  15,-174, -90, -53,-568,-306,  48,-675,-254\n"
        b"   1,-176, -81, -84,-613,-271,  -2,-668,-221\n")
ROWS_SEMI = (b"  -5,-255, -31,  11,  69, -13,   1,-1026, 44;\n"
             b"   -4,-256, -30,  12,  70, -14,   2,-1027,  45;\n")


def test_counts_become_g_and_deg_per_s() -> None:
    out = sisfall.decode(ROWS, "D01_SA01_R01.txt")
    assert out.n_samples == 3
    assert out.sample_rate_hz == 200.0
    np.testing.assert_allclose(out.t, [0.0, 0.005, 0.01])
    # Readme: g = counts * 2 * 16 / 2**13, deg/s = counts * 2 * 2000 / 2**16
    np.testing.assert_allclose(out.acc[0], np.array([17, -179, -99]) * 32 / 8192)
    assert out.gyro is not None
    np.testing.assert_allclose(out.gyro[0], np.array([-18, -504, -352]) * 4000 / 65536)
    assert out.meta["sisfall_activity"] == "D01"
    assert out.meta["sisfall_subject"] == "SA01"
    assert out.meta["placement"] == "waist"


def test_rows_ending_in_semicolons_are_read() -> None:
    out = sisfall.decode(ROWS_SEMI)
    assert out.n_samples == 2
    np.testing.assert_allclose(out.acc[1], np.array([-4, -256, -30]) * 32 / 8192)


def test_standing_reads_about_one_g() -> None:
    # a standing subject: ADXL345 y about -256 counts = -1 g
    out = sisfall.decode(ROWS_SEMI)
    assert np.linalg.norm(out.acc, axis=1) == pytest.approx([1.0, 1.0], abs=0.03)


def test_cut_last_line_is_read_up_to_the_cut_and_said(tmp_path: Path) -> None:
    f = tmp_path / "D01_SA01_R01.txt"
    f.write_bytes(ROWS + b"   3,-170, -8")
    out = decode_file(f, "sisfall")
    assert out.n_samples == 3
    assert out.stats.records_bad == 1
    assert "cut short" in out.meta["truncated"]


def test_bad_row_names_its_line(tmp_path: Path) -> None:
    f = tmp_path / "D01_SA01_R01.txt"
    f.write_bytes(ROWS + b"   3,-170, x8, -84,-613,-271,  -2,-668,-221\n" + ROWS)
    with pytest.raises(DecodeError, match=r":4: not a SisFall row"):
        decode_file(f, "sisfall")


def test_auto_sniffs_sisfall(tmp_path: Path) -> None:
    f = tmp_path / "D05_SE02_R03.txt"
    f.write_bytes(ROWS * 4)
    assert sniff(f) == "sisfall"
    assert decode_file(f).format == "sisfall"


def test_a_generic_csv_is_not_taken_for_sisfall(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_bytes(b"t,ax,ay,az\n0,0,0,1\n0.01,0,0,1\n")
    assert sniff(f) == "csv"


def test_convert_and_analyze_a_sisfall_trial(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from sensorcoach import Recording, cli

    f = tmp_path / "D01_SA01_R01.txt"
    f.write_bytes(ROWS_SEMI * 400)
    out = tmp_path / "trial.csv"
    assert cli.main(["convert", str(f), "--from", "sisfall", "-o", str(out)]) == 0
    rec = Recording.read(out)
    assert rec.n_samples == 800
    assert rec.sample_rate_hz == pytest.approx(200.0)
    assert rec.meta["placement"] == "waist"
    capsys.readouterr()
    assert cli.main(["analyze", str(f), "--json"]) == 0
    assert '"schema"' in capsys.readouterr().out


def test_a_cut_sisfall_file_says_so_in_the_analysis(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from sensorcoach import cli

    f = tmp_path / "D01_SA01_R01.txt"
    f.write_bytes(ROWS_SEMI * 400 + b"  -5,-255, -3")
    assert cli.main(["analyze", str(f)]) == 0
    out = capsys.readouterr().out
    assert "cut short" in out and "800 samples" in out
