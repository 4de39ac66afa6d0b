"""What a command imports at start (issue 14 item 9): ``sensorcoach --help`` took
1.6-1.9 s, 1 s of it importing scipy.  Times are measured in benchmarks/cli_start.py;
these tests check the cause instead: which heavy packages a fresh process imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures" / "recordings"
WEB = ("fastapi", "uvicorn", "starlette", "jinja2", "anyio")
HEAVY = ("scipy", "pandas", *WEB)

_PROBE = """
import json, sys
from sensorcoach.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:
    code = e.code
tops = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"code": code, "modules": tops}), file=sys.stderr)
"""


def imported_by(*args: str) -> set[str]:
    """Top-level packages a fresh process has imported after running ``args``."""
    r = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    probe = json.loads(r.stderr.strip().splitlines()[-1])
    assert probe["code"] == 0, r.stderr
    return set(probe["modules"])


def test_help_imports_no_scipy_pandas_or_web_stack() -> None:
    loaded = imported_by("--help")
    assert "sensorcoach" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_commands_help_imports_no_web_stack() -> None:
    for command in ("serve", "demo"):
        loaded = imported_by(command, "--help")
        assert not loaded & set(HEAVY), (command, sorted(loaded & set(HEAVY)))


def test_analyze_imports_no_web_stack() -> None:
    loaded = imported_by("analyze", str(FIX / "desk_upright.csv.gz"))
    assert not loaded & set(WEB), sorted(loaded & set(WEB))
    assert "bleak" not in loaded
