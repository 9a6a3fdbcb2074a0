"""QGIS's side of network access: secrets from the authentication database and QGIS's proxy settings.

Secrets are looked up in ``QgsAuthManager`` by auth-config id only when a request is made (the credentials object
holds the id, never the key), so nothing but the id is ever kept in settings, projects or layers.
"""

from __future__ import annotations

from typing import Dict, Optional
from urllib.parse import quote

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

from ..core.errors import BaiMeiError
from ..services.transport import BasicAuth, Credentials, HeaderAuth, HttpTransport


def _load_config(authcfg: str) -> QgsAuthMethodConfig:
    manager = QgsApplication.authManager()
    if authcfg not in manager.configIds():
        raise BaiMeiError(f"There is no authentication configuration with id {authcfg!r} in QGIS's authentication "
                          "database; choose another in the connection's Authentication box.")
    config = QgsAuthMethodConfig()
    ok = manager.loadAuthenticationConfig(authcfg, config, True)
    if not ok or not config.isValid(True):
        raise BaiMeiError(f"The authentication configuration {authcfg!r} could not be read (is the master "
                          "password set?).")
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
    raise BaiMeiError(f"The authentication configuration {authcfg!r} uses the method {method!r}; Bai Mei can use "
                      "'Basic' (user name and password, or an API key as user name) and 'API Header'.")


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


def qgis_transport(**options) -> HttpTransport:
    """The HTTP transport with QGIS's proxy settings."""
    return HttpTransport(proxies=proxies_from_settings(), **options)
