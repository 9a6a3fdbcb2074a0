"""The issue's scenario, in a small world of our own making: five ordinary ships silent for two to three days at a
berth in Dalian (loading cargo, Nampo within reach in that time) and one ship that goes dark offshore in the
northern Yellow Sea and comes back loaded. Scored through the whole pipeline (reports -> gaps -> scores), the dark
ship ranks first and every port call ranks below it; a vessel whose reported IMO is on a sanctions list is ranked
up by the list."""

import numpy as np
import pytest
from shapely.geometry import Polygon

from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.gaps import GapCriteria, detect_gaps
from bai_mei_plugin.core.land import LandIndex
from bai_mei_plugin.core.ports import Port
from bai_mei_plugin.core.reachability import LandPolygons
from bai_mei_plugin.core.suspicion import score_gaps
from tests.support import SHARED_DATA

H = 3600
T0 = 1_686_000_000  # June 2023
OFAC = SHARED_DATA / "watchlists" / "ofac_sdn_vessels_2023-03-01.csv"  # ../shared beside the checkout

# Coarse coasts: Liaodong and Manchuria (Dalian on its south shore), Shandong, and Korea (Nampo in its bay).
LAND = [
    Polygon([(117, 40.5), (121.0, 38.75), (121.5, 38.98), (121.9, 38.98), (124.3, 39.9), (124.3, 43), (117, 43)]),
    Polygon([(117, 37.0), (119, 37.3), (120.7, 37.8), (122.6, 37.4), (122.5, 36.8), (120.3, 36.0), (117, 35)]),
    Polygon(
        [
            (124.3, 39.9),
            (124.8, 39.0),
            (125.3, 38.75),
            (124.8, 38.2),
            (125.5, 37.7),
            (126.6, 37.0),
            (126.3, 34.5),
            (129.5, 35.0),
            (130, 43),
            (124.3, 43),
        ]
    ),
]
PORTS = [
    Port("Dalian", "CNDLC", "CN", 38.935, 121.710),
    Port("Nampo", "KPNAM", "KP", 38.7167, 125.400),  # the World Port Index's: on this coarse coast's land, snapped
    Port("Busan", "KRPUS", "KR", 35.070, 129.070),
    Port("Ningbo", "CNNGB", "CN", 29.955, 122.010),
]
BERTH = (121.65, 38.93)
PORT_CALLERS = [412000101 + k for k in range(5)]
DARK = 412000900
LISTED = 413000777  # an ordinary ship whose reported IMO is OFAC's entry 15036 "ARTAVIL"


def _leg(lon0, lat0, lon1, lat1, t_start, hours, sog, step=600):
    n = int(hours * H / step)
    f = np.linspace(0.0, 1.0, n)
    return lon0 + f * (lon1 - lon0), lat0 + f * (lat1 - lat0), t_start + np.arange(n) * step, np.full(n, float(sog))


def _ship(mmsi, legs, draught, destination, name, imo=None):
    lon = np.concatenate([leg[0] for leg in legs])
    lat = np.concatenate([leg[1] for leg in legs])
    t = np.concatenate([leg[2] for leg in legs]).astype(np.int64)
    sog = np.concatenate([leg[3] for leg in legs])
    n = len(t)
    return dict(
        mmsi=np.full(n, mmsi),
        t=t,
        lon=lon,
        lat=lat,
        sog=sog,
        draught=np.concatenate([np.full(len(leg[2]), d) for leg, d in zip(legs, draught)]),
        destination=[d for leg, d in zip(legs, destination) for _ in range(len(leg[2]))],
        vessel_name=[name] * n,
        imo=[imo] * n,
    )


def world() -> AisColumns:
    ships = []
    for k, mmsi in enumerate(PORT_CALLERS):
        silent = 48 + 6 * k  # two to three days alongside
        start = T0 + k * 5 * H
        ships.append(
            _ship(
                mmsi,
                [
                    _leg(*BERTH, *BERTH, start, 14, 0.0),  # at the berth, reporting
                    _leg(*BERTH, *BERTH, start + (14 + silent) * H, 6, 0.0),  # same berth after the silence
                    _leg(*BERTH, 122.6, 38.3, start + (20 + silent) * H, 6, 11.0),  # and away
                ],
                draught=(6.0, 10.5, 10.5),  # loaded at the berth
                destination=("DALIAN", "BUSAN", "BUSAN"),
                name=f"ORDINARY {k + 1}",
            )
        )
    ships.append(
        _ship(
            DARK,
            [
                _leg(121.9, 38.6, 123.4, 38.2, T0, 14, 10.0),  # out into the northern Yellow Sea, well received
                _leg(123.5, 38.0, 122.9, 37.0, T0 + (14 + 72) * H, 10, 10.0),  # back three days later
            ],
            draught=(6.5, 11.5),  # loaded while dark
            destination=("NINGBO", "NINGBO"),
            name="DARK STAR",
        )
    )
    ships.append(
        _ship(
            LISTED,
            [
                # along Shandong's south coast, reporting every 2 h: nothing about its gap is suspicious
                _leg(120.6, 35.85, 121.0, 35.9, T0, 12, 12.0, step=2 * H),
                _leg(121.3, 35.9, 121.8, 36.0, T0 + 24 * H, 12, 12.0, step=2 * H),
            ],
            draught=(8.0, 8.0),
            destination=("NINGBO", "NINGBO"),
            name="SEA BREEZE",
            imo="9187629",
        )
    )
    columns = {key: [s[key] for s in ships] for key in ships[0]}
    return AisColumns.build(
        np.concatenate(columns["mmsi"]),
        np.concatenate(columns["t"]),
        np.concatenate(columns["lon"]),
        np.concatenate(columns["lat"]),
        sog=np.concatenate(columns["sog"]),
        draught=np.concatenate(columns["draught"]),
        destination=[d for part in columns["destination"] for d in part],
        vessel_name=[d for part in columns["vessel_name"] for d in part],
        imo=[d for part in columns["imo"] for d in part],
    )


@pytest.fixture(scope="module")
def scenario():
    cols = world()
    land_index = LandIndex(LAND)
    gaps = detect_gaps(cols, GapCriteria(min_gap_hours=6.0), land_index).gaps
    return cols, gaps, land_index, LandPolygons(LAND)


def _by_mmsi(result):
    return {s.mmsi: s for s in result.scores}


def test_the_dark_voyage_ranks_first_and_port_calls_below_it(scenario):
    cols, gaps, land_index, land = scenario
    assert sorted(g.mmsi for g in gaps) == sorted(PORT_CALLERS + [DARK, LISTED])
    result = score_gaps(gaps, cols, PORTS, land_index=land_index, land_polygons=land)
    scores = _by_mmsi(result)
    dark = scores[DARK]
    assert dark.rank == 1 and dark.level == "high"
    codes = {r.code for r in dark.reasons}
    assert {"interest_port", "draught_rose", "offshore", "good_reception"} <= codes
    assert "port_call" not in codes
    assert "could have called at Nampo" in dark.why and "by sea" in dark.why
    for mmsi in PORT_CALLERS:
        call = scores[mmsi]
        assert call.rank > dark.rank and call.points < dark.points
        assert [r.text for r in call.reasons if r.code == "port_call"][0].startswith("a port call at Dalian")
        # what a port call explains is still said, with its points, so an analyst sees why it was cancelled
        assert {"interest_port", "draught_rose", "port_call"} <= {r.code for r in call.reasons}
        assert call.level in ("none", "low")
    assert sorted(s.rank for s in result.scores) == list(range(1, len(gaps) + 1))


def test_without_land_the_dark_voyage_still_ranks_first(scenario):
    cols, gaps, _, _ = scenario
    result = score_gaps(gaps, cols, PORTS)
    dark = _by_mmsi(result)[DARK]
    assert dark.rank == 1 and "by great circle" in dark.why
    assert any("no land layer" in note for note in result.notes)


class _FakeList:
    """A watchlist matcher of one entry (the contract's ``match``)."""

    class _Match:
        text = 'on TEST LIST (2023-03-01): entry 15036 "ARTAVIL", matched by IMO 9187629'

    def match(self, mmsi=None, imo=None, names=()):
        return [self._Match()] if imo == "9187629" else []


def test_a_vessel_whose_reported_imo_is_listed_is_ranked_up(scenario):
    cols, gaps, land_index, land = scenario
    plain = _by_mmsi(score_gaps(gaps, cols, PORTS, land_index=land_index))[LISTED]
    listed = _by_mmsi(score_gaps(gaps, cols, PORTS, land_index=land_index, watchlists=[_FakeList()]))[LISTED]
    assert plain.points == 0 and plain.rank == len(gaps)  # ties with the port calls, and its gap is the shortest
    assert listed.points == 5 and listed.rank == 2  # only the dark voyage above it
    assert listed.reasons[0].code == "watchlist" and "matched by IMO 9187629" in listed.reasons[0].text


def test_the_real_ofac_list_ranks_the_listed_imo_up(scenario):
    if not OFAC.exists():
        pytest.skip(f"the recorded OFAC SDN vessel rows are not at {OFAC}")
    watchlists = pytest.importorskip("bai_mei_plugin.core.watchlists", reason="core/watchlists.py (helper B) missing")
    cols, gaps, land_index, _ = scenario
    ofac = watchlists.read_watchlist(str(OFAC), "OFAC SDN")
    plain = _by_mmsi(score_gaps(gaps, cols, PORTS, land_index=land_index))[LISTED]
    scores = _by_mmsi(score_gaps(gaps, cols, PORTS, land_index=land_index, watchlists=[ofac]))
    listed = scores[LISTED]
    assert plain.rank == len(gaps) and listed.rank == 2
    text = [r.text for r in listed.reasons if r.code == "watchlist"][0]
    assert "OFAC SDN" in text and "ARTAVIL" in text and "9187629" in text
    assert all(not any(r.code == "watchlist" for r in s.reasons) for m, s in scores.items() if m != LISTED)
