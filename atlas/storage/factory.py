"""Which storage the settings ask for: PostGIS when ``database_url`` is set, else the files."""

from __future__ import annotations

from atlas.config import Settings
from atlas.storage import Storage


def open_storage(settings: Settings) -> Storage:
    """``PostGISStorage(settings.database_url)`` when set (``ATLAS_DATABASE_URL``), else
    ``GeoJSONStorage(settings.data_dir)``."""
    if settings.database_url:
        from atlas.storage.postgis import PostGISStorage  # psycopg only when it is used

        return PostGISStorage(settings.database_url)
    from atlas.storage.geojson import GeoJSONStorage

    return GeoJSONStorage(settings.data_dir)
