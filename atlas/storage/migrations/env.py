"""Alembic environment: connect with psycopg 3 to the atlas's database and run the migrations."""

from __future__ import annotations

import os

import psycopg
from alembic import context
from sqlalchemy import create_engine, pool

from atlas.storage.postgis import MIGRATE_LOCK

config = context.config


def database_url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("ATLAS_DATABASE_URL", "")
    if not url:
        raise SystemExit("no database: set ATLAS_DATABASE_URL=postgresql://…")
    return url


def run_offline() -> None:
    """``alembic upgrade --sql``: print the SQL instead of running it."""
    context.configure(dialect_name="postgresql", literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    url = database_url()
    # libpq parses the URL itself (unix sockets, service files, …); SQLAlchemy only wraps it.
    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(url),
                           poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            # two `atlas db init` at once (several servers starting): one migrates, one waits,
            # then finds the schema at head
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK})")
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
