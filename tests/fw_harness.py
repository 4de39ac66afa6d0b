"""The reference firmware's sources and shared test vectors, and its C test driver built
with gcc, for the firmware tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import firmware_interface

FW = Path(firmware_interface.__file__).parent / "firmware"
VECTORS: dict[str, Any] = json.loads((FW / "test_vectors.json").read_text())
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1"]


def build_driver(folder: Path) -> Path:
    """Build the C test driver (protocol.c + host_test/sc_vectors.c) in ``folder``; skip
    the test where gcc is missing."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not found: the C encoder cannot be built on this machine")
    out = folder / "sc_vectors"
    r = subprocess.run([gcc, *CFLAGS, "-I", str(FW), str(FW / "protocol.c"),
                        str(FW / "host_test" / "sc_vectors.c"), "-o", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return out


def run(driver: Path, lines: list[str]) -> list[str]:
    """Feed command lines to the driver; its output lines."""
    r = subprocess.run([str(driver)], input="\n".join(lines) + "\n", capture_output=True,
                       text=True, timeout=30, check=True)
    return r.stdout.splitlines()
