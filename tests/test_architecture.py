"""Import rules: dashboard -> sensorcoach -> firmware_interface, never back; the core is pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What sensorcoach/core may import: numpy and pure standard-library helpers only (no scipy:
#: its import alone costs 1.5 s of process start).
CORE_ALLOWED = {"numpy", "math", "dataclasses", "typing", "collections", "enum",
                "functools", "itertools", "__future__", "abc", "sensorcoach"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def py_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(("package", "forbidden"), [
    ("firmware_interface", ("sensorcoach", "dashboard")),
    ("sensorcoach", ("dashboard",)),
])
def test_arrows_point_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [f"{f.relative_to(ROOT)}:{line} imports {name}"
           for f in py_files(package) for line, name in imports_of(f)
           if name.split(".")[0] in forbidden]
    assert not bad, "\n".join(bad)


def test_core_is_pure() -> None:
    files = py_files("sensorcoach/core")
    assert files
    bad = []
    for f in files:
        for line, name in imports_of(f):
            top = name.split(".")[0]
            if top not in CORE_ALLOWED or (top == "sensorcoach" and
                                           not name.startswith("sensorcoach.core")):
                bad.append(f"{f.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "\n".join(bad)


def test_rule_checker_catches_violations(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("import asyncio\nfrom sensorcoach.recording import Recording\n"
                 "from . import sibling\n")
    assert [n for _, n in imports_of(f)] == ["asyncio", "sensorcoach.recording"]
