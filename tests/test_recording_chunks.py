"""The whole-recording checks run in chunks (bounded temporaries for long recordings) and
find exactly what the one-pass checks find, at chunk edges too."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sensorcoach import plausibility, recording
from sensorcoach.errors import RecordingError
from sensorcoach.recording import Recording, _chunks, glitch_mask_chunked


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(recording, "CHECK_CHUNK", 16)
    return 16


def test_chunks_cover_every_index_once_in_near_equal_pieces(small_chunks: int) -> None:
    for n in (0, 1, 15, 16, 17, 33, 100):
        b = _chunks(n)
        assert b[0][0] == 0 and b[-1][1] == n
        assert all(hi == lo2 for (_, hi), (lo2, _) in itertools.pairwise(b))
        if n > small_chunks:
            assert min(hi - lo for lo, hi in b) >= small_chunks // 2


def _signals(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 100.0
    acc = rng.normal(0, 0.1, (3, n)) + np.array([[0.0], [0.0], [1.0]])
    gyro = rng.normal(0, 5, (3, n))
    return t, acc, gyro


@pytest.mark.parametrize("drop_nonfinite", [False, True])
def test_chunked_glitch_mask_equals_the_whole_array_mask(small_chunks: int,
                                                         drop_nonfinite: bool) -> None:
    n = 101
    for seed in range(20):
        t, acc, gyro = _signals(n, seed)
        rng = np.random.default_rng(100 + seed)
        # time spikes right at, before and after chunk edges, and at both ends
        for i in rng.choice([0, 15, 16, 17, 31, 32, 33, 50, 99, 100], 3, replace=False):
            t[i] += rng.choice([-50.0, 50.0])
        acc[:, rng.integers(0, n, 2)] = 40.0  # beyond range
        gyro[0, rng.integers(0, n)] = np.nan
        if seed % 5 == 0:
            t[rng.integers(0, n)] = np.nan  # any non-finite time turns the spike rule off
        ref = plausibility.glitch_mask(t, acc, gyro, drop_nonfinite=drop_nonfinite)
        got = glitch_mask_chunked(t, acc, gyro, drop_nonfinite=drop_nonfinite)
        np.testing.assert_array_equal(got, ref)
        assert ref.any()


def test_chunked_glitch_mask_sees_a_spike_in_the_last_sample(small_chunks: int) -> None:
    t, acc, _ = _signals(33, 0)
    t[-1] = t[-2] - 30.0  # the last sample jumps back: a spike the whole-array rule sees
    ref = plausibility.glitch_mask(t, acc, None, drop_nonfinite=False)
    assert ref[-1]
    np.testing.assert_array_equal(glitch_mask_chunked(t, acc, None, drop_nonfinite=False), ref)


def _edge_rows(n: int) -> list[int]:
    """Rows at, just before and just after every chunk edge, and both ends."""
    edges = [lo for lo, _ in _chunks(n)][1:]
    assert edges  # several chunks
    return sorted({1, n - 1, *edges, *(e - 1 for e in edges), *(e + 1 for e in edges)})


def test_time_that_repeats_at_any_chunk_edge_is_named(small_chunks: int) -> None:
    for row in _edge_rows(41):
        t, acc, gyro = _signals(41, 1)
        t[row] = t[row - 1]
        with pytest.raises(RecordingError, match=rf"time repeats: .*\(sample {row}\)"):
            Recording.from_arrays(t, acc, gyro, sample_rate_hz=100.0)


def test_non_finite_value_in_any_chunk_is_named(small_chunks: int) -> None:
    for row in [0, *_edge_rows(41)]:
        t, acc, gyro = _signals(41, 2)
        acc[1, row] = np.inf
        with pytest.raises(RecordingError, match=rf"acc is NaN or infinite \(sample {row}\)"):
            recording._validate_samples(t, acc, gyro, None, None)


def test_units_check_uses_the_median_of_finite_samples_only(small_chunks: int) -> None:
    t, acc, gyro = _signals(41, 3)
    acc *= 9.80665
    with pytest.raises(RecordingError, match="looks like m/s"):
        Recording.from_arrays(t, acc, gyro, sample_rate_hz=100.0)
    t, acc, gyro = _signals(41, 3)
    acc[:, :25] = 1e6  # most samples absurd, but masked out: the rest read 1 g
    mask = np.ones(41, bool)
    mask[:25] = False
    recording._check_units(acc, None, mask)
    with pytest.raises(RecordingError, match="median"):
        recording._check_units(acc, None)
