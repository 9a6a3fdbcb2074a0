"""Writes the AIS format fixtures of this folder (run from the project root: python tests/data/ais_formats/generate.py).

Every file holds the same small synthetic voyage so that tests can compare formats: three vessels (MMSI 412000001,
412000002, 636000003) reporting every 10 minutes for two hours from 2021-07-20T18:00:00Z near Nampo and Dalian,
plus, where the format has a mobile or message type, a base station, an AtoN and a SAR aircraft that are not
vessels. Deterministic: running it again writes identical files (zip dates fixed). pyarrow writes the Parquet files.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import json
import lzma
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
START = dt.datetime(2021, 7, 20, 18, 0, 0, tzinfo=dt.timezone.utc)
VESSELS = (
    (412000001, "HUA YANG", "9187629", "BSDF", "NAMPO", 38.60, 125.10, 0.010, 0.015, 10.5),
    (412000002, "XIN RUN", "9123456", "BQRT", "DALIAN", 38.90, 121.70, -0.008, 0.012, 8.2),
    (636000003, "SEA STAR", "9334455", "D5AB7", "VLADIVOSTOK", 39.20, 124.00, 0.012, -0.004, 12.7),
)
STEPS = 12  # every 10 minutes for two hours
NOT_VESSELS = (  # (mmsi, DMA type of mobile, AIS message type, lat, lon)
    (2734450, "Base Station", 4, 38.70, 125.40),
    (992731000, "AtoN", 21, 38.71, 125.38),
    (111273500, "SAR Airborne", 9, 38.80, 125.00),
)
ROWS_PER_FILE = len(VESSELS) * STEPS


def reports():
    """(mmsi, datetime, lat, lon, sog, cog, heading, name, imo, callsign, destination, draught) per report."""
    for step in range(STEPS):
        when = START + dt.timedelta(minutes=10 * step)
        for mmsi, name, imo, callsign, dest, lat, lon, dlat, dlon, sog in VESSELS:
            yield (
                mmsi,
                when,
                round(lat + dlat * step, 5),
                round(lon + dlon * step, 5),
                sog,
                45.0,
                44,
                name,
                imo,
                callsign,
                dest,
                7.5,
            )


def write(name: str, data, mode: str = "w") -> str:
    path = os.path.join(HERE, name)
    with open(
        path, mode + ("b" if isinstance(data, bytes) else ""), **({} if isinstance(data, bytes) else {"newline": ""})
    ) as out:
        out.write(data)
    return path


def zipped(members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=(2021, 7, 2, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


def marinecadastre(layout_2024: bool = False) -> str:
    if layout_2024:
        lines = [
            "mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,vessel_type,status,"
            "length,width,draft,cargo,transceiver"
        ]
        for r in reports():
            stamp = r[1].strftime("%Y-%m-%d %H:%M:%S")
            lines.append(
                f"{r[0]},{stamp},{r[3]},{r[2]},{r[4]},{r[5]},{r[6]},{r[7]},IMO{r[8]},{r[9]},70,0,180,30,{r[11]},70,A"
            )
    else:
        lines = [
            "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,"
            "Cargo,TransceiverClass"
        ]
        for r in reports():
            stamp = r[1].strftime("%Y-%m-%dT%H:%M:%S")
            lines.append(
                f"{r[0]},{stamp},{r[2]},{r[3]},{r[4]},{r[5]},{r[6]},{r[7]},IMO{r[8]},{r[9]},70,0,180,30,{r[11]},70,A"
            )
    return "\n".join(lines) + "\n"


def dma() -> str:
    lines = [
        "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,"
        "Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type"
    ]
    for r in reports():
        stamp = r[1].strftime("%d/%m/%Y %H:%M:%S")
        lines.append(
            f"{stamp},Class A,{r[0]},{r[2]:.6f},{r[3]:.6f},Under way using engine,0.0,{r[4]},{r[5]},{r[6]},"
            f"{r[8]},{r[9]},{r[7]},Cargo,,30,180,GPS,{r[11]},{r[10]},,AIS"
        )
    stamp = START.strftime("%d/%m/%Y %H:%M:%S")
    for mmsi, mobile, _msg, lat, lon in NOT_VESSELS:
        lines.append(f"{stamp},{mobile},{mmsi},{lat:.6f},{lon:.6f},Unknown value,,,,,Unknown,,,Undefined,,,,GPS,,,,AIS")
    return "\n".join(lines) + "\n"


def semicolon_bom() -> bytes:
    """A spreadsheet export: UTF-8 BOM, ';' separator, quoted text, decimal commas, day-first times to the minute."""
    lines = ['"ship_id";"fix_time";"y";"x";"speed";"name"']
    for r in reports():
        stamp = r[1].strftime("%d/%m/%Y %H:%M")
        lat, lon, sog = (f"{v}".replace(".", ",") for v in (r[2], r[3], r[4]))
        lines.append(f'{r[0]};{stamp};{lat};{lon};{sog};"{r[7]}; {r[10]}"')
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def generic_with_types() -> str:
    """A generic CSV with a message-type column: numbers for vessels (1, 3, 18), 4 / 21 / 9 for the others."""
    lines = ["mmsi,timestamp,lat,lon,sog,message_type"]
    for k, r in enumerate(reports()):
        lines.append(f"{r[0]},{r[1].strftime('%Y-%m-%dT%H:%M:%SZ')},{r[2]},{r[3]},{r[4]},{(1, 3, 18)[k % 3]}")
    for mmsi, _mobile, msg, lat, lon in NOT_VESSELS:
        for step in (0, 11):  # two reports 110 minutes apart: a false 'gap' if read as a vessel
            when = (START + dt.timedelta(minutes=10 * step)).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines.append(f"{mmsi},{when},{lat},{lon},0.0,{msg}")
    return "\n".join(lines) + "\n"


def delimited(delimiter: str, time_form) -> str:
    lines = [delimiter.join(["mmsi", "time", "latitude", "longitude", "sog"])]
    for r in reports():
        lines.append(delimiter.join(str(v) for v in (r[0], time_form(r[1]), r[2], r[3], r[4])))
    return "\n".join(lines) + "\n"


def gfw_jsonl() -> str:
    """Global Fishing Watch style: ssvid as text, ISO times with Z, speed/course; two bad lines (6 and 15)."""
    lines = []
    for k, r in enumerate(reports(), 1):
        lines.append(
            json.dumps(
                {
                    "ssvid": str(r[0]),
                    "timestamp": r[1].strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "lat": r[2],
                    "lon": r[3],
                    "speed": r[4],
                    "course": r[5],
                    "shipname": r[7],
                }
            )
        )
        if k == 5:
            lines.append('{"ssvid": "412000001", "timestamp": "2021-07-20T18:55:00Z", "lat": 38.6')  # cut line
        if k == 13:
            lines.append('["not", "an", "object"]')
    return "\n".join(lines) + "\n"


def satellite_ndjson() -> str:
    """A satellite provider's style: unix milliseconds in "t", position nested, static fields beside it."""
    lines = []
    for r in reports():
        lines.append(
            json.dumps(
                {
                    "mmsi": r[0],
                    "t": int(r[1].timestamp() * 1000),
                    "position": {"latitude": r[2], "longitude": r[3]},
                    "sog": r[4],
                    "cog": r[5],
                    "heading": r[6],
                    "name": r[7],
                    "imo": int(r[8]),
                    "callsign": r[9],
                    "destination": r[10],
                    "draught": r[11],
                }
            )
        )
    return "\n".join(lines) + "\n"


def parquet_files() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(reports())
    table = pa.table(
        {
            "mmsi": pa.array([r[0] for r in rows], pa.int64()),
            "timestamp": pa.array([r[1].replace(tzinfo=None) for r in rows], pa.timestamp("us")),
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "sog": [r[4] for r in rows],
            "vessel_name": [r[7] for r in rows],
            "imo": [r[8] for r in rows],
        }
    )
    pq.write_table(table, os.path.join(HERE, "reports.parquet"))
    wkb = [struct.pack("<BIdd", 1, 1, r[3], r[2]) for r in rows]
    geo = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"], "crs": None}},
    }
    geotable = pa.table(
        {
            "ssvid": pa.array([str(r[0]) for r in rows]),
            "time": pa.array([int(r[1].timestamp()) for r in rows], pa.int64()),
            "speed": [r[4] for r in rows],
            "geometry": pa.array(wkb, pa.binary()),
        }
    ).replace_schema_metadata({"geo": json.dumps(geo)})
    pq.write_table(geotable, os.path.join(HERE, "reports_geo.parquet"))


def encrypted_zip(text: str) -> bytes:
    """A zip whose member is marked encrypted (flag bit 0), as a password-protected archive is: zipfile cannot
    write real encryption, and the mark is what readers look at first."""
    data = bytearray(zipped([("AIS_2023_01_01.csv", text)]))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + flag_offset] |= 0x01
    return bytes(data)


def main() -> None:
    mc = marinecadastre()
    write("AIS_2023_01_01.zip", zipped([("AIS_2023_01_01.csv", mc)]))
    write("AIS_2024_01_01.zip", zipped([("AIS_2024_01_01.csv", marinecadastre(layout_2024=True))]))
    write("aisdk-2018-06-01.zip", zipped([("aisdk-2018-06-01.csv", dma())]))
    half = ROWS_PER_FILE // 2 + 1
    mc_lines = mc.splitlines(keepends=True)
    write(
        "two_days.zip",
        zipped(
            [
                ("__MACOSX/._a.csv", "junk"),
                ("day1.csv", "".join(mc_lines[:half])),
                ("day2.csv", mc_lines[0] + "".join(mc_lines[half:])),
            ]
        ),
    )
    write("AIS_2023_01_01.csv.gz", gzip.compress(mc.encode(), mtime=0))
    write("AIS_2023_01_01.csv.bz2", bz2.compress(mc.encode()))
    write("AIS_2023_01_01.csv.xz", lzma.compress(mc.encode()))
    write("encrypted.zip", encrypted_zip(mc))
    write("semicolon_bom.csv", semicolon_bom())
    write("generic_message_types.csv", generic_with_types())
    write("tab_compact.tsv", delimited("\t", lambda t: t.strftime("%Y%m%d_%H%M%S")))
    write("pipe_offsets.csv", delimited("|", lambda t: t.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()))
    write("unix_ms.csv", delimited(",", lambda t: str(int(t.timestamp() * 1000))))
    write("gfw.jsonl", gfw_jsonl())
    write("satellite.ndjson.gz", gzip.compress(satellite_ndjson().encode(), mtime=0))
    parquet_files()


if __name__ == "__main__":
    main()
