"""HTTP for the network clients: retries with backoff, clear errors, secrets resolved late and never shown.

``HttpTransport.request`` is the one place that talks to the network. Credentials are objects whose ``resolve()``
is called only when a request is made (the QGIS side implements them over ``QgsAuthManager``); every message the
transport builds is passed through :func:`redact` with the resolved secrets, and URLs lose key/signature query
values (``api_key=``, ``token=``, ``sig=``, ``se=`` ...).

Credentials belong to one origin (scheme, host, port: the address the user configured). A next-page link, a
redirect or an asset on any other origin is requested without them; redirects are followed here, not by
``requests`` (which keeps custom headers such as ``X-Api-Key`` across hosts). Every request has connect and read
timeouts, a deadline, a size cap on the answer, and Cancel cuts the connection itself.
"""

from __future__ import annotations

import base64
import email.utils
import json
import os
import shutil
import socket
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urljoin, urlsplit

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool

from ..core.errors import BaiMeiError, Canceled
from ..core.footprints import redact_url

MASK = "***"
USER_AGENT = "bai-mei-qgis-plugin"
DEFAULT_HEADERS = {"Accept": "application/geo+json, application/json;q=0.9, */*;q=0.1", "User-Agent": USER_AGENT}


# --- secrets -----------------------------------------------------------------------------------------------------


def _basic_token(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def redact(text: Any, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret, its URL-encoded form and its base64 basic-auth forms (``secret:`` and
    ``:secret``) replaced by ``***``, and key/signature query values of URLs hidden."""
    text = "" if text is None else str(text)
    variants = set()
    for secret in secrets or ():
        if not secret or len(str(secret)) < 3:  # an empty password, or too short to be a secret worth masking
            continue
        secret = str(secret)
        variants.update({secret, quote(secret, safe=""), _basic_token(secret, ""), _basic_token("", secret)})
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, MASK)
    return redact_url(text)


class ResolvedAuth(NamedTuple):
    headers: Dict[str, str]
    secrets: Tuple[str, ...]


class Credentials(ABC):
    """What a request needs to authenticate, resolved only when the request is made."""

    @abstractmethod
    def resolve(self) -> ResolvedAuth:
        """The headers to send and the secrets in them (to redact from every message)."""


class BasicAuth(Credentials):
    """HTTP basic auth from ``provider() -> (user, password)``; Planet takes the API key as user, empty password."""

    def __init__(self, provider: Callable[[], Tuple[str, str]]):
        self._provider = provider

    def resolve(self) -> ResolvedAuth:
        user, password = self._provider()
        user, password = user or "", password or ""
        token = _basic_token(user, password)
        return ResolvedAuth({"Authorization": f"Basic {token}"}, (user, password, token))


class HeaderAuth(Credentials):
    """Headers from ``provider() -> {name: value}`` (``Authorization: Bearer ...``, subscription keys ...); every
    value, and its last word (the token of ``Bearer <token>``), is a secret."""

    def __init__(self, provider: Callable[[], Dict[str, str]]):
        self._provider = provider

    def resolve(self) -> ResolvedAuth:
        headers = {str(k): str(v) for k, v in (self._provider() or {}).items()}
        secrets = set(headers.values()) | {v.split()[-1] for v in headers.values() if v.split()}
        return ResolvedAuth(headers, tuple(secrets))


def as_credentials(auth: Union[Credentials, Callable[[], Dict[str, str]], None]) -> Optional[Credentials]:
    """A Credentials object from one, from a headers-provider callable, or None."""
    if auth is None or isinstance(auth, Credentials):
        return auth
    if callable(auth):
        return HeaderAuth(auth)
    raise TypeError("auth must be Credentials, a callable returning headers, or None")


# --- responses ---------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Dict[str, str]
    body: bytes
    url: str
    secrets: Tuple[str, ...] = field(default=(), repr=False)
    notes: Tuple[str, ...] = ()  # what the transport did that the user should know (credentials withheld ...)

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A header's value, whatever the case of its name."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), default)

    @property
    def content_type(self) -> str:
        return self.header("Content-Type", "") or ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def excerpt(self, length: int = 80) -> str:
        """The start of the body on one line, secrets hidden."""
        return redact(" ".join(self.text.split())[:length], self.secrets)

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            got = self.content_type or "no content type"
            raise BaiMeiError(
                f"The server at {redact(self.url, self.secrets)} did not answer with JSON "
                f"(got {got}: {self.excerpt() or 'an empty answer'})."
            ) from None


def _server_message(response: Response, length: int = 200) -> str:
    """The server's own explanation, from a JSON error body when there is one."""
    try:
        data = json.loads(response.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if isinstance(data, dict):
        for key in ("description", "message", "detail", "error", "title", "general"):
            value = data.get(key)
            if isinstance(value, list):
                value = "; ".join(str(v.get("message", v) if isinstance(v, dict) else v) for v in value)
            elif isinstance(value, dict):
                value = value.get("message") or value.get("description") or json.dumps(value)
            if value:
                return redact(" ".join(str(value).split())[:length], response.secrets)
    return response.excerpt(length)


# --- origins -----------------------------------------------------------------------------------------------------

Origin = Tuple[str, str, Optional[int]]
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: Optional[str]) -> Origin:
    """(scheme, host, port) of ``url``, lower case and with the scheme's default port filled in; a file path or a
    malformed address gives an origin no http(s) URL has."""
    try:
        parts = urlsplit(str(url or ""))
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # an invalid port
        return ("", "", None)
    return (scheme, host, port) if scheme in DEFAULT_PORTS and host else ("", "", None)


def same_origin(url: Optional[str], other: Optional[str]) -> bool:
    """True when both are http(s) addresses on the same scheme, host and port."""
    mine = origin_of(url)
    return bool(mine[1]) and mine == origin_of(other)


def origin_label(url: Optional[str]) -> str:
    """``host:port`` of an address, for messages (never the path or query, which may carry keys)."""
    scheme, host, port = origin_of(url)
    if not host:
        return redact(url)
    return host if port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"


# --- cutting a request from another thread -----------------------------------------------------------------------
# ``requests`` cannot be interrupted: a server that trickles one byte every few seconds never trips the read timeout.
# So the connections a request uses are registered (by thread) with its _Flight, and a watchdog thread shuts their
# sockets down on Cancel or at the deadline; the blocked read then returns at once.

CUT_CANCELED = "canceled"
CUT_DEADLINE = "deadline"
_current = threading.local()


class _Flight:
    def __init__(self):
        self._lock = threading.Lock()
        self._sockets: List[Any] = []
        self.reason: Optional[str] = None

    def attach(self, connection) -> None:
        """Remember the connection's socket now: http.client forgets it (``sock = None``) once the headers of an
        answer that closes the connection are read, while the body is still read from it."""
        sock = getattr(connection, "sock", None)
        if sock is None:
            return
        with self._lock:
            if all(sock is not known for known in self._sockets):
                self._sockets.append(sock)
            reason = self.reason
        if reason:
            _shut(sock)

    def cut(self, reason: str) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock) -> None:
    try:  # the plain socket's shutdown, also for TLS sockets: it wakes a blocked read without touching TLS state
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError, ValueError):
        pass


def _register(connection) -> None:
    flight = getattr(_current, "flight", None)
    if flight is not None:
        flight.attach(connection)


class _Registering:
    def connect(self):
        super().connect()
        _register(self)

    def request(self, *args, **kwargs):
        _register(self)
        return super().request(*args, **kwargs)


class _HTTPConnection(_Registering, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Registering, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _CuttableAdapter(requests.adapters.HTTPAdapter):
    """The default adapter with connections the watchdog can shut down (not through SOCKS proxies, whose pools
    are their own: there the shortened read timeout bounds the wait)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not str(proxy).lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


class _Watchdog:
    """Cuts ``flight`` when ``is_canceled()`` turns true or at ``ends_at`` (monotonic seconds)."""

    def __init__(
        self,
        flight: _Flight,
        is_canceled: Optional[Callable[[], bool]],
        ends_at: float,
        monotonic: Callable[[], float],
        poll: float = 0.1,
    ):
        self.flight, self.is_canceled, self.ends_at, self.monotonic, self.poll = (
            flight,
            is_canceled,
            ends_at,
            monotonic,
            poll,
        )
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="bai-mei-network-watchdog", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()

    def _run(self):
        while not self.done.wait(self.poll):
            if self.is_canceled is not None and self.is_canceled():
                self.flight.cut(CUT_CANCELED)
                return
            if self.monotonic() >= self.ends_at:
                self.flight.cut(CUT_DEADLINE)
                return


# --- transport ---------------------------------------------------------------------------------------------------

REDIRECTS = (301, 302, 303, 307, 308)
MB = 1024 * 1024


class _CutError(Exception):
    """The watchdog ended the transfer (raised only inside ``HttpTransport``)."""


class HttpTransport:
    """``requests`` with retries: 5xx and 429 are retried ``retries`` times with exponential backoff
    (``backoff * 2**n`` seconds, or the server's ``Retry-After``, capped at ``max_wait``), as are timeouts and
    connection failures. ``sleep`` and ``clock`` are injectable so tests never wait.

    Limits: ``timeout`` (connect, read) per network operation; ``deadline`` seconds for one request with its
    retries and redirects; ``search_deadline`` seconds for one whole search (used by ``services.search``);
    ``max_bytes`` per answer (the body is streamed and refused past it); at most ``max_redirects`` redirects,
    followed here rather than by ``requests`` so that credentials never follow one to another origin.
    """

    def __init__(
        self,
        session: Optional[requests.Session] = None,
        proxies: Optional[Dict[str, str]] = None,
        timeout: Union[float, Tuple[float, float]] = (10, 60),
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 60.0,
        clock: Callable[[], float] = time.time,
        deadline: float = 300.0,
        search_deadline: float = 900.0,
        max_bytes: int = 50 * MB,
        max_redirects: int = 5,
        chunk_size: int = 64 * 1024,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        if session is None:
            session = requests.Session()
        if isinstance(session, requests.Session):
            adapter = _CuttableAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self.session = session
        self.proxies = proxies
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.sleep = sleep
        self.max_wait = max_wait
        self.clock = clock
        self.deadline = float(deadline)
        self.search_deadline = float(search_deadline)
        self.max_bytes = int(max_bytes)
        self.max_redirects = max(0, int(max_redirects))
        self.chunk_size = max(1, int(chunk_size))
        self.monotonic = monotonic

    def request(
        self,
        method: str,
        url: str,
        json_body: Any = None,
        headers: Optional[Dict[str, str]] = None,
        auth: Union[Credentials, Callable[[], Dict[str, str]], None] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
        auth_origin: Optional[str] = None,
    ) -> Response:
        """Send one request (retrying as above); a Response with a status below 400, or BaiMeiError/Canceled.

        ``auth`` is sent only to ``auth_origin`` (the address the user configured; by default ``url`` itself):
        a request or redirect to any other scheme, host or port goes without it, and the Response's ``notes``
        say so."""
        return self._send(method, url, json_body, headers, auth, is_canceled, auth_origin)

    def download(
        self,
        url: str,
        path: str,
        auth: Union[Credentials, Callable[[], Dict[str, str]], None] = None,
        auth_origin: Optional[str] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
        progress: Optional[Callable[[float], None]] = None,
        max_bytes: Optional[int] = None,
        deadline: Optional[float] = None,
    ) -> Response:
        """GET ``url`` into the file ``path``, streamed: written as ``path + ".partial"`` and renamed when complete;
        on any failure or Cancel the partial file is removed. Credentials, redirects and retries as :meth:`request`.
        ``max_bytes`` and ``deadline`` replace the transport's limits for this download only (a scene is far larger
        than an API answer); ``progress(fraction)`` follows the announced Content-Length. The Response's body is
        empty (error answers keep theirs, for the message)."""
        sink = _FileSink(path, self.max_bytes if max_bytes is None else int(max_bytes), progress)
        try:
            response = self._send("GET", url, None, None, auth, is_canceled, auth_origin, sink, deadline)
        except BaseException:
            sink.discard()
            raise
        sink.commit()
        return response

    def _send(self, method, url, json_body, headers, auth, is_canceled, auth_origin, sink=None, deadline=None):
        credentials = as_credentials(auth)
        resolved = credentials.resolve() if credentials else ResolvedAuth({}, ())
        home = auth_origin or url
        host = urlsplit(url).hostname or redact(url)
        flight = _Flight()
        ends_at = self.monotonic() + (self.deadline if deadline is None else float(deadline))
        previous, _current.flight = getattr(_current, "flight", None), flight
        try:
            with _Watchdog(flight, is_canceled, ends_at, self.monotonic):
                return self._with_retries(
                    method, url, json_body, headers, resolved, home, flight, ends_at, is_canceled, sink
                )
        except _CutError:
            raise self._cut_error(flight, host) from None
        finally:
            _current.flight = previous

    def _with_retries(self, method, url, json_body, headers, resolved, home, flight, ends_at, is_canceled, sink=None):
        secrets = resolved.secrets
        host = urlsplit(url).hostname or redact(url, secrets)
        attempt = 0
        while True:
            _check_canceled(is_canceled)
            if flight.reason:
                raise _CutError()
            try:
                response = self._exchange(method, url, json_body, headers, resolved, home, flight, ends_at, sink)
            except (_CutError, BaiMeiError):
                raise
            except requests.exceptions.RequestException as exc:
                if flight.reason:
                    raise _CutError() from None
                failure, retry = _request_failure(exc, host, url, attempt, secrets)
                if not retry:
                    raise failure from None
                wait = self._backoff_wait(attempt)
            except Exception:  # a socket or TLS error from a read the watchdog cut, not wrapped by requests
                if flight.reason:
                    raise _CutError() from None
                raise
            else:
                if response.status < 400:
                    return response
                failure = _status_error(response, method, url, secrets, attempt + 1)
                if not _retryable(response.status):
                    raise failure
                wait = self._retry_after(response)
                if wait is None:
                    wait = self._backoff_wait(attempt)
            if attempt >= self.retries or self.monotonic() + wait >= ends_at:
                raise failure
            attempt += 1
            self._wait(wait, is_canceled)

    def _exchange(self, method, url, json_body, headers, resolved, home, flight, ends_at, sink=None) -> Response:
        """One attempt: the request and the redirects it leads to, credentials only on ``home``'s origin."""
        notes: List[str] = []
        for _hop in range(self.max_redirects + 1):
            sent_headers = {**DEFAULT_HEADERS, **(headers or {})}
            if same_origin(url, home):
                sent_headers.update(resolved.headers)
            elif resolved.headers:
                notes.append(
                    f"{origin_label(url)} was asked without your credentials (they are sent only to "
                    f"{origin_label(home)})."
                )
            raw = self.session.request(
                method.upper(),
                url,
                json=json_body,
                headers=sent_headers,
                timeout=self._timeout(ends_at),
                proxies=self.proxies,
                allow_redirects=False,
                stream=True,
            )
            try:
                location = raw.headers.get("Location") if raw.status_code in REDIRECTS else None
                if location:
                    url = urljoin(raw.url or url, location)
                    method, json_body = _redirected_request(raw.status_code, method, json_body)
                    continue
                if sink is not None and raw.status_code < 400:  # error answers stay in memory, for the message
                    body = sink.fill(raw, url, flight, self.chunk_size)
                else:
                    body = self._read_body(raw, url, flight)
                return Response(raw.status_code, dict(raw.headers), body, url, resolved.secrets, tuple(notes))
            finally:
                raw.close()
        raise BaiMeiError(
            f"{origin_label(url)} redirected the request more than {self.max_redirects} times; "
            f"Bai Mei stopped following (a redirect loop or a misconfigured server).",
            redact(f"last address: {url}", resolved.secrets),
        )

    def _read_body(self, raw, url: str, flight: _Flight) -> bytes:
        """The body, streamed: refused past ``max_bytes``, cut by the watchdog (Cancel, deadline)."""
        declared = str(raw.headers.get("Content-Length") or "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _too_large(url, self.max_bytes, int(declared))
        chunks: List[bytes] = []
        total = 0
        for chunk in raw.iter_content(self.chunk_size):
            if flight.reason:
                raise _CutError()
            total += len(chunk)
            if total > self.max_bytes:
                raise _too_large(url, self.max_bytes)
            chunks.append(chunk)
        if flight.reason:  # a cut close-delimited body looks like its end: never hand it on as complete
            raise _CutError()
        return b"".join(chunks)

    def _timeout(self, ends_at: float):
        """The configured (connect, read) timeouts, shortened to what is left of the deadline."""
        left = max(0.1, ends_at - self.monotonic())
        if isinstance(self.timeout, (tuple, list)):
            return tuple(min(float(t), left) for t in self.timeout)
        return min(float(self.timeout), left)

    def _cut_error(self, flight: _Flight, host: str) -> BaiMeiError:
        if flight.reason == CUT_DEADLINE:
            return BaiMeiError(
                f"{host} did not finish answering within {self.deadline:g} s (the request deadline); "
                f"the service may be overloaded or the network slow — try again later."
            )
        return Canceled()

    def get_json(
        self,
        url: str,
        auth=None,
        is_canceled=None,
        headers: Optional[Dict[str, str]] = None,
        auth_origin: Optional[str] = None,
    ) -> Any:
        return self.request(
            "GET", url, headers=headers, auth=auth, is_canceled=is_canceled, auth_origin=auth_origin
        ).json()

    def _backoff_wait(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * (2**attempt))

    def _retry_after(self, response: Response) -> Optional[float]:
        value = (response.header("Retry-After") or "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when is None:
                return None
            seconds = when.timestamp() - self.clock()
        return max(0.0, min(self.max_wait, seconds))

    def _wait(self, seconds: float, is_canceled: Optional[Callable[[], bool]]):
        """Sleep, in short steps when cancellation is possible so Cancel is honoured during long waits."""
        if seconds <= 0:
            return
        if is_canceled is None:
            self.sleep(seconds)
            return
        remaining = seconds
        while remaining > 0:
            _check_canceled(is_canceled)
            step = min(0.5, remaining)
            self.sleep(step)
            remaining -= step
        _check_canceled(is_canceled)


def _size(count: int) -> str:
    return f"{count / MB:,.1f} MB" if count >= MB // 10 else f"{count:,} bytes"


class _FileSink:
    """Where :meth:`HttpTransport.download` streams a body: ``path + ".partial"``, renamed to ``path`` when
    complete. Each attempt starts the file again."""

    def __init__(self, path: str, max_bytes: int, progress: Optional[Callable[[float], None]]):
        self.path, self.partial = path, path + ".partial"
        self.max_bytes, self.progress = max_bytes, progress

    def fill(self, raw, url: str, flight: _Flight, chunk_size: int) -> bytes:
        declared = str(raw.headers.get("Content-Length") or "").strip()
        size = int(declared) if declared.isdigit() else None
        self._check_room(url, size)
        total = 0
        with open(self.partial, "wb") as out:
            for chunk in raw.iter_content(chunk_size):
                if flight.reason:
                    raise _CutError()
                total += len(chunk)
                if total > self.max_bytes:
                    raise self._too_large(url, None)
                out.write(chunk)
                if size and self.progress is not None:
                    self.progress(min(1.0, total / size))
        if flight.reason:  # a cut close-delimited body looks like its end: never keep it as complete
            raise _CutError()
        if size is not None and total < size:
            raise BaiMeiError(
                f"{origin_label(url)} ended the download of {os.path.basename(self.path)} after {total:,} of "
                f"{size:,} bytes; try again.",
                redact(url),
            )
        return b""

    def _check_room(self, url: str, size: Optional[int]) -> None:
        if size is not None and size > self.max_bytes:
            raise self._too_large(url, size)
        folder = os.path.dirname(os.path.abspath(self.path))
        free = shutil.disk_usage(folder).free
        if size is not None and size > free:
            raise BaiMeiError(
                f"{os.path.basename(self.path)} is {_size(size)} (as {origin_label(url)} announces) but "
                f"{folder} has {_size(free)} free; free some space and try again."
            )

    def _too_large(self, url: str, size: Optional[int]) -> BaiMeiError:
        found = f"is {_size(size)} (as announced)" if size is not None else "is larger than that"
        return BaiMeiError(
            f"The download of {os.path.basename(self.path)} from {origin_label(url)} {found}: more than the "
            f"{_size(self.max_bytes)} allowed for it, so Bai Mei did not keep it.",
            redact(url),
        )

    def commit(self) -> None:
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        try:
            os.remove(self.partial)
        except FileNotFoundError:
            pass


def _check_canceled(is_canceled: Optional[Callable[[], bool]]):
    if is_canceled is not None and is_canceled():
        raise Canceled()


def _retryable(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def _status_error(response: Response, method: str, url: str, secrets: Sequence[str], attempts: int) -> BaiMeiError:
    status = response.status
    host = urlsplit(url).hostname or url
    shown_url = redact(url, secrets)
    said = _server_message(response)
    details = redact(
        f"{method.upper()} {url} -> HTTP {status} after {attempts} attempt(s); "
        f"content type {response.content_type or 'none'}; answer: {response.excerpt(1000)}",
        secrets,
    )
    if status in (401, 403):
        message = (
            f"The server at {host} refused the request (HTTP {status}): the API key was refused or is missing "
            f"— check the authentication configuration."
        )
    elif status == 404:
        message = f"Nothing at {shown_url} (HTTP 404) — check the URL."
    elif status == 429:
        message = (
            f"The server at {host} is limiting requests (HTTP 429) and still refused after {attempts} "
            f"attempts; wait a few minutes and try again."
        )
    elif status >= 500:
        message = f"The server at {host} failed (HTTP {status}) after {attempts} attempt(s); try again later." + (
            f" It said: {said}" if said else ""
        )
    else:
        message = f"The server at {host} rejected the request (HTTP {status})" + (f": {said}" if said else ".")
    return BaiMeiError(redact(message, secrets), details)


def _request_failure(exc: Exception, host: str, url: str, attempt: int, secrets: Sequence[str]):
    """(the error to report, whether to retry) for a ``requests`` exception."""
    if isinstance(exc, requests.exceptions.Timeout):
        return BaiMeiError(
            f"{host} did not answer in time (timeout after {attempt + 1} attempts); the service may be "
            f"overloaded or the network slow.",
            redact(exc, secrets),
        ), True
    if isinstance(exc, requests.exceptions.SSLError):
        return BaiMeiError(
            f"Could not open a secure connection to {host}: certificate or TLS problem.", redact(exc, secrets)
        ), False
    if isinstance(exc, requests.exceptions.ProxyError):
        return BaiMeiError(
            f"Could not reach {host} through the proxy: check QGIS's network proxy settings.", redact(exc, secrets)
        ), True
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return BaiMeiError(f"Could not reach {host}: no network or wrong address.", redact(exc, secrets)), True
    # invalid URL, unsupported scheme ...
    return BaiMeiError(f"Cannot request {redact(url, secrets)}: {redact(exc, secrets)}", redact(exc, secrets)), False


def _redirected_request(status: int, method: str, body: Any) -> Tuple[str, Any]:
    """The method and body of the request a redirect asks for: 303 is a GET; 301/302 after a POST too (what
    browsers and ``requests`` do); 307/308 repeat the request as it was."""
    method = method.upper()
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        return "GET", None
    return method, body


def _too_large(url: str, cap: int, declared: Optional[int] = None) -> BaiMeiError:
    size = f"{cap / MB:g} MB"
    return BaiMeiError(
        f"The answer from {origin_label(url)} is larger than {size} (the size limit for one answer), "
        f"so Bai Mei stopped reading it; narrow the search (a smaller area, window or page) or raise "
        f"the limit (setting bai_mei/network/max_response_mb).",
        f"{redact(url)}: "
        + (f"announced {declared:,} bytes" if declared is not None else f"more than {cap:,} bytes received"),
    )
