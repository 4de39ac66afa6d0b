"""What a scenario builder is given (:class:`Context`) and what a scenario is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sensorcoach.simulate.person import Person
from sensorcoach.simulate.script import Script


@dataclass(frozen=True)
class Context:
    """What a builder may use: the person, its random stream and the settings."""

    person: Person
    rng: np.random.Generator
    placement: str
    calibrate: bool
    """Script the calibration motion at the start."""
    duration_s: float | None
    """Target length in s (None = natural length)."""
    population: str = "typical"
    """``typical`` or ``wide`` (hold lengths and rests follow it)."""


Builder = Callable[[Script, Context], None]


@dataclass(frozen=True)
class Scenario:
    """A named script builder with its one-line summary and default length (s)."""

    name: str
    summary: str
    default_duration_s: float | None
    build: Builder
    placement: str = "upper_back"
    """Placement when the config leaves it unset."""
    population: str = "typical"
    """Population when the config leaves it unset."""
    gait: str = "impacts"
    """Gait model when the config leaves it unset."""
    calibrates: bool = True
    """Opens with the guided calibration (when the config allows the motion)."""
    gyro_fault: bool = False
    """Draws a gyro export fault from the seed unless the config sets one."""
