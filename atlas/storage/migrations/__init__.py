"""Alembic migrations of the PostGIS schema (see ``versions/``); ``atlas db init`` runs them.

To add a migration: ``alembic -c atlas/storage/migrations/alembic.ini revision -m "…"`` with
``ATLAS_DATABASE_URL`` set, then write its ``upgrade()`` (raw SQL through ``op.execute`` is fine).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at ``url`` (a libpq URL: postgresql://…)."""
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema of the database at ``url`` (idempotent)."""
    command.upgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The schema revision the database is at (None: never initialised)."""
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()[0]
        if not exists:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
