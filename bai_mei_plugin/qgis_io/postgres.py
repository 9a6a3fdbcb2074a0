"""A psycopg2 connection from one of QGIS's own PostgreSQL connections (credentials through its auth configs), and
QGIS layers of tables on such a connection."""

from __future__ import annotations

from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer, QgsWkbTypes

from ..core.errors import BaiMeiError


def _connection(name: str):
    """QGIS's saved PostgreSQL connection ``name`` (a QgsAbstractDatabaseProviderConnection)."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    try:
        connection = metadata.findConnection(name) if metadata is not None else None
    except Exception:  # noqa: BLE001 - QGIS raises QgsProviderConnectionException for an unknown name
        connection = None
    if connection is None:
        raise BaiMeiError(f"QGIS has no PostgreSQL connection named {name!r} (Browser ▸ PostgreSQL ▸ New Connection).")
    return connection


def connect(name: str):
    """Open QGIS's PostgreSQL connection ``name`` with psycopg2; Bai Mei stores nothing of it."""
    try:
        import psycopg2
    except ImportError as exc:
        raise BaiMeiError("The PostGIS engine needs the Python package psycopg2 (Debian: python3-psycopg2).") from exc
    uri = QgsDataSourceUri(_connection(name).uri())
    if uri.authConfigId():  # a Basic auth config holds the user and password, read only now
        from .network import _load_config

        config = _load_config(uri.authConfigId())
        uri.setUsername(config.config("username") or uri.username())
        uri.setPassword(config.config("password") or uri.password())
    params = {
        "dbname": uri.database(),
        "host": uri.host() or None,
        "port": uri.port() or None,
        "user": uri.username() or None,
        "password": uri.password() or None,
    }
    if uri.service():
        params = {"service": uri.service()}
    try:
        return psycopg2.connect(**{k: v for k, v in params.items() if v})
    except psycopg2.Error as exc:
        raise BaiMeiError(
            f"Could not connect to the PostgreSQL connection {name!r}: {str(exc).strip().splitlines()[0]}"
        ) from None


def table_layer(
    name: str,
    schema: str,
    table: str,
    geometry_column: str = "geom",
    key_column: str = "fid",
    wkb_type=QgsWkbTypes.Type.LineString,
    layer_name: str = "",
) -> QgsVectorLayer:
    """A 'postgres' provider layer of ``schema.table`` on QGIS's connection ``name`` (its URI, so its credentials
    or auth config, unexpanded: no password passes through Bai Mei)."""
    uri = QgsDataSourceUri(_connection(name).uri())
    uri.setDataSource(schema, table, geometry_column, "", key_column)
    uri.setWkbType(wkb_type)
    uri.setSrid("4326")
    layer = QgsVectorLayer(uri.uri(False), layer_name or table, "postgres")
    if not layer.isValid():
        # no provider error text in the message: it may quote the connection's URI
        raise BaiMeiError(
            f"QGIS cannot open the table {schema}.{table} of the connection {name!r} as a layer "
            f"(geometry column {geometry_column!r}, key {key_column!r})."
        )
    return layer
