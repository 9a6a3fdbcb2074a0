"""A psycopg2 connection from one of QGIS's own PostgreSQL connections (credentials through its auth configs)."""

from __future__ import annotations

from qgis.core import QgsDataSourceUri, QgsProviderRegistry

from ..core.errors import BaiMeiError


def connect(name: str):
    """Open QGIS's PostgreSQL connection ``name`` with psycopg2; Bai Mei stores nothing of it."""
    try:
        import psycopg2
    except ImportError as exc:
        raise BaiMeiError("The PostGIS engine needs the Python package psycopg2 (Debian: python3-psycopg2).") from exc
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    try:
        connection = metadata.findConnection(name) if metadata is not None else None
    except Exception:  # noqa: BLE001 - QGIS raises QgsProviderConnectionException for an unknown name
        connection = None
    if connection is None:
        raise BaiMeiError(f"QGIS has no PostgreSQL connection named {name!r} (Browser ▸ PostgreSQL ▸ New "
                          "Connection).")
    uri = QgsDataSourceUri(connection.uri())
    if uri.authConfigId():  # a Basic auth config holds the user and password, read only now
        from .network import _load_config

        config = _load_config(uri.authConfigId())
        uri.setUsername(config.config("username") or uri.username())
        uri.setPassword(config.config("password") or uri.password())
    params = {"dbname": uri.database(), "host": uri.host() or None, "port": uri.port() or None,
              "user": uri.username() or None, "password": uri.password() or None}
    if uri.service():
        params = {"service": uri.service()}
    try:
        return psycopg2.connect(**{k: v for k, v in params.items() if v})
    except psycopg2.Error as exc:
        raise BaiMeiError(f"Could not connect to the PostgreSQL connection {name!r}: "
                          f"{str(exc).strip().splitlines()[0]}") from None
