from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sensorcoach import Recording


def make_recording(n: int = 500, rate: float = 50.0, gyro: bool = True, seed: int = 0,
                   **kw: object) -> Recording:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    acc = np.column_stack([rng.normal(0, 0.01, n), rng.normal(0, 0.01, n),
                           1 + rng.normal(0, 0.01, n)])
    g = rng.normal(0, 0.5, (n, 3)) if gyro else None
    return Recording.from_arrays(t, acc, g, sample_rate_hz=rate, **kw)  # type: ignore[arg-type]


@pytest.fixture
def small_recording() -> Recording:
    return make_recording(calibration_upright_s=(0.5, 5.0), calibration_forward_s=(5.5, 9.0),
                          meta={"device": "sim", "placement": "upper_back"})


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for the dashboard's browser tests, one per test module (the
    dashboard harness is imported only by the tests that use it)."""
    from dash_harness import launch

    yield from launch()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    """The dashboard on an empty database (modules that need another override it)."""
    from dash_harness import start_server

    srv = start_server(tmp_path / "db.sqlite3")
    yield srv
    srv.stop()
