"""Planetary Computer: assets on Azure Blob Storage opened with a SAS token from PC's token endpoint.

PC's STAC records give plain ``https://<account>.blob.core.windows.net/<container>/<blob>`` addresses; reading
them needs a short-lived SAS token from ``{token_url}/{collection}`` (``{"token": ..., "msft:expiry": ...}``).
Signing the URL would put the signature into the layer source and so into the project. Instead the asset is
opened as ``/vsiaz/<container>/<blob>`` and the account and token go to GDAL as path-specific options
(``AZURE_STORAGE_ACCOUNT``, ``AZURE_STORAGE_SAS_TOKEN``: the names GDAL 3.6 reads), which live in memory only.
Tokens are cached per collection for the session (memory only) and fetched again when they are about to expire.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Callable, Dict, NamedTuple, Optional, Tuple
from urllib.parse import quote, unquote, urlsplit

from ..core.errors import BaiMeiError
from ..core.footprints import parse_rfc3339
from .sources import SceneAccess
from .transport import HttpTransport, origin_label, origin_of, redact

PC_HOST = "planetarycomputer.microsoft.com"
PC_TOKEN_URL = f"https://{PC_HOST}/api/sas/v1/token"
BLOB_HOST_SUFFIX = ".blob.core.windows.net"
RENEW_MARGIN_S = 300.0  # a token that expires within this is fetched again: GDAL reads for a while after opening


class BlobAddress(NamedTuple):
    account: str
    container: str
    blob: str  # the path inside the container, as in the URL (percent-decoded)

    @property
    def vsiaz_path(self) -> str:
        return f"/vsiaz/{self.container}/{self.blob}"


class SasToken(NamedTuple):
    token: str
    expires_at: float  # unix seconds


def blob_address(href: str) -> Optional[BlobAddress]:
    """The account, container and blob of an Azure Blob Storage https address; None for any other address (or
    one that already carries a query, which Bai Mei would not put into a source anyway)."""
    try:
        parts = urlsplit(str(href or ""))
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" or not host.endswith(BLOB_HOST_SUFFIX) or parts.query:
        return None
    account = host[: -len(BLOB_HOST_SUFFIX)]
    container, _, blob = parts.path.lstrip("/").partition("/")
    if not account or "." in account or not container or not blob:
        return None
    return BlobAddress(account, container, unquote(blob))


def blob_address_of_path(gdal_path: str) -> Optional[BlobAddress]:
    """The blob behind a ``/vsicurl/https://<account>.blob.core.windows.net/...`` GDAL path (None otherwise)."""
    prefix = "/vsicurl/"
    return blob_address(gdal_path[len(prefix) :]) if str(gdal_path).startswith(prefix) else None


class PcSigner:
    """Fetches SAS tokens from PC's token endpoint and keeps them in memory (shared by every signer of the same
    endpoint during the session) until shortly before they expire."""

    _cache: Dict[Tuple[str, str], SasToken] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        transport: HttpTransport,
        token_url: Optional[str] = None,  # PC_TOKEN_URL, read when called (tests point it at a loopback)
        clock: Callable[[], float] = time.time,
        margin: float = RENEW_MARGIN_S,
    ):
        self.transport = transport
        self.token_url = (token_url or PC_TOKEN_URL).rstrip("/")
        self.clock = clock
        self.margin = margin

    def token(self, collection: str, address: BlobAddress, is_canceled=None, fresh: bool = False) -> SasToken:
        """A token for the collection (or, without one, the account/container) valid for at least ``margin``."""
        key = (self.token_url, _token_target(collection, address))
        with self._lock:
            known = self._cache.get(key)
        if known is not None and not fresh and known.expires_at - self.margin > self.clock():
            return known
        token = self._fetch(key[1], is_canceled)
        with self._lock:
            self._cache[key] = token
        return token

    def _fetch(self, target: str, is_canceled) -> SasToken:
        url = f"{self.token_url}/{target}"
        answer = self.transport.get_json(url, is_canceled=is_canceled)
        token = answer.get("token") if isinstance(answer, dict) else None
        expiry = answer.get("msft:expiry") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise BaiMeiError(
                f"The Planetary Computer token service at {origin_label(url)} answered without a 'token' for "
                f'{target}; expected {{"token": ..., "msft:expiry": ...}}. Try again later.',
                redact(f"GET {url}: keys {sorted(answer) if isinstance(answer, dict) else type(answer).__name__}"),
            )
        try:
            expires_at = float(parse_rfc3339(expiry))
        except BaiMeiError as exc:
            raise BaiMeiError(
                f"The Planetary Computer token for {target} from {origin_label(url)} has no readable expiry "
                f"('msft:expiry' {exc.message}).",
            ) from None
        return SasToken(token.strip().lstrip("?"), expires_at)

    @classmethod
    def forget(cls) -> None:
        """Drops every cached token (plugin unload, tests)."""
        with cls._lock:
            cls._cache.clear()


def _token_target(collection: str, address: BlobAddress) -> str:
    """PC hands tokens out per collection, or per account/container for assets outside one."""
    if collection:
        return quote(collection, safe="")
    return f"{quote(address.account, safe='')}/{quote(address.container, safe='')}"


def signed_access(
    access: SceneAccess,
    collection: str,
    signer: PcSigner,
    is_canceled=None,
    endpoint: str = "",
    fresh: bool = False,
) -> SceneAccess:
    """``access`` to an Azure blob (a ``/vsicurl/`` path to ``*.blob.core.windows.net``) opened through
    ``/vsiaz/`` with a SAS token in its options; any other access is returned as it is. ``endpoint`` points GDAL
    at another blob service (``http://127.0.0.1:port/account`` in tests)."""
    address = blob_address_of_path(access.gdal_path)
    if address is None:
        return access
    token = signer.token(collection, address, is_canceled, fresh=fresh)
    options = [("AZURE_STORAGE_ACCOUNT", address.account), ("AZURE_STORAGE_SAS_TOKEN", token.token)]
    if endpoint:
        options += [
            ("CPL_AZURE_ENDPOINT", endpoint.rstrip("/")),
            ("CPL_AZURE_USE_HTTPS", "YES" if endpoint.lower().startswith("https:") else "NO"),
        ]

    def renew() -> SceneAccess:
        return signed_access(access, collection, signer, None, endpoint, fresh=True)

    return replace(
        access,
        gdal_path=address.vsiaz_path,
        options=tuple(options),
        options_prefix=address.vsiaz_path,
        expires_at=token.expires_at,
        renew=renew,
    )


def from_planetary_computer(record_url: str) -> bool:
    """Whether a STAC record is Planetary Computer's (its assets on Azure then need PC's SAS tokens)."""
    return origin_of(record_url)[1] == PC_HOST


def sign_planetary_computer(access: SceneAccess, footprint, transport: HttpTransport, is_canceled=None) -> SceneAccess:
    """The STAC source's hook: ``access`` signed when the footprint's record is Planetary Computer's and the asset
    is on Azure Blob Storage; unchanged otherwise (other APIs' Azure assets are public or not PC's to sign)."""
    if not from_planetary_computer(footprint.self_url):
        return access
    return signed_access(access, footprint.collection, PcSigner(transport), is_canceled)
