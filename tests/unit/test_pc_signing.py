"""Planetary Computer signing against a loopback token endpoint: the SAS token goes into GDAL options for a
``/vsiaz/`` path (never into the path), is cached in memory per collection and fetched again once it expires."""

from __future__ import annotations

import json

import pytest
from werkzeug.wrappers import Response as WerkzeugResponse

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.services.pc_signing import (
    PcSigner,
    blob_address,
    signed_access,
)
from bai_mei_plugin.services.sources import SceneAccess
from bai_mei_plugin.services.transport import HttpTransport
from tests.support import SHARED_DATA

NAIP_HREF = (
    "https://naipeuwest.blob.core.windows.net/naip/v002/mt/2023/mt_060cm_2023/49116/"
    "m_4911664_se_11_060_20231117_20240103.tif"
)
TOKEN_1 = "st=2026-12-03T13%3A00%3A00Z&se=2026-12-03T14%3A00%3A00Z&sp=rl&sv=2024-05-04&sr=c&sig=FIRSTsig%2Babc"
TOKEN_2 = "st=2026-12-03T14%3A00%3A00Z&se=2026-12-03T15%3A00%3A00Z&sp=rl&sv=2024-05-04&sr=c&sig=SECONDsig%2Bxyz"
EXPIRY_1 = "2026-12-03T14:00:00Z"
EXPIRY_1_EPOCH = 1796306400.0


@pytest.fixture(autouse=True)
def no_cached_tokens():
    PcSigner.forget()
    yield
    PcSigner.forget()


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def serve_tokens(httpserver, tokens):
    """The token endpoint: hands out ``tokens`` in turn (token, expiry) and records which path was asked."""
    asked = []

    def handler(request):
        asked.append(request.path)
        token, expiry = tokens[min(len(asked) - 1, len(tokens) - 1)]
        return WerkzeugResponse(json.dumps({"msft:expiry": expiry, "token": token}), content_type="application/json")

    httpserver.expect_request("/api/sas/v1/token/naip").respond_with_handler(handler)
    return asked


def naip_access():
    return SceneAccess(gdal_path=f"/vsicurl/{NAIP_HREF}", name="m_4911664 (image)", asset_key="image")


def signer(httpserver, clock):
    return PcSigner(HttpTransport(retries=0), httpserver.url_for("/api/sas/v1/token"), clock=clock)


def test_the_blob_of_a_recorded_pc_asset_is_found():
    path = SHARED_DATA / "stac" / "pc_naip_paging_page1.json"
    if not path.is_file():
        pytest.skip("../shared/data/stac/pc_naip_paging_page1.json (a recorded PC answer) absent")
    href = json.loads(path.read_text())["features"][0]["assets"]["image"]["href"]
    address = blob_address(href)
    assert address.account == "naipeuwest" and address.container == "naip"
    assert address.vsiaz_path == "/vsiaz/naip/" + href.split("/naip/", 1)[1]


@pytest.mark.parametrize(
    "href",
    [
        "https://sentinel-cogs.s3.us-west-2.amazonaws.com/x.tif",  # Earth Search: public, not Azure
        "http://naipeuwest.blob.core.windows.net/naip/x.tif",  # not https
        NAIP_HREF + "?sv=1&sig=abc",  # already signed: never put into a source
        "https://naipeuwest.blob.core.windows.net/naip",  # a container, no blob
        "https://evil.com/.blob.core.windows.net/naip/x.tif",
    ],
)
def test_other_addresses_are_not_azure_blobs(href):
    assert blob_address(href) is None


def test_a_pc_asset_opens_through_vsiaz_with_the_token_in_options_only(httpserver):
    asked = serve_tokens(httpserver, [(TOKEN_1, EXPIRY_1)])
    access = signed_access(naip_access(), "naip", signer(httpserver, Clock(EXPIRY_1_EPOCH - 3600)))
    assert asked == ["/api/sas/v1/token/naip"]
    assert access.gdal_path == "/vsiaz/naip/v002/mt/2023/mt_060cm_2023/49116/m_4911664_se_11_060_20231117_20240103.tif"
    assert "sig" not in access.gdal_path and "FIRSTsig" not in access.gdal_path
    assert dict(access.options) == {"AZURE_STORAGE_ACCOUNT": "naipeuwest", "AZURE_STORAGE_SAS_TOKEN": TOKEN_1}
    assert access.options_prefix == access.gdal_path
    assert access.expires_at == EXPIRY_1_EPOCH and access.name == "m_4911664 (image)"


def test_the_token_is_reused_until_it_nears_expiry_then_fetched_again(httpserver):
    asked = serve_tokens(httpserver, [(TOKEN_1, EXPIRY_1), (TOKEN_2, "2026-12-03T15:00:00Z")])
    clock = Clock(EXPIRY_1_EPOCH - 3600)
    first = signed_access(naip_access(), "naip", signer(httpserver, clock))
    again = signed_access(naip_access(), "naip", signer(httpserver, clock))  # another open, same session
    assert len(asked) == 1 and dict(again.options)["AZURE_STORAGE_SAS_TOKEN"] == TOKEN_1
    clock.now = EXPIRY_1_EPOCH - 60  # within the renewal margin
    later = signed_access(naip_access(), "naip", signer(httpserver, clock))
    assert len(asked) == 2 and dict(later.options)["AZURE_STORAGE_SAS_TOKEN"] == TOKEN_2
    renewed = first.renew()  # what an open layer's renewal calls
    assert len(asked) == 3 and renewed.gdal_path == first.gdal_path and renewed.expires_at > first.expires_at


def test_a_public_asset_is_left_as_it_is(httpserver):
    public = SceneAccess(gdal_path="/vsicurl/https://sentinel-cogs.s3.us-west-2.amazonaws.com/a/TCI.tif", name="x")
    assert signed_access(public, "sentinel-2-l2a", signer(httpserver, Clock(0))) is public
    assert httpserver.log == []


def test_an_answer_without_a_token_names_the_service_and_the_collection(httpserver):
    httpserver.expect_request("/api/sas/v1/token/naip").respond_with_json({"msft:expiry": EXPIRY_1})
    with pytest.raises(BaiMeiError) as raised:
        signed_access(naip_access(), "naip", signer(httpserver, Clock(0)))
    message = raised.value.message
    assert "'token'" in message and "naip" in message and httpserver.host in message


def test_a_refused_token_request_is_an_error_without_the_asset_path(httpserver):
    httpserver.expect_request("/api/sas/v1/token/naip").respond_with_data("no", status=403)
    with pytest.raises(BaiMeiError) as raised:
        signed_access(naip_access(), "naip", signer(httpserver, Clock(0)))
    assert "HTTP 403" in raised.value.message


def _footprint(self_url, collection):
    from bai_mei_plugin.core.footprints import Footprint

    return Footprint("STAC API", "m_4911664", collection, 0, None, 0.6, None, None, None, self_url)


@pytest.mark.parametrize(
    "record, signed",
    [
        ("https://planetarycomputer.microsoft.com/api/stac/v1/collections/naip/items/m_4911664", True),
        ("https://stac.example.org/v1/collections/naip/items/m_4911664", False),  # not PC's blob to sign
    ],
)
def test_the_stac_source_signs_planetary_computer_records_only(httpserver, monkeypatch, record, signed):
    from bai_mei_plugin.services import pc_signing, sources

    serve_tokens(httpserver, [(TOKEN_1, EXPIRY_1)])
    monkeypatch.setattr(pc_signing, "PC_TOKEN_URL", httpserver.url_for("/api/sas/v1/token"))
    monkeypatch.setattr(sources, "record_assets", lambda *_args: {"image": {"href": NAIP_HREF, "roles": ["visual"]}})
    access = sources.get("stac").scene_access(
        _footprint(record, "naip"), "image", None, HttpTransport(retries=0), lambda: False, lambda _f: None
    )
    if signed:
        assert access.gdal_path.startswith("/vsiaz/naip/")
        assert dict(access.options)["AZURE_STORAGE_SAS_TOKEN"] == TOKEN_1
    else:
        assert access.gdal_path == f"/vsicurl/{NAIP_HREF}" and access.options == () and httpserver.log == []
