"""The person-facing views: rich panel, plain lines, and ``--json`` line types."""

from __future__ import annotations

import io
import json

from rich.console import Console
from test_live_guide import GOOD, ArraySource, run, trunk

from sensorcoach.live.view import JSON_TYPES, JsonPrinter, PlainPrinter, RichView, describe


def test_views_render_every_line() -> None:
    r = run(ArraySource(*trunk([*GOOD[:-1], (14, 0), (15, 20), (60, 20), (61, 0), (66, 0)])))
    kinds = {ln["type"] for ln in r.lines}
    assert {"guide", "calibrated", "state", "alert", "slump", "source"} <= kinds
    assert all(describe(ln) for ln in r.lines if ln["type"] != "activity")
    out, err = io.StringIO(), io.StringIO()
    jp, pp = JsonPrinter(out, err), PlainPrinter(io.StringIO())
    for ln in r.lines:
        jp(ln)
        pp(ln)
    printed = [json.loads(x) for x in out.getvalue().splitlines()]
    assert {p["type"] for p in printed} <= JSON_TYPES and all("t_s" in p for p in printed)
    assert "Sit upright and still" in err.getvalue()
    view = RichView(r, "test")
    for ln in r.lines:
        view(ln)
    r.view.guide = {"message": "Lean forward", "remaining_s": 3}
    console = Console(file=io.StringIO(), width=100)
    console.print(view.render())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "state" in text and "slumps 1" in text and "Lean forward" in text
