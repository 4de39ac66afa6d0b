"""What a person reads about a whole routine (issue 15 items 6-7): the text report of
``sensorcoach analyze`` and the dashboard's session page name every exercise as a person
does, show repetitions with count, range and tempo, stretches against their target, and
the sets and left/right sections, without internal names; the page fits a phone."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from dash_harness import page_of, start_server
from routine_events import ROUTINE, routine

from dashboard.app import create_app
from dashboard.settings import Settings
from sensorcoach.analysis import analyze
from sensorcoach.core.workout import exercise_sets, group_sets, symmetry
from sensorcoach.recording import Recording
from sensorcoach.report import render
from sensorcoach.store import Store

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
#: An internal name: words joined by underscores (``side_plank_left``, ``form_break``).
INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.fixture(scope="module")
def analysis() -> dict[str, Any]:
    """The routine_100hz analysis with the whole routine's events made by hand (the
    detectors of the new exercises are being written)."""
    d = analyze(Recording.read(FIX / "routine_100hz.csv.gz")).to_dict()
    holds, reps, _ = routine("routine_100hz")
    d.update({"holds": [h.to_dict() for h in holds], "reps": [r.to_dict() for r in reps],
              "sets": group_sets(holds, 180.0, reps, ROUTINE),
              "exercises": exercise_sets(holds, reps, ROUTINE),
              "symmetry": symmetry(holds, 10.0, ROUTINE, reps), "alerts": []})
    return d


def workout_part(text: str) -> str:
    return text[text.index("Holds:"):text.index("Alerts:")]


def test_the_text_report_reads_as_the_routine(analysis: dict[str, Any]) -> None:
    text = workout_part(render(analysis, "routine"))
    assert "Holds:       14, stretches: 6, sets of repetitions: 4" in text
    for name in ("bird dog (right)", "side plank (left)", "single leg bridge (left)",
                 "single leg deadlift (right)", "hamstring stretch", "child's pose",
                 "knee to belly (left)", "cross (right)", "cat-cow"):
        assert name in text, name
    assert "Set 1 of the routine" in text and "Set 2" not in text  # one round
    # up_s: 1.3 s where Rep carries its phases, 1.7 s (with the pause) where they derive
    assert re.search(r"\n    deadlift\s+10:11\.1\s+10\s+51\s+2\.3\s+1\.[37]\s+1\.\d\n", text)
    assert re.search(r"knee to belly \(left\)\s+16:54\.1\s+26 s of 20-30 s, reached", text)
    assert re.search(r"child's pose\s+14:27\.8\s+23 s of 20-30 s, reached", text)
    assert re.search(r"cat-cow +14:56\.3  11 reps, range 18 deg, 1\.7 s down / (2\.2|3\.1) s up",
                     text)
    assert re.search(r"side plank\s+2 sets: left 60 s; right 32 s after 26 s rest", text)
    assert re.search(r"single leg deadlift\s+2 sets: right 6 reps; left 9 reps after 51 s "
                     r"rest", text)
    sides = text[text.index("Left and right"):]
    assert "single leg deadlift\n      left   ####################   9 reps" in sides
    assert "imbalance 33.3%, weaker side: right  <- imbalance" in sides
    assert "pelvic drop 6.2 deg" in sides and "hip rotation" in sides
    assert re.search(r"Leaning to one side\n.*\n    deadlift: 1\.\d deg (to the left )?"
                     r"typical", text)
    assert not INTERNAL.findall(text), INTERNAL.findall(text)


def test_the_cli_report_has_no_internal_names_on_a_routine_fixture() -> None:
    text = render(analyze(Recording.read(FIX / "routine_nocal_25hz.csv.gz")).to_dict())
    for line in text.splitlines()[1:]:  # the first names the file
        assert not INTERNAL.findall(line), line


def test_a_report_without_the_new_sections_still_reads(analysis: dict[str, Any]) -> None:
    """Analyses stored before sets of repetitions and by_exercise (the dashboard keeps
    them) have holds and side-plank symmetry only."""
    old = {**analysis, "reps": [], "exercises": [], "sets": [],
           "holds": [h for h in analysis["holds"] if h["kind"].startswith("side_plank")],
           "symmetry": {"side_plank_left_s": 40.0, "side_plank_right_s": 20.0,
                        "imbalance_pct": 50.0, "weaker_side": "right", "flagged": True}}
    text = workout_part(render(old))
    assert "Holds:       2\n" in text
    assert "    side plank\n      left   ####################   40.0 s" in text
    assert "imbalance 50.0%, weaker side: right  <- imbalance" in text


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, analysis: dict[str, Any]) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("routine") / "db.sqlite3"
    with Store(path) as st:
        sid = st.create_session("whole routine", "upload", sample_rate_hz=100, has_gyro=True,
                                live=False)
        st.finish_session(sid, analysis=analysis, summary={
            "duration_s": 1142.9, "upright_pct": 0.0, "slumped_pct": 0.0, "slumps": 0,
            "holds": len(analysis["holds"]), "kind": "workout"})
    return path, sid


def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    return m.group(1) if m else ""


def test_the_session_page_shows_the_whole_routine(db: tuple[Path, int]) -> None:
    path, sid = db
    with TestClient(create_app(Settings(db=path)), base_url="http://127.0.0.1") as c:
        html = c.get(f"/sessions/{sid}").text
    w = re.sub(r"\s+", " ", _section(html, "workout"))
    for name in ("Bird dog (right)", "Side plank (left)", "Single leg bridge (left)",
                 "Single leg deadlift (right)", "Hamstring stretch", "Child's pose",
                 "Knee to belly (left)", "Cross (right)", "Cat-cow"):
        assert name in w.replace("&#39;", "'"), name
    assert "Set 1" in w and "Best plank" in w and "Total hold time" in w
    assert re.search(r"<td data-label=\"Exercise\">Deadlift</td><td data-label=\"Reps\">10</td>"
                     r" <td data-label=\"Range\">51°</td><td data-label=\"Tempo\">2.3 s down, "
                     r"1\.[37] s up</td> <td data-label=\"Side lean\">2°</td>", w)
    assert "26 s of 20-30 s, reached" in w and "23 s of 20-30 s, reached" in w
    assert "Left vs right (single leg deadlift)" in w and "9 reps" in w
    assert "Difference: <strong>33 %</strong>, weaker: right" in w
    assert "Left vs right (bird dog)" in w and "hip rotation" in w
    assert "Leaning to one side" in w and re.search("Deadlift: 2° (to the left )?typical", w)
    assert "right 32 s after 26 s rest" in w
    text = re.sub(r"<[^>]+>", " ", w)
    assert not INTERNAL.findall(text), INTERNAL.findall(text)


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)])
def test_the_routine_page_fits_without_sideways_scroll(browser: Any, db: tuple[Path, int],
                                                       tmp_path: Path,
                                                       size: tuple[int, int]) -> None:
    path, sid = db
    srv = start_server(path)
    try:
        page, errors = page_of(browser, viewport={"width": size[0], "height": size[1]})
        page.goto(f"{srv.url}/sessions/{sid}")
        page.wait_for_load_state("networkidle")
        res = page.evaluate("""() => ({
          doc: document.scrollingElement.scrollWidth - window.innerWidth,
          wide: [...document.querySelectorAll('#workout *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className).slice(0, 5),
          lean: document.querySelector('#workout .lean').innerText})""")
        assert res["doc"] <= 0 and not res["wide"], res
        assert "Deadlift" in res["lean"]
        page.locator("#workout").screenshot(path=str(tmp_path / f"workout_{size[0]}.png"))
        assert not errors, errors
        page.close()
    finally:
        srv.stop()


def test_stretches_are_listed_in_time_order(analysis: dict[str, Any]) -> None:
    """Grouped by exercise they came out of order: a second child's pose was listed
    before the hamstring stretch done before it."""
    from sensorcoach.core.events import Hold

    holds = [Hold(k, t, t + 25, "rest", {}, ()) for k, t in
             [("child_pose", 10.0), ("stretch_hamstring", 50.0), ("child_pose", 300.0)]]
    d = {**analysis, "holds": [h.to_dict() for h in holds], "reps": [], "sets": [],
         "exercises": exercise_sets(holds, [], ROUTINE), "symmetry": {}}
    text = workout_part(render(d))
    rows = re.findall(r"\n    (hamstring stretch|child's pose) +(\d:\d\d\.\d)", text)
    assert rows[:3] == [("child's pose", "0:10.0"), ("hamstring stretch", "0:50.0"),
                        ("child's pose", "5:00.0")]


def test_an_uploaded_routine_reads_without_internal_names(tmp_path: Path) -> None:
    """The page of a routine as the detectors find it today (whatever they find)."""
    with TestClient(create_app(Settings(db=tmp_path / "db.sqlite3")),
                    base_url="http://127.0.0.1") as c:
        r = c.post("/api/recordings?name=routine",
                   content=(FIX / "routine_50hz.csv.gz").read_bytes(),
                   headers={"content-type": "application/gzip"})
        assert r.status_code == 201, r.text
        html = c.get(f"/sessions/{r.json()['id']}").text
    w = _section(html, "workout")
    assert "Set 1" in w and "Left vs right (side plank)" in w
    text = re.sub(r"<[^>]+>", " ", w)
    assert not INTERNAL.findall(text), INTERNAL.findall(text)
