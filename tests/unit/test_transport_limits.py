"""Every request is bounded: a server trickling a byte every 2 s is cut within a fraction of a second of Cancel and
ends at the request (or search) deadline; an answer past the size cap is refused with a message naming the host,
and the body is streamed, so memory does not grow with it. Loopback servers only; these tests wait for real (a few
seconds in all), because the point is what happens in real time.
"""

from __future__ import annotations

import json
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from shapely.geometry import box

from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.footprints import FootprintQuery
from bai_mei_plugin.services.search import SearchArea, search_areas
from bai_mei_plugin.services.stac import StacClient
from bai_mei_plugin.services.transport import HttpTransport

MB = 1024 * 1024
DATA = Path(__file__).parent / "data" / "footprints"
WORLD = box(-180, -90, 180, 90)


class Hostile(BaseHTTPRequestHandler):
    """Behaviours picked by path: /trickle (headers, then 1 byte every 2 s), /silent (nothing, not even headers,
    for 10 s), /huge (30 MB without a length, until the connection closes), /announced (claims 200 MB),
    /exact (the server's ``body``); / is a STAC landing page and /search answers a search by trickling."""

    server: HostileServer

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        self._serve()

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._serve()

    def _serve(self):
        path = self.path.split("?")[0]
        try:
            if path == "/":  # a STAC landing page, so that a search gets to /search
                body = json.dumps({"conformsTo": [], "stac_version": "1.0.0"}).encode()
                self._head(200, {"Content-Length": str(len(body))})
                self.wfile.write(body)
            elif path in ("/trickle", "/search"):
                self._head(200, {"Content-Length": "1000"})
                self._drip(1000, 2.0)
            elif path == "/silent":
                time.sleep(10)
            elif path == "/huge":
                self._head(200, {})  # HTTP/1.0 without a length: the body ends when the connection closes
                block = b"x" * (64 * 1024)
                for _ in range(30 * MB // len(block)):
                    self.wfile.write(block)
            elif path == "/announced":
                self._head(200, {"Content-Length": str(200 * MB)})
                self._drip(200 * MB, 0.5)
            elif path == "/exact":
                self._head(200, {"Content-Length": str(len(self.server.body))})
                self.wfile.write(self.server.body)
        except (BrokenPipeError, ConnectionResetError):
            self.server.dropped.set()  # the client went away: the transfer really stopped

    def _head(self, status, headers):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def _drip(self, count, interval):
        for _ in range(count):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(interval)


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Hostile)
        self.dropped = threading.Event()
        self.body = b"y" * MB


@pytest.fixture
def hostile():
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def bounded(call, seconds=8.0):
    """``call()``'s result or exception, in a helper thread: a transfer that is not cut fails the test here
    instead of hanging the suite."""
    outcome = {}

    def run():
        try:
            outcome["result"] = call()
        except BaseException as exc:  # handed back below
            outcome["error"] = exc

    helper = threading.Thread(target=run, daemon=True)
    helper.start()
    helper.join(seconds)
    assert not helper.is_alive(), f"the request was still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def cancel_after(seconds):
    """An ``is_canceled`` that turns true ``seconds`` from now, and the time it does."""
    at = time.monotonic() + seconds
    return (lambda: time.monotonic() >= at), at


@pytest.mark.parametrize("path", ["/trickle", "/silent"])
def test_cancel_cuts_a_trickling_or_silent_server_at_once(hostile, path):
    server, root = hostile
    is_canceled, at = cancel_after(0.7)
    with pytest.raises(Canceled):
        bounded(lambda: HttpTransport(retries=3).request("GET", root + path, is_canceled=is_canceled))
    assert time.monotonic() - at < 2.0  # the "within 2 s"; the watchdog looks every 0.1 s
    if path == "/trickle":  # the server's next byte finds the connection gone
        assert server.dropped.wait(5)


def test_trickling_server_hits_the_request_deadline(hostile):
    _server, root = hostile
    started = time.monotonic()
    with pytest.raises(BaiMeiError) as caught:
        bounded(lambda: HttpTransport(deadline=2.5, timeout=(5, 60)).request("GET", root + "/trickle"))
    elapsed = time.monotonic() - started
    assert 2.4 < elapsed < 3.5
    assert not isinstance(caught.value, Canceled)
    assert caught.value.message.startswith("127.0.0.1 did not finish answering within 2.5 s (the request deadline)")


def test_trickling_search_hits_the_search_deadline(hostile):
    _server, root = hostile
    started = time.monotonic()
    with pytest.raises(BaiMeiError) as caught:
        bounded(
            lambda: search_areas(
                "stac",
                root,
                [SearchArea(WORLD, 0, 2_000_000_000)],
                transport=HttpTransport(deadline=60),
                deadline=2.0,
            )
        )
    assert time.monotonic() - started < 10.0  # the deadline, not the 60 s request limit, ended it
    assert "did not finish within 2 s (the search deadline)" in caught.value.message
    assert "127.0.0.1" in caught.value.message


def test_cancel_between_stac_pages_and_during_a_page(hostile):
    """The client's own cancellation check and the transport's cut are the same ``is_canceled``."""
    _server, root = hostile
    is_canceled, at = cancel_after(0.5)
    with pytest.raises(Canceled):
        bounded(lambda: StacClient(root, HttpTransport()).search(FootprintQuery(WORLD, 0, 10), is_canceled=is_canceled))
    assert time.monotonic() - at < 2.0  # the "within 2 s"


def test_oversized_answer_is_refused_while_streaming_without_growing_memory(hostile):
    _server, root = hostile
    tracemalloc.start()
    try:
        with pytest.raises(BaiMeiError) as caught:
            bounded(lambda: HttpTransport(max_bytes=1 * MB).request("GET", root + "/huge"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    port = root.rsplit(":", 1)[1]
    assert caught.value.message.startswith(f"The answer from 127.0.0.1:{port} is larger than 1 MB")
    assert "bai_mei/network/max_response_mb" in caught.value.message
    assert peak < 6 * MB  # 30 MB were on offer; reading them whole would need at least that much


def test_announced_oversized_answer_is_refused_before_reading(hostile):
    _server, root = hostile
    started = time.monotonic()
    with pytest.raises(BaiMeiError) as caught:
        bounded(lambda: HttpTransport(max_bytes=1 * MB).request("GET", root + "/announced"))
    assert time.monotonic() - started < 10.0  # refused before reading: the server would take weeks to send it
    assert "larger than 1 MB" in caught.value.message and "209,715,200 bytes" in caught.value.details


def test_answer_of_exactly_the_cap_is_accepted_one_byte_more_is_not(hostile):
    server, root = hostile
    assert len(HttpTransport(max_bytes=MB).request("GET", root + "/exact").body) == MB
    server.body = b"y" * (MB + 1)
    with pytest.raises(BaiMeiError, match="is larger than 1 MB"):
        HttpTransport(max_bytes=MB).request("GET", root + "/exact")


def test_default_limits():
    transport = HttpTransport()
    assert transport.max_bytes == 50 * MB and transport.timeout == (10, 60)
    assert transport.deadline == 300 and transport.search_deadline == 900 and transport.max_redirects == 5


def test_stac_page_within_limits_still_works(hostile):
    """The streaming path returns the same bytes as before for an ordinary page (the recorded fixture)."""
    server, root = hostile
    server.body = (DATA / "stac_search_page2.json").read_bytes()
    response = HttpTransport(chunk_size=100).request("GET", root + "/exact")  # many chunks
    assert response.status == 200 and response.json() == json.loads(server.body)
