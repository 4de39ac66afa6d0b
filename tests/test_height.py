"""Pelvis height tracker (core.height): zero-velocity integration and anchors."""

from __future__ import annotations

import numpy as np

from sensorcoach.core.height import FLOOR_M, STANDING_M, HeightTracker, rise, vertical_g
from sensorcoach.core.settings import DEFAULT_SETTINGS

DT = DEFAULT_SETTINGS.frame_s


def _descent(dh: float, dur: float = 2.0) -> np.ndarray:
    """|a| per frame (g) of a minimum-jerk vertical move of ``dh`` m over ``dur`` s."""
    n = round(dur / DT)
    tau = (np.arange(n) + 0.5) / n
    acc = dh * (60 * tau - 180 * tau**2 + 120 * tau**3) / dur**2  # m/s^2
    out: np.ndarray = 1.0 + acc / 9.80665
    return out


def test_rise_integrates_a_move_and_ignores_a_constant_bias() -> None:
    a = _descent(-0.33)
    assert abs(rise(a, 1.0, 1.0, DT) + 0.33) < 0.02
    # a 2 % scale error at rest is removed with the velocity drift
    assert abs(rise(a * 1.02, 1.02, 1.02, DT) + 0.33) < 0.02


def _frames(parts: list[tuple[str, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(acc (3, m), walking, lying) for a script of ('rest'|'walk'|'lie', s) and
    ('move', dh) steps (the up vector stays vertical)."""
    rng = np.random.default_rng(0)
    norm: list[float] = []
    walk: list[bool] = []
    lie: list[bool] = []
    for kind, x in parts:
        if kind == "move":
            seg = list(_descent(x))
        elif kind == "walk":
            k = np.arange(round(x / DT))
            seg = list(1.0 + 0.2 * np.sin(2 * np.pi * 1.8 * k * DT + 0.3))
        else:
            seg = list(1.0 + rng.normal(0.0, 0.0005, round(x / DT)))
        norm += seg
        walk += [kind == "walk"] * len(seg)
        lie += [kind == "lie"] * len(seg)
    acc = np.vstack([np.zeros(len(norm)), np.zeros(len(norm)), norm])
    return acc, np.array(walk), np.array(lie)


def _run(parts: list[tuple[str, float]], block: int | None = None) -> np.ndarray:
    acc, walk, lie = _frames(parts)
    tr = HeightTracker(DEFAULT_SETTINGS)
    up = np.tile(np.array([[0.0], [0.0], [1.0]]), acc.shape[1])
    n = acc.shape[1]
    step = block or n
    out = []
    for i in range(0, n, step):
        sl = slice(i, i + step)
        _, h = tr.push(acc[:, sl], acc[2, sl], up[:, sl], walk[sl], lie[sl])
        out.append(h)
    return np.concatenate(out)


def test_unknown_until_an_anchor_then_follows_kneeling_down() -> None:
    h = _run([("rest", 5.0), ("walk", 5.0), ("rest", 4.0), ("move", -0.33), ("rest", 4.0)])
    assert np.isnan(h[:40]).all()
    assert abs(h[100] - STANDING_M) < 1e-9  # walking is standing height
    assert abs(h[-1] - (STANDING_M - 0.33)) < 0.03


def test_lying_still_anchors_the_floor() -> None:
    h = _run([("walk", 3.0), ("rest", 3.0), ("move", -0.5), ("lie", 5.0)])
    assert abs(h[-1] - FLOOR_M) < 1e-9


def test_same_result_for_any_block_sizes() -> None:
    parts = [("walk", 4.0), ("rest", 3.0), ("move", -0.33), ("rest", 3.0), ("move", 0.33),
             ("rest", 3.0)]
    whole = _run(parts)
    for block in (1, 7, 33):
        np.testing.assert_allclose(_run(parts, block), whole, atol=1e-9)


def test_a_fast_descent_is_marked_as_a_fall_a_slow_one_is_not() -> None:
    def falls(dur: float) -> list[float]:
        rng = np.random.default_rng(1)
        norm = np.concatenate([1.0 + rng.normal(0.0, 0.0005, 40), _descent(-0.6, dur),
                               1.0 + rng.normal(0.0, 0.0005, 40)])
        n = norm.size
        acc = np.vstack([np.zeros(n), np.zeros(n), norm])
        tr = HeightTracker(DEFAULT_SETTINGS)
        up = np.tile(np.array([[0.0], [0.0], [1.0]]), n)
        t = (np.arange(n, dtype=np.float64) + 0.5) * DT
        tr.push(acc, norm, up, np.zeros(n, bool), np.zeros(n, bool), t=t)
        # (the first rest is marked too: how the recording began is not known)
        return [f for f in tr.falls if f > 3.0]

    assert len(falls(0.6)) == 1  # 0.6 m in 0.6 s: peaks near 1.9 m/s
    assert falls(3.0) == []  # kneeling down: 0.6 m in 3 s, under 0.4 m/s


def test_kneeling_down_misread_as_walking_still_lowers_the_pelvis() -> None:
    """The activity classifier called the bob of kneeling down "walking" for 2.7 s (half
    of it still) on the simulated routine: walking anchored the pelvis at standing height,
    so the kneel was lost and a child's pose after it was taken for a standing fold."""
    parts = [("walk", 5.0), ("rest", 4.0), ("move", -0.33), ("rest", 4.0)]
    acc, walk, lie = _frames(parts)
    kneel_end = round(11.0 / DT)  # the move ends 2 s after the rest's 9 s
    walk[kneel_end - 13:kneel_end + 14] = True  # the move's last 1.3 s, then 1.4 s still
    tr = HeightTracker(DEFAULT_SETTINGS)
    up = np.tile(np.array([[0.0], [0.0], [1.0]]), acc.shape[1])
    _, h = tr.push(acc, acc[2], up, walk, lie)
    assert abs(h[-1] - (STANDING_M - 0.33)) < 0.05
    # a real walk of a few seconds still anchors the level at standing
    assert abs(_run([("rest", 3.0), ("move", -0.33), ("rest", 3.0), ("walk", 4.0)])[-1]
               - STANDING_M) < 1e-9


def test_without_the_gyro_the_vertical_is_the_norm_not_a_lagging_projection() -> None:
    """Accelerometer-only routines lost the pelvis level at every transition: the low-pass
    up vector lags a turn by about a second, and the projection on it reads a 20 deg lag
    as 0.06 g of vertical acceleration. The norm needs no up vector."""
    e = np.radians(20.0)
    acc = np.array([[np.sin(e)], [0.0], [np.cos(e)]]) * 1.01  # tilted, rising at 0.01 g
    lagging_up = np.array([[0.0], [0.0], [1.0]])
    no_gyro = vertical_g(acc, lagging_up, np.array([False]))
    assert abs(float(no_gyro[0]) - 1.01) < 1e-9
    with_gyro = vertical_g(acc, np.array([[np.sin(e)], [0.0], [np.cos(e)]]), np.array([True]))
    assert abs(float(with_gyro[0]) - 1.01) < 1e-9
    assert abs(float(vertical_g(acc, lagging_up, np.array([True]))[0]) - 1.01) > 0.05


def test_a_set_of_hinges_ending_22_deg_from_its_start_keeps_the_level() -> None:
    """Single-leg deadlifts at 200 Hz: 15 s of repetitions (too long to integrate) ended
    standing 22 deg from where they began, which counted as another posture: the level
    was lost and the hamstring stretch after it taken for a plank."""
    acc, walk, _ = _frames([("walk", 5.0), ("rest", 3.0)])
    n_move, n_rest = 150, 30
    k = np.arange(n_move)
    tilt = np.radians(35.0 * (1 - np.cos(2 * np.pi * k / 30.0)))  # 5 hinges, 0-70 deg
    move_up = np.vstack([np.sin(tilt), np.zeros(n_move), np.cos(tilt)])
    end = np.radians(22.0)
    rest_up = np.tile(np.array([[np.sin(end)], [0.0], [np.cos(end)]]), n_rest)
    norm = np.concatenate([acc[2], 1.0 + 0.05 * np.sin(2 * np.pi * k / 15.0), np.ones(n_rest)])
    up = np.concatenate([np.tile(np.array([[0.0], [0.0], [1.0]]), acc.shape[1]), move_up,
                         rest_up], axis=1)
    m = norm.size
    a3 = np.vstack([np.zeros(m), np.zeros(m), norm])
    flags = np.zeros(m, bool)
    flags[:walk.size] = walk
    _, h = HeightTracker(DEFAULT_SETTINGS).push(a3, norm, up, flags, np.zeros(m, bool))
    assert abs(h[-1] - STANDING_M) < 1e-9


def test_a_counted_set_of_hinges_anchors_an_upright_rest_at_standing_height() -> None:
    """The level lost on the floor had no walk to anchor it before single-leg deadlifts,
    and a standing fold after them read 0.5 m: "not standing", so a plank (seeds 9506,
    9701). Hinges are done standing: from the frame a set is counted at, an upright rest
    is standing, whatever blocks the frames come in."""
    acc, walk, lie = _frames([("rest", 12.0)])
    m = acc.shape[1]
    t = (np.arange(m) + 0.5) * DT
    up = np.tile(np.array([[0.0], [0.0], [1.0]]), m)
    for block in (7, 33, m):
        tr = HeightTracker(DEFAULT_SETTINGS)
        hs = []
        for lo in range(0, m, block):
            sl = slice(lo, lo + block)
            at = [(x, 1.0) for x in (6.0,) if t[sl][0] <= x <= t[sl][-1] + DT / 2]
            hs.append(tr.push(acc[:, sl], acc[2, sl], up[:, sl], walk[sl], lie[sl], None,
                              t[sl], at)[1])
        h = np.concatenate(hs)
        assert np.isnan(h[t < 6.0]).all()  # no anchor before it
        assert np.allclose(h[t >= 6.0], STANDING_M)
    # a trunk at rest that is not upright (a fold, lying) is not anchored
    flat = np.tile(np.array([[1.0], [0.0], [0.0]]), m)
    tr = HeightTracker(DEFAULT_SETTINGS)
    _, h = tr.push(acc, acc[2], flat, walk, lie, None, t, [(6.0, 1.0)])
    assert np.isnan(h).all()


def test_a_set_of_hinges_anchors_a_known_wrong_level_at_standing_too() -> None:
    """Without calibration a level integrated wrong through floor exercises (0.70 m) was
    not standing, and a standing fold after single-leg deadlifts read as a child's pose
    (seed 9302): hinges are done standing whatever the level was (the anchor once held a
    standing level up through the floor exercises after, seed 9111, when it came up to
    300 s late at the end of an analysis slice)."""
    acc, walk, lie = _frames([("rest", 12.0)])
    m = acc.shape[1]
    t = (np.arange(m) + 0.5) * DT
    up = np.tile(np.array([[0.0], [0.0], [1.0]]), m)
    tr = HeightTracker(DEFAULT_SETTINGS)
    tr.h = 0.7
    _, h = tr.push(acc, acc[2], up, walk, lie, None, t, [(6.0, 1.0)])
    assert np.allclose(h[t < 6.0], 0.7) and np.allclose(h[t >= 6.0], STANDING_M)


def test_the_analyzer_anchors_standing_when_a_set_of_hinges_is_counted() -> None:
    from sensorcoach.core.analyzer import StreamAnalyzer
    from sensorcoach.core.calibration import Calibration

    for forward in (np.array([1.0, 0.0, 0.0]), None):
        cal = Calibration("header", np.array([0.0, 0.0, 1.0]), forward)
        an = StreamAnalyzer(cal, has_gyro=False, sample_rate_hz=50.0)
        seen: list[object] = []
        push = an.height.push

        def spy(*a: object, push=push, seen=seen) -> object:  # type: ignore[no-untyped-def]
            seen.extend(a[7])  # type: ignore[call-overload]
            return push(*a)  # type: ignore[arg-type]

        an.height.push = spy  # type: ignore[method-assign]

        def counted(*a: object, an=an) -> list[object]:
            an.rep_counter.hinges_closed = [(7.5, 3.0)]
            return []

        an.rep_counter.push = counted  # type: ignore[method-assign]
        t = np.arange(0, 20, 0.02)
        acc = np.vstack([np.zeros(t.size), np.zeros(t.size), np.ones(t.size)])
        an.push(t, acc, None)
        assert seen == [(7.5, 3.0)]  # with or without the forward direction


def test_a_set_of_hinges_counted_during_a_fold_shifts_the_level_from_the_rest_after_it(
        ) -> None:
    """A set is counted 14.5 s after its last repetition; a standing fold begun 12 s after
    single-leg deadlifts was under way then, so the level, 0.72 m after their bottom pauses
    were integrated, stayed and the fold read a child's pose (seed 9500). The first upright
    rest after the set was standing: the level since then moves with it."""
    acc, walk, lie = _frames([("walk", 5.0), ("rest", 3.0), ("move", -0.3), ("rest", 4.0)])
    # the fold: the pelvis moves back and forth, 0.1 m out and back, as the trunk turns
    fold = np.concatenate([_descent(0.1, 1.0), _descent(-0.1, 1.0), np.ones(80)])
    acc = np.concatenate([acc, np.vstack([np.zeros((2, fold.size)), fold])], axis=1)
    walk = np.concatenate([walk, np.zeros(fold.size, bool)])
    lie = np.concatenate([lie, np.zeros(fold.size, bool)])
    m = acc.shape[1]
    t = (np.arange(m) + 0.5) * DT
    up = np.tile(np.array([[0.0], [0.0], [1.0]]), m)
    up[:, m - fold.size:] = np.array([[1.0], [0.0], [0.0]])
    for hinges, after in (([(19.0, 9.5)], STANDING_M), ([(19.0, 13.0)], STANDING_M - 0.3),
                          ([], STANDING_M - 0.3)):
        tr = HeightTracker(DEFAULT_SETTINGS)
        _, h = tr.push(acc, acc[2], up, walk, lie, None, t, hinges)
        assert abs(h[t < 19.0][-1] - (STANDING_M - 0.3)) < 0.03  # the chain's level
        # (the set ended after that upright rest began: it is no rest after the set)
        assert abs(h[-1] - after) < 0.03
