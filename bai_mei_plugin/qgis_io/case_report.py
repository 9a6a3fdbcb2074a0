"""The case report: a QGIS print layout filled from ``resources/layouts/case_report.qpt`` and exported to PDF, and
the same content as one self-contained HTML file.

Page 1: title, the map (track, dark gaps, reachable sea, candidate ports, imagery footprints, sightings and their
most likely vessel), legend and summary. Page 2: a timeline of AIS on/off, imagery and sightings; the sightings with
their features; their top candidates. Page 3: the scenes and the data sources. Then, for the sightings marked on a
scene, a page per four sightings with the image chip cut from the scene beside the sighting's features. The template
is the layout ``build_case_layout`` makes (``python -m bai_mei_plugin.qgis_io.case_report`` rewrites it); analysts
may edit it in QGIS's layout designer, keeping the item ids (``ITEM_IDS``); table columns come from the template.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import os
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMultiFrame,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLegendStyle,
    QgsPrintLayout,
    QgsReadWriteContext,
    QgsRectangle,
    QgsRenderContext,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen, QPolygonF
from qgis.PyQt.QtXml import QDomDocument

from ..core.errors import BaiMeiError
from ..core.layer_kinds import LAND, layer_kind
from ..core.sightings import FIELD_BY_NAME, WINDOW_FIELDS, window_of
from ..core.synthetic import GENERIC_NOTICE
from ..paths import resource_path, version
from .compat import null_rectangle, set_label_font
from .land import default_land_path, world_map_layer
from .layer_kinds import recognised_kind
from .layers import epoch_seconds
from .sightings_layer import SIGHTING_LABEL_EXPRESSION, read_chip
from .styles import apply_style
from .synthetic import layer_is_synthetic, notice_of, synthetic_footprints

TEMPLATE = resource_path("layouts", "case_report.qpt")
MAP_ORDER = ("candidates", "sightings", "candidate_visits", "ports", "gaps", "tracks", "footprints", "reach_areas")
LAND_NAME = LAND.title
TEXT_AS_TEXT = getattr(QgsRenderContext, "TextFormatAlwaysText", None)
if TEXT_AS_TEXT is None:  # QGIS 3.28+ moved the enum
    TEXT_AS_TEXT = Qgis.TextRenderFormat.AlwaysText
PORTS_PER_GAP = 8  # the longest possible stays of each gap, plus every DPRK port in reach
HTML_STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#222}h1{margin-bottom:0}"
    ".sub{color:#555}.notice{color:#a00;border:1px solid #a00;padding:.5em}img{max-width:100%;"
    "border:1px solid #999}table{border-collapse:collapse;font-size:.85em;margin-bottom:1em}"
    "th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eee}"
    "figure.chip{display:inline-flex;gap:1em;margin:0 1.5em 1.5em 0;vertical-align:top}figure.chip img{width:320px}"
    "figcaption ul{margin:.3em 0;padding-left:1.2em;font-size:.85em}.chipnote{color:#a00;max-width:320px}"
)


@dataclass
class CaseVessel:
    """The vessel the case is about; ``synthetic`` puts the synthetic-data notice on the report."""

    mmsi: Optional[int]
    name: str = ""
    imo: str = ""
    synthetic: bool = False

    @property
    def title(self) -> str:
        return (self.name or "Unknown vessel") + (f" (MMSI {self.mmsi})" if self.mmsi else "")


def case_layers(layers) -> Dict[str, QgsVectorLayer]:
    """The case's layers by kind (gaps, tracks, reach_areas, ...), recognised by their fields; the first wins."""
    found: Dict[str, QgsVectorLayer] = {}
    for layer in layers:
        if isinstance(layer, QgsVectorLayer):
            kind = recognised_kind(layer)
            if kind == "scored_gaps":  # gaps with their suspicion (baimei:scoregaps): the case's gaps
                kind = "gaps"
            kind = kind or radar_kind(layer)
            if kind is not None:
                found.setdefault(kind, layer)
    return found


# The radar's layers (baimei:detectvessels, baimei:matchdetections), most specific first. They have no signature
# in core.layer_kinds' recognition order: a layer is one of them when it has every field of the kind.
RADAR_KINDS = ("sar_matches", "dark_detections", "unseen_vessels", "sar_detections")


def radar_kind(layer) -> Optional[str]:
    names = set(layer.fields().names())
    return next((k for k in RADAR_KINDS if set(layer_kind(k).names) <= names), None)


def _values(layer, field, expression="TRUE") -> list:
    if layer is None or field not in layer.fields().names():
        return []
    request = QgsFeatureRequest().setFilterExpression(expression).setFlags(QgsFeatureRequest.Flag.NoGeometry)
    return [f[field] for f in layer.getFeatures(request) if f[field] is not None and str(f[field]) != "NULL"]


def guess_vessel(layers: Dict[str, QgsVectorLayer], mmsi: Optional[int] = None) -> CaseVessel:
    """``mmsi``, else the most likely vessel of most sightings, else the vessel with the longest gap."""
    if mmsi is None:
        votes = Counter(
            _values(layers.get("candidates"), "mmsi", '"rank" = 1')
            or _values(layers.get("sightings"), "candidate_mmsi")
        )
        if votes:
            mmsi = int(votes.most_common(1)[0][0])
        elif layers.get("gaps") is not None:
            gaps = sorted(layers["gaps"].getFeatures(), key=lambda f: -(f["gap_hours"] or 0))
            mmsi = int(gaps[0]["mmsi"]) if gaps else None
    where = f'"mmsi" = {int(mmsi)}' if mmsi else "FALSE"
    names = _values(layers.get("gaps"), "vessel_name", where) or _values(layers.get("candidates"), "name", where)
    imos = _values(layers.get("candidates"), "imo", where)
    return CaseVessel(
        mmsi, str(names[0]) if names else "", str(imos[0]) if imos else "", _shows_synthetic_data(layers, where)
    )


def _shows_synthetic_data(layers: Dict[str, QgsVectorLayer], vessel_filter: str) -> bool:
    """Whether the data the vessel's report shows is marked synthetic (``core.synthetic``): a case layer marked in
    its metadata, or a scene taken during one of the vessel's gaps that comes from a synthetic catalogue item."""
    if any(layer_is_synthetic(layer) for layer in layers.values()):
        return True
    gap_ids = [str(g) for g in _values(layers.get("gaps"), "gap_id", vessel_filter)]
    return bool(gap_ids) and synthetic_footprints(layers.get("footprints"), f'"gap_id" IN ({_quoted(gap_ids)})')


def synthetic_notice(layers: Dict[str, QgsVectorLayer]) -> str:
    """The notice the synthetic data carries (a marked layer's), else the generic one."""
    return notice_of(layers.values()) or GENERIC_NOTICE


def _copy(layer, kind, expression=None, order=None, ascending=True) -> Optional[QgsVectorLayer]:
    """A memory copy, in the plugin's style, of the features of ``layer`` the report shows (the analyst's layer is
    left as it is)."""
    if layer is None:
        return None
    request = QgsFeatureRequest()
    if expression:
        request.setFilterExpression(expression)
    if order:
        request.addOrderBy(order, ascending)
    copy = layer.materialize(request)
    apply_style(copy, kind)
    copy.setName(layer_kind(kind).title)
    return copy


def _quoted(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def report_layers(layers: Dict[str, QgsVectorLayer], vessel: CaseVessel) -> Dict[str, QgsVectorLayer]:
    """The vessel's case by kind: its track and gaps, their reachable sea, candidate ports and scenes, the
    sightings and their top three candidates."""
    vessel_filter = f'"mmsi" = {int(vessel.mmsi)}' if vessel.mmsi else "TRUE"
    gap_ids = [str(g) for g in _values(layers.get("gaps"), "gap_id", vessel_filter)]
    in_gaps = f'"gap_id" IN ({_quoted(gap_ids)})' if gap_ids else vessel_filter
    out = {
        "tracks": _copy(layers.get("tracks"), "tracks", vessel_filter, "start_time"),
        "gaps": _copy(layers.get("gaps"), "gaps", vessel_filter, "off_time"),
        "reach_areas": _copy(layers.get("reach_areas"), "reach_areas", in_gaps),
        "footprints": _copy(layers.get("footprints"), "footprints", in_gaps, "acquired"),
        "sightings": _copy(layers.get("sightings"), "sightings", None, "observed_at"),
        "candidates": _copy(
            layers.get("candidates"),
            "candidates",
            '"rank" <= 3',
            'concat("sighting_id", lpad(to_string("rank"), 3, \'0\'))',
        ),
        "ports": _copy(layers.get("ports"), "ports"),
    }
    visits = layers.get("candidate_visits")
    if visits is not None:
        keep = []
        for where in [f'"gap_id" = {_quoted([g])}' for g in gap_ids] or [in_gaps]:  # ids are data: quoted
            ranked = sorted(
                visits.getFeatures(QgsFeatureRequest().setFilterExpression(where)), key=lambda f: -(_dwell(f) or 0)
            )
            keep += [f.id() for k, f in enumerate(ranked) if k < PORTS_PER_GAP or str(f["locode"]).startswith("KP")]
        out["candidate_visits"] = _copy(
            visits, "candidate_visits", f"$id IN ({', '.join(map(str, keep)) or -1})", "max_dwell_hours", False
        )
    return {kind: layer for kind, layer in out.items() if layer is not None}


def case_extent(shown: Dict[str, QgsVectorLayer]) -> QgsRectangle:
    """What the map shows: track, gaps, sightings, scenes and candidate ports (else everything), with a margin; the
    reachable sea of a long gap may reach across the ocean and is shown where it falls in the map."""
    extent = null_rectangle()
    for kinds in (("tracks", "gaps", "sightings", "footprints", "candidate_visits"), tuple(shown)):
        for kind in kinds:
            layer = shown.get(kind)
            if layer is not None and layer.isSpatial() and layer.featureCount():
                layer.updateExtents()
                extent.combineExtentWith(layer.extent())
        if extent.width() >= 0 and not extent.isNull() and extent.xMinimum() <= extent.xMaximum():
            break
    if extent.xMinimum() > extent.xMaximum():
        return QgsRectangle(-180, -80, 180, 80)
    margin = max(extent.width(), extent.height(), 0.5) * 0.06
    return QgsRectangle(
        extent.xMinimum() - margin, extent.yMinimum() - margin, extent.xMaximum() + margin, extent.yMaximum() + margin
    )


def _utc(value, fmt="%d %b %Y %H:%M UTC") -> str:
    seconds = epoch_seconds(value)
    return "" if seconds is None else dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime(fmt)


def _dwell(visit):
    """The longest possible stay of a candidate visit: by sea when known, else by great circle."""
    names = visit.fields().names()
    sea = visit["max_dwell_hours_sea"] if "max_dwell_hours_sea" in names else None
    return sea if isinstance(sea, (int, float)) and not math.isnan(sea) else visit["max_dwell_hours"]


def _number(value, fmt="{:.0f}") -> str:
    return fmt.format(value) if isinstance(value, (int, float)) and not math.isnan(value) else "?"


def ranked_total(gaps: Optional[QgsVectorLayer]) -> Optional[int]:
    """How many gaps the ranks of a scored gaps layer are out of: its feature count when it holds every rank 1..n of
    more than one vessel (the whole traffic), None otherwise: a layer without ranks, with only some of them, or with
    one vessel's gaps (a case's gaps, which may well be ranks 1..n of a larger set, as the Bai Mei 8's are)."""
    ranks = [r for r in _values(gaps, "suspicion_rank") if isinstance(r, int)]
    whole = ranks and max(ranks) == len(ranks) == gaps.featureCount() and len(set(_values(gaps, "mmsi"))) > 1
    return len(ranks) if whole else None


def _text(value) -> str:
    return "" if value is None or str(value) == "NULL" else str(value)


def _field(feature, names, name) -> str:
    """A field's value as text ("" when NULL or when the layer lacks the field)."""
    return _text(feature[name]) if name in names else ""


def suspicion_rows(gaps: Optional[QgsVectorLayer], reviews: Optional[dict] = None) -> List[dict]:
    """Each gap of ``gaps`` (in its order) with its score (baimei:scoregaps: rank, level, points, why) and its
    review (the project's review queue ``reviews``, else the layer's review fields); [] for unscored gaps."""
    if gaps is None or "why" not in gaps.fields().names():
        return []
    names, rows = gaps.fields().names(), []
    for gap in gaps.getFeatures():
        review = (reviews or {}).get(str(gap["gap_id"]))
        status, note = (
            (review.status, review.note)
            if review is not None
            else (_field(gap, names, "review_status"), _field(gap, names, "review_note"))
        )
        rows.append(
            {
                "gap": f"{_utc(gap['off_time'], '%d %b %Y')} ({_number(gap['gap_hours'])} h)",
                "rank": _field(gap, names, "suspicion_rank"),
                "level": _field(gap, names, "suspicion_level"),
                "points": _number(gap["suspicion"], "{:g}") if "suspicion" in names else "?",
                "why": _text(gap["why"]),
                "review": status,
                "note": note,
            }
        )
    return rows


def suspicion_lines(rows: List[dict], total: Optional[int], brief: bool = False) -> List[str]:
    """Each gap's rank among all the gaps and its reasons (``brief``: its level and points only, for the PDF page,
    where the reasons would run off the summary box; they are in the HTML report and the case's gaps layer), then the
    analysts' verdict, in sentences."""
    lines = []
    for row in rows:
        rank = f"suspicion rank {row['rank']}" + (f" of {total:,}" if total else "") if row["rank"] else "suspicion"
        if brief:
            level = f"{row['level']} ({row['points']} pts)"
            lines.append(f"Gap of {row['gap']}: {rank}, {level}; the reasons are in the HTML report")
        else:
            lines.append(f"Gap of {row['gap']}: {rank} — {row['why']}")
        if row["review"]:
            note = f" — {row['note']}" if row["note"] else ""
            lines.append(f"Gap of {row['gap']}: {row['review']} on review{note}")
    return lines


def summary_lines(
    shown: Dict[str, QgsVectorLayer], total: Optional[int] = None, reviews: Optional[dict] = None, brief: bool = False
) -> List[str]:
    """The case in a few sentences: gaps, the ports it could have called at, each gap's suspicion (rank among the
    ``total`` gaps scored, reasons unless ``brief``, review), scenes, sightings and best matches."""
    lines = []
    for gap in shown["gaps"].getFeatures() if "gaps" in shown else []:
        lines.append(
            f"Dark {_utc(gap['off_time'], '%d %b %H:%M')} → {_utc(gap['on_time'], '%d %b %H:%M UTC')}: "
            f"{_number(gap['gap_hours'])} h; draught {_number(gap['draught_before'], '{:g}')} → "
            f"{_number(gap['draught_after'], '{:g}')} m"
        )
    visits = sorted(
        shown["candidate_visits"].getFeatures() if "candidate_visits" in shown else [],
        key=lambda v: (not str(v["locode"]).startswith("KP"), -(_dwell(v) or 0)),
    )
    gap_start = (
        {g["gap_id"]: _utc(g["off_time"], "%d %b") for g in shown["gaps"].getFeatures()} if "gaps" in shown else {}
    )
    for visit in visits[:6]:  # DPRK ports first: they are what a sanctions case is about
        during = f" (gap of {gap_start[visit['gap_id']]})" if visit["gap_id"] in gap_start else ""
        lines.append(
            f"Could have called at {visit['port_name']} ({visit['locode']}) for up to "
            f"{_number(_dwell(visit))} h{during}"
        )
    scored = suspicion_rows(shown.get("gaps"), reviews)
    lines += suspicion_lines(scored, total, brief)
    for area in shown["reach_areas"].getFeatures() if "reach_areas" in shown and not scored else []:
        if "why" in area.fields().names() and isinstance(area["why"], str) and area["why"]:
            lines.append(f"Gap of {gap_start.get(area['gap_id'], '?')}: {area['why']}")
    scenes = shown["footprints"].featureCount() if "footprints" in shown else 0
    sightings = shown["sightings"].featureCount() if "sightings" in shown else 0
    lines.append(f"{scenes} imagery scene(s) found for its gaps; {sightings} sighting(s) annotated.")
    for best in shown["candidates"].getFeatures('"rank" = 1') if "candidates" in shown else []:
        lines.append(
            f"Sighting {best['sighting_id']}: most likely {best['name']} (MMSI {best['mmsi']}), "
            f"{best['spacetime_status']}, score {_number(best['total_score'], '{:.2f}')}"
        )
    return lines


def source_lines(layers: Dict[str, QgsVectorLayer], vessel: CaseVessel) -> List[str]:
    lines = [
        f"{layer_kind(kind).title}: "
        + (
            f"layer {layer.name()} (not saved to a file)"
            if layer.providerType() == "memory"
            else os.path.basename(layer.source().split("|")[0])
        )
        for kind, layer in layers.items()
    ]
    lines += [f"Imagery search: {s}" for s in sorted({str(s) for s in _values(layers.get("footprints"), "source")})]
    analysts = sorted({str(a) for a in _values(layers.get("sightings"), "analyst")})
    if analysts:
        lines.append(f"Sightings annotated by {', '.join(analysts)}.")
    lines.append(
        f"Analysis: Bai Mei {version()} (QGIS plugin) on QGIS {Qgis.version()}; map background: Natural "
        "Earth (QGIS's world map)."
    )
    if vessel.synthetic:
        lines.append(synthetic_notice(layers))
    return lines


def _png(image: QImage) -> str:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return base64.b64encode(bytes(data)).decode("ascii")


def _table_html(table, table_id: str) -> str:
    """A layout attribute table as an HTML table: the same columns (the template's), every row."""
    columns = [(c.heading(), QgsExpression(c.attribute())) for c in table.columns()]
    layer = table.vectorLayer()
    rows = []
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    for feature in layer.getFeatures():
        context.setFeature(feature)
        values = [expression.evaluate(context) for _, expression in columns]
        rows.append("".join(f"<td>{html.escape('' if v is None or str(v) == 'NULL' else str(v))}</td>" for v in values))
    head = "".join(f"<th>{html.escape(heading)}</th>" for heading, _ in columns)
    body = "".join(f"<tr>{row}</tr>" for row in rows) or f"<tr><td colspan='{len(columns)}'>None.</td></tr>"
    return f"<table id='{table_id}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


SUSPICION_COLUMNS = (
    ("Gap", "gap"),
    ("Rank", "rank"),
    ("Level", "level"),
    ("Points", "points"),
    ("Why", "why"),
    ("Review", "review"),
    ("Note", "note"),
)


def suspicion_table_html(rows: List[dict], total: Optional[int]) -> str:
    """The vessel's gaps by suspicion as an HTML table (every value escaped: names and notes come from others)."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(heading)}</th>" for heading, _ in SUSPICION_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row[key]))}</td>" for _, key in SUSPICION_COLUMNS) + "</tr>"
        for row in rows
    )
    among = f" (rank among {total:,} gaps scored)" if total else ""
    return (
        f"<h2>Suspicion and review{html.escape(among)}</h2>"
        f"<table id='suspicion'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


# --- the image chip of each sighting, beside its features -----------------------------------------------------------
CHIP_FEATURES = (
    "length_m",
    "beam_m",
    "heading_deg",
    "hull_colour",
    "bow_type",
    "funnel_markings",
    "deck_colour",
    "superstructure_colour",
    "superstructure_position",
    "hatch_count",
    "crane_count",
    "crane_type",
    "activity",
    "cargo_visible",
    "draught_state",
    "candidate_mmsi",
    "confidence",
)
CHIPS_PER_PAGE = 4  # two by two on an A4 landscape page


@dataclass
class SightingChip:
    """A sighting's chip: the image cut from its scene around the window it was marked on (None, with ``note``
    saying why, when the scene cannot be read), a caption and its features as "Label: value" lines."""

    sighting_id: str
    caption: str
    features: List[str]
    image: Optional[QImage]
    note: str = ""


def _plain(value):
    return None if value is None or (hasattr(value, "isNull") and value.isNull()) or value == "" else value


def _feature_lines(feature) -> List[str]:
    lines = []
    for name in CHIP_FEATURES:
        value = _plain(feature[name]) if feature.fields().indexOf(name) >= 0 else None
        if value is not None:
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            lines.append(f"{FIELD_BY_NAME[name].label}: {shown}")
    return lines


def sighting_chips(sightings: Optional[QgsVectorLayer]) -> List[SightingChip]:
    """The chips of the sightings marked on a scene (those marked on a footprint alone have none), in the layer's
    order; a scene that is missing or unreadable gives a note instead of an image."""
    if sightings is None or sightings.fields().indexOf("scene_source") < 0:
        return []
    chips = []
    for feature in sightings.getFeatures():
        source = _plain(feature["scene_source"])
        if source is None:
            continue
        window = window_of({name: _plain(feature[name]) for name in WINDOW_FIELDS})
        when = _plain(feature["observed_at"])
        caption = " · ".join(
            str(v) for v in (_utc(when) if when is not None else None, _plain(feature["image_id"])) if v is not None
        )
        image, note = None, ""
        if not str(source).startswith("/vsi") and not os.path.exists(str(source)):
            note = f"No image chip: the scene file {source} is missing (moved, deleted or not generated yet)."
        elif window is None:
            note = f"No image chip: the sighting has no pixel window on the scene {source}."
        else:
            try:
                image = read_chip(str(source), window)
            except BaiMeiError as exc:
                note = f"No image chip: {exc.message}"
        chips.append(SightingChip(str(feature["sighting_id"]), caption, _feature_lines(feature), image, note))
    return chips


def chips_html(chips: List[SightingChip]) -> str:
    """The chips as HTML figures, every text escaped (features and notes are typed by analysts, ids by others)."""
    if not chips:
        return ""
    figures = []
    for chip in chips:
        if chip.image is not None:
            alt = html.escape(f"Sighting {chip.sighting_id} on its scene", quote=True)
            picture = f"<img alt='{alt}' src='data:image/png;base64,{_png(chip.image)}'>"
        else:
            picture = f"<p class='chipnote'>{html.escape(chip.note)}</p>"
        features = "".join(f"<li>{html.escape(line)}</li>" for line in chip.features)
        figures.append(
            f"<figure class='chip'>{picture}<figcaption><b>{html.escape(chip.sighting_id)}</b> "
            f"{html.escape(chip.caption)}<ul>{features}</ul></figcaption></figure>"
        )
    return "<h2>Sightings on the image</h2><div id='chips'>" + "".join(figures) + "</div>"


def add_chip_pages(layout, chips: List[SightingChip], picture_path) -> List[str]:
    """Pages at the end of the layout with each chip beside its features; ``picture_path()`` names a new temporary
    picture file. Returns the files written (the caller removes them once the PDF is made)."""
    written = []
    for start in range(0, len(chips), CHIPS_PER_PAGE):
        page = QgsLayoutItemPage(layout)
        page.setPageSize("A4", QgsLayoutItemPage.Orientation.Landscape)
        layout.pageCollection().addPage(page)
        index = layout.pageCollection().pageCount() - 1
        item = _label(layout, index, 8, 6, 281, 7, "", 11, True)
        set_literal_text(item, "Sightings on the image")
        for k, chip in enumerate(chips[start : start + CHIPS_PER_PAGE]):
            x, y = 8 + (k % 2) * 142, 15 + (k // 2) * 95
            text = "\n".join([f"{chip.sighting_id}", chip.caption, *chip.features] + ([chip.note] if chip.note else []))
            label = _label(layout, index, x + (91 if chip.image is not None else 0), y, 50, 90, "", 6.5)
            set_literal_text(label, text)
            if chip.image is None:
                label.attemptResize(QgsLayoutSize(138, 90, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
                continue
            path = picture_path()
            chip.image.save(path, "PNG")
            written.append(path)
            picture = _place(layout, QgsLayoutItemPicture(layout), index, x, y, 88, 88)
            picture.setResizeMode(QgsLayoutItemPicture.ResizeMode.Zoom)
            picture.setPicturePath(path)
            picture.setFrameEnabled(True)
    return written


def write_html(
    path,
    layout,
    texts,
    map_png: QImage,
    timeline_png: QImage,
    summary,
    sources,
    suspicion: str = "",
    chips: str = "",
    radar: str = "",
) -> None:
    """The report as one HTML file, images embedded, tables as in the layout; ``suspicion``: the gaps by
    suspicion (``suspicion_table_html``); ``chips``: the sightings' image chips (``chips_html``); ``radar``: what
    the radar saw (``radar_html``)."""
    parts = [f"<h1>{html.escape(texts['title'])}</h1><p class='sub'>{html.escape(texts['subtitle'])}</p>"]
    if texts["notice"]:
        parts.append(f"<p class='notice'>{html.escape(texts['notice'])}</p>")
    parts.append(f"<img alt='Case map' src='data:image/png;base64,{_png(map_png)}'>")
    parts.append("<h2>Summary</h2><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in summary) + "</ul>")
    parts.append(suspicion)
    parts.append(f"<h2>Timeline</h2><img alt='Timeline' src='data:image/png;base64,{_png(timeline_png)}'>")
    for heading, frame_id, table_id in (
        ("Sightings", "sightings_table", "sightings"),
        ("Top candidates", "candidates_table", "candidates"),
        ("Imagery scenes", "scenes_table", "scenes"),
    ):
        parts.append(f"<h2>{heading}</h2>" + _table_html(layout.itemById(frame_id).multiFrame(), table_id))
        if table_id == "sightings":
            parts.append(chips)
    parts.append(radar)
    parts.append("<h2>Data sources</h2><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in sources) + "</ul>")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{html.escape(texts['title'])}</title><style>{HTML_STYLE}</style></head><body>"
            f"{''.join(parts)}</body></html>"
        )


# --- what the radar saw: detections matched with AIS, and the dark vessel candidates -------------------------------
RADAR_DARK_COLUMNS = (
    ("Position", '"position"', 36),
    ("Length (m)", '"length"', 16),
    ("Heading (°)", '"heading"', 16),
    ("Inside the reachable sea of (hours into its gap)", '"gaps"', 87),
)
RADAR_MATCH_COLUMNS = (
    ("Vessel", '"vessel"', 55),
    ("MMSI", '"mmsi"', 22),
    ("Offset (m)", '"offset"', 18),
    ("Length on radar (m)", '"radar_length"', 30),
    ("Length by AIS (m)", '"ais_length"', 30),
)


@dataclass
class RadarSection:
    """What the case's radar layers say: the scenes (id, UTC time), the counts (None: that layer is not in the
    case), a row per dark candidate and per match (texts, keyed by the column fields above), and the layers the
    small map draws."""

    scenes: List[str]
    detected: int
    matched: int
    dark: int
    unseen: Optional[int]
    dark_rows: List[dict]
    match_rows: List[dict]
    map_layers: List[QgsVectorLayer]


def _lon_lat_points(layer) -> dict:
    """feature id -> (lon, lat) of a point layer, whatever its CRS."""
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    transform = None
    if layer.crs().isValid() and layer.crs() != wgs84:
        from qgis.core import QgsCoordinateTransform, QgsProject

        transform = QgsCoordinateTransform(layer.crs(), wgs84, QgsProject.instance().transformContext())
    out = {}
    for feature in layer.getFeatures():
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            continue
        point = geometry.asPoint() if transform is None else transform.transform(geometry.asPoint())
        out[feature.id()] = (point.x(), point.y())
    return out


def _position(lon_lat) -> str:
    if lon_lat is None:
        return "?"
    lon, lat = lon_lat
    return f"{abs(lat):.3f} {'N' if lat >= 0 else 'S'} {abs(lon):.3f} {'E' if lon >= 0 else 'W'}"


def _gap_vessels(feature) -> str:
    """The vessels whose gap's reachable sea holds a dark candidate, with the hours since each went dark. The
    fields are comma-joined lists; names are data and may hold commas, so they are paired only when they split into
    as many parts as the MMSIs."""
    mmsis = [m for m in _text(feature["mmsis"]).split(", ") if m]
    hours = _text(feature["hours_into_gap"]).split(", ")
    names = _text(feature["vessel_names"]).split(", ")
    if not mmsis:
        return "no dark gap of the case"
    if len(names) != len(mmsis):
        return f"{_text(feature['vessel_names'])} (MMSI {', '.join(mmsis)})"
    return "; ".join(
        f"{name or '?'} (MMSI {mmsi}), {hours[k] if k < len(hours) else '?'} h"
        for k, (name, mmsi) in enumerate(zip(names, mmsis))
    )


def _metres(value) -> str:
    value = _plain(value)
    return _number(float(value)) if isinstance(value, (int, float)) else "?"


def radar_section(layers: Dict[str, QgsVectorLayer]) -> Optional[RadarSection]:
    """The radar part of the case, or None when the case holds none of the radar layers."""
    if not any(kind in layers for kind in RADAR_KINDS):
        return None
    detections, matches = layers.get("sar_detections"), layers.get("sar_matches")
    dark, unseen = layers.get("dark_detections"), layers.get("unseen_vessels")
    headings, scenes = {}, Counter()
    for feature in detections.getFeatures() if detections is not None else []:
        headings[_text(feature["detection_id"])] = _plain(feature["heading_deg"])
        scenes[(_text(feature["scene_id"]) or "unnamed scene", _utc(feature["acquired"]) or "time unknown")] += 1
    dark_rows = []
    if dark is not None:
        where = _lon_lat_points(dark)
        for feature in dark.getFeatures():
            heading = headings.get(_text(feature["detection_id"]))
            dark_rows.append(
                {
                    "position": _position(where.get(feature.id())),
                    "length": _metres(feature["length_m"]),
                    "heading": _metres(heading),
                    "gaps": _gap_vessels(feature),
                }
            )
    match_rows = [
        {
            "vessel": _text(feature["vessel_name"]) or "?",
            "mmsi": _text(feature["mmsi"]),
            "offset": _metres(feature["offset_m"]),
            "radar_length": _metres(feature["length_m"]),
            "ais_length": _metres(feature["ais_length_m"]),
        }
        for feature in (matches.getFeatures() if matches is not None else [])
    ]
    counted = (len(match_rows) + len(dark_rows)) if detections is None else detections.featureCount()
    shown = [
        _copy(layer, kind) for kind, layer in (("sar_matches", matches), ("dark_detections", dark)) if layer is not None
    ]
    if detections is not None and not shown:
        shown = [_copy(detections, "sar_detections")]
    return RadarSection(
        [f"{scene} acquired {when}: {n} detection(s)" for (scene, when), n in sorted(scenes.items())],
        counted,
        len(match_rows),
        len(dark_rows),
        None if unseen is None else unseen.featureCount(),
        dark_rows,
        match_rows,
        shown,
    )


def radar_lines(radar: RadarSection) -> List[str]:
    """The scenes and the counts, in words."""
    scenes = radar.scenes or ["The scene: not in the case (add the radar detections layer to name it)."]
    unseen = "not in the case" if radar.unseen is None else str(radar.unseen)
    return [
        *scenes,
        f"Detected: {radar.detected}; with AIS: {radar.matched}; dark (no AIS explains them): {radar.dark}; "
        f"AIS vessels in the scene the radar did not see: {unseen}.",
    ]


def _rows_layer(rows: List[dict], columns, name: str) -> QgsVectorLayer:
    """A table without geometry holding ``rows`` as text, for a layout attribute table."""
    from qgis.core import QgsFeature

    from .compat import field

    layer = QgsVectorLayer("None", name, "memory")
    keys = [expression.strip('"') for _, expression, _ in columns]
    layer.dataProvider().addAttributes([field(key, "str") for key in keys])
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([row[key] for key in keys])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def _points_extent(layers) -> QgsRectangle:
    """The radar points' extent in lon/lat, at least 0.2° across (a single detection still shows its sea)."""
    from qgis.core import QgsCoordinateTransform, QgsProject

    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    extent = null_rectangle()
    for layer in layers:
        if not layer.featureCount():
            continue
        layer.updateExtents()
        box = layer.extent()
        if layer.crs().isValid() and layer.crs() != wgs84:
            box = QgsCoordinateTransform(layer.crs(), wgs84, QgsProject.instance()).transformBoundingBox(box)
        extent.combineExtentWith(box)
    if extent.isNull() or extent.xMinimum() > extent.xMaximum():
        return QgsRectangle(117, 27, 136, 45)
    centre, half = extent.center(), max(extent.width(), extent.height(), 0.2) * 0.6
    return QgsRectangle(centre.x() - half, centre.y() - half, centre.x() + half, centre.y() + half)


def add_radar_page(layout, radar: RadarSection, keep: dict):
    """A page at the end of the layout: the scenes and counts, the detections on a small map, the dark candidates
    and the matches. ``keep`` holds the layers the page uses while the layout lives. Returns the map item."""
    page = QgsLayoutItemPage(layout)
    page.setPageSize("A4", QgsLayoutItemPage.Orientation.Landscape)
    layout.pageCollection().addPage(page)
    index = layout.pageCollection().pageCount() - 1
    set_literal_text(_label(layout, index, 8, 6, 281, 7, "", 11, True), "Seen on radar")
    set_literal_text(
        _label(layout, index, 8, 14, 120, 30, "", 7.5, item_id="radar_counts"), "\n".join(radar_lines(radar))
    )
    land = land_layer()
    map_layers = radar.map_layers + ([land] if land is not None else [])
    keep["radar_map_layers"] = map_layers
    map_item = _place(layout, QgsLayoutItemMap(layout), index, 8, 46, 120, 120, "radar_map")
    map_item.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    map_item.setLayers(map_layers)
    map_item.setKeepLayerSet(True)
    map_item.zoomToExtent(_points_extent(radar.map_layers))
    map_item.setBackgroundColor(QColor(200, 222, 240))
    map_item.setFrameEnabled(True)
    legend = _place(layout, QgsLayoutItemLegend(layout), index, 8, 168, 120, 30, "radar_legend")
    legend.setTitle("")
    _style_legend(legend)
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    legend.model().rootGroup().removeAllChildren()
    for layer in radar.map_layers:
        legend.model().rootGroup().addLayer(layer)
    for heading, columns, rows, key, y, h in (
        ("Dark vessel candidates: detections no AIS explains", RADAR_DARK_COLUMNS, radar.dark_rows, "dark", 14, 80),
        ("Detections with AIS", RADAR_MATCH_COLUMNS, radar.match_rows, "matches", 104, 98),
    ):
        set_literal_text(_label(layout, index, 134, y, 155, 6, "", 9, True), heading)
        keep[f"radar_{key}"] = _rows_layer(rows, columns, heading)
        table = _table(layout, index, 134, y + 7, 155, h - 7, f"radar_{key}", f"radar_{key}_table").multiFrame()
        columns_kept = table.columns()
        table.setVectorLayer(keep[f"radar_{key}"])
        table.setColumns(columns_kept)
        table.refreshAttributes()
        _continue_on_new_pages(layout, table)
    return map_item


def _html_rows_table(rows: List[dict], columns, table_id: str) -> str:
    head = "".join(f"<th>{html.escape(heading)}</th>" for heading, _, _ in columns)
    keys = [expression.strip('"') for _, expression, _ in columns]
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(row[k]))}</td>" for k in keys) + "</tr>" for row in rows)
    body = body or f"<tr><td colspan='{len(columns)}'>None.</td></tr>"
    return f"<table id='{table_id}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def radar_html(radar: Optional[RadarSection], map_png: Optional[QImage]) -> str:
    """The radar section of the HTML report, every value escaped (names and scene ids come from others)."""
    if radar is None:
        return ""
    picture = f"<img alt='Radar detections' src='data:image/png;base64,{_png(map_png)}'>" if map_png is not None else ""
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in radar_lines(radar))
    return (
        f"<h2 id='radar'>Seen on radar</h2><ul id='radar_counts'>{lines}</ul>{picture}"
        "<h3>Dark vessel candidates: detections no AIS explains</h3>"
        + _html_rows_table(radar.dark_rows, RADAR_DARK_COLUMNS, "radar_dark")
        + "<h3>Detections with AIS</h3>"
        + _html_rows_table(radar.match_rows, RADAR_MATCH_COLUMNS, "radar_matches")
    )


# ---- the layout: built once in code into the template, filled from the template for each report ----------------
ITEM_IDS = (
    "title",
    "subtitle",
    "notice",
    "map",
    "legend",
    "summary",
    "scalebar",
    "timeline",
    "sightings_table",
    "candidates_table",
    "scenes_table",
    "sources",
)
# (heading, expression, width mm) of each table; the HTML report uses the same
TABLE_COLUMNS = {
    "sightings": (
        ("Sighting", '"sighting_id"', 32),
        ("Observed (UTC)", "format_date(\"observed_at\", 'yyyy-MM-dd HH:mm')", 26),
        ("Image", 'concat("image_source", \' \', "image_id")', 42),
        ("Key features", SIGHTING_LABEL_EXPRESSION, 50),
        (
            "Seen doing",
            "array_to_string(array_filter("
            'array("activity", "cargo_visible", "draught_state"), @element IS NOT NULL), \', \')',
            36,
        ),
        ("Candidate MMSI", 'to_string("candidate_mmsi")', 22),
        ("Confidence", '"confidence"', 18),
        ("Notes", '"notes"', 38),
    ),
    "candidates": (
        ("Sighting", '"sighting_id"', 32),
        ("Rank", '"rank"', 9),
        ("Vessel", '"name"', 26),
        ("MMSI", 'to_string("mmsi")', 18),
        ("Score", 'format_number("total_score", 2)', 11),
        ("Looks", 'format_number("feature_score", 2)', 11),
        ("Where it was", '"spacetime_status"', 26),
        ("Why", '"reasons"', 130),
    ),
    "footprints": (
        ("Scene", '"item_id"', 70),
        ("Collection", '"collection"', 32),
        ("Acquired (UTC)", "format_date(\"acquired\", 'yyyy-MM-dd HH:mm')", 28),
        ("GSD (m)", '"gsd_m"', 14),
        ("Cloud %", '"cloud_cover"', 14),
        ("While dark", "CASE WHEN \"in_gap_window\" THEN 'yes' WHEN NOT \"in_gap_window\" THEN 'no' END", 16),
        ("Covers the area", "CASE WHEN \"covers_aoi\" THEN 'yes' ELSE 'no' END", 20),
        ("Source", '"source"', 70),
    ),
}
TABLE_COLUMNS.update(
    radar_dark=RADAR_DARK_COLUMNS, radar_matches=RADAR_MATCH_COLUMNS
)  # the radar page (not in the template)
TABLES = (("sightings_table", "sightings"), ("candidates_table", "candidates"), ("scenes_table", "footprints"))


def _text_format(size: float, bold=False, colour="#202020") -> QgsTextFormat:
    font = QFont("DejaVu Sans")
    font.setBold(bold)
    text_format = QgsTextFormat.fromQFont(font)
    text_format.setSize(size)
    text_format.setColor(QColor(colour))
    return text_format


def _place(layout, item, page, x, y, w, h, item_id=None):
    if item_id:
        item.setId(item_id)
    item.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    item.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters), page=page)
    if not isinstance(item, QgsLayoutFrame):
        layout.addLayoutItem(item)
    return item


def _label(layout, page, x, y, w, h, text, size, bold=False, colour="#202020", item_id=None):
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    label.setHAlign(Qt.AlignmentFlag.AlignLeft)
    font = QFont("DejaVu Sans", 1)
    font.setPointSizeF(size)
    font.setBold(bold)
    set_label_font(label, font, QColor(colour))
    return _place(layout, label, page, x, y, w, h, item_id)


def _table(layout, page, x, y, w, h, kind, item_id):
    table = QgsLayoutItemAttributeTable.create(layout)
    columns = []
    for heading, expression, width in TABLE_COLUMNS[kind]:
        column = QgsLayoutTableColumn(heading)
        column.setAttribute(expression)
        column.setWidth(width)
        columns.append(column)
    table.setColumns(columns)
    table.setMaximumNumberOfFeatures(10000)
    table.setHeaderTextFormat(_text_format(7, bold=True))
    table.setContentTextFormat(_text_format(6.5))
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
    table.setHeaderMode(QgsLayoutTable.HeaderMode.AllFrames)  # the header again on each continuation page
    table.setEmptyTableBehavior(QgsLayoutTable.EmptyTableMode.ShowMessage)
    table.setEmptyTableMessage("None.")
    table.setGridStrokeWidth(0.15)
    table.setResizeMode(
        QgsLayoutMultiFrame.ResizeMode.UseExistingFrames
    )  # a long table gets pages of its own: see fill_layout
    layout.addMultiFrame(table)
    frame = QgsLayoutFrame(layout, table)
    table.addFrame(frame)
    return _place(layout, frame, page, x, y, w, h, item_id)


def _style_legend(legend) -> None:
    legend.setSymbolHeight(3.5)
    legend.setSymbolWidth(6)
    for style, size, bold in (
        (QgsLegendStyle.Style.Group, 8, True),
        (QgsLegendStyle.Style.Subgroup, 7.5, True),
        (QgsLegendStyle.Style.SymbolLabel, 7, False),
    ):
        legend.rstyle(style).setMargin(QgsLegendStyle.Side.Top, 1.2)
        if hasattr(QgsLegendStyle, "setTextFormat"):  # QGIS 3.30+
            legend.rstyle(style).setTextFormat(_text_format(size, bold))
        else:
            legend.rstyle(style).setFont(_text_format(size, bold).toQFont())


def build_case_layout(project) -> QgsPrintLayout:
    """The report layout, four A4 landscape pages, every item the filler needs named by its id."""
    layout = QgsPrintLayout(project)
    layout.setName("Bai Mei case report")
    for _ in range(4):
        page = QgsLayoutItemPage(layout)
        page.setPageSize("A4", QgsLayoutItemPage.Orientation.Landscape)
        layout.pageCollection().addPage(page)
    _label(layout, 0, 8, 6, 281, 10, "Case report: VESSEL (MMSI)", 17, True, item_id="title")
    _label(layout, 0, 8, 16, 281, 5, "What the report shows; when and how it was made", 8, item_id="subtitle")
    _label(layout, 0, 8, 21.5, 281, 9, "", 6.5, colour="#a00000", item_id="notice")
    map_item = _place(layout, QgsLayoutItemMap(layout), 0, 8, 31, 196, 171, "map")
    map_item.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    map_item.zoomToExtent(QgsRectangle(117, 27, 136, 45))  # a placeholder: an empty extent breaks the template
    map_item.setBackgroundColor(QColor(200, 222, 240))
    map_item.setFrameEnabled(True)
    legend = _place(layout, QgsLayoutItemLegend(layout), 0, 208, 31, 81, 70, "legend")
    legend.setTitle("")
    legend.setLinkedMap(map_item)
    _style_legend(legend)
    _label(layout, 0, 208, 104, 81, 98, "• summary", 7.5, item_id="summary")
    scale = _place(layout, QgsLayoutItemScaleBar(layout), 0, 12, 188, 70, 10, "scalebar")
    scale.setStyle("Single Box")
    scale.setLinkedMap(map_item)
    scale.setUnits(QgsUnitTypes.DistanceUnit.DistanceNauticalMiles)
    scale.setUnitLabel("nm")
    scale.setNumberOfSegmentsLeft(0)
    scale.setNumberOfSegments(2)
    scale.setBackgroundEnabled(True)
    # Each table ends its page: one too long for it goes on to pages inserted after it (see fill_layout).
    _label(layout, 1, 8, 6, 281, 7, "Timeline: AIS on and off, imagery and sightings", 11, True)
    picture = _place(layout, QgsLayoutItemPicture(layout), 1, 8, 13, 281, 56, "timeline")
    picture.setResizeMode(QgsLayoutItemPicture.ResizeMode.Zoom)
    _label(layout, 1, 8, 74, 281, 7, "Sightings on imagery", 11, True)
    _table(layout, 1, 8, 81, 281, 121, "sightings", "sightings_table")
    _label(layout, 2, 8, 6, 281, 7, "Who they could be: the top three candidates of each sighting", 11, True)
    _table(layout, 2, 8, 13, 281, 189, "candidates", "candidates_table")
    _label(layout, 3, 8, 6, 281, 7, "Data sources", 11, True)
    _label(layout, 3, 8, 13, 281, 52, "sources", 7.5, item_id="sources")
    _label(layout, 3, 8, 68, 281, 7, "Imagery scenes found for the vessel's dark gaps", 11, True)
    _table(layout, 3, 8, 75, 281, 127, "footprints", "scenes_table")
    return layout


def _nice(value: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``value``."""
    power = 10 ** math.floor(math.log10(max(value, 1e-9)))
    return next(f * power for f in (5, 2, 1) if f * power <= value)


# What a layout label substitutes in its text before drawing it (QGIS 3.22: QgsLayoutItemLabel::currentText).
EXPRESSION_START, DATE_FIELD = "[%", "$CURRENT_DATE"


def literal_label_text(text: str) -> str:
    """``text`` as a layout label prints it verbatim: a label evaluates ``[% ... %]`` and replaces
    ``$CURRENT_DATE``, and vessel names, ports and notes come from strangers (an AIS name ``[%ENV('HOME')%]`` would
    print the analyst's environment). Each ``[%`` becomes the expression ``'[%'``, a string literal evaluating to
    itself; ``$CURRENT_DATE`` is split by an empty expression. Applied to the whole text, so that pieces joined
    together cannot form ``[%`` (the replacement begins with ``[`` and ends with ``]``, creating no new one)."""
    return text.replace(EXPRESSION_START, "[%'[%'%]").replace(DATE_FIELD, "$[%''%]" + DATE_FIELD[1:])


def set_literal_text(label: QgsLayoutItemLabel, text: str) -> None:
    """Show ``text`` in ``label`` as it is, also when an analyst switched the label to HTML in the designer (then
    markup from the data is escaped too)."""
    if label.mode() == QgsLayoutItemLabel.Mode.ModeHtml:
        text = html.escape(text).replace("\n", "<br>")
    label.setText(literal_label_text(text))


def fill_layout(layout, shown, map_layers, extent, texts, picture) -> None:
    """Put the case into a layout loaded from the template; the texts print as they are (see set_literal_text)."""
    for key, text in texts.items():
        set_literal_text(layout.itemById(key), text)
    map_item = layout.itemById("map")
    map_item.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    map_item.setLayers(map_layers)  # the map keeps weak references: the caller keeps the layers alive
    map_item.setKeepLayerSet(True)
    map_item.zoomToExtent(extent)
    legend = layout.itemById("legend")
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for layer in map_layers:
        if layer.name() != LAND_NAME:
            root.addLayer(layer)
    QgsLayoutExporter(layout).renderPageToImage(0, QSize(297, 210))  # a legend sizes itself once it was drawn
    legend.adjustBoxSize()
    summary, top = layout.itemById("summary"), legend.pagePos().y() + legend.rect().height() + 4
    summary.attemptMove(QgsLayoutPoint(summary.pagePos().x(), top, QgsUnitTypes.LayoutUnit.LayoutMillimeters), page=0)
    summary.attemptResize(
        QgsLayoutSize(summary.rect().width(), max(202 - top, 20), QgsUnitTypes.LayoutUnit.LayoutMillimeters)
    )
    scale = layout.itemById("scalebar")
    scale.setLinkedMap(map_item)
    scale.setUnitsPerSegment(_nice(map_item.extent().width() * 60 * math.cos(math.radians(extent.center().y())) / 5))
    layout.itemById("timeline").setPicturePath(picture)
    for frame_id, kind in TABLES:
        table = layout.itemById(frame_id).multiFrame()
        if kind not in shown:  # an empty table; ``shown`` keeps the layer alive while the layout uses it
            shown[kind] = QgsVectorLayer("None", kind, "memory")
        columns = table.columns()  # setVectorLayer resets the columns: keep the template's
        table.setVectorLayer(shown[kind])
        table.setColumns(columns)
        table.refreshAttributes()  # QGIS 3.22 keeps contents of the reset columns otherwise (and may crash)
        _continue_on_new_pages(layout, table)
    layout.refresh()


def _overflows(table) -> bool:
    """Whether a table has rows its frames cannot show: QGIS is let add the frames it would need, which are then
    removed (it would put them over whatever the next page holds)."""
    frames = len(table.frames())
    table.setResizeMode(QgsLayoutMultiFrame.ResizeMode.RepeatUntilFinished)
    extra = len(table.frames()) - frames
    for index in reversed(range(frames, frames + extra)):
        table.removeFrame(index, True)
    table.setResizeMode(QgsLayoutMultiFrame.ResizeMode.UseExistingFrames)
    return extra > 0


def _continue_on_new_pages(layout, table) -> None:
    """Give a table longer than its frame whole pages of its own, inserted after it (later pages move down)."""
    while _overflows(table) and len(table.frames()) < 50:
        index = table.frames()[-1].page() + 1
        page = QgsLayoutItemPage(layout)
        page.setPageSize("A4", QgsLayoutItemPage.Orientation.Landscape)
        layout.pageCollection().insertPage(page, index)
        frame = QgsLayoutFrame(layout, table)
        table.addFrame(frame)
        _place(layout, frame, index, 8, 8, 281, 194)


def land_layer() -> Optional[QgsVectorLayer]:
    """QGIS's bundled Natural Earth countries, as the map's background."""
    if not os.path.exists(default_land_path()):
        return None
    land = world_map_layer(LAND_NAME)
    # opaque, so that land stands apart from the sea tinted by the reachable area drawn beneath it
    land.setRenderer(
        QgsSingleSymbolRenderer(
            QgsFillSymbol.createSimple(
                {"color": "241,238,229,255", "outline_color": "150,145,130,255", "outline_width": "0.15"}
            )
        )
    )
    return land if land.isValid() else None


def _times(layer, *fields) -> list:
    if layer is None or any(f not in layer.fields().names() for f in fields):
        return []
    rows = [[epoch_seconds(feature[f]) for f in fields] + [feature] for feature in layer.getFeatures()]
    return [row for row in rows if None not in row[:-1]]


def draw_timeline(shown, width=2800, height=560) -> QImage:
    """AIS on (track segments) and off (gaps), imagery acquisitions and sightings on one UTC time axis."""
    rows = (
        ("AIS on", _times(shown.get("tracks"), "start_time", "end_time"), QColor(40, 140, 60)),
        ("AIS off (dark)", _times(shown.get("gaps"), "off_time", "on_time"), QColor(210, 30, 40)),
        ("Imagery", _times(shown.get("footprints"), "acquired"), QColor(30, 90, 200)),
        ("Sightings", _times(shown.get("sightings"), "observed_at"), QColor(214, 39, 140)),
    )
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(QFont("DejaVu Sans", 22))
    times = [t for _, events, _ in rows for event in events for t in event[:-1]]
    left, right, top, row_h = 300, width - 40, 30, (height - 110) / len(rows)
    if not times:
        painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, "No times to show.")
        painter.end()
        return image
    start, end = min(times), max(times)
    pad = max((end - start) * 0.03, 3600)
    start, end = start - pad, end + pad

    def x(t):
        return left + (right - left) * (t - start) / (end - start)

    axis_y = top + row_h * len(rows) + 10
    days = max(1, math.ceil((end - start) / 86400 / 14))
    day = math.ceil(start / 86400) * 86400
    painter.setPen(QPen(QColor(200, 200, 200), 2))
    while day <= end:
        painter.drawLine(QPointF(x(day), top), QPointF(x(day), axis_y))
        painter.save()
        painter.setPen(QColor(60, 60, 60))
        painter.drawText(
            QRectF(x(day) - 80, axis_y + 8, 160, 40),
            Qt.AlignmentFlag.AlignHCenter,
            dt.datetime.fromtimestamp(day, dt.timezone.utc).strftime("%d %b"),
        )
        painter.restore()
        day += 86400 * days
    for k, (name, events, colour) in enumerate(rows):
        y = top + row_h * k
        painter.setPen(QColor(40, 40, 40))
        painter.drawText(
            QRectF(10, y, left - 20, row_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name
        )
        painter.setPen(QPen(colour.darker(130), 2))
        painter.setBrush(QBrush(colour))
        for event in events:
            if len(event) == 3:  # a span
                box = QRectF(x(event[0]), y + row_h * 0.2, max(x(event[1]) - x(event[0]), 3), row_h * 0.6)
                painter.drawRect(box)
                if k == 1 and box.width() > 120:
                    painter.save()
                    painter.setPen(QColor("white"))
                    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, f"{(event[1] - event[0]) / 3600:.0f} h dark")
                    painter.restore()
            elif k == 2:  # a scene: a tick
                painter.drawRect(QRectF(x(event[0]) - 3, y + row_h * 0.15, 6, row_h * 0.7))
            else:  # a sighting: a diamond
                cx, cy, r = x(event[0]), y + row_h / 2, row_h * 0.3
                painter.drawPolygon(
                    QPolygonF([QPointF(cx, cy - r), QPointF(cx + r, cy), QPointF(cx, cy + r), QPointF(cx - r, cy)])
                )
    painter.setPen(QPen(QColor(60, 60, 60), 2))
    painter.drawLine(QPointF(left, axis_y), QPointF(right, axis_y))
    painter.end()
    return image


def load_template(project, path: str = TEMPLATE) -> QgsPrintLayout:
    """The report layout from its template; an error names the items a hand-edited template lost."""
    layout = QgsPrintLayout(project)
    document = QDomDocument()
    with open(path, encoding="utf-8") as handle:
        if not document.setContent(handle.read()):
            raise BaiMeiError(f"The report template {path} is not a QGIS layout template.")
    _, ok = layout.loadFromTemplate(document, QgsReadWriteContext())
    missing = [i for i in ITEM_IDS if layout.itemById(i) is None]
    if not ok or missing:
        raise BaiMeiError(f"The report template {path} lacks the item(s) {', '.join(missing) or '(unreadable)'}.")
    return layout


def _map_with_legend(layout, exporter) -> QImage:
    """The map and its legend as one image, for the HTML report (the summary beside them is left out)."""
    summary = layout.itemById("summary")
    summary.setVisibility(False)
    region = layout.itemById("map").sceneBoundingRect().united(layout.itemById("legend").sceneBoundingRect())
    image = exporter.renderRegionToImage(region, QSize(int(region.width() * 5), int(region.height() * 5)))
    summary.setVisibility(True)
    return image


def _item_image(exporter, *items) -> QImage:
    """Layout items (a map and its legend) as one image, for the HTML report."""
    region = items[0].sceneBoundingRect()
    for item in items[1:]:
        region = region.united(item.sceneBoundingRect())
    return exporter.renderRegionToImage(region, QSize(int(region.width() * 5), int(region.height() * 5)))


def _partial(path: str) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    stem, ext = os.path.splitext(name)
    return os.path.join(folder, f".{stem}.{uuid.uuid4().hex[:8]}.partial{ext}")


def _reviews(project) -> dict:
    """The project's review queue (gap_id -> Review); empty without a project."""
    if project is None:
        return {}
    from .review import load_reviews

    return load_reviews(project)


def write_case_report(
    project, layers: Dict[str, QgsVectorLayer], vessel: CaseVessel, pdf_path: str, html_path: str
) -> None:
    """Fill the template with ``vessel``'s case from ``layers`` (by kind, see ``case_layers``) and write it to
    ``pdf_path`` and ``html_path``, each under a temporary name renamed when complete."""
    shown = report_layers(layers, vessel)
    texts = {
        "title": f"Case report: {vessel.title}" + (f", IMO {vessel.imo}" if vessel.imo else ""),
        "subtitle": "Dark gaps, reachable sea, candidate ports, imagery and sightings. Made "
        f"{dt.datetime.now(dt.timezone.utc):%d %b %Y %H:%M} UTC with Bai Mei {version()}.",
        "notice": synthetic_notice(layers) if vessel.synthetic else "",
    }
    reviews, total = _reviews(project), ranked_total(layers.get("gaps"))
    summary, sources = summary_lines(shown, total, reviews), source_lines(layers, vessel)
    suspicion = suspicion_table_html(suspicion_rows(shown.get("gaps"), reviews), total)
    page_summary = summary_lines(shown, total, reviews, brief=True)
    texts.update(summary="\n".join(f"• {s}" for s in page_summary), sources="\n".join(sources))
    timeline = draw_timeline(shown)
    chips = sighting_chips(shown.get("sightings"))
    layout = load_template(project)
    picture, pdf_partial, html_partial = _partial(pdf_path + ".timeline.png"), _partial(pdf_path), _partial(html_path)
    chip_files: List[str] = []
    try:
        timeline.save(picture, "PNG")
        land = land_layer()
        map_layers = [shown[k] for k in MAP_ORDER if k in shown and k != "reach_areas"]
        map_layers += [layer for layer in (land, shown.get("reach_areas")) if layer is not None]  # sea tinted
        fill_layout(layout, shown, map_layers, case_extent(shown), texts, picture)
        radar = radar_section(layers)
        radar_map = add_radar_page(layout, radar, shown) if radar is not None else None
        chip_files = add_chip_pages(layout, chips, lambda: _partial(pdf_path + ".chip.png"))
        exporter = QgsLayoutExporter(layout)
        settings = QgsLayoutExporter.PdfExportSettings()
        settings.dpi = 200
        settings.textRenderFormat = TEXT_AS_TEXT  # text that can be searched and copied (MMSIs, names), not outlines
        if exporter.exportToPdf(pdf_partial, settings) != QgsLayoutExporter.ExportResult.Success:
            raise BaiMeiError(f"QGIS could not export the report to {pdf_path}.", exporter.errorFile())
        map_png = _map_with_legend(layout, exporter)
        radar_png = _item_image(exporter, radar_map, layout.itemById("radar_legend")) if radar_map else None
        write_html(
            html_partial,
            layout,
            texts,
            map_png,
            timeline,
            summary,
            sources,
            suspicion,
            chips_html(chips),
            radar_html(radar, radar_png),
        )
        os.replace(pdf_partial, pdf_path)
        os.replace(html_partial, html_path)
    finally:
        for path in (picture, pdf_partial, html_partial, *chip_files):
            if os.path.exists(path):
                os.remove(path)


def save_template(path: str = TEMPLATE) -> None:
    """Write the layout ``build_case_layout`` makes as the report template."""
    from qgis.core import QgsProject

    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not build_case_layout(QgsProject.instance()).saveAsTemplate(path, QgsReadWriteContext()):
        raise BaiMeiError(f"Could not write the report template {path}.")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    application = QgsApplication([], False)
    application.initQgis()
    save_template()
    print(f"Wrote {TEMPLATE}")
