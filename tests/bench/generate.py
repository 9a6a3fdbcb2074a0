"""A deterministic synthetic MarineCadastre (2015-2023 layout) AIS file for the benchmark.

About 3,000 vessels over one week, rows interleaved by time as real feeds are, each vessel on a correlated random
walk at a plausible speed, with reception gaps (short ones and ones of 6 h and more, so there are thousands of gaps
at the default 6 h threshold). No row is a duplicate of another (MMSI, time), every position is in range and every
vessel is Class A or B, so Bai Mei's cleaning drops nothing and a plain baseline finds the same gaps.

Everything is vectorised numpy; text is built as a byte matrix (unused cells are NUL and dropped) and written in
chunks, so 5 million rows take a few seconds. Files are cached under ``bench-output/`` by size, seed and generator
version.

    python -m tests.bench.generate 1000000 [--seed 20200601] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 1
HEADER = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,"
    "Cargo,TransceiverClass"
)
START = np.datetime64("2020-06-01T00:00:00", "s")
SPAN_S = 7 * 86400
N_VESSELS = 3000
DEFAULT_SEED = 20200601
CHUNK_ROWS = 400_000
MAX_NORMAL_STEP_S = 5 * 3600  # ordinary reporting intervals stay below the 6 h gap threshold
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "bench-output"

# Sea areas of the MarineCadastre coverage (lon_min, lon_max, lat_min, lat_max): Gulf of Mexico, Atlantic, Pacific.
REGIONS = np.array([(-96.0, -83.0, 21.0, 28.0), (-74.0, -60.0, 26.0, 40.0), (-130.0, -121.0, 30.0, 45.0)])

COMMA, DOT, MINUS, NEWLINE, NUL = ord(","), ord("."), ord("-"), ord("\n"), 0


def cached_path(rows: int, seed: int = DEFAULT_SEED, out_dir: Path = OUTPUT_DIR) -> Path:
    return Path(out_dir) / f"ais_mc_{rows}_s{seed}_g{GENERATOR_VERSION}.csv"


def ensure_file(rows: int, seed: int = DEFAULT_SEED, out_dir: Path = OUTPUT_DIR, log=print) -> Path:
    """The cached file for (rows, seed, generator version), generated if missing."""
    path = cached_path(rows, seed, out_dir)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        write_csv(tmp, rows, seed)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    if log:
        log(f"generated {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s")
    return path


# ---------------------------------------------------------------------------------------------------------------
# The data


def _per_vessel_cumsum(values: np.ndarray, first: np.ndarray, vid: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each vessel's first row (values at first rows are included)."""
    total = np.cumsum(values)
    return total - total[first[vid]] + values[first[vid]]


def simulate(rows: int, seed: int = DEFAULT_SEED, vessels: int = N_VESSELS) -> dict:
    """The reports as arrays in vessel order (``order`` sorts them by time), plus per-vessel static data."""
    rng = np.random.default_rng(seed)
    vessels = max(1, min(vessels, rows // 2))
    if rows < 2 * vessels:
        raise ValueError("need at least two rows per vessel")

    # Vessels: distinct MMSIs (9 digits), report counts (a few chatty, some sparse), active windows.
    mmsi = np.unique(rng.integers(200_000_000, 800_000_000, size=vessels * 2))
    mmsi = rng.permutation(mmsi)[:vessels]
    weights = rng.lognormal(0.0, 0.6, size=vessels)
    counts = 2 + rng.multinomial(rows - 2 * vessels, weights / weights.sum())
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    vid = np.repeat(np.arange(vessels), counts)
    begin = np.where(rng.random(vessels) < 0.5, rng.uniform(0, 0.2 * SPAN_S, vessels), 0.0)
    end = np.where(rng.random(vessels) < 0.5, rng.uniform(0.8 * SPAN_S, SPAN_S, vessels), SPAN_S)

    # Reception gaps: about three per vessel, a little over half of them 6 h or longer.
    n_gaps = rng.poisson(3.0, size=vessels)
    gap_vessel = np.repeat(np.arange(vessels), n_gaps)
    long_gap = rng.random(len(gap_vessel)) < 0.55
    duration = np.where(
        long_gap,
        6 * 3600 + np.minimum(rng.exponential(12 * 3600, len(gap_vessel)), 66 * 3600),
        rng.uniform(0.5 * 3600, 5.5 * 3600, len(gap_vessel)),
    )
    gap_row = first[gap_vessel] + 1 + (rng.random(len(gap_vessel)) * (counts[gap_vessel] - 1)).astype(np.int64)
    extra = np.bincount(gap_row, weights=np.round(duration), minlength=rows).astype(np.int64)
    gap_total = np.bincount(gap_vessel, weights=duration, minlength=vessels)

    # Times: jittered steps around each vessel's mean interval, at least 1 s (so no duplicate times), plus gaps.
    active = end - begin
    mean_step = np.clip(np.maximum(active - gap_total, 0.4 * active) / counts, 5.0, 2 * 3600.0)
    step = np.maximum(1, np.round(mean_step[vid] * rng.uniform(0.3, 1.7, rows))).astype(np.int64)
    step = np.minimum(step, MAX_NORMAL_STEP_S) + extra
    step[first] = 0
    t = np.round(begin).astype(np.int64)[vid] + _per_vessel_cumsum(step, first, vid)

    # Motion: speed per vessel, course drifting as a random walk, position integrated from the start.
    kind = rng.random(vessels)
    speed = np.where(
        kind < 0.2,
        rng.uniform(0.0, 1.0, vessels),
        np.where(kind < 0.3, rng.uniform(3.0, 8.0, vessels), rng.uniform(8.0, 20.0, vessels)),
    )
    region = REGIONS[rng.integers(0, len(REGIONS), vessels)]
    lon0 = rng.uniform(region[:, 0], region[:, 1])
    lat0 = rng.uniform(region[:, 2], region[:, 3])
    turn = rng.normal(0.0, 1.0, rows) * 0.3 * np.sqrt(step / 600.0)
    turn[first] = rng.uniform(0.0, 2 * np.pi, vessels)
    course = _per_vessel_cumsum(turn, first, vid)
    sog = np.clip(speed[vid] * (1.0 + rng.normal(0.0, 0.05, rows)), 0.0, 60.0)
    distance_nm = sog * step / 3600.0
    dlat = distance_nm * np.cos(course) / 60.0
    dlon = distance_nm * np.sin(course) / (60.0 * np.cos(np.radians(lat0[vid])))
    dlat[first] = dlon[first] = 0.0
    lat = np.clip(lat0[vid] + _per_vessel_cumsum(dlat, first, vid), -85.0, 85.0)
    lon = (lon0[vid] + _per_vessel_cumsum(dlon, first, vid) + 180.0) % 360.0 - 180.0
    cog = np.degrees(course) % 360.0
    heading = np.round(cog + rng.normal(0.0, 3.0, rows)).astype(np.int64) % 360
    no_gyro = rng.random(vessels) < 0.15
    heading[no_gyro[vid] | (rng.random(rows) < 0.02)] = 511

    order = np.argsort(t, kind="stable")
    return {
        "mmsi": mmsi,
        "vid": vid,
        "t": t,
        "lat": lat,
        "lon": lon,
        "sog": sog,
        "cog": cog,
        "heading": heading,
        "order": order,
        "static": _static_text(rng, vessels),
    }


def _static_text(rng: np.random.Generator, vessels: int) -> list:
    """Per vessel: the columns VesselName ... TransceiverClass, as one CSV fragment each."""
    vessel_type = rng.choice([30, 31, 37, 52, 60, 70, 80, 90], size=vessels)
    status = rng.choice(["0", "1", "5", "15", ""], size=vessels)
    length = rng.integers(10, 300, size=vessels)
    width = np.maximum(3, length // rng.integers(5, 8, size=vessels))
    draft = rng.uniform(1.0, 15.0, size=vessels)
    has_draft = rng.random(vessels) >= 0.35
    cargo = rng.choice(["70", "71", "80", "", ""], size=vessels)
    class_a = rng.random(vessels) < 0.7
    has_imo = class_a & (rng.random(vessels) < 0.7)
    imo = rng.integers(0, 1_000_000, size=vessels)
    callsign = rng.integers(0, 10_000, size=vessels)
    letters = rng.integers(0, 26, size=(vessels, 2))
    named = rng.random(vessels) >= 0.03
    out = []
    for k in range(vessels):
        out.append(
            ",".join(
                (
                    f"VESSEL {k + 1}" if named[k] else "",
                    f"IMO9{imo[k]:06d}" if has_imo[k] else "",
                    f"W{chr(65 + letters[k, 0])}{chr(65 + letters[k, 1])}{callsign[k]:04d}",
                    str(vessel_type[k]),
                    str(status[k]),
                    str(length[k]),
                    str(width[k]),
                    f"{draft[k]:.1f}" if has_draft[k] else "",
                    str(cargo[k]),
                    "A" if class_a[k] else "B",
                )
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------------------
# The text: fixed-width byte matrices with NUL in unused cells, flattened and stripped of NULs.


def _column(n: int, byte: int) -> np.ndarray:
    return np.full((n, 1), byte, dtype=np.uint8)


def _digits(values: np.ndarray, width: int, keep_leading_zeros: bool = False) -> np.ndarray:
    """Decimal digits of non-negative integers, right-aligned in ``width`` cells (leading zeros NUL)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (values[:, None] // powers) % 10
    out = (digits + ord("0")).astype(np.uint8)
    if not keep_leading_zeros:
        leading = (values[:, None] < powers) & (powers > 1)
        out[leading] = NUL
    return out


def _fixed(values: np.ndarray, int_width: int, decimals: int) -> np.ndarray:
    """Numbers with exactly ``decimals`` decimals: sign, integer part, point, fraction."""
    scaled = np.round(np.abs(values) * 10**decimals).astype(np.int64)
    sign = np.where((values < 0) & (scaled > 0), MINUS, NUL).astype(np.uint8)[:, None]
    whole, fraction = np.divmod(scaled, 10**decimals)
    return np.hstack(
        (
            sign,
            _digits(whole, int_width),
            _column(len(values), DOT),
            _digits(fraction, decimals, keep_leading_zeros=True),
        )
    )


def _fragments(texts: list) -> np.ndarray:
    """Byte strings as a NUL-padded (n, width) matrix."""
    arr = np.array([s.encode("ascii") for s in texts])
    return arr.view(np.uint8).reshape(len(texts), arr.dtype.itemsize)


def _time_text(t: np.ndarray) -> np.ndarray:
    """ISO times ``2020-06-01T00:00:01`` from seconds since START, as an (n, 19) byte matrix."""
    day, second = np.divmod(t, 86400)
    days = np.arange(int(day.min()), int(day.max()) + 1)
    dates = np.datetime_as_string(START + days * np.timedelta64(86400, "s"), unit="D").astype("S10")
    date_bytes = dates.view(np.uint8).reshape(len(days), 10)[day - days[0]]
    hour, rest = np.divmod(second, 3600)
    minute, sec = np.divmod(rest, 60)
    colon = _column(len(t), ord(":"))
    return np.hstack(
        (
            date_bytes,
            _column(len(t), ord("T")),
            _digits(hour, 2, True),
            colon,
            _digits(minute, 2, True),
            colon,
            _digits(sec, 2, True),
        )
    )


def write_csv(path, rows: int, seed: int = DEFAULT_SEED) -> None:
    data = simulate(rows, seed)
    prefix = _fragments([f"{m}," for m in data["mmsi"].tolist()])
    suffix = _fragments([f",{s}\n" for s in data["static"]])
    with open(path, "wb") as handle:
        handle.write((HEADER + "\n").encode("ascii"))
        for start in range(0, rows, CHUNK_ROWS):
            idx = data["order"][start : start + CHUNK_ROWS]
            n = len(idx)
            vid = data["vid"][idx]
            comma = _column(n, COMMA)
            matrix = np.hstack(
                (
                    prefix[vid],
                    _time_text(data["t"][idx]),
                    comma,
                    _fixed(data["lat"][idx], 2, 5),
                    comma,
                    _fixed(data["lon"][idx], 3, 5),
                    comma,
                    _fixed(data["sog"][idx], 2, 1),
                    comma,
                    _fixed(data["cog"][idx], 3, 1),
                    comma,
                    _digits(data["heading"][idx], 3),
                    suffix[vid],
                )
            )
            flat = matrix.ravel()
            handle.write(flat[flat != NUL].tobytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args()
    print(ensure_file(args.rows, args.seed, args.out))


if __name__ == "__main__":
    main()
