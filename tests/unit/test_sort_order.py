"""clean.sort_order: the radix path gives exactly ``np.lexsort((t, mmsi))`` (ties in input order), on files written
in time order and on shuffled ones, and falls back to lexsort for MMSIs the radix digits cannot hold."""

import numpy as np
import pytest

from bai_mei_plugin.core.ais.clean import sort_order


def columns(n, seed, time_ordered):
    rng = np.random.default_rng(seed)
    vessels = rng.integers(0, 1 << 30, 300)
    mmsi = rng.choice(vessels, n).astype(np.int64)
    t = np.sort(rng.integers(1_590_000_000, 1_590_100_000, n)) if time_ordered else rng.integers(0, 50, n)
    return mmsi, t.astype(np.int64)  # few distinct times when shuffled: many ties of (MMSI, time)


@pytest.mark.parametrize("time_ordered", [True, False])
@pytest.mark.parametrize("n", [0, 1, 2, 1000, 200_000])
def test_same_order_as_lexsort(n, time_ordered):
    mmsi, t = columns(n, n, time_ordered)
    np.testing.assert_array_equal(sort_order(mmsi, t), np.lexsort((t, mmsi)))


def test_with_a_row_mask():
    mmsi, t = columns(50_000, 7, False)
    rows = np.random.default_rng(1).random(len(mmsi)) < 0.6
    index = np.flatnonzero(rows)
    np.testing.assert_array_equal(sort_order(mmsi, t, rows), index[np.lexsort((t[index], mmsi[index]))])


@pytest.mark.parametrize("odd", [-5, 0, (1 << 30) - 1, 1 << 30, 9_999_999_999])
def test_mmsis_outside_the_radix_range(odd):
    mmsi, t = columns(10_000, 3, False)
    mmsi[::97] = odd
    np.testing.assert_array_equal(sort_order(mmsi, t), np.lexsort((t, mmsi)))


def test_repeats_found_across_chunk_boundaries(monkeypatch):
    from bai_mei_plugin.core.ais import clean

    rng = np.random.default_rng(3)
    mmsi = rng.integers(200_000_000, 200_000_020, 5000)
    t = rng.integers(0, 300, 5000)
    order = np.lexsort((t, mmsi))
    whole = np.zeros(len(order), dtype=bool)
    whole[1:] = (mmsi[order][1:] == mmsi[order][:-1]) & (t[order][1:] == t[order][:-1])
    assert whole.sum() > 100
    for chunk in (1, 7, 64, 4999, 5000, 1 << 22):
        monkeypatch.setattr(clean, "_REPEAT_CHUNK", chunk)
        assert np.array_equal(clean._repeats(mmsi, t, order), whole), chunk


def test_the_order_is_in_four_byte_row_numbers_and_still_lexsorts():
    rng = np.random.default_rng(4)
    mmsi = rng.integers(100_000_000, 999_999_999, 20_000)
    t = rng.integers(0, 10_000, 20_000)
    order = sort_order(mmsi, t)
    assert order.dtype == np.int32
    assert np.array_equal(order, np.lexsort((t, mmsi)))


@pytest.mark.parametrize("chunk,n", [(1, 200), (7, 300), (1000, 50_000), (12_345, 50_000), (49_999, 50_000)])
@pytest.mark.parametrize("time_ordered", [True, False])
def test_the_digit_passes_in_chunks_keep_lexsorts_order(monkeypatch, chunk, n, time_ordered):
    """Each digit pass places a chunk's rows after those of the chunks before with the same digit."""
    from bai_mei_plugin.core.ais import clean

    monkeypatch.setattr(clean, "_DIGIT_CHUNK", chunk)
    mmsi, t = columns(n, chunk, time_ordered)
    np.testing.assert_array_equal(sort_order(mmsi, t), np.lexsort((t, mmsi)))
