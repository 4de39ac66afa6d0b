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
