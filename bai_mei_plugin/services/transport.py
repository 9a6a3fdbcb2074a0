"""HTTP for the network clients: retries with backoff, clear errors, secrets resolved late and never shown.

``HttpTransport.request`` is the one place that talks to the network. Credentials are objects whose ``resolve()``
is called only when a request is made (the QGIS side implements them over ``QgsAuthManager``); every message the
transport builds is passed through :func:`redact` with the resolved secrets, and URLs lose key/signature query
values (``api_key=``, ``token=``, ``sig=``, ``se=`` ...).
"""

from __future__ import annotations

import base64
import email.utils
import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, NamedTuple, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlsplit

import requests

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
            raise BaiMeiError(f"The server at {redact(self.url, self.secrets)} did not answer with JSON "
                              f"(got {got}: {self.excerpt() or 'an empty answer'}).") from None


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


# --- transport ---------------------------------------------------------------------------------------------------

class HttpTransport:
    """``requests`` with retries: 5xx and 429 are retried ``retries`` times with exponential backoff
    (``backoff * 2**n`` seconds, or the server's ``Retry-After``, capped at ``max_wait``), as are timeouts and
    connection failures. ``sleep`` and ``clock`` are injectable so tests never wait."""

    def __init__(self, session: Optional[requests.Session] = None, proxies: Optional[Dict[str, str]] = None,
                 timeout: Union[float, Tuple[float, float]] = (10, 60), retries: int = 3, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep, max_wait: float = 60.0,
                 clock: Callable[[], float] = time.time):
        self.session = session if session is not None else requests.Session()
        self.proxies = proxies
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.sleep = sleep
        self.max_wait = max_wait
        self.clock = clock

    def request(self, method: str, url: str, json_body: Any = None, headers: Optional[Dict[str, str]] = None,
                auth: Union[Credentials, Callable[[], Dict[str, str]], None] = None,
                is_canceled: Optional[Callable[[], bool]] = None) -> Response:
        """Send one request (retrying as above); a Response with a status below 400, or BaiMeiError/Canceled."""
        credentials = as_credentials(auth)
        resolved = credentials.resolve() if credentials else ResolvedAuth({}, ())
        secrets = resolved.secrets
        sent_headers = {**DEFAULT_HEADERS, **(headers or {}), **resolved.headers}
        host = urlsplit(url).hostname or url
        attempt = 0
        while True:
            _check_canceled(is_canceled)
            try:
                raw = self.session.request(method.upper(), url, json=json_body, headers=sent_headers,
                                           timeout=self.timeout, proxies=self.proxies)
            except requests.exceptions.Timeout as exc:
                failure = BaiMeiError(f"{host} did not answer in time (timeout after {attempt + 1} attempts); the "
                                      f"service may be overloaded or the network slow.", redact(exc, secrets))
                wait = self._backoff_wait(attempt)
            except requests.exceptions.SSLError as exc:
                raise BaiMeiError(f"Could not open a secure connection to {host}: certificate or TLS problem.",
                                  redact(exc, secrets)) from None
            except requests.exceptions.ProxyError as exc:
                failure = BaiMeiError(f"Could not reach {host} through the proxy: check QGIS's network proxy "
                                      f"settings.", redact(exc, secrets))
                wait = self._backoff_wait(attempt)
            except requests.exceptions.ConnectionError as exc:
                failure = BaiMeiError(f"Could not reach {host}: no network or wrong address.", redact(exc, secrets))
                wait = self._backoff_wait(attempt)
            except requests.exceptions.RequestException as exc:  # invalid URL, unsupported scheme ...
                raise BaiMeiError(f"Cannot request {redact(url, secrets)}: {redact(exc, secrets)}",
                                  redact(exc, secrets)) from None
            else:
                response = Response(raw.status_code, dict(raw.headers), raw.content or b"", raw.url or url, secrets)
                if response.status < 400:
                    return response
                failure = _status_error(response, method, url, secrets, attempt + 1)
                if not _retryable(response.status):
                    raise failure
                wait = self._retry_after(response)
                if wait is None:
                    wait = self._backoff_wait(attempt)
            if attempt >= self.retries:
                raise failure
            attempt += 1
            self._wait(wait, is_canceled)

    def get_json(self, url: str, auth=None, is_canceled=None, headers: Optional[Dict[str, str]] = None) -> Any:
        return self.request("GET", url, headers=headers, auth=auth, is_canceled=is_canceled).json()

    def _backoff_wait(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * (2 ** attempt))

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
    details = redact(f"{method.upper()} {url} -> HTTP {status} after {attempts} attempt(s); "
                     f"content type {response.content_type or 'none'}; answer: {response.excerpt(1000)}", secrets)
    if status in (401, 403):
        message = (f"The server at {host} refused the request (HTTP {status}): the API key was refused or is missing "
                   f"— check the authentication configuration.")
    elif status == 404:
        message = f"Nothing at {shown_url} (HTTP 404) — check the URL."
    elif status == 429:
        message = (f"The server at {host} is limiting requests (HTTP 429) and still refused after {attempts} "
                   f"attempts; wait a few minutes and try again.")
    elif status >= 500:
        message = (f"The server at {host} failed (HTTP {status}) after {attempts} attempt(s); try again later."
                   + (f" It said: {said}" if said else ""))
    else:
        message = f"The server at {host} rejected the request (HTTP {status})" + (f": {said}" if said else ".")
    return BaiMeiError(redact(message, secrets), details)
