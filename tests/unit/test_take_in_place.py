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


def test_gathered_a_chunk_at_a_time_as_take_does(monkeypatch):
    from bai_mei_plugin.core.ais import model

    rng = np.random.default_rng(11)
    n = 1000
    index = rng.permutation(n)[:700].astype(np.int32)
    for chunk in (1, 3, 64, 699, 700, 1 << 22):
        monkeypatch.setattr(model, "_TAKE_CHUNK", chunk)
        mmsi = rng.integers(200_000_000, 800_000_000, n)
        t = rng.integers(0, 1 << 30, n)
        cols = model.AisColumns(mmsi=mmsi.copy(), t=t.copy(), lon=rng.random(n), lat=rng.random(n),
                                sog=rng.random(n), cog=rng.random(n), heading=rng.random(n), draught=rng.random(n),
                                vessel_name=model.TextColumn.missing(n), imo=model.TextColumn.missing(n),
                                callsign=model.TextColumn.missing(n), vessel_type=model.TextColumn.missing(n),
                                destination=model.TextColumn.missing(n))  # fmt: skip
        expected = cols.take(index)
        got = cols.take_in_place(index)
        assert np.array_equal(got.mmsi, mmsi[index]) and np.array_equal(got.t, t[index]), chunk
        for name in model.NUMERIC_FIELDS:
            assert np.array_equal(getattr(got, name), getattr(expected, name)), (chunk, name)
