"""The command line uses the learnt thresholds: ``analyze --personal DB`` (issue 16 item 3:
the next session uses them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_harness import one_line, run

from sensorcoach.analysis import analyze
from sensorcoach.feedback import FeedbackStore
from sensorcoach.recording import Recording
from sensorcoach.store import Store

DESK = Path(__file__).resolve().parents[1] / "fixtures" / "recordings" / "desk_noisy.csv.gz"


def marked_db(tmp_path: Path) -> Path:
    """A database whose person marked every slump alert of DESK 'not a slump'."""
    db = tmp_path / "db.sqlite3"
    rec = Recording.read(DESK)
    d = analyze(rec).to_dict()
    with Store(db) as st:
        sid = st.import_recording("desk", "test", rec.t, rec.acc_axes, rec.gyro_axes,
                                  sample_rate_hz=rec.sample_rate_hz,
                                  placement=rec.meta.get("placement"), meta=dict(rec.meta),
                                  analysis=d, summary={})
        fb = FeedbackStore(st)
        ids = [int(r["id"]) for r in st.db.execute(
            "SELECT id FROM alerts WHERE session_id = ? AND kind = 'slump'", (sid,))]
        assert ids
        for i in ids:
            fb.give(i, "not_a_slump")
    return db


def test_analyze_personal_uses_the_learnt_thresholds(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = marked_db(tmp_path)
    code, out, _ = run(["analyze", str(DESK), "--json"], capsys)
    assert code == 0
    plain = json.loads(out)
    code, out, err = run(["analyze", str(DESK), "--json", "--personal", str(db)], capsys)
    assert code == 0, err
    mine = json.loads(out)
    t = mine["thresholds"]
    assert t["personal"] and 9.0 < t["slump_on_deg"] <= 19.0
    assert "thresholds" not in plain
    n = [sum(a["kind"] == "slump" for a in x["alerts"]) for x in (plain, mine)]
    assert n[1] < n[0]


def test_analyze_personal_without_a_database_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["analyze", str(DESK), "--personal", str(tmp_path / "none.db")], capsys)
    assert code == 2 and out == "" and one_line(err) and "no sessions database" in err
    assert not (tmp_path / "none.db").exists()
