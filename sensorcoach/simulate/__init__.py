"""Physics-based IMU simulator: labelled synthetic recordings with noise-free truth.

    from sensorcoach.simulate import simulate, SimConfig, SCENARIOS, write_simulation
    sim = simulate("desk", seed=3, config=SimConfig(sample_rate_hz=25, placement="lower_back"))
    sim.recording, sim.labels, sim.truth_up_body, sim.truth_flexion_deg, sim.mounting
    write_simulation(sim, "desk.csv.gz")        # + desk.labels.json

The model
---------
*Body.* The body part under the sensor is one rigid trunk segment. Its orientation is
``R_wb = trunk_rotation(flex, lat, yaw) @ trunk_rotation(rho_y, rho_x, twist + rho_z)``
(:mod:`sensorcoach.core.frames` conventions: body x forward, y left, z up; flexion
forward +, lateral right +). The first factor is the scripted posture: knots joined by
minimum-jerk ramps (sit/stand 1.5-3 s, slump onsets 5-60 s, hold entries 1.5-5 s), so
every motion is C2-smooth. The second is a body-frame perturbation: ``twist`` about the
long axis (rolling in bed, twisting form breaks) plus small overlays: postural sway
(0.05-0.5 Hz, 0.35-1.4 deg RMS per axis seated; 0.1-3 in the wide population), hold
wobble (0.1-1 Hz), breathing (0.2-0.3 Hz,
0.1-1.2 deg, faster and deeper after holds), gait rotations, unlabelled micro-shifts
and tremor jitter (thousandths of a degree).

*Position.* The segment turns about a pivot (the hips), which the script moves when
standing up, kneeling, lying down, squatting or sagging in a plank; walking adds a
travel velocity along the heading. Gait (the default ``impacts`` model, :mod:`.gait`)
is a train of heel strikes, not a sinusoid: each step a sharp vertical impact (peaks
of 1.5-2.5 g walking, 3-5 g jogging in a 200 Hz lower-back or waist sensor), a stance
bump, braking and propulsion along the heading and a sideways push, with the
centre-of-mass bounce at the step frequency and the mediolateral sway at half of it;
left/right asymmetry in step time and impact, 1-4 % step-to-step variability,
cadence 1.6-2.2 Hz walking and 2.5-3.2 Hz jogging (trunk leaning 5-15 deg), stairs
that lift the pelvis 0.17 m per step; the pelvis rolls, pitches and twists with the
steps so the gyro sees the rotation. (``SimConfig(gait="smooth")`` keeps the first
simulator's sinusoids.) The sensor sits at a lever arm ``r`` from the pivot (upper back
0.45 m up and 0.08 m back, lower back 0.1 m up and 0.1 m back, chest 0.4 m up and
0.12 m forward, waist on the belt at the right front hip, times a body size factor):
``p = pivot + R_wb r``. A ``waist`` sensor turns with the pelvis, not the trunk: the
pelvis rolls back 10-40 deg when sitting (more when slouching), takes half of a forward
bend, and lies flat with the trunk. Its acceleration is the second derivative of ``p``
on a fine grid (>= 200 Hz) with a fourth-order stencil, so tangential and
centripetal terms are exactly those of the orientation motion. Muscle tremor during
holds is a linear acceleration band-limited to 8-12 Hz, plus a 4-6 Hz component that
appears with fatigue (both grow over a hold; see :mod:`.holds`). Hands at work (bends)
add a 0.2-1.5 Hz trunk wander and 0.5-4 Hz pelvis accelerations.

*People.* ``typical`` (the first fixtures' ranges) or ``wide`` (:func:`.person.draw_person`:
tremor 2-35 mg fresh, hold wobble 0.1-3 deg, seated sway 0.1-3 deg, plank elevation
5-35 deg, holds 5-180 s, slumps 5-35 deg; a forward episode is a ``slump`` from
``person.SLUMP_MIN_DEG`` (12 deg at the lower back, 15 at the upper back) and a ``lean``
up to ``person.LEAN_MAX_DEG`` (6 and 7 deg); none is drawn between).

*The routine.* ``routine`` / ``routine_nocal`` (:mod:`.scenarios_routine`) perform the
whole corrective programme with the same segment: bird dog, planks, glute and
single-leg bridges (held or as reps), deadlift and single-leg deadlift sets, then the
hamstring stretch, child's pose, cat-cow, knee to belly and cross. Their geometry (long
axis elevation and pelvic roll per exercise, with the sign of a roll and which figures
are design estimates) is in :mod:`.routine_body`; the motions in :mod:`.routine_floor`
and :mod:`.routine_standing`. One rigid segment is a lower-back model: from the upper
back or chest the same script tilts the thorax as much as the pelvis, which a real
bridge or cat-cow does not.

*Sensor.* Specific force in g in the sensor frame ``R_sw (a / g + up)`` with
``R_sw = (R_wb R_bs)^T`` and ``R_bs`` the mounting (uniformly random by default); the
gyro is the body angular velocity (from the analytic ZYX angle rates) in the sensor
frame, deg/s. Both pass a linear-phase anti-aliasing FIR and are decimated to the
output rate, then get white noise, per-axis biases (gyro bias with a slow random-walk
drift), jittered timestamps and BLE-like dropout bursts (removed, never filled).
Export faults (:mod:`.faults`: gyro axes swapped, a sign inverted, rad/s, a scale
10-15 % off) and slips of the sensor in its clip are options of the sensor.

*Truth.* ``truth_up_body`` is world-up in body coordinates at each output sample
(noise-free, un-filtered), and ``truth_flexion_deg`` / ``truth_lateral_deg`` come from
``frames.body_angles_deg`` of it: upright sitting reads 0/0, which is what the scripted
calibration (still 0.5-5.0 s, lean 25-35 deg and back within 5.5-10.5 s) measures.
Lateral is ill-conditioned when the trunk is near horizontal or folded past 90 deg
(child's pose reads about +-180 deg lateral): use ``truth_up_body`` there.

*Labels.* Segments tile [0, duration]; each begins with its entry transition
(``transition_s``; the movement into a posture belongs to that posture) and carries
its parameters; see :mod:`.labels` for the keys and :mod:`.holds` for the sag/pike sign.

Everything random is drawn from the seed through independent streams (person, script,
mounting, motion processes, sensor noise, timing), so e.g. a different mounting or noise
level leaves the person, the script and the truth unchanged.
"""

from sensorcoach.simulate.config import PLACEMENTS, SimConfig
from sensorcoach.simulate.engine import Simulation, simulate, write_simulation
from sensorcoach.simulate.labels import kind_counts, sidecar_path, summary
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.scenarios import SCENARIOS, Scenario

__all__ = ["PLACEMENTS", "SCENARIOS", "Person", "Scenario", "SimConfig", "Simulation",
           "kind_counts", "sidecar_path", "simulate", "summary", "write_simulation"]
