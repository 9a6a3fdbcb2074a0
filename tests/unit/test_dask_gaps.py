"""The Dask engine gives exactly the gaps of the in-process engine, on a real LocalCluster of worker processes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import AisColumns, RawRead
from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.gaps import GapCriteria, detect_gaps

try:
    import dask  # noqa: F401
    import distributed
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as exc:  # pragma: no cover - depends on the environment
    pytest.skip(
        f"Dask engine tests need dask[distributed], pandas and pyarrow ({exc}); pip install 'dask[distributed]'",
        allow_module_level=True,
    )

from bai_mei_plugin.engines import dask_gaps  # noqa: E402
from bai_mei_plugin.engines.dask_gaps import detect_gaps_dask  # noqa: E402

START = 1_590_969_600  # 2020-06-01T00:00:00Z
N_FILES = 4


def make_reports(seed: int = 7, vessels: int = 40, rows: int = 6000) -> dict:
    """Reports of ``vessels`` MMSIs with long silences, a few duplicates and a few rows the cleaning drops."""
    rng = np.random.default_rng(seed)
    mmsi_ids = rng.choice(np.arange(200_000_000, 800_000_000), size=vessels, replace=False)
    vid = rng.integers(0, vessels, rows)
    t = np.empty(rows, dtype=np.int64)
    for v in range(vessels):  # each vessel's own clock, with long silences now and then
        idx = np.flatnonzero(vid == v)
        steps = rng.integers(60, 3600, len(idx))
        silent = rng.random(len(idx)) < 0.04
        steps[silent] = rng.integers(5 * 3600, 40 * 3600, int(silent.sum()))
        t[idx] = START + np.cumsum(steps)
    lon = rng.uniform(-80.0, -60.0, rows)
    lat = rng.uniform(20.0, 40.0, rows)
    # duplicates of (mmsi, time) with another position: the first in archive order must win
    dup = rng.choice(rows, 30, replace=False)
    src = rng.choice(rows, 30, replace=False)
    vid[dup], t[dup] = vid[src], t[src]
    lat[rng.choice(rows, 10, replace=False)] = 91.0  # not available: dropped by cleaning
    mmsi = mmsi_ids[vid]
    mmsi[rng.choice(rows, 5, replace=False)] = 0  # missing MMSI: dropped
    sog = np.round(rng.uniform(0, 20, rows), 1)
    draught = np.where(rng.random(rows) < 0.5, np.nan, np.round(rng.uniform(2, 12, rows), 1))
    names = np.array([f"VESSEL {v}" for v in range(vessels)], dtype=object)[vid]
    names[rng.random(rows) < 0.3] = None
    dest = np.where(rng.random(rows) < 0.5, None, np.array(["ROTTERDAM", "SINGAPORE", "NAKHODKA"])[vid % 3])
    return {
        "mmsi": mmsi,
        "t": t,
        "lon": lon,
        "lat": lat,
        "sog": sog,
        "draught": draught,
        "names": names,
        "dest": dest.astype(object),
    }


def write_archive(folder: Path, data: dict, rename: dict = None) -> Path:
    """Rows in a random order (so each vessel is spread over every file, out of time order), in N_FILES files."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(data["mmsi"])
    order = np.random.default_rng(1).permutation(n)
    table = (
        pd.DataFrame(
            {
                "MMSI": data["mmsi"],
                "BaseDateTime": pd.to_datetime(data["t"], unit="s"),
                "LON": data["lon"],
                "LAT": data["lat"],
                "SOG": data["sog"],
                "Draft": data["draught"],
                "VesselName": data["names"],
                "Destination": data["dest"],
            }
        )
        .iloc[order]
        .reset_index(drop=True)
    )
    if rename:
        table = table.rename(columns=rename)
    for k, chunk in enumerate(np.array_split(np.arange(n), N_FILES)):
        pq.write_table(pa.Table.from_pandas(table.iloc[chunk], preserve_index=False), folder / f"part-{k:03d}.parquet")
    return folder, order


def in_process_columns(data: dict, order: np.ndarray) -> AisColumns:
    """The same rows in archive order, through the in-process cleaning."""
    cols = AisColumns.build(
        data["mmsi"][order],
        data["t"][order],
        data["lon"][order],
        data["lat"][order],
        sog=data["sog"][order],
        draught=data["draught"][order],
        vessel_name=list(data["names"][order]),
        destination=list(data["dest"][order]),
    )
    n = len(order)
    raw = RawRead(columns=cols, rows_read=n, unparseable=np.zeros(n, bool), not_vessel=np.zeros(n, bool))
    return clean(raw).columns


def in_process_gaps(data: dict, order: np.ndarray, criteria: GapCriteria):
    """The reference: the same rows in archive order, through the in-process clean + detect_gaps."""
    return detect_gaps(in_process_columns(data, order), criteria).gaps


def assert_same_gaps(found, expected) -> None:
    assert len(found) == len(expected)
    assert len(expected) > 20  # the data really has gaps to compare
    for a, b in zip(found, expected):
        assert (a.mmsi, a.off_time, a.on_time, a.gap_id) == (b.mmsi, b.off_time, b.on_time, b.gap_id)
        assert a.distance_nm == pytest.approx(b.distance_nm, rel=1e-6)
        assert (a.off_lon, a.off_lat, a.on_lon, a.on_lat) == (b.off_lon, b.off_lat, b.on_lon, b.on_lat)
        assert (a.vessel_name, a.sog_before, a.sog_after, a.draught_before, a.draught_after) == (
            b.vessel_name,
            b.sog_before,
            b.sog_after,
            b.draught_before,
            b.draught_after,
        )
        assert (a.destination_before, a.destination_after, a.positions_12h_before) == (
            b.destination_before,
            b.destination_after,
            b.positions_12h_before,
        )


@pytest.fixture(scope="module")
def data():
    return make_reports()


@pytest.fixture(scope="module")
def archive(tmp_path_factory, data):
    return write_archive(tmp_path_factory.mktemp("archive") / "ais", data)


@pytest.fixture(scope="module")
def cluster():
    import logging

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as running:
        yield running


def test_default_criteria_on_own_local_cluster(archive, data):
    folder, order = archive
    fractions = []
    gaps, info = detect_gaps_dask(folder, n_workers=2, progress=fractions.append)
    assert_same_gaps(gaps, in_process_gaps(data, order, GapCriteria()))
    assert info["workers"] == 2
    assert info["input_partitions"] == N_FILES
    assert info["rows_read"] == len(order)
    assert sum(info["dropped"].values()) == info["rows_read"] - info["rows_kept"] > 0
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)


def test_min_positions_before_on_running_cluster(archive, data, cluster):
    folder, order = archive
    criteria = GapCriteria(min_gap_hours=8.0, min_positions_before=5)
    gaps, info = detect_gaps_dask(str(folder), criteria, scheduler=cluster.scheduler_address)
    expected = in_process_gaps(data, order, criteria)
    assert_same_gaps(gaps, expected)
    assert len(expected) < len(in_process_gaps(data, order, GapCriteria(min_gap_hours=8.0)))
    assert info["scheduler"] == cluster.scheduler_address
    assert len(cluster.scheduler_info["workers"]) == 2  # the running cluster is left running


def test_more_partitions_than_files_and_read_archive(archive, data, cluster):
    folder, order = archive
    gaps, info = detect_gaps_dask(folder, scheduler=cluster.scheduler_address, partitions=7)
    assert info["partitions"] == 7
    expected = in_process_gaps(data, order, GapCriteria())
    assert_same_gaps(gaps, expected)
    # the in-process reader of the same archive (used by the benchmark) agrees as well
    assert_same_gaps(detect_gaps(dask_gaps.read_archive(folder).columns).gaps, expected)


def test_column_mapping(tmp_path, data, cluster):
    folder, order = write_archive(tmp_path / "renamed", data, rename={"MMSI": "ship", "BaseDateTime": "when"})
    with pytest.raises(BaiMeiError, match="Missing columns") as caught:
        detect_gaps_dask(folder, scheduler=cluster.scheduler_address)
    assert "mmsi" in str(caught.value) and "time" in str(caught.value) and "lat" not in str(caught.value)
    with pytest.raises(BaiMeiError, match="'boat'"):
        detect_gaps_dask(folder, scheduler=cluster.scheduler_address, columns={"mmsi": "boat", "t": "when"})
    gaps, info = detect_gaps_dask(folder, scheduler=cluster.scheduler_address, columns={"mmsi": "ship", "t": "when"})
    assert info["columns"]["mmsi"] == "ship"
    assert_same_gaps(gaps, in_process_gaps(data, order, GapCriteria()))


def test_csv_glob(tmp_path, data, cluster):
    folder, order = write_archive(tmp_path / "pq", data)
    for k, path in enumerate(sorted(folder.glob("*.parquet"))):
        frame = pd.read_parquet(path)
        frame["BaseDateTime"] = frame["BaseDateTime"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        frame.to_csv(tmp_path / f"ais_{k}.csv", index=False)
    gaps, info = detect_gaps_dask(str(tmp_path / "ais_*.csv"), scheduler=cluster.scheduler_address)
    assert info["time_format"] == "iso"
    assert_same_gaps(gaps, in_process_gaps(data, order, GapCriteria()))


def test_cancel(archive, cluster):
    with pytest.raises(Canceled):
        detect_gaps_dask(archive[0], scheduler=cluster.scheduler_address, is_canceled=lambda: True)


def test_missing_archive_and_shore_without_land(tmp_path):
    with pytest.raises(BaiMeiError, match="does not exist"):
        detect_gaps_dask(tmp_path / "nowhere")
    with pytest.raises(BaiMeiError, match="land layer"):
        detect_gaps_dask(tmp_path, GapCriteria(min_shore_nm=50))


def test_clear_message_without_dask(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(BaiMeiError, match=r"Dask is not installed: install it from QGIS with Vector ▸ Bai Mei"):
        dask_gaps.require_dask()


WORLD_MAP = Path("/usr/share/qgis/resources/data/world_map.gpkg")  # QGIS's bundled Natural Earth countries


def test_min_shore_with_land_through_two_worker_processes(archive, data, cluster):
    """The land index goes to the workers once; each end's distance from shore and the gaps the criterion keeps are
    the in-process engine's."""
    if not WORLD_MAP.exists():
        pytest.skip(f"QGIS's bundled world map (the plugin's default land) is not installed at {WORLD_MAP}")
    from bai_mei_plugin.core.land import LandIndex

    land = LandIndex.from_gpkg(str(WORLD_MAP))
    folder, order = archive
    assert len(cluster.scheduler_info["workers"]) == 2
    for criteria in (
        GapCriteria(min_shore_nm=50.0),
        GapCriteria(min_gap_hours=8.0, min_shore_nm=12.5, min_positions_before=3),
    ):
        gaps, info = detect_gaps_dask(folder, criteria, scheduler=cluster.scheduler_address, land=land)
        cols = in_process_columns(data, order)
        expected = detect_gaps(cols, criteria, land).gaps
        unfiltered = detect_gaps(
            cols, GapCriteria(criteria.min_gap_hours, 0.0, criteria.min_positions_before), land
        ).gaps
        assert len(expected) < len(unfiltered)  # the criterion really drops gaps
        assert_same_gaps(gaps, expected)
        assert [(g.off_shore_nm, g.on_shore_nm) for g in gaps] == [(g.off_shore_nm, g.on_shore_nm) for g in expected]
        assert all(min(g.off_shore_nm, g.on_shore_nm) >= criteria.min_shore_nm for g in gaps)
    # without the criterion, a land index still fills the distances, some of them on land (0)
    gaps, _ = detect_gaps_dask(folder, scheduler=cluster.scheduler_address, land=land)
    expected = detect_gaps(in_process_columns(data, order), GapCriteria(), land).gaps
    assert [(g.off_shore_nm, g.on_shore_nm) for g in gaps] == [(g.off_shore_nm, g.on_shore_nm) for g in expected]
    assert 0.0 in [g.off_shore_nm for g in gaps]


def test_the_dask_gap_engine_behind_the_common_interface(archive, data, cluster):
    from bai_mei_plugin.core.gap_engine import ARCHIVE, LandChoice, ReportsLocation
    from bai_mei_plugin.engines.dask_gaps import DaskGapEngine

    folder, order = archive
    location = ReportsLocation(ARCHIVE, f"{folder} (Dask)", str(folder))
    engine = DaskGapEngine(str(folder), location, scheduler=cluster.scheduler_address)
    assert engine.columns is None and not engine.location.in_memory  # the reports stay in the archive
    criteria = GapCriteria(min_gap_hours=8.0)
    found = engine.find_gaps(criteria)
    assert_same_gaps(found.gaps, in_process_gaps(data, order, criteria))
    assert found.tracks == [] and found.candidate_gaps >= len(found.gaps)
    assert f"rows read: {len(order):,}" in found.notes and found.notes[-1] == f"{len(found.gaps):,} gaps."
    with pytest.raises(BaiMeiError, match="land layer"):  # no land to fall back on
        engine.find_gaps(GapCriteria(min_shore_nm=5))
    asked = []
    with_land = DaskGapEngine(
        str(folder),
        location,
        scheduler=cluster.scheduler_address,
        land=LandChoice(
            default=lambda: asked.append(1) or pytest.fail("the default land is built only for a shore criterion")
        ),
    )
    assert_same_gaps(with_land.find_gaps(GapCriteria()).gaps, in_process_gaps(data, order, GapCriteria()))
    assert asked == []
