"""`make demo`, second half: reachability, port visits, encounters, anomalies and imagery footprints.

Each step is the Processing algorithm an analyst would run, chained on the GeoPackage the first half wrote.
"""

from __future__ import annotations

import datetime as dt
import os

from .nampo import BERTH_LAT, BERTH_LON

# (output layer in the GeoPackage, style kind)
ANALYSIS_LAYERS = (
    ("reach_areas", "reach_areas"),
    ("candidate_visits", "candidate_visits"),
    ("port_visits", "port_visits"),
    ("stops", "stops"),
    ("destinations", "destinations"),
    ("encounters", "encounters"),
    ("rendezvous", "rendezvous"),
    ("anomalies", "anomalies"),
    ("footprints", "footprints"),
    ("sightings", "sightings"),
    ("candidates", "candidates"),
    ("sar_detections", "sar_detections"),
    ("sar_matches", "sar_matches"),
    ("dark_detections", "dark_detections"),
    ("unseen_vessels", "unseen_vessels"),
)
RADAR_LAYERS = ("sar_detections", "sar_matches", "dark_detections", "unseen_vessels")


# Layers made from the scenario before the sightings (``sightings`` and ``candidates`` come after them). Not the
# ports: they are the product's gazetteer of real ports.
LAYERS_FROM_THE_SCENARIO = ("points", "tracks", "gaps") + tuple(
    name for name, _kind in ANALYSIS_LAYERS if name not in ("sightings", "candidates", *RADAR_LAYERS)
)


def radar_check(gpkg: str, scenario: str, output: str, layer_uri, feedback, notice: str) -> None:
    """A SYNTHETIC Sentinel-1-like scene of Korea Bay on the evening the Bai Mei 8 went dark (demo.sar_scene): its
    vessels detected (baimei:detectvessels) and matched with the scenario's AIS (baimei:matchdetections); the one
    nothing explains lies in the Bai Mei 8's reachable sea. The four radar layers go into ``gpkg`` (and the case)."""
    import processing

    from ..core.ais.reader import read_ais
    from .sar_scene import write_demo_scene

    print("Radar: a synthetic Sentinel-1 scene of Korea Bay at 21:30 UTC on 15 June…", end="", flush=True)
    reports = read_ais(scenario).columns
    scene, planted = write_demo_scene(output, reports)
    del reports
    found = processing.run(
        "baimei:detectvessels", {"INPUT": scene, "OUTPUT": layer_uri(gpkg, "sar_detections")}, feedback=feedback()
    )
    processing.run(
        "baimei:matchdetections",
        {
            "DETECTIONS": f"{gpkg}|layername=sar_detections",
            "INPUT": f"{gpkg}|layername=points",
            "FOOTPRINT": scene,
            "GAPS": f"{gpkg}|layername=gaps",
            "AREAS": f"{gpkg}|layername=reach_areas",
            "OUTPUT_MATCHED": layer_uri(gpkg, "sar_matches"),
            "OUTPUT_DARK": layer_uri(gpkg, "dark_detections"),
            "OUTPUT_UNSEEN": layer_uri(gpkg, "unseen_vessels"),
        },
        feedback=feedback(),
    )
    mark_synthetic(gpkg, RADAR_LAYERS, notice)
    tell_radar(gpkg, os.path.basename(scene), found.get("DETECTION_COUNT", len(planted)))


def tell_radar(gpkg: str, scene: str, detected: int) -> None:
    """The radar's console lines: how many were detected, which matched AIS (by name), which one nothing explains
    and whose gap's reachable sea holds it."""
    from qgis.core import QgsVectorLayer

    def rows(name):
        return list(QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr").getFeatures())

    matched, dark, unseen = rows("sar_matches"), rows("dark_detections"), rows("unseen_vessels")
    names = ", ".join(f"{row['vessel_name']} ({row['offset_m']:.0f} m off)" for row in matched)
    print(f"\n  {detected} vessels detected in {scene}; {len(matched)} matched AIS" + (f": {names}" if names else "."))
    if unseen:
        print(f"  {len(unseen)} AIS vessel(s) in the scene the radar did not see.")
    print(f"  {len(dark)} not explained by AIS:")
    for row in dark:
        names, hours = str(row["vessel_names"] or "").split(", "), str(row["hours_into_gap"] or "").split(", ")
        gap_ids = str(row["gap_ids"] or "").split(", ")
        inside = [f"{n} ({h} h into its gap {g})" for n, h, g in zip(names, hours, gap_ids) if n]
        said = "; ".join(inside[:3]) + (f" and {len(inside) - 3} more" if len(inside) > 3 else "")
        point = row.geometry().asPoint()
        print(
            f"  {row['length_m']:.0f} m at {point.y():.3f} N {point.x():.3f} E, inside the reachable sea of "
            f"{said or 'no gap'}: a dark vessel candidate."
        )


def mark_synthetic(gpkg: str, names, notice: str) -> None:
    """Mark layers ``names`` of ``gpkg`` as synthetic in its metadata, so that reports made from them say so."""
    from ..qgis_io.synthetic import save_synthetic_mark

    for name in names:
        save_synthetic_mark(gpkg, name, notice)


def _utc(value) -> str:
    seconds = value.toSecsSinceEpoch() if hasattr(value, "toSecsSinceEpoch") else int(value)
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%d %b %H:%M UTC")


def run_analysis(gpkg: str, mmsi: int, catalogue: str, layer_uri, feedback) -> None:
    """Run the analysis algorithms on ``gpkg`` (points, gaps) and print what they say about vessel ``mmsi``."""
    import processing
    from qgis.core import QgsVectorLayer

    points = f"{gpkg}|layername=points"
    gaps = f"{gpkg}|layername=gaps"
    print("Reachable areas and candidate port visits of every gap…", end="", flush=True)
    reach = processing.run(
        "baimei:gapreachability",
        {
            "GAPS": gaps,
            "INPUT": points,  # the reports give each vessel's speed and the reasons of the suspicion that need them
            "OUTPUT_AREAS": layer_uri(gpkg, "reach_areas"),
            "OUTPUT_VISITS": layer_uri(gpkg, "candidate_visits"),
        },
        feedback=feedback(),
    )
    print(f"\n  {reach['VISIT_COUNT']:,} candidate visits.")
    print("Port visits and stops…", end="", flush=True)
    visits = processing.run(
        "baimei:portvisits",
        {
            "INPUT": points,
            "GAPS": gaps,
            "OUTPUT_VISITS": layer_uri(gpkg, "port_visits"),
            "OUTPUT_STOPS": layer_uri(gpkg, "stops"),
            "OUTPUT_DESTINATIONS": layer_uri(gpkg, "destinations"),
        },
        feedback=feedback(),
    )
    print(
        f"\n  {visits['VISIT_COUNT']:,} port visits; {visits['MISMATCH_COUNT']:,} gaps after which the ship went "
        "somewhere else than it declared."
    )
    print("Encounters and dark rendezvous…", end="", flush=True)
    met = processing.run(
        "baimei:encounters",
        {
            "INPUT": points,
            "GAPS": gaps,
            "AREAS": f"{gpkg}|layername=reach_areas",
            "OUTPUT": layer_uri(gpkg, "encounters"),
            "OUTPUT_RENDEZVOUS": layer_uri(gpkg, "rendezvous"),
        },
        feedback=feedback(),
    )
    print(f"\n  {met['ENCOUNTER_COUNT']:,} encounters at sea.")
    print("Identity anomalies…", end="", flush=True)
    odd = processing.run(
        "baimei:anomalies", {"INPUT": points, "OUTPUT": layer_uri(gpkg, "anomalies")}, feedback=feedback()
    )
    print(f"\n  {odd['ANOMALY_COUNT']:,} anomalies.")
    print(
        "Imagery footprints over the vessel's reachable areas while it was dark (bundled synthetic catalogue)…",
        end="",
        flush=True,
    )
    gaps_layer = QgsVectorLayer(gaps, "gaps", "ogr")
    gaps_layer.setSubsetString(f'"mmsi" = {int(mmsi)}')
    found = processing.run(
        "baimei:searchfootprints",
        {
            "GAPS": gaps_layer,
            "AOI": f"{gpkg}|layername=reach_areas",
            "SOURCE": 2,
            "URL": catalogue,
            "OUTPUT": layer_uri(gpkg, "footprints"),
        },
        feedback=feedback(),
    )
    print(f"\n  {found['FOOTPRINT_COUNT']:,} scenes.")
    summarise(gpkg, mmsi)


def summarise(gpkg: str, mmsi: int) -> None:
    from qgis.core import QgsVectorLayer

    def rows(name, expression):
        return list(QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr").getFeatures(expression))

    ports = rows("ports", "TRUE")
    print(f"\nWhat the analysis says about MMSI {mmsi}:")
    for area in sorted(rows("reach_areas", f'"mmsi" = {mmsi}'), key=lambda f: f["off_time"]):
        print(
            f"  Gap from {_utc(area['off_time'])}: reachable sea {area['area_km2']:,.0f} km² at "
            f"{area['max_speed_kn']:.1f} kn."
        )
        print(f"    {area['why']}")

        def hours(visit):
            sea = visit["max_dwell_hours_sea"]
            return sea if sea is not None and sea == sea else visit["max_dwell_hours"]  # NULL or NaN: no sea legs

        candidates = sorted(rows("candidate_visits", f"\"gap_id\" = '{area['gap_id']}'"), key=lambda f: -hours(f))
        print(
            f"    {len(candidates)} ports it could have called at (by sea); the longest possible stays: "
            + ", ".join(f"{v['port_name']} {hours(v):.0f} h" for v in candidates[:3])
        )
        for visit in (v for v in candidates if v["of_interest"]):  # the sanctioned ports are the point
            print(
                f"    of interest: {visit['port_name']} ({visit['locode']}) for up to {hours(visit):.0f} h "
                f"(arrive ≥ {_utc(visit['arrive_earliest'])}, leave ≤ {_utc(visit['depart_latest'])})"
            )
        for scene in rows("footprints", f'"gap_id" = \'{area["gap_id"]}\' AND "in_gap_window"'):
            covered = [p["name"] for p in ports if scene.geometry().contains(p.geometry())]
            print(
                f"    scene while dark: {scene['item_id']} ({scene['collection']}, {scene['gsd_m']} m) "
                f"{_utc(scene['acquired'])}" + (f", showing {', '.join(covered)}" if covered else "")
            )
    for visit in sorted(rows("port_visits", f'"mmsi" = {mmsi}'), key=lambda f: f["arrival"]):
        print(
            f"  Seen at {visit['port_name']} {_utc(visit['arrival'])} – {_utc(visit['departure'])}, declaring "
            f"{visit['destination']}."
        )
    for check in rows("destinations", f'"mmsi" = {mmsi}'):
        mismatch = check["mismatch"]
        verdict = "NOT where it went" if mismatch is True else "where it went" if mismatch is False else "unknown"
        print(
            f"  Declared {check['declared_destination']} before the gap from {_utc(check['off_time'])}; next "
            f"port seen: {check['actual_next_port']} ({verdict})."
        )
    for anomaly in rows("anomalies", f'"mmsi" = {mmsi}'):
        print(f"  Anomaly {anomaly['kind']}: {anomaly['evidence']}")


# The analyst's two sightings of the story: the Bai Mei 8 loading coal at Nampo's berth (demo/nampo.py) on the
# synthetic SkySat scenes of 17 June and 6 July (resources/scenes/<item id>.tif, made by demo/scenes.py), for the
# demo only. Each is marked on its scene, with the pixel window around the hull, so the report shows its chip.
DEMO_SIGHTINGS = (
    ("SYNTHETIC_20170617_020500_ssc3", "2017-06-17T02:05:00Z", BERTH_LON, BERTH_LAT),
    ("SYNTHETIC_20170706_022000_ssc2", "2017-07-06T02:20:00Z", BERTH_LON, BERTH_LAT),
)
CHIP_SIZE_M = 1.6 * 170.0  # the window around the hull: its measured length and a margin, square


def scene_of(image_id: str, lon: float, lat: float) -> dict:
    """The sighting fields that place it on its synthetic scene (source and pixel window). A scene file that was not
    generated keeps its source only: the report then says the chip is missing instead of showing it."""
    from qgis.core import QgsRasterLayer

    from ..paths import resource_path
    from ..qgis_io.sightings_layer import scene_attributes

    path = resource_path("scenes", f"{image_id}.tif")
    layer = QgsRasterLayer(path, image_id, "gdal") if os.path.exists(path) else None
    if layer is None or not layer.isValid():
        print(f"\n  The scene {path} is missing (make scenes): the report will have no chip for {image_id}.")
        return {"scene_source": path}
    return scene_attributes(layer, lon, lat, CHIP_SIZE_M)


DEMO_FEATURES = {
    "length_m": 170.0,
    "beam_m": 27.0,
    "heading_deg": 212.0,
    "hull_colour": "black",
    "deck_colour": "red",
    "superstructure_colour": "white",
    "superstructure_position": "aft",
    "hatch_count": 5,
    "crane_count": 4,
    "crane_type": "jib cranes",
    "bow_type": "bulbous",
    "activity": "loading",
    "cargo_visible": "coal",
    "draught_state": "laden",
    "confidence": "medium",
    "image_source": "Catalogue bai_mei_8_synthetic.geojson",
    "analyst": "make demo",
    "notes": "Synthetic demo sighting.",
}


def annotate_and_export(gpkg: str, mmsi: int, output: str, layer_uri, feedback, notice: str) -> list:
    """Two sightings at Nampo, who they could be (baimei:identifyvessels), and the case exported with its report;
    the sightings and candidates are marked synthetic (``notice``) like the rest of the demo's layers."""
    import processing
    from qgis.core import QgsFeatureRequest, QgsVectorLayer

    from ..qgis_io.sightings_layer import add_sighting, create_sightings_layer
    from ..qgis_io.synthetic import layer_is_synthetic, mark_layer_synthetic

    sightings = create_sightings_layer(gpkg, "sightings")
    for image_id, when, lon, lat in DEMO_SIGHTINGS:
        observed = int(dt.datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp())
        on_scene = {**scene_of(image_id, lon, lat), "image_id": image_id}
        add_sighting(sightings, lon, lat, {**DEMO_FEATURES, **on_scene, "observed_at": observed})
    del sightings
    print("Who are the ships on the images? (two synthetic sightings at Nampo)…", end="", flush=True)
    found = processing.run(
        "baimei:identifyvessels",
        {
            "SIGHTINGS": f"{gpkg}|layername=sightings",
            "INPUT": f"{gpkg}|layername=points",
            "GAPS": f"{gpkg}|layername=gaps",
            "AREAS": f"{gpkg}|layername=reach_areas",
            "OUTPUT": layer_uri(gpkg, "candidates"),
        },
        feedback=feedback(),
    )
    print(f"\n  {found['CANDIDATE_COUNT']} candidates ranked.")
    candidates = QgsVectorLayer(f"{gpkg}|layername=candidates", "candidates", "ogr")
    for row in sorted(candidates.getFeatures('"rank" = 1'), key=lambda f: f["observed_at"]):
        print(
            f"  {row['sighting_id']} on {_utc(row['observed_at'])}: most likely {row['name']} (MMSI {row['mmsi']}), "
            f"score {row['total_score']:.2f}, {row['spacetime_status']}."
        )
    del candidates
    mark_synthetic(gpkg, ("sightings", "candidates"), notice)

    # The case of one vessel: its layers, copied into memory (filters on several layers of one GeoPackage misbehave
    # in QGIS 3.22), plus the scenes and the sightings.
    def copy(name, expression=None):
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        request = QgsFeatureRequest()
        if expression:
            request.setFilterExpression(expression)
        memory = layer.materialize(request)
        memory.setName(name)
        if layer_is_synthetic(layer):  # materialize drops the metadata, and with it the synthetic mark
            mark_layer_synthetic(memory, layer.metadata().abstract())
        return memory

    vessel = f'"mmsi" = {int(mmsi)}'
    layers = [
        copy("tracks", vessel),
        copy("gaps", vessel),
        copy("reach_areas", vessel),
        copy("candidate_visits", vessel),
        copy("footprints", '"in_gap_window"'),
        copy("sightings"),
        copy("candidates"),
        *(copy(name) for name in RADAR_LAYERS),  # the report's "Seen on radar" page
        copy("ports"),
    ]
    print("Exporting the case (GeoPackage, KML, PDF and HTML report)…", end="", flush=True)
    result = processing.run(
        "baimei:exportcase",
        {
            "LAYERS": layers,
            "FORMATS": [0, 2],
            "FOLDER": output,
            "NAME": "bai_mei_8_case",
            "OVERWRITE": True,
            "REPORT": True,
            "MMSI": int(mmsi),
        },
        feedback=feedback(),
    )
    written = result["WRITTEN"].split(";")
    print("\n  " + "\n  ".join(written))
    return written
