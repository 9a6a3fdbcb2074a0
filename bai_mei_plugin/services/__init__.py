"""Network clients (STAC APIs, Planet, static catalogues) behind a small transport; pure Python, no qgis or PyQt.

The clients return core records (``core.footprints.Footprint``); the QGIS side supplies proxies and credentials
(from ``QgsAuthManager``) through ``transport.HttpTransport`` and ``transport.Credentials``.
"""
