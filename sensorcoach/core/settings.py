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
        0.1, "s",
        "the core works on 0.1 s frames of averaged samples (design choice: posture "
        "changes over seconds; 10 frames/s keep 0.3-3.5 Hz gait visible)."
    )
    gravity_cutoff_hz: float = _setting(
        0.3, "Hz",
        "cut-off of the accelerometer low-pass that estimates gravity (design choice: "
        "below step rates, above posture changes; flexion RMSE on the simulator)."
    )
    gyro_tau_s: float = _setting(
        2.0, "s",
        "complementary filter time constant, gyro trusted below, accelerometer above "
        "(design choice; benchmarks/orientation_error.py on the simulator)."
    )
    gyro_bias_tau_s: float = _setting(
        20.0, "s",
        "time constant of gyro-bias estimation while still (MEMS bias drifts over minutes "
        "with temperature, BIOMECHANICS; design choice)."
    )
    gyro_ref_cutoff_hz: float = _setting(
        1.0, "Hz", "low-pass of the accelerometer the gyro-aided filter relies on during "
        "sustained motion (averages out heel-strike impacts; tuned on SisFall SA01-SA15/SE01-SE08 "
        "and the simulator)."
    )
    gyro_trust_g: float = _setting(
        0.1, "g", "deviation of ‖a‖ (low-passed during sustained motion) from 1 g at which the "
        "gyro-aided filter's pull toward the accelerometer halves (tuned on SisFall)."
    )
    gyro_motion_tau_s: float = _setting(
        1.0, "s",
        "averaging time of the RMS of ‖a‖ - 1 g that tells sustained motion (steps, "
        "impacts) to the gyro check and the gyro-aided filter (design choice: about two "
        "steps)."
    )
    gyro_gait_g: float = _setting(
        0.15, "g", "RMS of ‖a‖ - 1 g at which sustained motion gets the gyro-aided filter's full "
        "extra pull (steps put 0.1-1 g on ‖a‖; tuned on SisFall SA01-SA15/SE01-SE08)."
    )
    gyro_gait_tau_s: float = _setting(
        0.3, "s", "extra time constant toward the low-passed accelerometer during sustained "
        "motion: step sway is not posture (tuned on SisFall SA01-SA15/SE01-SE08 D01-D04)."
    )
    gyro_check_cutoff_hz: float = _setting(
        0.5, "Hz", "low-pass of accelerometer and gyro before the gyro check compares how gravity "
        "turns (tuned on SisFall SA01-SA15/SE01-SE08)."
    )
    gyro_check_acc_tol_g: float = _setting(
        0.15, "g", "the gyro check uses frames whose ‖a‖, raw and low-passed, is within this of "
        "1 g (tuned on SisFall SA01-SA15/SE01-SE08)."
    )
    gyro_check_motion_g: float = _setting(
        0.05, "g", "the gyro check leaves out frames whose RMS of ‖a‖ - 1 g exceeds this (gait's "
        "linear acceleration turns the accelerometer, not the body; tuned on SisFall)."
    )
    gyro_check_settle_s: float = _setting(
        3.0, "s",
        "frames this soon after the start or a data gap are left out of the gyro check "
        "while its low-pass settles (design choice)."
    )
    gyro_check_floor_dps: float = _setting(
        3.0, "deg/s", "gravity turning slower than this adds no evidence to the gyro check "
        "(accelerometer noise; tuned on SisFall SA01-SA15/SE01-SE08)."
    )
    gyro_check_evidence_deg: float = _setting(
        30.0, "deg", "gravity turning between two looks of the gyro check at its evidence "
        "(SisFall sit/lie/bend trials turn 20-200 deg)."
    )
    gyro_check_final_deg: float = _setting(
        10.0, "deg",
        "at the end of a recording, this much turning allows a provisional 'ok' (design "
        "choice)."
    )
    gyro_check_ignore_deg: float = _setting(
        120.0, "deg",
        "gravity turning after which a gyro that explains none of it is ignored (design "
        "choice: four looks of evidence)."
    )
    gyro_check_fit_min: float = _setting(
        0.6, "1", "share of gravity's turning a gyro must explain to be used (SisFall: "
        "0.87-1.0 as delivered, below 0.2 for a random gyro)."
    )
    gyro_check_margin: float = _setting(
        0.03, "1", "fit difference within which axis mappings tie (identity preferred; turning "
        "about gravity cannot tell them apart; tuned on SisFall SA01-SA15/SE01-SE08)."
    )
    gyro_check_scale_tol: float = _setting(
        1.5, "1", "measured gyro scale beyond this factor (or below its inverse) is corrected "
        "(datasheet scales are 10-15% off; rad/s read as deg/s is 57x)."
    )
    still_motion_g: float = _setting(
        0.02, "g",
        "RMS of acceleration above 1 Hz below which the body is still (tuned on SisFall "
        "SA01-SA15/SE01-SE08: sitting and lying still 0.01-0.02 g, sitting down 0.03 g)."
    )
    gait_window_s: float = _setting(
        3.0, "s", "window of the gait features (bounce RMS, regularity, cadence): a few "
        "strides (design choice; SisFall walking separates from sit-downs and jumps at 3 s)."
    )
    gait_lag_min_s: float = _setting(
        0.3, "s", "shortest repeat regularity looks for: one step of fast jogging (3.2 Hz "
        "cadence, BIOMECHANICS)."
    )
    gait_lag_max_s: float = _setting(
        1.2, "s", "longest repeat regularity looks for: one stride of slow walking (two steps "
        "at 1.6-1.7 Hz, BIOMECHANICS)."
    )
    walking_band_g: float = _setting(
        0.05, "g", "RMS over 3 s of frame-mean ‖a‖ above 0.5 Hz from which the body may be "
        "walking (tuned on SisFall SA01-SA15/SE01-SE08: slow walking's 5th percentile "
        "0.07 g, sitting down slowly 0.04 g)."
    )
    walking_regularity: float = _setting(
        0.5, "1", "normalised autocorrelation at a step or stride lag (0.3-1.2 s) from which "
        "that bouncing is gait (tuned on SisFall: walking's 10th percentile 0.58, a quick "
        "sit-down's 90th 0.48)."
    )
    running_band_g: float = _setting(
        0.3, "g", "gait bounce RMS from which gait may be running (tuned on SisFall: jogging's "
        "5th percentile 0.39 g, fast walking's 90th 0.38 g: the cadence decides between)."
    )
    running_cadence_hz: float = _setting(
        2.4, "Hz", "step frequency from which gait is running (jogging 2.5-3.2 Hz, "
        "BIOMECHANICS; fast walking at most 2.3 Hz on SisFall)."
    )
    sit_stand_deg: float = _setting(
        11.6, "deg", "waist tilt from the standing reference beyond which a still person sits "
        "(Vähä-Ypyä et al. 2018, hip accelerometer)."
    )
    bend_deg: float = _setting(
        45.0, "deg", "forward flexion from upright beyond which the trunk is bending (picking "
        "something up), not sitting or slumping (occupational flexion bands 30/45/60 deg, "
        "Ribeiro et al. 2011)."
    )
    bend_max_s: float = _setting(
        20.0, "s", "longest forward bend: held longer with the trunk horizontal it is lying "
        "prone (bends last 2-20 s, BIOMECHANICS)."
    )
    min_forward_lean_deg: float = _setting(
        8.0, "deg", "a forward calibration span must show at least this much lean to fix the "
        "forward direction (design choice: the guide asks for about 30 deg, SPEC 3 20-40)."
    )
    upright_still_g: float = _setting(
        0.05, "g", "spread of ‖a‖ in the upright calibration span above which it was not still "
        "and upright may be off (design choice: sitting still reads a few mg)."
    )
    upright_wander_deg: float = _setting(
        5.0, "deg", "mean wander of the direction of ‖a‖ in the upright span above which it was "
        "not still (design choice)."
    )
    auto_upright_cone_deg: float = _setting(
        30.0, "deg", "still postures further than this from a walking or device reference are "
        "never taken as upright (slumps reach 10-30 deg, bends and lying go beyond; "
        "BIOMECHANICS)."
    )
    auto_walk_bout_s: float = _setting(
        5.0, "s", "shortest walking bout taken as the upright reference (design choice: walking "
        "goes on; bridges done as repetitions pass the gait test for 1-3 s at a time while "
        "lying, and 60 such frames took upright 55 deg off in a simulated routine)."
    )
    auto_walk_cone_deg: float = _setting(
        25.0, "deg", "walking frames further than this from the walking bouts' median "
        "direction are left out of the upright reference (design choice: walking is upright; "
        "the trunk sways a few degrees per stride)."
    )
    calibration_min_confidence: float = _setting(
        0.5, "1", "calibration confidence below which no slumps are detected (design choice: "
        "a walking or device reference scores 0.6-0.8, a guessed still posture 0.3)."
    )
    lying_deg: float = _setting(
        60.0, "deg",
        "trunk tilt from upright beyond which the posture is lying (sit/lie 64.9 deg, "
        "Vähä-Ypyä et al. 2018; SisFall lying 70-95 deg)."
    )
    activity_min_bout_s: float = _setting(
        2.0, "s",
        "an activity state must last this long to replace the previous one (design "
        "choice, below activPAL's 10 s posture bout so SisFall's 3-6 s lying spells "
        "show)."
    )
    slump_on_deg_upper: float = _setting(
        11.0, "deg",
        "flexion beyond calibrated upright that starts a slump, upper back or chest (the "
        "thoracic change is larger than the lumbar 10-20 deg, Alshehri et al. 2025; "
        "design choice)."
    )
    slump_on_deg_lower: float = _setting(
        9.0, "deg",
        "the same for a lower-back sensor (lumbar upright 19.8 vs preferred 30.0 deg, "
        "Alshehri et al. 2025; design choice)."
    )
    slump_hysteresis_deg: float = _setting(
        4.0, "deg",
        "a slump ends when flexion drops this far below the on-threshold, or below it and "
        "halfway back to upright from the slump's level; still sitting in the band's lower "
        "half or under it is sitting upright, which a slump starts from (design choice "
        "against chatter at the threshold)."
    )
    slump_max_deg: float = _setting(
        45.0, "deg",
        "flexion beyond this is bending or going down to the floor, not a slump "
        "(occupational bands 30/45/60 deg, Ribeiro et al. 2011)."
    )
    slump_min_s: float = _setting(
        15.0, "s",
        "time beyond the on-threshold before an episode counts: above activPAL's 10 s "
        "posture bout and the 2-9 s reaches of office fidgets (Applied Ergonomics 2024)."
    )
    slump_busy_share: float = _setting(
        0.5, "1", "an episode moving (reaching, a bend with the hands at work) in a larger share "
        "of its frames is not a slump (design choice: slumped sitting is still; simulated "
        "16-19 s squats and floor reaches reached the slump threshold)."
    )
    slump_release_s: float = _setting(
        3.0, "s",
        "flexion must stay below the off-threshold this long to end an episode (design "
        "choice: a brief sit-up is not the end)."
    )
    slump_dwell_s: float = _setting(
        30.0, "s",
        "episode age at which the (single) slump alert fires (between Upright GO's 5 s "
        "and Lumo Lift's recommended 2 min; design choice)."
    )
    max_gap_in_episode_s: float = _setting(
        10.0, "s",
        "a data gap longer than this ends an episode (design choice: BLE dropouts last "
        "0.1-3 s)."
    )
    sedentary_alert_s: float = _setting(
        3000.0, "s",
        "sedentary time without a walking break before a reminder (Apple Watch 50 min, "
        "Garmin 1 h)."
    )
    sedentary_repeat_s: float = _setting(
        1800.0, "s",
        "spacing of further reminders while still sedentary (design choice: spaced, never "
        "a stream)."
    )
    walking_break_s: float = _setting(
        60.0, "s",
        "a walking bout at least this long resets the sedentary timer (design choice: a "
        "few steps to the printer do not count)."
    )
    sedentary_gap_reset_s: float = _setting(
        300.0, "s",
        "a data gap at least this long restarts the sedentary count (design choice: the "
        "sensor was off)."
    )

    hold_elev_min_deg: float = _setting(
        6.0, "deg", "lowest rise of the trunk's long axis above horizontal for a hold (forearm "
        "plank 7-15 deg, BIOMECHANICS); lying prone reads 0-6 deg at the lower back (the "
        "simulator's prone rests 3-9 deg): lower values take lying for planks."
    )


    hold_elev_max_deg: float = _setting(
        45.0, "deg", "highest rise of the long axis for a hold: a knee plank, 25-35 deg "
        "(BIOMECHANICS), with 10 deg for long trunks and short thighs (design choice)."
    )

    hold_confirm_s: float = _setting(
        3.0, "s", "time in a hold posture, held and with effort after its first second, before "
        "a hold is recognised (design choice: the entry's residual motion lasts about 1 s)."
    )

    hold_min_s: float = _setting(
        8.0, "s", "shortest hold reported: the routine's holds are 10-45 s (plank endurance "
        "145 +/- 72 s, Bohannon et al. 2017) and a 10 s hold measures 9-10 s (it starts where "
        "the entry settles); lying down after a fall or a sit gave 5-7 s hold-like spans on "
        "SisFall SA01-SA15/SE01-SE08 (5 s let 12 of 1,040 falls through, 8 s none)."
    )
    hold_busy_g: float = _setting(
        0.036, "g", "median motion above 1 Hz while a hold is recognised, and over the whole "
        "hold, above which the trunk is busy (a bend to the floor, tying shoes), not held: "
        "0.35 m/s^2 separates adequate "
        "from excessive intensity in bridging (Frontiers in Physiology 2021, BIOMECHANICS)."
    )
    hold_turn_dps: float = _setting(
        6.0, "deg/s", "median turning speed of the trunk while a hold is recognised above which "
        "it is moving, not held (design choice: postural sway of 2-3 deg at 0.1-1 Hz turns "
        "at most about 5 deg/s, BIOMECHANICS); up to twice it while the posture stays within "
        "10 deg is a very shaky person's sway (core.holds SWAY_SPREAD_DEG)."
    )
    hold_side_half_width_deg: float = _setting(
        35.0, "deg", "half-width of each side-down band (front, left, right) of a hold "
        "(design choice: a side plank can roll 20-30 deg, BIOMECHANICS)."
    )
    hold_drift_margin_deg: float = _setting(
        18.0, "deg", "how far above the elevation band a recognised hold may rise (sag) before "
        "it ends (design choice: form breaks are 10-20 deg)."
    )

    hold_low_margin_deg: float = _setting(
        3.0, "deg", "a recognised hold that sinks this far below the elevation band (nearly "
        "flat) for hold_depart_s has ended: a drop to the floor, not a pike break, which comes "
        "back (design choice)."
    )


    hold_exit_deg: float = _setting(
        8.0, "deg", "a recognised hold ends when the trunk stays this far from where it has been "
        "for hold_depart_s (design choice: a drop to the floor or a side is 10 deg or more; a "
        "form break held and then left ends the hold where the exit began)."
    )


    hold_depart_s: float = _setting(
        3.0, "s", "how long the trunk must stay away (within the band) to end a hold: a form "
        "break that comes back within it does not split the hold (design choice)."
    )
    hold_track_tau_s: float = _setting(
        10.0, "s", "time constant with which a hold's compared posture follows slow drift "
        "(sag and pike build over tens of seconds, BIOMECHANICS)."
    )
    hold_rest_rate_dps: float = _setting(
        0.5, "deg/s", "smoothed turning speed below which a body in a hold posture is resting, "
        "not swaying (breathing turns the trunk well under a degree, BIOMECHANICS)."
    )
    hold_settle_dps: float = _setting(
        4.0, "deg/s",
        "angular speed below which the body is in position, entry settled (design choice; "
        "hold timing on the simulator)."
    )
    hold_exit_s: float = _setting(
        1.0, "s",
        "time out of the hold posture that ends a hold; brief wobbles do not (design "
        "choice)."
    )
    hold_reference_s: float = _setting(
        3.0, "s",
        "first seconds of a hold that set its reference angles for form and drift (design "
        "choice: no published hip-drop angle exists, BIOMECHANICS)."
    )
    hold_effort_min_g: float = _setting(
        0.0035, "g",
        "effort a hold needs: micro-motion above 1 Hz plus tremor above sensor noise (a "
        "very fit person holds with 2-4 mg of tremor, BIOMECHANICS)."
    )
    hold_roll_side_deg: float = _setting(
        2.0, "deg", "median roll of a held posture, toward one side, that makes it the one-sided "
        "variant of its exercise (a single-leg bridge drops the pelvis toward the free side, "
        "2-15 deg; a two-legged bridge stays level within about 3 deg; design choice)."
    )
    one_sided_level_max_deg: float = _setting(
        4.0, "deg", "largest pelvic drop (bridge) or rotation (deadlift) of a single-leg hold "
        "or set that may still be the two-legged exercise, when its run shows that side once "
        "too often (core.side_balance): a good single-leg bridge drops 2-3 deg and a "
        "two-legged one may roll as much (design choice: twice hold_roll_side_deg)."
    )
    bird_dog_roll_deg: float = _setting(
        1.5, "deg", "least roll of the pelvis from a bout's midpoint toward each side that makes "
        "alternating holds on all fours a bird dog (design choice: the weight shift onto one "
        "knee rolls the pelvis a few degrees even with good form; resting on all fours rolls "
        "under a degree)."
    )
    form_break_deg: float = _setting(
        10.0, "deg",
        "sag, pike or twist from the hold's reference that is a form break (design "
        "choice: clinical stop criteria are qualitative, BIOMECHANICS)."
    )
    form_break_min_s: float = _setting(
        1.0, "s",
        "how long a deviation must last to be a break (design choice)."
    )
    rep_low_deg: float = _setting(
        20.0, "deg", "trunk tilt below which a hip hinge is back upright between repetitions "
        "(design choice: standing sway and a slight lean stay under it)."
    )
    rep_min_range_deg: float = _setting(
        30.0, "deg", "smallest excursion that is a repetition (deadlifts flex the trunk 40-90 "
        "deg, issue 15; design choice)."
    )
    rep_max_s: float = _setting(
        8.0, "s", "longest repetition (down and up): a hinge held longer is a bend or a stretch "
        "(design choice over a deadlift tempo of 1-3 s down, 1-2 s up)."
    )
    rep_gap_s: float = _setting(
        5.0, "s", "pause between repetitions beyond which a set ends (design choice)."
    )
    rep_min_count: float = _setting(
        3.0, "1", "repetitions a set needs to be reported: one bend to pick something up is "
        "not a set (design choice)."
    )
    imbalance_flag_pct: float = _setting(
        10.0, "%",
        "left/right side-plank imbalance flagged above this (design choice: a right/left "
        "ratio near 1.0 is the target, McGill et al. 1999)."
    )
    set_gap_s: float = _setting(
        180.0, "s",
        "a rest longer than this between holds starts a new set (design choice: rests "
        "between sets of the routine are 1-2 min)."
    )

    height_still_g: float = _setting(
        0.004, "g", "SD over 1 s of the frame-mean vertical specific force under which the body "
        "is at rest (the pelvis-height tracker's zero-velocity updates) (design choice: rests "
        "read 1-2.5 mg on the simulated routine at 25-100 Hz, transitions 5-250 mg; "
        "core.height)."
    )
    height_max_move_s: float = _setting(
        12.0, "s", "longest movement between rests whose height change is integrated (design "
        "choice: sit, stand, kneel and floor transitions take 2-10 s; double-integration "
        "drift grows with the cube of time; core.height)."
    )
    stretch_min_s: float = _setting(
        10.0, "s", "shortest stretch reported (design choice: half the routine's 20-30 s "
        "target, issue 15; a pause on all fours or a short rest is not a stretch)."
    )
    stretch_target_s: float = _setting(
        20.0, "s", "stretch time at which a stretch is marked reached (the routine's 20-30 s, "
        "issue 15: its lower end, a design choice; the person's own target is not visible to the "
        "sensor)."
    )
    stretch_quiet_g: float = _setting(
        0.006, "g", "SD over 1 s of each axis of the frame-mean acceleration under which the "
        "body is quiet: relaxed, breathing (design choice: 66-100 % of stretch frames on the "
        "simulated routine at 25 Hz, under 10 % of a glute bridge's; at 25 Hz a steady plank "
        "is as quiet, and its posture tells it apart)."
    )
    stretch_still_share: float = _setting(
        0.5, "1", "share of a stretch's frames that must be quiet (stretch_quiet_g): "
        "a stretch is relaxed, a hold has tremor and sway (design choice)."
    )
    stretch_standing_m: float = _setting(
        0.75, "m", "pelvis height at or above which a forward fold is standing (hamstring "
        "stretch): halfway between standing (0.95 m) and all fours (0.55 m) (design choice "
        "over the simulator's pivot heights; core.height)."
    )
    stretch_kneel_drop_m: float = _setting(
        0.18, "m", "pelvis drop from the upright posture before a fold at or beyond which the "
        "fold is not standing: kneeling down to child's pose drops it about 0.32 m, a standing "
        "fold 0-0.1 m (the hips move back; design choice between them, core.height)."
    )
    stretch_child_max_elev_deg: float = _setting(
        -4.0, "deg", "long-axis elevation below which a low front-down fold is child's pose "
        "(flexion 100-130 deg puts it 10-40 deg head end down; lying prone and all fours sit "
        "at -5..+10: design choice between them)."
    )
    stretch_fold_max_elev_deg: float = _setting(
        40.0, "deg", "a standing fold is a hamstring stretch with the long axis within this of "
        "horizontal (folded 60-100 deg; design choice: a 50 deg lean over a desk is not one)."
    )
    stretch_knee_tilt_deg: float = _setting(
        3.5, "deg", "posterior pelvic tilt beyond the person's flat lying level that is knee to "
        "belly (the simulator's 5-20 deg against lying levels that differ by up to 3 deg "
        "between rests: design choice between them)."
    )
    stretch_knee_abs_deg: float = _setting(
        8.0, "deg", "long axis this far head end down is knee to belly when no flat lying level "
        "was seen first (design choice: lying flat reads -3..+6 deg on the simulator)."
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
