"""Gap detection on a Parquet (or partitioned CSV) archive with Dask: the data stays on the workers.

Stages:
1. each input partition is turned into Bai Mei's column types (int64 MMSI and epoch seconds, float positions,
   text) and tagged with its input order (``seq``), as the CSV readers do for a file;
2. the reports are shuffled by MMSI (hash partitioning), so every report of a vessel lands in one partition;
3. each partition is cleaned with ``core.ais.clean.clean`` and passed to ``core.gaps.detect_gaps``: the same functions
   as the in-process engine, so there is no second implementation of the gap rule. Only the gaps, as plain records,
   and a few counts travel back to the calling process.

Rows dropped as duplicates keep the first report in archive order (file order, then row order), as the
in-process cleaning keeps the first in file order: each partition is put in ``seq`` order before cleaning.

Dask, distributed and pandas are imported when the engine is called; the plugin imports fine without them.
Workers of a running cluster must be able to import ``bai_mei_plugin`` (installed or on their PYTHONPATH).
"""

from __future__ import annotations

import glob
import os
import time
from collections import Counter
from dataclasses import asdict
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from ..core.ais.clean import clean, default_time_window
from ..core.ais.columns import NULL_TOKENS, apply_not_available, not_vessel_mask, text_column
from ..core.ais.formats import SYNONYMS, TIME_ISO, TIME_UNIX_MS, guess_time_format, normalise
from ..core.ais.model import MISSING_MMSI, MISSING_TIME, AisColumns, CleanResult, RawRead
from ..core.ais.timeparse import parse_unique
from ..core.errors import BaiMeiError, Canceled
from ..core.gap_engine import LandChoice, ReportsLocation
from ..core.gaps import Gap, GapCriteria, GapResult, detect_gaps
from ..core.land import LandIndex

INSTALL_HINT = "install it from QGIS with Vector ▸ Bai Mei ▸ Optional speed-ups…, or pip install 'dask[distributed]'"
# Bai Mei's names for the archive columns the gap engine reads, in the order they are looked for.
FIELDS = ("mmsi", "time", "lon", "lat", "sog", "draught", "vessel_name", "destination", "mobile_type")
REQUIRED_FIELDS = ("mmsi", "time", "lon", "lat")
NUMERIC = ("lon", "lat", "sog", "draught")
TEXT = ("vessel_name", "destination", "mobile_type")
ALIASES = {
    "t": "time",
    "timestamp": "time",
    "datetime": "time",
    "basedatetime": "time",
    "draft": "draught",
    "name": "vessel_name",
    "longitude": "lon",
    "latitude": "lat",
    "typeofmobile": "mobile_type",
}
SEQ_BITS = 40  # input order: partition number << 40 | row in partition

Progress = Optional[Callable[[float], None]]
IsCanceled = Optional[Callable[[], bool]]


def require_dask():
    """(dask, dask.dataframe, distributed), or a BaiMeiError saying how to install them."""
    try:
        import dask
        import dask.dataframe as dd
        import distributed
        import pandas  # noqa: F401 (dask.dataframe needs it; named in the message below)
    except ImportError as exc:
        raise BaiMeiError(f"Dask is not installed: {INSTALL_HINT}", details=f"{type(exc).__name__}: {exc}") from exc
    return dask, dd, distributed


# ---------------------------------------------------------------------------------------------------------------
# Columns: which archive column holds each Bai Mei column


def resolve_columns(
    available, columns: Optional[Dict[str, Optional[str]]] = None, source: str = "the archive"
) -> Dict[str, str]:
    """Bai Mei name -> archive column, from ``columns`` (user mapping) then the known synonyms.

    Raises BaiMeiError naming the required columns that are missing (or mapped to a column the archive lacks).
    """
    available = list(available)
    by_norm: Dict[str, str] = {}
    for name in available:
        by_norm.setdefault(normalise(str(name)), name)
    wanted: Dict[str, Optional[str]] = {}
    for key, value in (columns or {}).items():
        name = key if key in FIELDS else ALIASES.get(normalise(key), key)
        if name not in FIELDS:
            raise BaiMeiError(f"Unknown Bai Mei column {key!r} in the column mapping; use one of {', '.join(FIELDS)}.")
        wanted[name] = value
    mapping: Dict[str, str] = {}
    problems = []
    for name in FIELDS:
        if name in wanted:
            source_name = wanted[name]
            if source_name is None:
                continue
            if source_name not in available:
                problems.append(f"{name} (mapped to {source_name!r}, which is not there)")
                continue
            mapping[name] = source_name
            continue
        found = next((by_norm[n] for n in SYNONYMS.get(name, (name,)) if n in by_norm), None)
        if found is not None:
            mapping[name] = found
    missing = [name for name in REQUIRED_FIELDS if name not in mapping]
    problems.extend(name for name in missing if not any(p.startswith(f"{name} (") for p in problems))
    if problems:
        raise BaiMeiError(
            f"Missing columns in {source}: {', '.join(problems)}. Map them with columns={{'mmsi': ..., 'time': ...}}.",
            details=f"archive columns: {', '.join(map(str, available))}",
        )
    return mapping


# ---------------------------------------------------------------------------------------------------------------
# Stage 1: one archive partition -> Bai Mei's column types


def _present(series) -> np.ndarray:
    """True where a value is given (not null and not one of the null tokens of the CSV readers)."""
    import pandas as pd

    given = series.notna().to_numpy()
    if not pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_datetime64_any_dtype(series.dtype):
        given &= ~series.astype(object).isin(NULL_TOKENS).to_numpy()
    return given


def _numbers(series) -> Tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN where absent or unparseable) and the mask of given-but-unparseable values."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return values, np.zeros(len(values), dtype=bool)
    text = series.astype(object).where(_present(series), None)
    try:  # numpy's string -> float is exact (pandas' to_numeric can be off in the last digit)
        values = text.astype(np.float64).to_numpy()
    except (TypeError, ValueError):
        parsed = ~np.isnan(pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan))
        values = np.full(len(text), np.nan)
        values[parsed] = text[parsed].astype(np.float64).to_numpy()
    return values, _present(series) & np.isnan(values)


def _times(series, time_format: Optional[str]) -> Tuple[np.ndarray, np.ndarray]:
    """Epoch seconds (MISSING_TIME where absent or unparseable) and the unparseable mask."""
    import pandas as pd

    n = len(series)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        values = series.to_numpy(dtype="datetime64[ns]")
        t = np.where(np.isnat(values), MISSING_TIME, values.astype("datetime64[s]").astype(np.int64))
        return t.astype(np.int64), np.zeros(n, dtype=bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        scale = 1000.0 if time_format == TIME_UNIX_MS else 1.0
        ok = np.isfinite(values)
        t = np.full(n, MISSING_TIME, dtype=np.int64)
        t[ok] = np.floor(values[ok] / scale).astype(np.int64)
        return t, np.zeros(n, dtype=bool)
    codes, uniques = pd.factorize(series.astype(object))
    parsed = parse_unique([str(u) for u in uniques], time_format or TIME_ISO)
    t = np.where(codes < 0, MISSING_TIME, parsed[np.maximum(codes, 0)] if len(parsed) else MISSING_TIME)
    return t.astype(np.int64), _present(series) & (t == MISSING_TIME)


def normalise_frame(pdf, mapping: Dict[str, str], time_format: Optional[str] = None, seq_base: int = 0):
    """A pandas frame with Bai Mei's columns: mmsi, t (int64), lon, lat, sog, draught (float64), the text columns
    present in ``mapping`` (object), ``bad`` (unparseable MMSI, time or position) and ``seq`` (input order)."""
    import pandas as pd

    n = len(pdf)
    out = {}
    mmsi, bad = _numbers(pdf[mapping["mmsi"]])
    out["mmsi"] = np.where(np.isnan(mmsi), MISSING_MMSI, np.nan_to_num(mmsi)).astype(np.int64)
    out["t"], bad_t = _times(pdf[mapping["time"]], time_format)
    bad |= bad_t
    for name in NUMERIC:
        if name not in mapping:
            continue
        values, bad_values = _numbers(pdf[mapping[name]])
        if name in REQUIRED_FIELDS:
            bad |= bad_values  # an unparseable position drops the row; optional values just become missing
        out[name] = apply_not_available(name, values)
    for name in TEXT:
        if name in mapping:
            column = pdf[mapping[name]]
            out[name] = column.astype(object).where(column.notna(), None).to_numpy(dtype=object)
    out["bad"] = bad
    out["seq"] = seq_base + np.arange(n, dtype=np.int64)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _normalise_partition(pdf, mapping, time_format, partition_info=None):
    number = (partition_info or {}).get("number", 0) or 0
    return normalise_frame(pdf, mapping, time_format, seq_base=int(number) << SEQ_BITS)


def raw_read(frame) -> RawRead:
    """The RawRead of a normalised frame, in ``seq`` order (so cleaning keeps the first of duplicates)."""
    import pandas as pd

    frame = frame.sort_values("seq", kind="stable")
    n = len(frame)
    optional = {}
    for name in ("sog", "draught"):
        if name in frame:
            optional[name] = frame[name].to_numpy(dtype=np.float64)
    texts = {}
    for name in TEXT:
        if name in frame:
            codes, uniques = pd.factorize(frame[name].astype(object))
            texts[name] = text_column(codes, list(uniques))[0]
    for name in ("vessel_name", "destination"):
        if name in texts:
            optional[name] = texts[name]
    cols = AisColumns.build(
        frame["mmsi"].to_numpy(), frame["t"].to_numpy(), frame["lon"].to_numpy(), frame["lat"].to_numpy(), **optional
    )
    not_vessel = not_vessel_mask(texts.get("mobile_type"))
    return RawRead(
        columns=cols,
        rows_read=n,
        unparseable=frame["bad"].to_numpy(dtype=bool),
        not_vessel=not_vessel if not_vessel is not None else np.zeros(n, dtype=bool),
    )


# ---------------------------------------------------------------------------------------------------------------
# Stage 3: one MMSI partition -> gaps as plain records


class ShippedLand:
    """A land index as it travels to the workers: its polygons (WKB) and step, since a land index holds prepared
    geometries, which cannot be pickled. Each worker process rebuilds the same index once (about a second for QGIS's
    world map) and keeps it for every partition: same polygons, same vertices, the same distances."""

    def __init__(self, land: LandIndex):
        self.blobs = [polygon.wkb for polygon in land.polygons]
        self.step_km = land.step_km
        self._index: Optional[LandIndex] = land

    def __getstate__(self) -> dict:
        return {"blobs": self.blobs, "step_km": self.step_km}

    def __setstate__(self, state: dict) -> None:
        self.blobs, self.step_km, self._index = state["blobs"], state["step_km"], None

    def index(self) -> LandIndex:
        if self._index is None:
            self._index = LandIndex.from_wkb(self.blobs, self.step_km)
        return self._index


def partition_gaps(frame, criteria: GapCriteria, land=None) -> dict:
    """Clean one partition (all reports of its vessels) and detect its gaps with the core function."""
    if isinstance(land, ShippedLand):
        land = land.index()
    cleaned = clean(raw_read(frame), default_time_window(), check_mmsi=True)  # the same plausible times as read_ais
    result = detect_gaps(cleaned.columns, criteria, land)
    records = []
    for gap in result.gaps:
        record = asdict(gap)
        record["off_index"] = -1  # a row of this partition: meaningless outside it
        records.append(record)
    return {
        "gaps": records,
        "rows_read": cleaned.rows_read,
        "rows_kept": cleaned.rows_kept,
        "dropped": dict(cleaned.dropped),
        "candidate_gaps": result.candidate_gaps,
    }


# ---------------------------------------------------------------------------------------------------------------
# Opening an archive


def _is_text(dtype) -> bool:
    import pandas as pd

    return not pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_datetime64_any_dtype(dtype)


def _is_csv(archive: str) -> bool:
    return archive.lower().endswith((".csv", ".csv.gz", ".txt"))


def _csv_paths(archive: str) -> List[str]:
    paths = sorted(glob.glob(archive)) if glob.has_magic(archive) else [archive]
    paths = [p for p in paths if os.path.isfile(p)]
    if not paths:
        raise BaiMeiError(f"No CSV file matches {archive}.")
    return paths


def _check_exists(archive: str) -> None:
    if not _is_csv(archive) and not glob.has_magic(archive) and not os.path.exists(archive):
        raise BaiMeiError(f"The AIS archive {archive} does not exist.")


def open_archive(dd, archive: str, columns=None, time_format: Optional[str] = None):
    """(dask frame of the mapped columns, mapping, time format) for a Parquet dataset or a glob of CSVs."""
    archive = os.fspath(archive)
    _check_exists(archive)
    if _is_csv(archive):
        paths = _csv_paths(archive)
        frame = dd.read_csv(paths, dtype=str, keep_default_na=False, na_values=[""], blocksize="64MB")
    else:
        try:
            frame = dd.read_parquet(archive)
        except Exception as exc:  # pyarrow and fsspec raise many kinds
            raise BaiMeiError(f"Cannot read the Parquet archive {archive}: {exc}", details=repr(exc)) from exc
    mapping = resolve_columns(frame.columns, columns, f"the archive {archive}")
    frame = frame[list(dict.fromkeys(mapping.values()))]
    if time_format is None and _is_text(frame[mapping["time"]].dtype):
        sample = frame[mapping["time"]].head(200, npartitions=1)
        time_format = guess_time_format([str(v) for v in sample.dropna().tolist()]) or TIME_ISO
    return frame, mapping, time_format


def read_archive(archive: str, columns=None, time_format: Optional[str] = None) -> CleanResult:
    """The in-process engine on the same archive: read it whole into this process, clean it (for comparisons and
    the benchmark; QGIS reads single files with ``read_ais``)."""
    import pandas as pd

    archive = os.fspath(archive)
    _check_exists(archive)
    if _is_csv(archive):
        pdf = pd.concat(
            [pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in _csv_paths(archive)],
            ignore_index=True,
        )
    else:
        pdf = pd.read_parquet(archive)
    mapping = resolve_columns(pdf.columns, columns, f"the archive {archive}")
    if time_format is None and _is_text(pdf[mapping["time"]].dtype):
        time_format = guess_time_format([str(v) for v in pdf[mapping["time"]].head(200).dropna()]) or TIME_ISO
    frame = normalise_frame(pdf[list(dict.fromkeys(mapping.values()))], mapping, time_format)
    del pdf
    return clean(raw_read(frame), default_time_window(), check_mmsi=True)


# ---------------------------------------------------------------------------------------------------------------
# The engine


def _client(distributed, scheduler: Optional[str], n_workers: int):
    """(client, cluster or None): a running scheduler's client, or a LocalCluster of worker processes."""
    import logging

    if scheduler:
        try:
            return distributed.Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise BaiMeiError(f"Cannot reach the Dask scheduler at {scheduler}.", details=repr(exc)) from exc
    cluster = distributed.LocalCluster(
        n_workers=max(1, int(n_workers)),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        return distributed.Client(cluster), cluster
    except Exception:
        cluster.close()
        raise


def detect_gaps_dask(
    archive,
    criteria: GapCriteria = GapCriteria(),
    scheduler: Optional[str] = None,
    columns: Optional[Dict[str, Optional[str]]] = None,
    land=None,
    n_workers: int = 2,
    progress: Progress = None,
    is_canceled: IsCanceled = None,
    time_format: Optional[str] = None,
    partitions: Optional[int] = None,
) -> Tuple[List[Gap], dict]:
    """Gaps of every vessel in ``archive`` (Parquet dataset folder or file, or a glob of CSVs), computed by Dask.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``); ``None`` starts a LocalCluster of
    ``n_workers`` processes on this machine, closed afterwards. ``columns`` maps Bai Mei's names (mmsi, time or t,
    lon, lat, sog, draught, vessel_name, destination, mobile_type) to archive columns; unmapped ones are found by
    the same synonyms as the file readers. ``land`` (a LandIndex) is sent once to every worker (as ``ShippedLand``).
    ``partitions``: the number of MMSI partitions (default: as many as the archive has). Returns (gaps sorted by mmsi
    and off time, info) where info holds counts (rows read/kept/dropped by reason, candidate gaps), partitions and
    timings.
    """
    dask, dd, distributed = require_dask()
    if criteria.min_shore_nm > 0 and land is None:
        raise BaiMeiError("A minimum distance from shore needs a land layer.")

    def report(fraction: float) -> None:
        if progress:
            progress(min(1.0, max(0.0, fraction)))

    def check() -> None:
        if is_canceled and is_canceled():
            raise Canceled()

    started = time.perf_counter()
    timings = {}
    report(0.0)
    frame, mapping, time_format = open_archive(dd, archive, columns, time_format)
    check()
    client, cluster = _client(distributed, scheduler, n_workers)
    futures = []
    try:
        timings["start"] = time.perf_counter() - started
        report(0.05)
        check()
        meta = normalise_frame(frame._meta, mapping, time_format)
        typed = frame.map_partitions(_normalise_partition, mapping, time_format, meta=meta)
        n_out = max(1, int(partitions or frame.npartitions))
        shuffled = typed.shuffle(on="mmsi", npartitions=n_out)
        land_ref = client.scatter(ShippedLand(land), broadcast=True) if land is not None else None
        tasks = [dask.delayed(partition_gaps)(part, criteria, land_ref) for part in shuffled.to_delayed()]
        check()
        report(0.1)
        futures = client.compute(tasks)
        results = []
        for done, future in enumerate(distributed.as_completed(futures), start=1):
            if is_canceled and is_canceled():
                client.cancel(futures)
                raise Canceled()
            results.append(future.result())
            report(0.1 + 0.85 * done / len(futures))
        timings["compute"] = time.perf_counter() - started - timings["start"]
        address = client.scheduler.address
        workers = len(client.scheduler_info().get("workers", {}))
    except Canceled:
        raise
    except BaiMeiError:
        raise
    except Exception as exc:
        raise BaiMeiError(f"The Dask gap detection failed: {exc}", details=repr(exc)) from exc
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    dropped: Counter = Counter()
    for part in results:
        dropped.update(part["dropped"])
    gaps = [Gap(**record) for part in results for record in part["gaps"]]
    gaps.sort(key=lambda g: (g.mmsi, g.off_time))
    report(1.0)
    info = {
        "engine": "dask",
        "scheduler": address,
        "workers": workers,
        "input_partitions": frame.npartitions,
        "partitions": n_out,
        "columns": mapping,
        "time_format": time_format,
        "rows_read": sum(p["rows_read"] for p in results),
        "rows_kept": sum(p["rows_kept"] for p in results),
        "dropped": dict(dropped),
        "candidate_gaps": sum(p["candidate_gaps"] for p in results),
        "gaps": len(gaps),
        "seconds": {**timings, "total": time.perf_counter() - started},
    }
    return gaps, info


class DaskGapEngine:
    """The gaps of an archive, found by a Dask cluster (``detect_gaps_dask``), behind the GapEngine interface.
    ``land`` chooses the land per criteria (a given land layer, or the default land when a minimum distance from
    shore needs it); ``column_map`` maps Bai Mei's names to archive columns."""

    label = "Dask"
    columns = None  # the reports stay in the archive

    def __init__(
        self,
        archive: str,
        location: ReportsLocation,
        scheduler: Optional[str] = None,
        n_workers: int = 2,
        land: LandChoice = LandChoice(),
        column_map: Optional[Dict[str, Optional[str]]] = None,
    ):
        self.archive = archive
        self.location = location
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.land = land
        self.column_map = column_map

    def find_gaps(self, criteria: GapCriteria, progress: Progress = None, is_canceled: IsCanceled = None) -> GapResult:
        gaps, info = detect_gaps_dask(
            self.archive,
            criteria,
            scheduler=self.scheduler,
            columns=self.column_map,
            land=self.land.for_criteria(criteria),
            n_workers=self.n_workers,
            progress=progress,
            is_canceled=is_canceled,
        )
        notes = [f"Archive {self.archive}; scheduler: {info.get('scheduler') or 'a local cluster'}."]
        notes += [f"{key.replace('_', ' ')}: {info[key]:,}" for key in ("rows_read", "rows_kept") if key in info]
        notes += [f"  dropped {count:,}: {reason}" for reason, count in (info.get("dropped") or {}).items()]
        notes.append(f"{len(gaps):,} gaps.")
        return GapResult(
            gaps=gaps,
            tracks=[],
            candidate_gaps=info.get("candidate_gaps", len(gaps)),
            single_report_segments=0,
            notes=notes,
        )
