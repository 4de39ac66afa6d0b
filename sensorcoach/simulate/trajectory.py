"""Body motion: render a :class:`Script` into rigid-body kinematics on a fine time grid.

Orientation ``R_wb = trunk_rotation(flex, lat, yaw) @ trunk_rotation(rho_y, rho_x,
twist + rho_z)``: the scripted pose, then a body-frame perturbation made of the twist
about the long axis and small overlays (sway 0.05-0.5 Hz, hold wobble 0.1-1 Hz,
breathing, gait rotations, tremor jitter). Angular velocity follows analytically from
the ZYX angle rates of both factors (``omega = C^T omega_A + omega_C``), with the angle
rates from a 5-point stencil. The sensor point is ``p = pivot + gait(t) + R (r + d(t))``
(``r`` the lever arm, ``d`` breathing motion of the chest wall); its acceleration is the
5-point second derivative of ``p`` plus the derivative of the walking travel velocity,
so centripetal and tangential terms are included by construction. With the ``impacts``
gait (:mod:`.gait`) ``gait(t)`` is only the stairs' lift; the heel strikes enter as
the pelvis acceleration they are (sharp pulses, each step's mean removed so the pelvis
does not drift), and the pelvis rotations join the overlays. A ``waist`` sensor turns
with ``flex + pelvis``. Muscle tremor is a band-limited linear acceleration of the
segment (equivalently a sub-millimetre displacement) plus a tiny matching angular
jitter; hands at work (``busy``) add trunk wander and pelvis accelerations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorcoach.core.frames import trunk_rotation
from sensorcoach.simulate.gait import gait_motion
from sensorcoach.simulate.person import Person
from sensorcoach.simulate.script import Script
from sensorcoach.simulate.signals import FloatArray, bandlimited_noise, deriv1, deriv2

G = 9.80665
"""Standard gravity, m/s^2 (1 g)."""
_CHUNK = 1 << 17
#: Breathing moves the sensor point along body x by this many m per degree of breathing
#: rotation: the chest wall rises, the sacrum hardly moves.
_BREATH_DISP_M_PER_DEG = {"upper_back": -0.002, "lower_back": 0.0, "chest": 0.003,
                          "waist": 0.0}
#: Hands at work (``busy``): the trunk wanders 0.2-1.5 Hz by the channel's deg RMS per
#: axis, and the arms' reaction moves the pelvis by this many mg per deg (0.5-4 Hz).
_BUSY_MG_PER_DEG = 12.0
#: Tremor angular jitter per mg of linear tremor, deg/mg: small enough that the
#: lever-arm acceleration it causes stays comparable to the linear part.
_JITTER_DEG_PER_MG = 5e-5
#: Axis weights of tremor in the body frame (unit vector norm): strongest across the
#: back surface (x), less sideways and along the spine.
_TREMOR_AXES = np.array([1.0, 0.6, 0.5]) / np.linalg.norm([1.0, 0.6, 0.5])


@dataclass(frozen=True)
class Kinematics:
    """Fine-grid motion of the sensor point. Arrays are axis-major ``(3, N)``."""

    fs: float
    """Grid rate, Hz."""
    t: FloatArray
    """Grid times, s (starts before 0: a margin that is cropped after filtering)."""
    rot: FloatArray
    """``R_wb`` per sample, shape (N, 3, 3)."""
    omega: FloatArray
    """Body-frame angular velocity, rad/s."""
    acc_world: FloatArray
    """Sensor-point acceleration in the world frame (no gravity), m/s^2."""
    acc_body_extra: FloatArray
    """Tremor linear acceleration in the body frame, m/s^2."""
    tremor_sq: FloatArray
    """Squared vector norm of the injected 3-12 Hz tremor at the sensor, mg^2, (N,)."""
    fatigue_sq: FloatArray
    """Squared vector norm of its 4-6 Hz part, mg^2, (N,)."""
    tilt_sq: FloatArray
    """Squared tilt of the sway/wobble overlay (both axes), deg^2, (N,)."""
    step_t: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Heel-strike times of the ``impacts`` gait, s (empty for the smooth gait)."""


def euler_body_rate(flex: FloatArray, lat: FloatArray, yaw: FloatArray, d_flex: FloatArray,
                    d_lat: FloatArray, d_yaw: FloatArray) -> FloatArray:
    """Body-frame angular velocity of ``Rz(yaw) Ry(flex) Rx(lat)`` from angles (rad) and
    their rates (rad/s); shape (3, N), rad/s."""
    sf, cf = np.sin(flex), np.cos(flex)
    sl, cl = np.sin(lat), np.cos(lat)
    out: FloatArray = np.stack([
        d_lat - d_yaw * sf,
        d_flex * cl + d_yaw * sl * cf,
        -d_flex * sl + d_yaw * cl * cf,
    ])
    return out


def render(script: Script, person: Person, placement: str, fs: float, t: FloatArray,
           rng: np.random.Generator, gait: str = "impacts",
           rng_gait: np.random.Generator | None = None) -> Kinematics:
    """Render ``script`` at grid times ``t`` (uniform, rate ``fs``) for a sensor at
    ``placement``; ``rng`` draws the overlay processes, ``rng_gait`` (default: one
    seeded from ``rng``) the steps and the hands-busy motion; ``gait`` is ``impacts``
    (:mod:`.gait`) or ``smooth`` (the first simulator's sinusoids)."""
    n = t.size
    h = 1.0 / fs
    ch = script.render(t)
    if placement == "waist":
        # A belt sensor turns with the pelvis, not with the trunk above it.
        ch["flex"] = ch["flex"] + ch["pelvis"]

    # Postural sway (seated/standing/lying) and hold wobble: two tilt axes each.
    sway = bandlimited_noise(rng, n, fs, 0.05, 0.5, 2) * ch["sway"]
    wobble = bandlimited_noise(rng, n, fs, 0.1, 1.0, 2) * ch["wobble"]
    tilt = sway + wobble
    rho = np.zeros((3, n))
    rho[0] += tilt[0]
    rho[1] += tilt[1]

    # Breathing: a slightly asymmetric cycle whose rate wanders by ~8 %.
    rate = ch["breath_hz"] * (1.0 + 0.08 * bandlimited_noise(rng, n, fs, 0.005, 0.05)[0])
    phase_b = 2.0 * np.pi * np.cumsum(rate) * h
    wave_b = np.sin(phase_b) + 0.15 * np.sin(2.0 * phase_b + 0.6)
    rho[1] += ch["breath_deg"] * wave_b
    breath_disp = _BREATH_DISP_M_PER_DEG[placement] * ch["breath_deg"] * wave_b

    # Gait: step-frequency bounce and pitch, stride-frequency roll, twist and
    # mediolateral sway, with stride-to-stride variability in timing and amplitude.
    walk = ch["walk"]
    gait_disp = np.zeros((3, n))
    gait_acc = np.zeros((3, n))
    step_t = np.zeros(0)
    busy = ch["busy"]
    if rng_gait is None and (np.any(busy > 0) or (gait == "impacts" and np.any(walk > 0))):
        rng_gait = np.random.default_rng(int(rng.integers(2**63)))
    if gait == "impacts" and np.any(walk > 0):
        assert rng_gait is not None
        # The smooth gait's two draws, so everything after the gait (tremor) is the same
        # motion under either gait model.
        bandlimited_noise(rng, n, fs, 0.05, 0.5)
        bandlimited_noise(rng, n, fs, 0.1, 0.5)
        gm = gait_motion(ch, t, fs, person, placement, rng_gait)
        rho += gm.rho_deg
        gait_disp += gm.disp_world
        gait_acc = gm.acc_world
        step_t = gm.step_t
    elif np.any(walk > 0):
        f = ch["step_hz"]
        phase = (2.0 * np.pi * np.cumsum(f) * h
                 + 0.15 * bandlimited_noise(rng, n, fs, 0.05, 0.5)[0])
        amp = walk * (1.0 + 0.1 * bandlimited_noise(rng, n, fs, 0.1, 0.5)[0])
        vg = person.gait_vertical_g * G
        rot_gain = person.gait_vertical_g / 0.3
        rho[1] += amp * rot_gain * 1.5 * np.sin(phase + 0.3)
        rho[0] += amp * rot_gain * 2.5 * np.sin(0.5 * phase)
        rho[2] += amp * rot_gain * 4.0 * np.sin(0.5 * phase + 0.5 * np.pi)
        w = 2.0 * np.pi * f
        vert = vg / w**2 * np.sin(phase) + 0.35 * vg / (2 * w) ** 2 * np.sin(2 * phase + 0.7)
        ap = 0.5 * vg / w**2 * np.sin(phase - 0.8)
        ml = 0.4 * vg / (0.5 * w) ** 2 * np.sin(0.5 * phase)
        heading = np.radians(ch["yaw"])
        c, s = np.cos(heading), np.sin(heading)
        gait_disp[0] = amp * (ap * c - ml * s)
        gait_disp[1] = amp * (ap * s + ml * c)
        gait_disp[2] = amp * vert

    busy_acc = np.zeros((3, n))
    if np.any(busy > 0):
        assert rng_gait is not None
        rho += bandlimited_noise(rng_gait, n, fs, 0.2, 1.5, 3) * busy
        busy_acc = (bandlimited_noise(rng_gait, n, fs, 0.5, 4.0, 3) * busy
                    * (_BUSY_MG_PER_DEG * G / 1000.0))

    # Tremor: 8-12 Hz physiological plus a 4-6 Hz fatigue component, linear in the body
    # frame, with a proportional angular jitter.
    r = person.lever_arm(placement)
    acc_extra = np.zeros((3, n))
    tremor_sq = np.zeros(n)
    fatigue_sq = np.zeros(n)
    if np.any(ch["tremor"] > 0) or np.any(ch["fatigue"] > 0):
        hi = bandlimited_noise(rng, n, fs, 8.0, 12.0, 3) * _TREMOR_AXES[:, None]
        lo = bandlimited_noise(rng, n, fs, 4.0, 6.0, 3) * _TREMOR_AXES[:, None]
        jhi = bandlimited_noise(rng, n, fs, 8.0, 12.0, 3)
        jlo = bandlimited_noise(rng, n, fs, 4.0, 6.0, 3)
        lin_hi, lin_lo = hi * ch["tremor"], lo * ch["fatigue"]
        jit_hi = _JITTER_DEG_PER_MG * jhi * ch["tremor"]
        jit_lo = _JITTER_DEG_PER_MG * jlo * ch["fatigue"]
        rho += jit_hi + jit_lo
        acc_extra = (lin_hi + lin_lo) * (G / 1000.0)
        # Lever-arm effect of the jitter (small-angle: alpha x r), for the labels.
        rot_hi = np.cross(deriv2(np.radians(jit_hi), h), r, axis=0) * (1000.0 / G)
        rot_lo = np.cross(deriv2(np.radians(jit_lo), h), r, axis=0) * (1000.0 / G)
        tremor_sq = np.sum((lin_hi + lin_lo + rot_hi + rot_lo) ** 2, axis=0)
        fatigue_sq = np.sum((lin_lo + rot_lo) ** 2, axis=0)

    # Orientation and angular velocity.
    flex, lat, yaw = np.radians(ch["flex"]), np.radians(ch["lat"]), np.radians(ch["yaw"])
    rho_r = np.radians(rho)
    c_flex, c_lat, c_yaw = rho_r[1], rho_r[0], np.radians(ch["twist"]) + rho_r[2]
    w_a = euler_body_rate(flex, lat, yaw, deriv1(flex, h), deriv1(lat, h), deriv1(yaw, h))
    w_c = euler_body_rate(c_flex, c_lat, c_yaw, deriv1(c_flex, h), deriv1(c_lat, h),
                          deriv1(c_yaw, h))
    rot = np.empty((n, 3, 3))
    omega = np.empty((3, n))
    for i in range(0, n, _CHUNK):
        sl = slice(i, min(i + _CHUNK, n))
        a_mat = trunk_rotation(flex[sl], lat[sl], yaw[sl])
        c_mat = trunk_rotation(c_flex[sl], c_lat[sl], c_yaw[sl])
        rot[sl] = a_mat @ c_mat
        omega[:, sl] = np.einsum("nji,jn->in", c_mat, w_a[:, sl]) + w_c[:, sl]

    # Sensor point position and its acceleration.
    lever = np.repeat(r[:, None], n, axis=1)
    lever[0] += breath_disp
    pos = np.einsum("nij,jn->in", rot, lever)
    pos[0] += ch["px"]
    pos[1] += ch["py"]
    pos[2] += ch["pz"]
    pos += gait_disp
    vel_travel = np.stack([ch["speed"] * np.cos(yaw), ch["speed"] * np.sin(yaw), np.zeros(n)])
    acc_world = deriv2(pos, h) + deriv1(vel_travel, h) + gait_acc + busy_acc

    return Kinematics(fs=fs, t=t, rot=rot, omega=omega, acc_world=acc_world,
                      acc_body_extra=acc_extra, tremor_sq=tremor_sq, fatigue_sq=fatigue_sq,
                      tilt_sq=np.sum(tilt * tilt, axis=0), step_t=step_t)
