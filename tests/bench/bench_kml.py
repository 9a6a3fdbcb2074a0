"""``make bench``: the case export's KML for a tracks layer the size of the demo's (890 segments, 1.28 million
vertices; GDAL's LIBKML driver took 6 minutes for it). Prints the seconds; a figure, not a pass/fail.

    python -m tests.bench.bench_kml [--segments 890] [--vertices 1280000]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time


def measure(segments: int, vertices: int) -> None:
    from bai_mei_plugin.qgis_io.case_export import export_layers
    from tests.qgis.test_kml_writer import tracks_layer

    started = time.monotonic()
    layer = tracks_layer(segments, vertices)
    made = time.monotonic() - started
    with tempfile.TemporaryDirectory(prefix="bench_kml_") as folder:
        started = time.monotonic()
        (path,) = export_layers([layer], folder, ["kml"], "bench")
        seconds = time.monotonic() - started
        size = os.path.getsize(path)
    print(
        f"KML export of a tracks layer ({segments} segments, {vertices:,} vertices): {seconds:.2f} s, "
        f"{size / 1e6:.1f} MB (the layer generated in {made:.1f} s; LIBKML took 360 s)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=890)
    parser.add_argument("--vertices", type=int, default=1_280_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        measure(args.segments, args.vertices)
    finally:
        gc.collect()  # the layer goes while QGIS is up: freed after exitQgis it crashes QGIS 3.22
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
