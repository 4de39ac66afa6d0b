"""Import rules: dashboard -> sensorcoach -> firmware_interface, never back; the core is pure.

Imports by name at run time (``importlib.import_module("x")``, ``__import__("x")``, an
f-string whose literal start names the package) count as imports: an arrow hidden in a
string is still an arrow.  Commands of the packages above sensorcoach reach its CLI
through the ``sensorcoach.commands`` entry point group instead (issue 14 item 12)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What sensorcoach/core may import: numpy and pure standard-library helpers only (no scipy:
#: its import alone costs 1.5 s of process start).
CORE_ALLOWED = {"numpy", "math", "dataclasses", "typing", "collections", "enum",
                "functools", "itertools", "__future__", "abc", "sensorcoach"}


#: Functions that import the module named by their first argument.
IMPORT_CALLS = {"import_module", "__import__", "find_spec", "import_string"}


def _literal_name(arg: ast.expr) -> str | None:
    """The module name a call's argument spells out: a string, or the literal start of an
    f-string (``f"dashboard.{x}"`` -> ``dashboard.``)."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        first = arg.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                f, ast.Attribute) else None
            module = _literal_name(node.args[0]) if name in IMPORT_CALLS else None
            if module:
                found.append((node.lineno, module))
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


def test_rule_checker_catches_imports_by_name(tmp_path: Path) -> None:
    """Regression (issue 14 item 12): ``serve`` and ``demo`` loaded the dashboard through
    ``importlib.import_module("dashboard.server")``, which the checker could not see."""
    f = tmp_path / "m.py"
    f.write_text("import importlib\nfrom importlib import import_module\n"
                 "a = importlib.import_module('dashboard.server')\n"
                 "b = import_module('dashboard.settings')\n"
                 "c = __import__('dashboard')\n"
                 "d = importlib.import_module(f'dashboard.{a}')\n"
                 "e = importlib.util.find_spec('dashboard')\n"
                 "g = importlib.import_module(a)\n"  # not literal: nothing to name
                 "h = print('dashboard')\n")
    assert imports_of(f) == [(1, "importlib"), (2, "importlib"), (3, "dashboard.server"),
                             (4, "dashboard.settings"), (5, "dashboard"), (6, "dashboard."),
                             (7, "dashboard")]


def test_the_dashboard_commands_come_through_the_entry_point_group() -> None:
    """sensorcoach lists serve and demo without naming the dashboard: they are entry
    points of the ``sensorcoach.commands`` group (pyproject.toml), installed with the
    package (after changing them: ``pip install -e '.[dev]'`` again)."""
    import tomllib
    from importlib.metadata import entry_points

    from sensorcoach.commands import GROUP

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "entry-points"][GROUP]
    installed = {ep.name: ep.value for ep in entry_points(group=GROUP)}
    assert declared == installed, "reinstall: pip install -e '.[dev]'"
    assert {"serve", "demo"} <= set(installed)
    assert all(v.split(":")[0].split(".")[0] == "dashboard" for v in installed.values())
