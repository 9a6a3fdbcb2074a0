"""The dock's Analysis page: reachability of the selected gap and whole-data analyses, through background tasks."""

import pytest
from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtCore import Qt

from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)


@pytest.fixture
def dark_voyage(write_file, mc_rows):
    """A ship reporting in the Yellow Sea, silent for ten days, reappearing south-west of Korea (like the Bai Mei 8),
    and a second ship that renames itself."""
    rows = []
    for minute in range(0, 120, 10):
        rows.append(
            (
                412000001,
                f"2017-06-08T{18 + minute // 60:02d}:{minute % 60:02d}:00",
                36.10 - minute / 2000,
                123.47 + minute / 2000,
                10.5,
                90,
                "DARK ONE",
                6.5,
            )
        )
    for minute in range(0, 120, 10):
        rows.append(
            (
                412000001,
                f"2017-06-19T{5 + minute // 60:02d}:{minute % 60:02d}:00",
                34.85,
                125.27 + minute / 1500,
                10.5,
                90,
                "DARK ONE",
                11.5,
            )
        )
    for minute in range(0, 120, 10):
        rows.append(
            (
                412000002,
                f"2017-06-08T{18 + minute // 60:02d}:{minute % 60:02d}:00",
                35.0,
                122.0 + minute / 1500,
                9.0,
                90,
                "OLD NAME" if minute < 60 else "NEW NAME",
                7.0,
            )
        )
    rows.sort(key=lambda r: r[1])
    return write_file("dark.csv", mc_rows(rows))


def run(dock, qtbot, button, timeout=60000):
    button.click()
    qtbot.waitUntil(lambda: dock.analysis.task is None, timeout=timeout)


def settle(dock, qtbot, timeout=60000):
    details = dock.gaps.details
    qtbot.waitUntil(lambda: details.task is None and not details.timer.isActive(), timeout=timeout)


def group_names():
    group = QgsProject.instance().layerTreeRoot().findGroup("dark.csv")
    return sorted(node.layer().name() for node in group.findLayers())


def test_reachable_sea_and_candidate_ports_of_the_selected_gap(dock, qtbot, dark_voyage, qgis_iface):
    load(dock, qtbot, dark_voyage)
    page = dock.analysis.page
    assert dock.tabs.tabText(dock.tabs.indexOf(page)) == "Analysis"
    qgis_iface.messageBar().clear_messages()
    run(dock, qtbot, page.reachButton)  # no gap selected: a hint, nothing run
    assert any("Select a gap" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    dock.gapTable.selectRow(0)
    settle(dock, qtbot)  # the Gaps page's own look at the selected gap, so that it does not race the page's run
    run(dock, qtbot, page.reachButton)
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
    ports = [dock.analysis.proxy.record(dock.analysis.proxy.index(r, 0)) for r in range(dock.analysis.proxy.rowCount())]
    by_locode = {p.locode: p for p in ports}
    assert "KPNAM" in by_locode and 150 < by_locode["KPNAM"].max_dwell_hours < 250
    stays = [p.max_dwell_hours_sea for p in ports]  # by sea: the panel's "Max stay h"
    assert None not in stays and stays == sorted(stays, reverse=True)  # the longest possible stays first
    assert group_names() == ["candidate ports", "dark gaps", "reachable sea", "tracks"]
    sea = dock.session.extra["reach_areas"]
    assert sea.featureCount() == 1 and sea.temporalProperties().isActive()
    assert "km² of sea within reach" in page.analysisLabel.text()
    # again, at a fixed speed: the layers are replaced, not added
    page.reachSpeedSpin.setValue(8)
    run(dock, qtbot, page.reachButton)
    assert group_names() == ["candidate ports", "dark gaps", "reachable sea", "tracks"]
    assert next(dock.session.extra["reach_areas"].getFeatures())["max_speed_kn"] == 8


def test_anomalies_and_port_visits_of_the_loaded_reports(dock, qtbot, dark_voyage):
    load(dock, qtbot, dark_voyage)
    page = dock.analysis.page
    run(dock, qtbot, page.anomaliesButton)
    anomalies = dock.session.extra["anomalies"]
    kinds = {(f["mmsi"], f["kind"]) for f in anomalies.getFeatures()}
    assert (412000002, "name_change") in kinds
    run(dock, qtbot, page.portVisitsButton)
    assert dock.session.extra["port_visits"].featureCount() == 0
    assert "port visits" in page.analysisLabel.text()
    run(dock, qtbot, page.encountersButton)
    assert dock.session.extra["encounters"].featureCount() == 0
    # loading another file removes the analysis layers with the old group
    load(dock, qtbot, dark_voyage)
    assert dock.session.extra == {}
    assert group_names() == ["dark gaps", "tracks"]


def test_selected_gap_box_shows_reach_candidates_and_suspicion_in_words(dock, qtbot, dark_voyage, qgis_iface):
    load(dock, qtbot, dark_voyage)
    details = dock.gaps.details
    assert details.group.parent() is details.splitter and details.reachCheck.isChecked()
    assert "Select a gap" in details.label.text()
    dock.gapTable.selectRow(0)
    assert "Working out where it could have gone" in details.label.text()  # at once, before the task
    settle(dock, qtbot)
    text = details.label.text()
    assert "DARK ONE" in text and "Suspicion medium" in text  # 5 points: medium from 4, high from 7
    assert "+3 could have called at ports of interest<br>" in text  # the headline; the ports are listed below
    tip = details.label.toolTip()  # each reason in full
    assert "could have called at ports of interest: " in tip and "Nampo (up to" in tip and "h by sea)" in tip
    assert "+2 draught rose 6.5 -&gt; 11.5 m<br>" in text  # each reason with its points, its headline in the box
    assert "★ Nampo" in text and "Could have called at (" in text
    from bai_mei_plugin.core.suspicion import Weights

    points = Weights().interest_port + Weights().draught_rose
    assert details.suspicion.score == points and details.suspicion.level == Weights().level(points) == "medium"
    assert group_names() == ["candidate ports", "dark gaps", "reachable sea", "tracks"]
    areas = dock.session.extra["reach_areas"]
    feature = next(areas.getFeatures())
    assert feature["suspicion"] == points and feature["suspicion_level"] == "medium" and "Nampo" in feature["why"]
    visits = {f["locode"]: f for f in dock.session.extra["candidate_visits"].getFeatures()}
    assert visits["KPNAM"]["of_interest"] and not visits["CNDAL"]["of_interest"]
    assert visits["KPNAM"]["max_dwell_hours_sea"] <= visits["KPNAM"]["max_dwell_hours"]
    # other ports of interest: every gap is scored again, and the words follow without working the reach out again
    details.interestEdit.setText("Dalian")
    details.interestEdit.editingFinished.emit()
    assert details.task is None and "★ Dalian" in details.label.text()  # the candidates at once
    qtbot.waitUntil(lambda: not dock.gaps.scoring.busy, timeout=60000)
    assert "+3 could have called at Dalian<br>" in details.label.text()  # the headline in the box
    tip = details.label.toolTip()
    assert "could have called at Dalian (up to" in tip and "Nampo (up to" not in tip
    details.interestEdit.setText("")
    details.interestEdit.editingFinished.emit()
    qtbot.waitUntil(lambda: not dock.gaps.scoring.busy, timeout=60000)
    assert "Suspicion low</b> (2 pts, rank 1 of 1):<br>&nbsp;&nbsp;+2 draught rose" in details.label.text()
    # switched off: a newly selected gap is described from its reports only
    details.reachCheck.setChecked(False)
    dock.gapTable.clearSelection()
    assert "Select a gap" in details.label.text()
    dock.gapTable.selectRow(0)
    assert not details.timer.isActive() and details.task is None
    assert "Working out" not in details.label.text()
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)


def test_a_new_selection_cancels_the_previous_look(dock, qtbot, dark_voyage):
    load(dock, qtbot, dark_voyage)
    details = dock.gaps.details
    dock.gapTable.selectRow(0)
    qtbot.waitUntil(lambda: details.task is not None, timeout=5000)
    dock.gapTable.clearSelection()
    assert details.task is None and "Select a gap" in details.label.text()
    dock.gapTable.selectRow(0)
    settle(dock, qtbot)
    assert details.gap is dock.gaps.selected_gap()
    assert details.gap.gap_id in next(dock.session.extra["reach_areas"].getFeatures())["gap_id"]


def test_the_ports_the_selected_gap_box_worked_out_show_without_a_second_click(dock, qtbot, dark_voyage):
    load(dock, qtbot, dark_voyage)
    page = dock.analysis.page
    dock.gapTable.selectRow(0)
    settle(dock, qtbot)  # the Selected gap box has worked out the candidate ports
    assert dock.analysis.proxy.rowCount() == 0
    dock.tabs.setCurrentWidget(page)
    model = dock.analysis.model
    assert "KPNAM" in {visit.locode for visit in model.records}  # no click on "Reachable sea and ports"
    assert "candidate ports of" in page.analysisLabel.text()
    arrive = next(i for i, (title, _, _) in enumerate(model.COLUMNS) if title == "Arrive ≥")
    index = model.index(0, arrive)
    assert model.data(index, Qt.ToolTipRole) == model.data(index)  # the whole date when the column is cut
    assert page.reachSpeedLabel.buddy() is page.reachSpeedSpin  # the "vessel default" box has a label
    # the table showing another gap's ports while this one's are not worked out: emptied, never the wrong ports
    dock.tabs.setCurrentWidget(dock.gapsPage)
    dock.gaps.details.reachCheck.setChecked(False)
    dock.gapTable.clearSelection()
    dock.gapTable.selectRow(0)
    assert dock.gaps.details.visits is None
    dock.analysis.table_gap_id = "412000002-20170608T180000Z"  # as if that gap's ports were shown
    dock.tabs.setCurrentWidget(page)
    assert model.records == [] and "for the gap selected" in page.analysisLabel.text()
