"""Every tunable of the desk analysis, with units and defaults, in one frozen dataclass.

The README's settings table mirrors this (a test checks they agree). Defaults and their
reasons:

- Slump angles are relative to the wearer's calibrated upright, like consumer trainers
  (Upright GO, Lumo Lift) and unlike fixed lumbar bands (30/45/60 deg, Spineangel), because
  the upright-to-slumped change is about 10-20 deg at the lumbar spine and larger at the
  upper back (Alshehri et al. 2025). The on-threshold is per placement.
- An episode counts once flexion has spent 15 s beyond the on-threshold: above activPAL's
  10 s minimum posture bout and clear of the 2-9 s forward reaches that make up most
  fidgets (13 per 15 min, Applied Ergonomics 2024).
- The alert dwell (30 s) sits between Upright GO (5 s, nags on every reach) and Lumo
  Lift's recommended 2 min.
- Sedentary reminders after 50 min without a walk (Apple Watch 50 min, Garmin 1 h).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


def _setting(default: float, unit: str, doc: str) -> float:
    return field(default=default, metadata={"unit": unit, "doc": doc})


@dataclass(frozen=True)
class Settings:
    """Thresholds of orientation, activity, slump and sedentary analysis."""

    frame_s: float = _setting(
        0.1, "s", "the core works on 0.1 s frames of averaged samples (posture is slow)."
    )
    gravity_cutoff_hz: float = _setting(
        0.3, "Hz", "cut-off of the accelerometer low-pass that estimates gravity."
    )
    gyro_tau_s: float = _setting(
        2.0, "s", "complementary filter time constant (gyro trusted below, accelerometer above)."
    )
    gyro_bias_tau_s: float = _setting(
        20.0, "s", "time constant of gyro-bias estimation, updated only while still."
    )
    still_motion_g: float = _setting(
        0.02, "g", "RMS of acceleration above 1 Hz below which the body is still."
    )
    walking_band_g: float = _setting(
        0.06, "g", "RMS of 1.2-3 Hz acceleration magnitude above which steps may be walking."
    )
    walking_ratio: float = _setting(
        0.5, "1", "share of motion energy that must sit in the step band for walking."
    )
    lying_deg: float = _setting(
        60.0,
        "deg",
        "trunk tilt from upright beyond which the posture is lying "
        "(sit/lie 64.9 deg, Vähä-Ypyä et al. 2018).",
    )
    activity_min_bout_s: float = _setting(
        2.0, "s", "an activity state must last this long to replace the previous one."
    )
    slump_on_deg_upper: float = _setting(
        11.0, "deg", "flexion beyond calibrated upright that starts a slump (upper back, chest)."
    )
    slump_on_deg_lower: float = _setting(
        9.0, "deg", "the same for a lower-back sensor (lumbar change is smaller)."
    )
    slump_hysteresis_deg: float = _setting(
        4.0, "deg", "a slump ends only when flexion drops this far below the on-threshold."
    )
    slump_max_deg: float = _setting(
        45.0, "deg", "flexion beyond this is bending or going down to the floor, not a slump."
    )
    slump_min_s: float = _setting(
        15.0,
        "s",
        "time beyond the on-threshold before an episode counts (reaches last 2-9 s).",
    )
    slump_release_s: float = _setting(
        3.0, "s", "flexion must stay below the off-threshold this long to end an episode."
    )
    slump_dwell_s: float = _setting(
        30.0, "s", "episode age at which the (single) slump alert fires."
    )
    max_gap_in_episode_s: float = _setting(
        10.0, "s", "a data gap longer than this ends an episode."
    )
    sedentary_alert_s: float = _setting(
        3000.0, "s", "sedentary time without a walking break before a reminder (50 min)."
    )
    sedentary_repeat_s: float = _setting(
        1800.0, "s", "spacing of further reminders while still sedentary."
    )
    walking_break_s: float = _setting(
        60.0, "s", "a walking bout at least this long resets the sedentary timer."
    )
    sedentary_gap_reset_s: float = _setting(
        300.0, "s", "a data gap at least this long restarts the sedentary count (sensor off)."
    )

    hold_elev_min_deg: float = _setting(
        6.0, "deg", "lowest rise of the trunk's long axis above horizontal for a hold."
    )
    hold_elev_max_deg: float = _setting(
        40.0, "deg", "highest rise of the long axis for a hold (forearm plank: 10-15)."
    )
    hold_confirm_s: float = _setting(
        2.0, "s", "time in a hold posture, with effort, before a hold is recognised."
    )
    hold_min_s: float = _setting(5.0, "s", "shortest hold reported.")
    hold_settle_dps: float = _setting(
        4.0, "deg/s", "angular speed below which the body is in position (entry settled)."
    )
    hold_exit_s: float = _setting(
        1.0, "s", "time out of the hold posture that ends a hold (brief wobbles do not)."
    )
    hold_reference_s: float = _setting(
        3.0, "s", "first seconds of a hold that set its reference angles for form and drift."
    )
    hold_effort_min_g: float = _setting(
        0.0035, "g", "effort a hold needs: micro-motion above 1 Hz plus tremor above sensor noise."
    )
    form_break_deg: float = _setting(
        10.0, "deg", "sag, pike or twist from the hold's reference that is a form break."
    )
    form_break_min_s: float = _setting(1.0, "s", "how long a deviation must last to be a break.")
    imbalance_flag_pct: float = _setting(
        10.0, "%", "left/right side-plank imbalance flagged above this."
    )
    set_gap_s: float = _setting(
        180.0, "s", "a rest longer than this between holds starts a new set."
    )


    def slump_on_deg(self, placement: str | None) -> float:
        """On-threshold for a placement (``lower_back`` or anything else)."""
        return self.slump_on_deg_lower if placement == "lower_back" else self.slump_on_deg_upper

    @classmethod
    def table(cls) -> list[tuple[str, str, float, str]]:
        """(name, unit, default, meaning) of every setting, as the README table lists them."""
        return [
            (f.name, f.metadata["unit"], float(f.default), f.metadata["doc"])  # type: ignore[arg-type]
            for f in fields(cls)
        ]


DEFAULT_SETTINGS = Settings()
