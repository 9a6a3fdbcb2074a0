"""One benchmark measurement in a fresh process, so that its peak memory is its own.

    python -m tests.bench.worker {baseline|baimei|points} FILE

Prints one JSON line (the last line of stdout): wall time in seconds (``time.perf_counter``) in all and by step,
CPU time, what was found (gaps, tracks) and peak RSS in MB (``ru_maxrss``, and ``VmHWM`` beside it). Imports and
the QGIS start-up happen before the clock starts: in QGIS they are paid once per session, not per file.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from contextlib import contextmanager

import numpy as np

GAP_SECONDS = 6 * 3600
EARTH_RADIUS_NM = 6_371_008.8 / 1852.0
TRACK_BATCH = 1000
POINT_BATCH = 50_000


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB (``ru_maxrss`` is in KB on Linux).

    On Linux ``ru_maxrss`` also covers the parent's memory at the time of the fork/exec, so the benchmark keeps its
    parent process small (files are generated in a separate process); ``VmHWM`` below is reported beside it.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def vm_hwm_mb() -> float:
    """The high-water mark of this process's own memory map (``VmHWM`` in /proc/self/status), in MB."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


class Clock:
    """Named sub-timings, in the order they were taken."""

    def __init__(self):
        self.times: dict = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - start

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            with self(name):
                return function(*args, **kwargs)

        return timed


# ---------------------------------------------------------------------------------------------------------------
# (a) The plain numpy baseline


def baseline(path: str) -> dict:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = {"MMSI": pa.int64(), "BaseDateTime": pa.timestamp("s"), "LAT": pa.float64(), "LON": pa.float64()}
    clock = Clock()
    cpu = time.process_time()
    start = time.perf_counter()
    with clock("parse CSV (pyarrow read_csv, 4 columns)"):
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True),
            convert_options=pacsv.ConvertOptions(include_columns=list(types), column_types=types),
        )
    with clock("to numpy"):
        mmsi = table.column("MMSI").to_numpy()
        t = table.column("BaseDateTime").cast(pa.int64()).to_numpy()
        lat = table.column("LAT").to_numpy()
        lon = table.column("LON").to_numpy()
        del table
    with clock("lexsort (mmsi, time)"):
        order = np.lexsort((t, mmsi))
    with clock("gather, dedupe, diff, gap mask"):
        mmsi, t, lat, lon = mmsi[order], t[order], lat[order], lon[order]
        same = mmsi[1:] == mmsi[:-1]
        dt = np.diff(t)
        duplicate = np.flatnonzero(same & (dt == 0)) + 1  # exact (MMSI, time) duplicates, as Bai Mei drops them
        if len(duplicate):
            keep = np.ones(len(t), dtype=bool)
            keep[duplicate] = False
            mmsi, t, lat, lon = mmsi[keep], t[keep], lat[keep], lon[keep]
            same = mmsi[1:] == mmsi[:-1]
            dt = np.diff(t)
        off = np.flatnonzero(same & (dt >= GAP_SECONDS))
        on = off + 1
    with clock("haversine at gap ends"):
        lat1, lon1, lat2, lon2 = (np.radians(v) for v in (lat[off], lon[off], lat[on], lon[on]))
        a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        distance_nm = 2 * EARTH_RADIUS_NM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    # Outside the clock, for the cross-check only: segments of two or more reports, as Bai Mei's tracks.
    breaks = np.ones(len(t), dtype=bool)
    breaks[1:] = ~same
    breaks[on] = True
    lengths = np.diff(np.append(np.flatnonzero(breaks), len(t)))
    return {
        "total": total,
        "cpu_s": cpu,
        "steps": clock.times,
        "gaps": len(off),
        "tracks": int((lengths >= 2).sum()),
        "gap_nm_sum": float(distance_nm.sum()),
        "rows": len(t),
        "duplicates": len(duplicate),
        "gap_list": np.column_stack((mmsi[off], t[off], t[on])).tolist(),  # bench_table compares them with DuckDB's
    }


# ---------------------------------------------------------------------------------------------------------------
# (b) Bai Mei: file -> cleaned columns -> gaps -> gaps and tracks memory layers; (c) the points layer


_APP = []  # keeps the QgsApplication alive for the life of the process


def start_qgis():
    from qgis.core import QgsApplication

    if not _APP:
        app = QgsApplication([], False)
        app.initQgis()
        _APP.append(app)
    return _APP[0]


def _memory_layer(uri: str, name: str, fields):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(uri, name, "memory")
    if not layer.isValid():
        raise RuntimeError(f"cannot create the memory layer {uri}")
    layer.dataProvider().addAttributes(fields.toList())
    layer.updateFields()
    return layer


def _instrumented(clock: Clock):
    """Bai Mei's read_ais with its two stages (read, clean) timed by wrapping the names it calls."""
    from bai_mei_plugin.core.ais import csv_arrow, reader  # noqa: F401 (import the pyarrow backend before timing)
    from bai_mei_plugin.core.land import LandIndex

    reader.read_detected = clock.wrap("read_ais: parse CSV (read_detected)", reader.read_detected)
    reader.clean = clock.wrap("read_ais: clean + sort (clean)", reader.clean)
    LandIndex.distance_nm = clock.wrap("detect_gaps: of which distance to shore", LandIndex.distance_nm)
    return reader.read_ais


def _gap_fields_only() -> dict:
    """read_ais keyword arguments that read only the columns gap detection uses, when this plugin version can."""
    import inspect

    from bai_mei_plugin.core import gaps
    from bai_mei_plugin.core.ais import reader

    fields = getattr(gaps, "GAP_FIELDS", None)
    if fields is not None and "fields" in inspect.signature(reader.read_ais).parameters:
        return {"fields": fields}
    return {}


def baimei(path: str) -> dict:
    from bai_mei_plugin.core.gaps import GapCriteria, detect_gaps
    from bai_mei_plugin.qgis_io.land import default_land
    from bai_mei_plugin.qgis_io.layer_kinds import kind_fields
    from bai_mei_plugin.qgis_io.records import gap_features, track_features

    clock = Clock()
    read_ais = _instrumented(clock)
    options = _gap_fields_only()  # as the dock reads a file when the points layer is not asked for
    start_rss = peak_rss_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    with clock("read_ais (read + clean)" + (", GAP_FIELDS only" if options else "")):
        result = read_ais(path, **options)
    with clock("default_land (land index build)"):
        land = default_land()
    with clock("detect_gaps"):
        found = detect_gaps(result.columns, GapCriteria(), land)
    with clock("gaps layer"):
        gaps_layer = _memory_layer("LineString?crs=EPSG:4326", "gaps", kind_fields("gaps"))
        if not gaps_layer.dataProvider().addFeatures(list(gap_features(found.gaps, gaps_layer.fields())))[0]:
            raise RuntimeError("adding gap features failed")
        gaps_layer.updateExtents()
    with clock("tracks layer"):
        tracks_layer = _memory_layer("LineStringM?crs=EPSG:4326", "tracks", kind_fields("tracks"))
        provider = tracks_layer.dataProvider()
        batch = []
        for feature in track_features(result.columns, found.tracks, tracks_layer.fields()):
            batch.append(feature)
            if len(batch) == TRACK_BATCH:
                provider.addFeatures(batch)
                batch = []
        provider.addFeatures(batch)
        tracks_layer.updateExtents()
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if gaps_layer.featureCount() != len(found.gaps) or tracks_layer.featureCount() != len(found.tracks):
        raise RuntimeError("the layers do not hold every gap and track")
    return {
        "total": total,
        "cpu_s": cpu,
        "steps": clock.times,
        "gaps": len(found.gaps),
        "tracks": len(found.tracks),
        "gap_nm_sum": float(sum(g.distance_nm for g in found.gaps)),
        "rows": len(result.columns),
        "dropped": result.rows_dropped,
        "start_rss_mb": start_rss,
        "read_fields": list(options.get("fields", [])) or "all",
    }


def points(path: str) -> dict:
    from bai_mei_plugin.qgis_io.layer_kinds import kind_fields
    from bai_mei_plugin.qgis_io.layers import point_features

    clock = Clock()
    read_ais = _instrumented(clock)
    start_rss = peak_rss_mb()
    with clock("read_ais (not part of the points cost)"):
        cols = read_ais(path).columns
    after_read_rss = peak_rss_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    with clock("points layer"):
        layer = _memory_layer("Point?crs=EPSG:4326", "points", kind_fields("points"))
        provider, fields = layer.dataProvider(), layer.fields()
        for first in range(0, len(cols), POINT_BATCH):
            if not provider.addFeatures(list(point_features(cols, fields, first, first + POINT_BATCH)))[0]:
                raise RuntimeError("adding point features failed")
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if layer.featureCount() != len(cols):
        raise RuntimeError("the points layer does not hold every report")
    return {
        "total": total,
        "cpu_s": cpu,
        "steps": clock.times,
        "rows": len(cols),
        "start_rss_mb": start_rss,
        "after_read_rss_mb": after_read_rss,
    }


METHODS = {"baseline": baseline, "baimei": baimei, "points": points}


def main(argv) -> None:
    method, path = argv
    if method not in METHODS:
        raise SystemExit(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    if method != "baseline":
        start_qgis()
    out = METHODS[method](path)
    out["peak_rss_mb"] = peak_rss_mb()
    out["vm_hwm_mb"] = vm_hwm_mb()
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip QGIS's teardown: not part of any measurement


if __name__ == "__main__":
    main(sys.argv[1:])
