"""`make demo`: the Bai Mei 8 scenario end to end, headless.

Generates the synthetic scenario, runs ``baimei:importais``, ``baimei:detectgaps``, ``baimei:scoregaps`` (every gap
scored: the ``gaps`` layer carries the suspicion, its rank and why) and the analysis algorithms
(reachability, port visits, encounters, anomalies, footprints in the bundled synthetic catalogue) through
Processing, writes ``bai_mei_8.gpkg`` (every layer with its style), renders ``bai_mei_8_map.png`` with QGIS's
layout engine and prints what the analysis says about the Bai Mei 8.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

SCENARIO_NAME = "bai_mei_8_scenario.csv"


def _start_qgis():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    plugins = "/usr/share/qgis/python/plugins"
    if os.path.isdir(plugins) and plugins not in sys.path:
        sys.path.append(plugins)
    from processing.core.Processing import Processing

    Processing.initialize()
    from ..processing.provider import BaiMeiProvider

    provider = BaiMeiProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    return app, provider


def _utc(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _gpkg_layer(gpkg: str, name: str) -> str:
    return f"ogr:dbname='{gpkg}' table=\"{name}\" (geom)"


def console_feedback():
    """Processing feedback that prints progress in steps of 10 % on one line."""
    from qgis.core import QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    shown = [-10.0]

    def show(percent):
        if percent >= shown[0] + 10:
            shown[0] = percent - percent % 10
            print(f"  {shown[0]:.0f}%", end="", flush=True)

    feedback.progressChanged.connect(show)
    return feedback


def write_ports(gpkg: str, ports_csv: str):
    from qgis.core import (
        QgsCoordinateTransformContext,
        QgsFeature,
        QgsGeometry,
        QgsPointXY,
        QgsVectorFileWriter,
        QgsVectorLayer,
    )

    from ..core.ports import load_ports
    from ..qgis_io.compat import field

    layer = QgsVectorLayer("Point?crs=EPSG:4326", "ports", "memory")
    layer.dataProvider().addAttributes([field(n, "str") for n in ("name", "locode", "country")])
    layer.updateFields()
    features = []
    for port in load_ports(ports_csv):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([port.name, port.locode, port.country])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(port.lon, port.lat)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = "ports"
    options.actionOnExistingFile = QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer
    write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
    error = write(layer, gpkg, QgsCoordinateTransformContext(), options)
    if error[0] != QgsVectorFileWriter.WriterError.NoError:
        raise RuntimeError(f"Could not write the ports to {gpkg}: {error}")


def run(output: str) -> int:
    from ..core.atomic import atomic_output
    from .scenario import SYNTHETIC_NOTICE, generate_scenario

    os.makedirs(output, exist_ok=True)
    started = time.perf_counter()
    scenario = os.path.join(output, SCENARIO_NAME)
    info = generate_scenario(scenario)
    print(f"Scenario: {scenario} ({info.rows:,} reports, {info.vessels} vessels). {SYNTHETIC_NOTICE}")

    app, _provider = _start_qgis()
    from qgis.core import QgsProject

    gpkg = os.path.abspath(os.path.join(output, "bai_mei_8.gpkg"))
    png = os.path.join(output, "bai_mei_8_map.png")
    # The GeoPackage is built under a temporary name and replaces an earlier one only once it is complete (the map
    # and the case export write theirs the same way).
    with atomic_output(gpkg, log=print) as building:
        kept = build_geopackage(building, scenario, info, output)
        tell_and_map(app, building, info, kept, png)
        QgsProject.instance().removeAllMapLayers()  # closes the file before it is renamed
    print(
        f"\nWrote {gpkg} (points, tracks, gaps, ports, reach_areas, candidate_visits, port_visits, stops, "
        f"destinations, encounters, rendezvous, anomalies, footprints, sightings, candidates, sar_detections, "
        f"dark_detections), {png} and the case "
        f"(bai_mei_8_case.gpkg, .kml, _report.pdf, _report.html) in "
        f"{time.perf_counter() - started:.0f} s."
    )
    return 0


def build_geopackage(gpkg: str, scenario: str, info, output: str) -> int:
    """Every layer of the demo into ``gpkg`` through the Processing algorithms; returns the reports kept."""
    import processing

    from ..core.ports import DEFAULT_PORTS_FILE
    from ..paths import resource_path
    from .analysis import LAYERS_FROM_THE_SCENARIO, annotate_and_export, mark_synthetic, radar_check, run_analysis

    print("Importing AIS…", end="", flush=True)
    imported = processing.run(
        "baimei:importais", {"INPUT": scenario, "OUTPUT": _gpkg_layer(gpkg, "points")}, feedback=console_feedback()
    )
    print(
        f"\n  {imported['ROWS_READ']:,} rows read, {imported['ROWS_KEPT']:,} kept, "
        f"{imported['ROWS_DROPPED']:,} dropped (base stations, AtoN...)."
    )
    print("Detecting dark gaps…", end="", flush=True)
    found = processing.run(
        "baimei:detectgaps",
        {
            "INPUT": f"{gpkg}|layername=points",
            "OUTPUT_GAPS": _gpkg_layer(gpkg, "gaps"),
            "OUTPUT_TRACKS": _gpkg_layer(gpkg, "tracks"),
        },
        feedback=console_feedback(),
    )
    print(f"\n  {found['GAP_COUNT']:,} gaps of 6 h or more in all the traffic.")
    score_every_gap(gpkg)
    write_ports(gpkg, resource_path("ports", DEFAULT_PORTS_FILE))  # the product's default: the World Port Index
    run_analysis(
        gpkg,
        info.bai_mei_mmsi,
        resource_path("catalogues", "bai_mei_8_synthetic.geojson"),
        _gpkg_layer,
        console_feedback,
    )
    # What is made from the scenario says it is synthetic, in the GeoPackage's metadata; the sightings and
    # candidates are marked once they exist.
    mark_synthetic(gpkg, LAYERS_FROM_THE_SCENARIO, info.notice)
    radar_check(gpkg, scenario, os.path.abspath(output), _gpkg_layer, console_feedback, info.notice)
    annotate_and_export(gpkg, info.bai_mei_mmsi, os.path.abspath(output), _gpkg_layer, console_feedback, info.notice)
    return imported["ROWS_KEPT"]


def score_every_gap(gpkg: str) -> None:
    """Score every gap (baimei:scoregaps) and replace the GeoPackage's ``gaps`` with the scored gaps, most
    suspicious first: nobody types a vessel's name to find the one that matters. The lists saved in the user's
    profile are left out, so that every machine prints the same demo."""
    import processing

    print("Scoring every gap by suspicion…", end="", flush=True)
    scored = processing.run(
        "baimei:scoregaps",
        {
            "INPUT": f"{gpkg}|layername=points",
            "GAPS": f"{gpkg}|layername=gaps",
            "USE_SAVED_LISTS": False,
            "OUTPUT": _gpkg_layer(gpkg, "gaps"),
        },
        feedback=console_feedback(),
    )
    print(
        f"\n  {scored['HIGH_COUNT']:,} high, {scored['MEDIUM_COUNT']:,} medium, {scored['LOW_COUNT']:,} low "
        f"of {scored['GAP_COUNT']:,} gaps."
    )


def _reasons(why: str) -> str:
    """The reasons of a ``why`` without its leading "Suspicion high (9 pts): ", which the summary says its way."""
    return why.split(": ", 1)[1] if why.startswith("Suspicion ") and ": " in why else why


def print_ranking(gaps_layer, june) -> None:
    """Where the vessel's June gap ranks by suspicion among all the gaps, and the five most suspicious."""
    total = gaps_layer.featureCount()
    if june is not None:
        print(
            f"  Its June gap: suspicion rank {june['suspicion_rank']} of {total:,} — {june['suspicion_level']} "
            f"({june['suspicion']:g} pts): {_reasons(june['why'])}"
        )
    print("\nThe most suspicious gaps of all the traffic (no name typed):")
    top = sorted(gaps_layer.getFeatures('"suspicion_rank" <= 5'), key=lambda f: f["suspicion_rank"])
    for f in top:
        print(
            f"  {f['suspicion_rank']}. {f['vessel_name']} (MMSI {f['mmsi']}), dark "
            f"{_utc(f['off_time'].toSecsSinceEpoch())} for {f['gap_hours']:.0f} h — {f['suspicion_level']} "
            f"({f['suspicion']:g} pts): {_reasons(f['why'])}"
        )


def tell_and_map(app, gpkg: str, info, kept: int, png: str) -> None:
    """Style every layer of ``gpkg`` (saved in the file), print the Bai Mei 8's gaps and render the case map."""
    from qgis.core import QgsProject, QgsRectangle, QgsVectorLayer

    from ..qgis_io.compat import save_style_to_database
    from ..qgis_io.land import world_map_layer
    from ..qgis_io.map_export import export_case_map
    from ..qgis_io.styles import apply_style
    from .analysis import ANALYSIS_LAYERS

    layers = {}
    kinds = [("points", "points"), ("tracks", "tracks"), ("gaps", "scored_gaps"), ("ports", "ports"), *ANALYSIS_LAYERS]
    for name, kind in kinds:
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        if not layer.isValid():
            raise RuntimeError(f"{gpkg} has no valid layer {name}")
        if name != "sightings":  # created with its style and form saved in the file
            apply_style(layer, kind)
            save_style_to_database(layer, name, "Bai Mei style")
        layers[name] = layer
    land = world_map_layer("Land (Natural Earth)")
    apply_style(land, "land")

    bm = info.bai_mei_mmsi
    gaps = sorted(layers["gaps"].getFeatures(f'"mmsi" = {bm}'), key=lambda f: f["off_time"])
    print(f"\nThe Bai Mei 8 (MMSI {bm}, synthetic) went dark {len(gaps)} times:")
    for f in gaps:
        print(
            f"  off {_utc(f['off_time'].toSecsSinceEpoch())} at {f['off_lat']:.2f}N {f['off_lon']:.2f}E → "
            f"on {_utc(f['on_time'].toSecsSinceEpoch())} at {f['on_lat']:.2f}N {f['on_lon']:.2f}E: "
            f"{f['gap_hours']:.1f} h dark, {f['distance_nm']:.0f} nm apart, draught {f['draught_before']} → "
            f"{f['draught_after']} m, destination {f['destination_before']} → {f['destination_after']}"
        )
    everyone = sorted((f["gap_hours"] for f in layers["gaps"].getFeatures()), reverse=True)
    if gaps:
        rank = everyone.index(max(f["gap_hours"] for f in gaps)) + 1
        print(f"  Its longest gap ranks {rank} of {len(everyone):,} by duration in the whole traffic.")
    print_ranking(layers["gaps"], gaps[0] if gaps else None)

    # The map draws the vessel's gaps over everyone else's, from the plain gaps style (the GeoPackage keeps the style
    # by suspicion as its default, which is what loading a style into a layer of it would give back).
    plain = QgsVectorLayer("LineString?crs=EPSG:4326", "gaps style", "memory")
    apply_style(plain, "gaps")
    layers["gaps"].setRenderer(plain.renderer().clone())
    highlight_vessel(layers, bm)
    project = QgsProject.instance()
    project.setCrs(land.crs())
    project.setEllipsoid("EPSG:7030")  # WGS 84, so that the scale bar measures nautical miles on the ellipsoid
    # The case: the vessel's reachable sea during its June gap, the DPRK ports it could have called at, and the
    # scenes taken there while it was dark.
    june = gaps[0]["gap_id"] if gaps else ""
    layers["reach_areas"].setSubsetString(f"\"gap_id\" = '{june}'")
    layers["reach_areas"].setName("Reachable sea (June)")
    layers["candidate_visits"].setSubsetString(f"\"gap_id\" = '{june}' AND \"locode\" LIKE 'KP%'")
    layers["candidate_visits"].setName("DPRK ports in reach")
    layers["footprints"].setSubsetString('"in_gap_window"')
    layers["footprints"].setName("Scenes")
    case = [
        layers["candidate_visits"],
        layers["footprints"],
        layers["ports"],
        layers["gaps"],
        layers["tracks"],
        layers["reach_areas"],
        land,
    ]
    for layer in reversed(case):
        project.addMapLayer(layer)
    export_case_map(
        project,
        case,
        QgsRectangle(117.0, 27.0, 136.0, 45.0),
        "Bai Mei 8: dark gaps, June–July 2017",
        f"Synthetic reconstruction of the public story; {info.vessels} vessels, "
        f"{kept:,} AIS reports; dark gaps ≥ 6 h dashed in red, the Bai Mei 8 in bold, "
        "its reachable sea in June shaded, scenes taken while it was dark outlined.",
        png,
    )


def highlight_vessel(layers, mmsi: int) -> None:
    """Draw one vessel's track and gaps boldly over the faint background traffic (the demo map only)."""
    from qgis.core import QgsRuleBasedRenderer

    for name, faint_opacity in (("tracks", 0.35), ("gaps", 0.2)):
        layer = layers[name]
        base = layer.renderer().symbol().clone()
        bold = base.clone()
        bold.setWidth(bold.width() * 3 if name == "tracks" else bold.width() * 2)
        if name == "tracks":
            bold.setColor(base.color().fromRgb(230, 120, 0))
        faint = base.clone()
        faint.setOpacity(faint_opacity)
        if name == "gaps":  # other vessels' gaps in grey, so that red means the vessel of interest
            faint.setWidth(faint.width() * 0.5)
            faint.setColor(base.color().fromRgb(110, 110, 110))
        root = QgsRuleBasedRenderer.Rule(None)
        root.appendChild(QgsRuleBasedRenderer.Rule(faint, 0, 0, f'"mmsi" <> {mmsi}', "Other vessels"))
        root.appendChild(QgsRuleBasedRenderer.Rule(bold, 0, 0, f'"mmsi" = {mmsi}', "Bai Mei 8"))
        layer.setRenderer(QgsRuleBasedRenderer(root))
        layer.setName("Tracks" if name == "tracks" else "Dark gaps (≥ 6 h)")
    layers["ports"].setName("Ports")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="demo-output", help="folder for the scenario, GeoPackage and map")
    args = parser.parse_args(argv)
    from ..core.errors import BaiMeiError

    try:
        return run(args.output)
    except BaiMeiError as exc:
        print(f"Bai Mei: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
