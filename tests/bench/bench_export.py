"""``make bench``: the case export of the demo's whole traffic — every layer of demo-output/bai_mei_8.gpkg (every
vessel's 890 track segments with their 1.28 million vertices, 686 gaps and their reachable areas, ports, visits,
rendezvous, ...) in every format — through the same code the dock's background export runs
(tasks.export_tasks.run_export). Prints the seconds per format and in all (the target: under a minute); a figure,
not a pass/fail. KML and GeoJSON are the plugin's own streaming writers (qgis_io/kml_writer.py, geojson_writer.py);
GDAL's GeoJSON writer took 41 s of the 84 s this export took before, the plugin's about 7 s.

The raw AIS reports (the ``points`` table, 1.28 million rows) are left out unless ``--with-points``: they are the
input, not the case, and GDAL alone takes minutes to write them as CSV.

    python -m tests.bench.bench_export [--gpkg demo-output/bai_mei_8.gpkg] [--formats gpkg,geojson,kml,csv]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time

DEMO = os.path.join("demo-output", "bai_mei_8.gpkg")


def demo_layers(path: str, with_points: bool = False):
    from qgis.core import QgsVectorLayer

    whole = QgsVectorLayer(path, "all", "ogr")  # kept: its provider lists the tables
    names = [name.split("!!::!!")[1] for name in whole.dataProvider().subLayers() if "!!::!!" in name]
    skipped = {"layer_styles"} | (set() if with_points else {"points"})
    layers = [QgsVectorLayer(f"{path}|layername={name}", name, "ogr") for name in names if name not in skipped]
    return [layer for layer in layers if layer.isValid()]


def measure(path: str, formats, with_points: bool = False) -> None:
    from qgis.core import QgsProcessingFeedback

    from bai_mei_plugin.qgis_io.case_export import estimate_export
    from bai_mei_plugin.tasks.export_tasks import ExportJob, run_export

    layers = demo_layers(path, with_points)
    started = time.monotonic()
    estimate = estimate_export([(layer, None) for layer in layers], formats)
    print(f"Estimate ({time.monotonic() - started:.1f} s): {estimate.text()}")
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="bench_export_") as folder:
        for fmt in formats:
            started = time.monotonic()
            written = run_export(
                ExportJob([(layer, None) for layer in layers], folder, [fmt], "demo"), QgsProcessingFeedback()
            )
            seconds = time.monotonic() - started
            total += seconds
            size = sum(os.path.getsize(p) for p in written)
            print(
                f"{fmt}: {seconds:.1f} s, {len(written)} file(s), {size / 1e6:,.0f} MB "
                f"(estimated {estimate.bytes_by_format[fmt] / 1e6:,.0f} MB)"
            )
    print(
        f"Export of the demo's whole traffic ({len(layers)} layers, {', '.join(formats)}): {total:.1f} s "
        "(target: under 60 s)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gpkg", default=DEMO)
    parser.add_argument("--formats", default="gpkg,geojson,kml,csv")
    parser.add_argument("--with-points", action="store_true", help="also the 1.28 million raw AIS reports")
    args = parser.parse_args(argv)
    if not os.path.exists(args.gpkg):
        print(f"{args.gpkg} is missing: run `make demo` first.")
        return 1
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        measure(args.gpkg, args.formats.split(","), args.with_points)
    finally:
        gc.collect()  # the layers go while QGIS is up: freed after exitQgis it crashes QGIS 3.22
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
