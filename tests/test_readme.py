"""The README's settings table mirrors the Settings dataclass."""

from __future__ import annotations

import re
from pathlib import Path

from sensorcoach.core.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def settings_table_markdown() -> str:
    rows = ["| setting | unit | default | meaning |", "| --- | --- | --- | --- |"]
    rows += [f"| `{n}` | {u} | {d:g} | {doc} |" for n, u, d, doc in Settings.table()]
    return "\n".join(rows)


def test_readme_settings_table_matches_dataclass() -> None:
    text = README.read_text()
    m = re.search(r"<!-- settings-table:start -->\n(.*?)\n<!-- settings-table:end -->", text,
                  re.S)
    assert m, "README lacks the settings table markers"
    assert m.group(1).strip() == settings_table_markdown(), (
        "README settings table is stale; regenerate with "
        "`python -c 'from tests.test_readme import settings_table_markdown as f; print(f())'`")


def test_readme_leads_with_two_commands() -> None:
    head = README.read_text()[:600]
    assert "make demo" in head and "make test" in head


#: Where a setting's value may come from (STYLE: provenance for every number).
SOURCES = ("et al", "tuned on", "design choice", "BIOMECHANICS", "datasheet", "SisFall",
           "Apple Watch", "activPAL", "SPEC")


def test_every_setting_says_where_its_value_comes_from() -> None:
    missing = [n for n, _, _, doc in Settings.table() if not any(s in doc for s in SOURCES)]
    assert not missing, f"settings without a source (paper, data, or design choice): {missing}"


def test_core_thresholds_live_in_settings() -> None:
    """The modules that classify activity and calibrate keep no threshold of their own."""
    core = Path(__file__).resolve().parents[1] / "sensorcoach" / "core"
    for name in ("activity.py", "calibration.py", "motion.py"):
        text = (core / name).read_text()
        consts = re.findall(r"^([A-Z][A-Z_]+_(?:DEG|G|S|DPS|HZ))\s*=", text, re.M)
        allowed = {"STEP_BAND_HZ"}  # a band definition, documented in motion.py
        assert set(consts) <= allowed, f"{name}: thresholds outside Settings: {consts}"


def test_no_setting_breaks_the_markdown_table() -> None:
    assert not [n for n, _, _, doc in Settings.table() if "|" in doc]
