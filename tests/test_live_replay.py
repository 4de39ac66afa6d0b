"""Live equals offline: every fixture replayed through the live runner (and ``monitor``)
reports the slumps, holds and alerts that ``analyze`` finds, and alerts come on time."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sensorcoach.analysis import analyze, calibrate
from sensorcoach.cli import main
from sensorcoach.live import LiveRunner, RecordingReplay
from sensorcoach.recording import Recording
from sensorcoach.store import Store

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "recordings")
                  .glob("*.csv.gz"))


def live_lines(rec: Recording, block_s: float) -> list[dict[str, Any]]:
    header = None
    cal = None
    if rec.calibration_upright_s is not None:
        header = (rec.calibration_upright_s, rec.calibration_forward_s)
    else:
        cal = calibrate(rec)  # what monitor does for a replay without spans
    runner = LiveRunner(RecordingReplay(rec, 0, block_s=block_s), calibration=cal,
                        header_spans=header, placement=rec.meta.get("placement"))
    asyncio.run(runner.run())
    return runner.lines


def close(live: list[dict[str, Any]], offline: list[dict[str, Any]], keys: tuple[str, ...]
          ) -> None:
    assert len(live) == len(offline), (live, offline)
    for a, b in zip(live, offline, strict=True):
        for k in keys:
            assert abs(a[k] - b[k]) <= 1.0, (k, a, b)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name.split(".")[0])
def test_fixture_live_matches_offline(path: Path) -> None:
    rec = Recording.read(path)
    offline = analyze(rec).to_dict()
    lines = live_lines(rec, block_s=5.0)
    by = {k: [ln for ln in lines if ln["type"] == k] for k in ("slump", "hold", "alert")}
    close(by["slump"], offline["slumps"], ("start_s", "end_s"))
    close(by["hold"], offline["holds"], ("start_s", "end_s"))
    close(by["alert"], offline["alerts"], ("t_s",))
    assert [a["kind"] for a in by["alert"]] == [a["kind"] for a in offline["alerts"]]
    cal = [ln for ln in lines if ln["type"] == "calibrated"]
    assert len(cal) == 1 and cal[0]["method"] == offline["calibration"]["method"]


def test_slump_alert_fires_within_dwell_plus_one_second() -> None:
    full = Recording.read(FIXTURES[[p.name for p in FIXTURES].index("desk_upper_50hz.csv.gz")])
    keep = full.t < 140.0  # the first slump starts at ~98 s
    rec = Recording.from_arrays(full.t[keep], full.acc_axes[:, keep],
                                None if full.gyro_axes is None else full.gyro_axes[:, keep],
                                sample_rate_hz=full.sample_rate_hz,
                                calibration_upright_s=full.calibration_upright_s,
                                calibration_forward_s=full.calibration_forward_s,
                                meta=full.meta)
    runner = LiveRunner(RecordingReplay(rec, 0, block_s=0.02),
                        header_spans=(rec.calibration_upright_s, rec.calibration_forward_s),
                        placement="upper_back")
    arrived: list[tuple[float, dict[str, Any]]] = []
    runner.listeners.append(lambda ln: arrived.append((runner._last_t or 0.0, ln)))
    asyncio.run(runner.run())
    dwell = runner.settings.slump_dwell_s
    slumps = [ln for _, ln in arrived if ln["type"] == "slump"]
    alerts = [(at, ln) for at, ln in arrived if ln["type"] == "alert"]
    assert slumps and len(alerts) == len(slumps)
    for (at, alert), ep in zip(alerts, slumps, strict=True):
        assert at <= ep["start_s"] + dwell + 1.0, (at, ep)
        assert abs(alert["t_s"] - (ep["start_s"] + dwell)) < 0.2
    # and 20 ms blocks give what 5 s blocks give
    coarse = [ln for ln in live_lines(rec, 5.0) if ln["type"] in ("slump", "alert")]
    fine = [ln for _, ln in arrived if ln["type"] in ("slump", "alert")]
    assert [{k: v for k, v in ln.items() if k != "t_s" or ln["type"] == "alert"}
            for ln in fine] == [{k: v for k, v in ln.items() if k != "t_s" or
                                 ln["type"] == "alert"} for ln in coarse]


def test_monitor_json_replay_stores_the_session(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES[[p.name for p in FIXTURES].index("desk_lower_25hz.csv.gz")]
    db = tmp_path / "s.db"
    assert main(["monitor", "--source", f"replay:{path}@0", "--json", "--db", str(db),
                 "--no-desktop", "--mode", "tracking"]) == 0
    out = capsys.readouterr()
    lines = [json.loads(x) for x in out.out.splitlines()]
    assert {ln["type"] for ln in lines} <= {"calibrated", "state", "alert", "hold", "slump",
                                            "source"}
    assert all(isinstance(ln["t_s"], float | int) for ln in lines)
    assert lines[0]["type"] == "source" and lines[0]["event"] == "connected"
    offline = analyze(Recording.read(path)).to_dict()
    assert len([ln for ln in lines if ln["type"] == "slump"]) == len(offline["slumps"])
    alerts = [ln for ln in lines if ln["type"] == "alert"]
    assert alerts and all(a["held"] == "tracking" for a in alerts)
    assert "\a" not in out.err  # tracking mode: silent
    with Store(db) as store:
        (s,) = store.list_sessions()
        assert s["status"] == "finished" and s["samples"] == Recording.read(path).n_samples
        got = store.get_session(s["id"])
        assert [e["start_s"] for e in got["slumps"]] == [e["start_s"] for e in
                                                         offline["slumps"]]
        assert len(store.events(s["id"], "slump")) == len(offline["slumps"])
        assert len(store.recent_alerts()) == len(offline["alerts"])
        smp = store.get_samples(s["id"])
        np.testing.assert_allclose(smp.t, Recording.read(path).t, atol=1e-6)
