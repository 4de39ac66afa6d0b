"""The gyro check (SPEC section 4, ``gyro``) on synthetic rotations with known truth: each
fault kind is found and corrected, a random gyro is ignored, the verdict does not depend
on how the stream is cut, and the bias is estimated."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from sensorcoach.core.filters import affine_scan, rotation_from_vector
from sensorcoach.core.gyro_check import (
    CANDIDATES,
    GyroCheck,
    GyroVerdict,
    describe_permutation,
)
from sensorcoach.core.settings import DEFAULT_SETTINGS

FRAME_S = 0.1
RATE_HZ = 100.0


def turning_body(seconds: float, seed: int, axes: tuple[int, ...] = (0, 1, 2),
                 bias_dps: tuple[float, float, float] = (0.0, 0.0, 0.0),
                 noise_g: float = 0.003) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames of a sensor turning smoothly (bends, rolls, twists of 20-60 deg/s about the
    given axes, with still spells): (acc (3, m) g, true rate (3, m) deg/s, gyro reading
    (3, m) deg/s = true rate + bias + noise)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    w = np.zeros((3, n))
    for a in axes:
        for _ in range(3):
            f = rng.uniform(0.05, 0.4)
            w[a] += rng.uniform(15, 40) * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))
    w *= (np.sin(2 * np.pi * t / 40.0) > -0.5)  # still spells
    # gravity in the sensor frame: dg/dt = g x w, sample by sample
    rot = rotation_from_vector(-(np.radians(w) / RATE_HZ).T)
    g0 = np.array([0.0, -1.0, 0.0])
    g = affine_scan(rot, np.zeros((n, 3)), g0).T
    g /= np.linalg.norm(g, axis=0)
    acc = g + rng.normal(0, noise_g, g.shape)
    gyro = w + np.asarray(bias_dps)[:, None] + rng.normal(0, 0.1, w.shape)
    per = round(FRAME_S * RATE_HZ)
    m = n // per

    def frames(x: np.ndarray) -> np.ndarray:
        out: np.ndarray = x[:, :m * per].reshape(3, m, per).mean(axis=2)
        return out

    return frames(acc), frames(w), frames(gyro)


def run(acc: np.ndarray, gyro: np.ndarray, cuts: list[int] | None = None,
        restart: np.ndarray | None = None) -> tuple[GyroVerdict, int | None]:
    """The final verdict and the block start where push first returned it."""
    chk = GyroCheck(DEFAULT_SETTINGS, FRAME_S)
    m = acc.shape[1]
    pts = [0, m] if cuts is None else sorted({0, m, *cuts})
    seen = None
    for s, e in itertools.pairwise(pts):
        v = chk.push(acc[:, s:e], gyro[:, s:e], None if restart is None else restart[s:e])
        if v is not None:
            assert seen is None, "push returned a verdict twice"
            seen = s
    return chk.final(), seen


@pytest.fixture(scope="module")
def body() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return turning_body(120.0, seed=1, bias_dps=(2.0, -1.0, 0.5))


def test_correct_gyro_is_ok_and_bias_estimated(body: tuple[np.ndarray, ...]) -> None:
    acc, _, gyro = body
    v, when = run(acc, gyro)
    assert v.check == "ok", v.note
    assert when is not None, "decided only at the end"
    np.testing.assert_array_equal(v.transform, np.eye(3))
    assert v.fit > 0.9
    assert abs(v.scale - 1.0) < 0.05
    assert "ok" in v.note and "agrees" in v.note
    # with more evidence before the look, every bias component has been seen off gravity
    chk = GyroCheck(replace(DEFAULT_SETTINGS, gyro_check_evidence_deg=1000.0), FRAME_S)
    chk.push(acc, gyro)
    late = chk.final()
    assert late.check == "ok", late.note
    np.testing.assert_allclose(late.bias_dps, [2.0, -1.0, 0.5], atol=0.3)


SWAP_YZ_INVERT_X = np.array([[-1.0, 0, 0], [0, 0, 1], [0, 1, 0]])
FAULTS = {
    "y and z swapped, x inverted": (SWAP_YZ_INVERT_X, 1.0),
    "all inverted": (-np.eye(3), 1.0),
    "one inverted": (np.diag([1.0, -1.0, 1.0]), 1.0),
    "axes rotated": (np.array([[0.0, 1, 0], [0, 0, 1], [1, 0, 0]]), 1.0),
    "rad/s delivered as deg/s": (np.eye(3), math.pi / 180.0),
    "reads 3x too high": (np.eye(3), 3.0),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_is_found_and_corrected(body: tuple[np.ndarray, ...], fault: str) -> None:
    acc, true_w, gyro = body
    m, k = FAULTS[fault]
    raw = k * (m @ gyro)  # what the faulty export delivers
    v, when = run(acc, raw)
    assert v.check == "corrected", v.note
    assert when is not None
    corrected = v.transform @ raw
    # true rate = (measured scale / applied scale) * (corrected - bias)
    applied = np.abs(v.transform).max()
    est = v.scale / applied * (corrected - v.bias_dps[:, None])
    resid = est - true_w
    assert np.sqrt(np.mean(resid ** 2)) < 0.05 * np.sqrt(np.mean(true_w ** 2)) + 0.5, v.note
    assert "corrected" in v.note


def test_slightly_off_scale_is_reported_not_corrected(body: tuple[np.ndarray, ...]) -> None:
    acc, _, gyro = body
    v, _ = run(acc, gyro / 1.15)  # a datasheet scale 15% off
    assert v.check == "ok", v.note
    assert v.scale == pytest.approx(1.15, rel=0.04)


def test_random_gyro_is_ignored(body: tuple[np.ndarray, ...]) -> None:
    acc, _, gyro = body
    rng = np.random.default_rng(5)
    v, when = run(acc, rng.normal(0, 20, gyro.shape))
    assert v.check == "ignored", v.note
    assert when is not None, "enough turning was seen to ignore it while streaming"
    assert "does not explain" in v.note
    np.testing.assert_array_equal(v.transform, np.eye(3))


def test_little_turning_is_not_called_a_bad_gyro(body: tuple[np.ndarray, ...]) -> None:
    """Ending with less turning than ``gyro_check_ignore_deg``: a gyro that fits nothing
    is ignored for too little evidence, not declared wrong."""
    acc, _, gyro = body
    chk = GyroCheck(replace(DEFAULT_SETTINGS, gyro_check_ignore_deg=1e6), FRAME_S)
    rng = np.random.default_rng(6)
    assert chk.push(acc, rng.normal(0, 20, gyro.shape)) is None
    v = chk.final()
    assert v.check == "ignored" and "too little turning" in v.note, v.note


def test_dead_gyro_is_ignored(body: tuple[np.ndarray, ...]) -> None:
    acc, _, gyro = body
    v, _ = run(acc, np.zeros_like(gyro))
    assert v.check == "ignored", v.note


@pytest.mark.parametrize("fault", ["y and z swapped, x inverted", "rad/s delivered as deg/s"])
@pytest.mark.parametrize("seed", range(3))
def test_verdict_independent_of_block_split(body: tuple[np.ndarray, ...], fault: str,
                                             seed: int) -> None:
    acc, _, gyro = body
    m, k = FAULTS[fault]
    raw = k * (m @ gyro)
    whole, _ = run(acc, raw)
    chk = GyroCheck(DEFAULT_SETTINGS, FRAME_S)
    at_whole = None
    for i in range(acc.shape[1]):  # frame by frame: the decision frame itself
        if chk.push(acc[:, i:i + 1], raw[:, i:i + 1]) is not None:
            at_whole = i
    rng = np.random.default_rng(seed)
    cuts = rng.integers(0, acc.shape[1], 12).tolist()
    split, when = run(acc, raw, cuts)
    assert split.check == whole.check
    np.testing.assert_allclose(split.transform, whole.transform, rtol=1e-9)
    np.testing.assert_allclose(split.bias_dps, whole.bias_dps, rtol=1e-6, atol=1e-9)
    assert split.scale == pytest.approx(whole.scale, rel=1e-9)
    assert split.fit == pytest.approx(whole.fit, rel=1e-9)
    assert split.note == whole.note
    # returned on the block that holds the deciding frame
    pts = sorted({0, acc.shape[1], *cuts})
    assert at_whole is not None and when is not None
    block = max(p for p in pts if p <= at_whole)
    assert when == block


def test_still_recording_is_ignored_for_too_little_turning() -> None:
    rng = np.random.default_rng(2)
    acc = np.array([[0.0], [-1.0], [0.0]]) + rng.normal(0, 0.002, (3, 3000))
    gyro = rng.normal(0, 0.1, (3, 3000))
    v, when = run(acc, gyro)
    assert when is None
    assert v.check == "ignored" and "too little turning" in v.note


def test_turning_about_one_axis_does_not_invent_a_correction() -> None:
    """Bending about x only: y and z of the gyro never turn gravity, so mappings that
    differ there tie; the gyro as delivered is ok, a y/z swap is not 'found'."""
    acc, _, gyro = turning_body(90.0, seed=3, axes=(0,))
    v, _ = run(acc, gyro)
    assert v.check == "ok", v.note
    swapped = np.array([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]]) @ gyro
    v2, _ = run(acc, swapped)
    assert v2.check in ("ok", "ignored"), v2.note


def test_frames_after_a_gap_are_left_out(body: tuple[np.ndarray, ...]) -> None:
    """Across a data gap the orientation jumps; the low-pass would see turning the gyro
    never measured. With the restart flag those frames add no evidence."""
    acc, _, gyro = body
    half = acc.shape[1] // 2
    jumped = acc.copy()
    jumped[:, half:] = np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]) @ acc[:, half:]
    jumped_g = gyro.copy()
    jumped_g[:, half:] = np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]) @ gyro[:, half:]
    restart = np.zeros(acc.shape[1], bool)
    restart[half] = True
    chk = GyroCheck(DEFAULT_SETTINGS, FRAME_S)
    chk.push(jumped[:, :half + 1], jumped_g[:, :half + 1], restart[:half + 1])
    before = chk._ev.turned_deg
    chk.push(jumped[:, half + 1:half + 25], jumped_g[:, half + 1:half + 25],
             restart[half + 1:half + 25])
    assert chk._ev.turned_deg == before  # 2.5 s after the gap: still settling


def test_to_dict_is_json_and_names_the_fault(body: tuple[np.ndarray, ...]) -> None:
    acc, _, gyro = body
    v, _ = run(acc, SWAP_YZ_INVERT_X @ gyro)
    d = v.to_dict()
    json.dumps(d, allow_nan=False)
    assert set(d) >= {"check", "note", "scale", "fit"}
    note = str(d["note"])
    assert "y and z swapped" in note and "x inverted" in note
    ignored, _ = run(acc, np.zeros_like(gyro))
    json.dumps(ignored.to_dict(), allow_nan=False)


def test_candidates_are_the_48_signed_permutations_identity_first() -> None:
    assert CANDIDATES.shape == (48, 3, 3)
    assert np.array_equal(CANDIDATES[0], np.eye(3))
    flat = {tuple(p.ravel()) for p in CANDIDATES}
    assert len(flat) == 48
    for p in CANDIDATES:
        np.testing.assert_allclose(p @ p.T, np.eye(3))
    assert describe_permutation(SWAP_YZ_INVERT_X) == "y and z swapped and x inverted"
    assert describe_permutation(-np.eye(3)) == "all axes inverted"
