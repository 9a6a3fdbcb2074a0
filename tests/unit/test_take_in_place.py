"""AisColumns.take_in_place: the rows of ``take`` in the columns' own memory; columns that cannot be overwritten
safely (read-only, or sharing memory with another column) are gathered into new arrays instead."""

import numpy as np

from bai_mei_plugin.core.ais.model import AisColumns, TextColumn

FIELDS = ("mmsi", "t", "lon", "lat", "sog", "cog", "heading", "draught")


def sample(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    names = TextColumn(rng.integers(-1, 5, n).astype(np.int32), ["A", "B", "C", "D", "E"])
    return AisColumns.build(
        rng.integers(200_000_000, 800_000_000, n),
        rng.integers(0, 10**9, n),
        rng.uniform(-180, 180, n),
        rng.uniform(-90, 90, n),
        sog=rng.uniform(0, 20, n),
        draught=rng.uniform(2, 12, n),
        vessel_name=names,
    )


def same(a: AisColumns, b: AisColumns):
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.vessel_name.to_list() == b.vessel_name.to_list() and a.absent == b.absent


def test_equals_take_and_reuses_the_memory():
    cols = sample()
    index = np.random.default_rng(1).permutation(len(cols))[:700]  # a permutation of the rows kept
    expected = sample().take(index)
    lat = cols.lat
    got = cols.take_in_place(index)
    same(got, expected)
    assert np.shares_memory(got.lat, lat) and np.shares_memory(got.mmsi, cols.mmsi)
    assert len(got) == 700 and got.cog.shape == (700,)


def test_shared_and_read_only_columns_are_gathered_as_take_does():
    cols = sample()
    both = np.arange(len(cols) + 1, dtype=np.float64)
    cols.lon, cols.lat = both[:-1], both[1:]  # two overlapping views of one array
    cols.sog = cols.draught  # one array for two columns
    cols.t.setflags(write=False)
    index = np.random.default_rng(2).permutation(len(cols))
    expected = cols.take(index)
    got = cols.take_in_place(index)
    same(got, expected)
    assert not np.shares_memory(got.lon, both) and not np.shares_memory(got.t, cols.t)
    assert np.shares_memory(got.mmsi, cols.mmsi)
