"""Frames and angle conventions shared by the core and the simulator.

Body frame: x forward (anterior), y left, z up (superior); world frame: z up.
A trunk pose is ``R_wb = Rz(yaw) @ Ry(flexion) @ Rx(lateral)`` (angles in radians):
positive flexion tips the forward axis down (leaning forward), positive lateral tips the
up axis to the right (leaning right).

Angles are reported from the world-up direction seen in the body frame, ``u = R_wb.T @ z``
(what a still accelerometer reads, in body coordinates):
``flexion = atan2(-u_x, u_z)`` and ``lateral = atan2(u_y, u_z)``. For pure flexion or pure
lateral lean these equal the pose angles exactly; a plank reads about +80 deg flexion,
lying supine -90 deg, a side plank on the left side about -80 deg lateral.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def rot_x(a: FloatArray | float) -> FloatArray:
    """Rotation matrices about x by ``a`` radians; shape (..., 3, 3)."""
    a = np.asarray(a, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1),
                     np.stack([z, s, c], -1)], -2)


def rot_y(a: FloatArray | float) -> FloatArray:
    """Rotation matrices about y by ``a`` radians; shape (..., 3, 3)."""
    a = np.asarray(a, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1),
                     np.stack([-s, z, c], -1)], -2)


def rot_z(a: FloatArray | float) -> FloatArray:
    """Rotation matrices about z by ``a`` radians; shape (..., 3, 3)."""
    a = np.asarray(a, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1),
                     np.stack([z, z, o], -1)], -2)


def trunk_rotation(flexion_rad: FloatArray | float, lateral_rad: FloatArray | float,
                   yaw_rad: FloatArray | float = 0.0) -> FloatArray:
    """Body-to-world rotation ``Rz(yaw) @ Ry(flexion) @ Rx(lateral)``, shape (..., 3, 3)."""
    return rot_z(yaw_rad) @ rot_y(flexion_rad) @ rot_x(lateral_rad)


def body_angles_deg(up_body: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Flexion (forward +) and lateral (right +) in degrees from world-up in the body
    frame, given axis-major as shape (3, N) (need not be unit length)."""
    ux, uy, uz = up_body[0], up_body[1], up_body[2]
    return np.degrees(np.arctan2(-ux, uz)), np.degrees(np.arctan2(uy, uz))


def random_rotation(rng: np.random.Generator) -> FloatArray:
    """A rotation matrix drawn uniformly from SO(3) (via a random unit quaternion)."""
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def wrap_deg(deg: FloatArray | float) -> FloatArray:
    """Angles wrapped into [-180, 180) deg (a 0-d array for a scalar)."""
    return np.asarray((np.asarray(deg, dtype=float) + 180.0) % 360.0 - 180.0, dtype=float)
