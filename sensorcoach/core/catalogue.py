"""The exercise catalogue: each exercise of the routine as data, not as a code path.

A row says what the body does (which side faces the floor, how far the trunk's long axis
rises above horizontal), whether the exercise is a hold or repetitions, whether it has
sides and how a side is told, what "form" means for it and its usual target. The hold
detector (core.holds) recognises every hold row from its posture; symmetry (core.workout)
compares the two sides of every row that has a pair. Adding an exercise is adding a row,
plus its simulator motion and tests (issue "The whole corrective routine").

Posture is read from world-up in the calibrated body frame ``u = (forward, left, up)``:
the long axis rises ``elev = asin(u_up)`` above horizontal, and the side facing the floor
is the azimuth ``az = atan2(u_left, -u_forward)``: 0 front down, -90 left side down, +90
right side down, 180 back down.
"""

from __future__ import annotations

from dataclasses import dataclass

from sensorcoach.core.settings import Settings


@dataclass(frozen=True)
class Exercise:
    """One row of the catalogue."""

    name: str
    """Output kind (SPEC section 4), e.g. ``side_plank_left``."""
    modes: tuple[str, ...]
    """How it is done: ``hold`` (timed, with effort), ``reps`` (counted), ``stretch``
    (timed, relaxed, against ``target_s``); a glute bridge is held or done as reps."""
    down_az_deg: float
    """Side facing the floor, azimuth in the body frame (see the module docstring)."""
    elev_deg: tuple[float, float] | None
    """Long-axis elevation band, deg; None: the hold band of ``Settings``
    (``hold_elev_min_deg``-``hold_elev_max_deg``)."""
    side: str | None
    """``left``/``right`` for a sided exercise, None otherwise."""
    side_told_by: str
    """How the side is told from the sensor, for people reading the catalogue."""
    pair: str | None
    """The other side's row, compared in ``symmetry``."""
    form: tuple[str, ...]
    """Form measures reported for the exercise (``sag``, ``pike``, ``twist``, ...)."""
    target: str
    """The usual target, as a person reads it (e.g. ``20-60 s``, ``8-12 reps``)."""
    min_s: float | None = None
    """Shortest hold reported, s; None: ``Settings.hold_min_s``."""
    roll_deg: tuple[float, float] | None = None
    """Rows that share a posture (same side down and band) and are told apart by how far
    the body rolls about its long axis: the signed roll (deg, + toward the right side
    down) of this row; None: any roll (the row recognised from the posture)."""
    target_s: tuple[float, float] | None = None
    """Hold target range, s (a stretch is marked when it reaches the lower end)."""
    one_leg_of: str | None = None
    """The two-legged exercise this is the single-leg form of (core.side_balance tells a
    nearly level one from it by the sides around it)."""
    one_leg_deg: float | None = None
    """For a two-legged exercise counted in repetitions that has a single-leg form: how far
    (deg, median over a set) the pelvis turns in that form's measure (its first ``form``)
    for the set to be the single-leg form (core.rep_sets)."""

    @property
    def mode(self) -> str:
        """The primary way it is done (the first of ``modes``)."""
        return self.modes[0]

    def elevation_band(self, settings: Settings) -> tuple[float, float]:
        if self.elev_deg is not None:
            return self.elev_deg
        return settings.hold_elev_min_deg, settings.hold_elev_max_deg


_HOLDS: tuple[Exercise, ...] = (
    Exercise("plank", ("hold",), 0.0, None, None, "front down", None,
             ("sag", "pike", "twist"), "20-60 s (endurance 145 +/- 72 s, Bohannon 2017)"),
    Exercise("side_plank_left", ("hold",), -90.0, None, "left", "the side facing the floor",
             "side_plank_right", ("sag", "pike", "twist"), "15-45 s per side"),
    Exercise("side_plank_right", ("hold",), 90.0, None, "right", "the side facing the floor",
             "side_plank_left", ("sag", "pike", "twist"), "15-45 s per side"),
    # On all fours (hips over knees, shoulders over hands) the lower back lies near horizontal,
    # -10..15 deg (arching lowers it); named by the lifted leg (the opposite arm too).
    Exercise("bird_dog_left", ("hold",), 0.0, (-12.0, 20.0), "left",
             "the pelvis rolls toward the supporting (right) knee", "bird_dog_right",
             ("hip_rotation", "roll_sway"), "5-10 s per side, alternating", min_s=4.0,
             roll_deg=(0.0, 45.0)),
    Exercise("bird_dog_right", ("hold",), 0.0, (-12.0, 20.0), "right",
             "the pelvis rolls toward the supporting (left) knee", "bird_dog_left",
             ("hip_rotation", "roll_sway"), "5-10 s per side, alternating", min_s=4.0,
             roll_deg=(-45.0, 0.0)),
    # Lying on the back, hips lifted: the lower back's long axis runs head-end down 15-35 deg
    # at the top (design estimate); a knee-to-belly stretch tilts it 5-20 deg, relaxed.
    # a set of bridges whose pelvis rolls 2 deg (median) is single-leg (2-15 deg toward the
    # unsupported side), as a held bridge (``hold_roll_side_deg``): sets of good single-leg
    # bridges dropping 2.4-2.7 deg were two-legged at 2.5; a two-legged set rolled as much
    # beside both sides' sets is told by core.side_balance
    Exercise("glute_bridge", ("hold", "reps"), 180.0, (-60.0, -8.0), None, "", None,
             ("sag", "twist"), "10-45 s, or 8-15 reps", one_leg_deg=2.0),
    # named by the supporting leg: the pelvis drops toward the free side
    Exercise("single_leg_bridge_left", ("hold", "reps"), 180.0, (-60.0, -8.0), "left",
             "the pelvis drops toward the free (right) side", "single_leg_bridge_right",
             ("pelvic_drop",), "10-30 s, or 6-12 reps, per side", roll_deg=(0.0, 45.0),
             one_leg_of="glute_bridge"),
    Exercise("single_leg_bridge_right", ("hold", "reps"), 180.0, (-60.0, -8.0), "right",
             "the pelvis drops toward the free (left) side", "single_leg_bridge_left",
             ("pelvic_drop",), "10-30 s, or 6-12 reps, per side", roll_deg=(-45.0, 0.0),
             one_leg_of="glute_bridge"),
)
#: Rows counted as repetitions only (rows held or counted are in ``_HOLDS``).
_REPS: tuple[Exercise, ...] = (
    # counted by core.reps: a hip hinge from standing (front down at the bottom)
    # a set of hinges whose pelvis rotates 2 deg (median) is single-leg (3-15 deg,
    # routine_body; a two-legged hinge does not rotate)
    Exercise("deadlift", ("reps",), 0.0, (0.0, 90.0), None, "", None, ("lateral_lean",),
             "8-12 reps", one_leg_deg=2.0),
    Exercise("single_leg_deadlift_left", ("reps",), 0.0, (0.0, 90.0), "left",
             "the standing leg: the pelvis rotates with its side down as the free hip opens",
             "single_leg_deadlift_right", ("pelvic_rotation", "lateral_lean"),
             "5-10 reps per side", one_leg_of="deadlift"),
    Exercise("single_leg_deadlift_right", ("reps",), 0.0, (0.0, 90.0), "right",
             "the standing leg: the pelvis rotates with its side down as the free hip opens",
             "single_leg_deadlift_left", ("pelvic_rotation", "lateral_lean"),
             "5-10 reps per side", one_leg_of="deadlift"),
    # slow flexion-extension cycles on hands and knees (front down, near horizontal)
    Exercise("cat_cow", ("reps",), 0.0, (-30.0, 35.0), None, "", None, (), "6-12 slow cycles"),
)
#: Rows held relaxed against a target time.
_STRETCHES: tuple[Exercise, ...] = (
    # recognised by core.stretches (posture, relaxed stillness, and the pelvis height of
    # core.height); the elevation bands are the Settings' (stretch_*), listed as typical
    Exercise("stretch_hamstring", ("stretch",), 0.0, (-60.0, 40.0), None,
             "", None, (), "20-30 s", target_s=(20.0, 30.0)),
    Exercise("child_pose", ("stretch",), 0.0, (-60.0, -4.0), None, "", None, (), "20-30 s",
             target_s=(20.0, 30.0)),
    Exercise("knee_to_belly_left", ("stretch",), 180.0, (-45.0, 0.0), "left",
             "the knee pulled in: its side of the pelvis rolls up", "knee_to_belly_right", (),
             "20-30 s per side", roll_deg=(-18.0, 0.0), target_s=(20.0, 30.0)),
    Exercise("knee_to_belly_right", ("stretch",), 180.0, (-45.0, 0.0), "right",
             "the knee pulled in: its side of the pelvis rolls up", "knee_to_belly_left", (),
             "20-30 s per side", roll_deg=(0.0, 18.0), target_s=(20.0, 30.0)),
    Exercise("cross_left", ("stretch",), -128.0, (-25.0, 25.0), "left",
             "the side the knees fall to: the pelvis rolls 30-70 deg toward it", "cross_right",
             (), "20-30 s per side", roll_deg=(-78.0, -18.0), target_s=(20.0, 30.0)),
    Exercise("cross_right", ("stretch",), 128.0, (-25.0, 25.0), "right",
             "the side the knees fall to: the pelvis rolls 30-70 deg toward it", "cross_left",
             (), "20-30 s per side", roll_deg=(18.0, 78.0), target_s=(20.0, 30.0)),
)
CATALOGUE: tuple[Exercise, ...] = (*_HOLDS, *_REPS, *_STRETCHES)


def holds(catalogue: tuple[Exercise, ...] = CATALOGUE) -> tuple[Exercise, ...]:
    """The rows the hold detector recognises."""
    return tuple(e for e in catalogue if "hold" in e.modes)


def reps(catalogue: tuple[Exercise, ...] = CATALOGUE) -> tuple[Exercise, ...]:
    """The rows done as repetitions."""
    return tuple(e for e in catalogue if "reps" in e.modes)


def stretches(catalogue: tuple[Exercise, ...] = CATALOGUE) -> tuple[Exercise, ...]:
    """The rows held relaxed, against a target time."""
    return tuple(e for e in catalogue if "stretch" in e.modes)


def by_name(name: str, catalogue: tuple[Exercise, ...] = CATALOGUE) -> Exercise | None:
    return next((e for e in catalogue if e.name == name), None)


def pairs(catalogue: tuple[Exercise, ...] = CATALOGUE) -> list[tuple[Exercise, Exercise]]:
    """(left, right) rows of every sided exercise, once each."""
    out = []
    for e in catalogue:
        if e.side == "left" and e.pair is not None:
            other = by_name(e.pair, catalogue)
            if other is not None:
                out.append((e, other))
    return out
