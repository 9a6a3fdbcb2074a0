"""QGIS's side of network access: secrets from the authentication database, QGIS's proxy settings, the network
limits (timeouts, deadlines, size cap) from ``bai_mei/network/...`` settings, and thumbnail requests that carry the
credentials only to the search's own origin (or a previews address the user configured for the source).

Secrets are looked up in ``QgsAuthManager`` by auth-config id only when a request is made (the credentials object
holds the id, never the key), so nothing but the id is ever kept in settings, projects or layers.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence
from urllib.parse import quote

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from ..core.errors import BaiMeiError
from ..services.transport import BasicAuth, Credentials, HeaderAuth, HttpTransport, same_origin


def _load_config(authcfg: str) -> QgsAuthMethodConfig:
    manager = QgsApplication.authManager()
    if authcfg not in manager.configIds():
        raise BaiMeiError(
            f"There is no authentication configuration with id {authcfg!r} in QGIS's authentication "
            "database; choose another in the connection's Authentication box."
        )
    config = QgsAuthMethodConfig()
    ok = manager.loadAuthenticationConfig(authcfg, config, True)
    if not ok or not config.isValid(True):
        raise BaiMeiError(
            f"The authentication configuration {authcfg!r} could not be read (is the master password set?)."
        )
    return config


def credentials_for(authcfg: Optional[str]) -> Optional[Credentials]:
    """Credentials resolved from the auth config ``authcfg`` at request time; None when no config is chosen.

    Basic configurations give HTTP basic auth (Planet: the API key as user name, no password); API-header
    configurations (QGIS 3.26+) give their headers.
    """
    if not authcfg:
        return None
    method = _load_config(authcfg).method()  # fail early on a wrong id; the secret itself is read per request
    if method == "Basic":

        def basic():
            config = _load_config(authcfg)
            return config.config("username"), config.config("password")

        return BasicAuth(basic)
    if method == "APIHeader":

        def headers() -> Dict[str, str]:
            return dict(_load_config(authcfg).configMap())

        return HeaderAuth(headers)
    raise BaiMeiError(
        f"The authentication configuration {authcfg!r} uses the method {method!r}; Bai Mei can use "
        "'Basic' (user name and password, or an API key as user name) and 'API Header'."
    )


def proxies_from_settings() -> Optional[Dict[str, str]]:
    """``requests`` proxies from QGIS's network settings (Settings ▸ Options ▸ Network); None to use the system's."""
    settings = QgsSettings()
    if not settings.value("proxy/proxyEnabled", False, type=bool):
        return None
    kind = settings.value("proxy/proxyType", "DefaultProxy")
    if kind in ("DefaultProxy", "NoProxy"):
        return None if kind == "DefaultProxy" else {"http": "", "https": ""}
    host = settings.value("proxy/proxyHost", "")
    port = settings.value("proxy/proxyPort", "")
    if not host:
        return None
    user = settings.value("proxy/proxyUser", "")
    password = settings.value("proxy/proxyPassword", "")
    login = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
    scheme = "socks5h" if kind == "Socks5Proxy" else "http"
    address = f"{scheme}://{login}{host}" + (f":{port}" if port else "")
    proxies = {"http": address, "https": address}
    excluded = [u for u in str(settings.value("proxy/proxyExcludedUrls", "")).split("|") if u]
    if excluded:
        proxies["no_proxy"] = ",".join(excluded)
    return proxies


# Settings under bai_mei/network/ (QgsSettings), with their defaults: how long to wait and how much to accept.
LIMIT_SETTINGS = {
    "connect_timeout_s": 10.0,  # to open a connection
    "read_timeout_s": 60.0,  # between two pieces of an answer
    "request_deadline_s": 300.0,  # one request with its retries and redirects
    "search_deadline_s": 900.0,  # one whole search
    "max_response_mb": 50.0,  # one answer (a page of results, a record, a thumbnail)
}
SETTINGS_PREFIX = "bai_mei/network/"


def network_limits() -> Dict[str, float]:
    """The limits from QGIS's settings (``bai_mei/network/<name>``); a missing, unreadable or non-positive value
    gives the default."""
    settings = QgsSettings()
    limits = {}
    for name, default in LIMIT_SETTINGS.items():
        try:
            value = float(settings.value(SETTINGS_PREFIX + name, default))
        except (TypeError, ValueError):
            value = default
        limits[name] = value if value > 0 else default
    return limits


def qgis_transport(**options) -> HttpTransport:
    """The HTTP transport with QGIS's proxy settings and the limits of :func:`network_limits` (``options``, e.g.
    ``retries=1``, override them)."""
    limits = network_limits()
    settings = {
        "timeout": (limits["connect_timeout_s"], limits["read_timeout_s"]),
        "deadline": limits["request_deadline_s"],
        "search_deadline": limits["search_deadline_s"],
        "max_bytes": int(limits["max_response_mb"] * 1024 * 1024),
    }
    return HttpTransport(proxies=proxies_from_settings(), **{**settings, **options})


def preview_request(url: str, auth_origin: str, authcfg: str, also: Sequence[str] = ()) -> QNetworkRequest:
    """The request for a thumbnail or preview at ``url``: the auth config's credentials only when ``url`` is on the
    search's origin (``auth_origin``: scheme, host and port) or on the origin of one of the addresses ``also`` (a
    source's previews address the user configured, e.g. Planet's tiles host), and then redirects only within that
    origin (Qt would copy the credential headers to any host); without credentials, redirects that do not go from
    https to http."""
    request = QNetworkRequest(QUrl(url))
    limits = network_limits()
    request.setTransferTimeout(int(1000 * limits["read_timeout_s"]))
    if authcfg and any(same_origin(url, origin) for origin in (auth_origin, *also) if origin):
        _ok, request = QgsApplication.authManager().updateNetworkRequest(request, authcfg)
        request.setAttribute(
            QNetworkRequest.Attribute.RedirectPolicyAttribute, QNetworkRequest.RedirectPolicy.SameOriginRedirectPolicy
        )
    else:
        request.setAttribute(
            QNetworkRequest.Attribute.RedirectPolicyAttribute, QNetworkRequest.RedirectPolicy.NoLessSafeRedirectPolicy
        )
    return request


def limit_reply_size(reply: QNetworkReply, max_bytes: Optional[int] = None) -> None:
    """Abort ``reply`` as soon as it announces or receives more than ``max_bytes`` (default: the setting)."""
    cap = max_bytes if max_bytes is not None else int(network_limits()["max_response_mb"] * 1024 * 1024)

    def check(received: int, total: int) -> None:
        if received > cap or total > cap:
            reply.abort()

    def announced() -> None:  # the headers: refuse what claims to be too large before its body arrives
        length = reply.header(QNetworkRequest.KnownHeaders.ContentLengthHeader)
        if length is not None and int(length) > cap:
            reply.abort()

    reply.metaDataChanged.connect(announced)
    reply.downloadProgress.connect(check)
