"""The atlas in PostGIS: layers, features, commits, corrections, meta.

Revision ID: 0001
Revises:
Create Date: 2025-11-27

- ``layers``: one row per layer, the FeatureCollection's own members (``"features": []`` kept
  in place, so a dump writes the keys in the same order).
- ``features``: one row per feature, ``position`` keeping the file order. ``feature`` is the
  feature exactly as the atlas wrote it (type ``json``: the text is kept as is, key order and
  number spelling included), so reading it back gives the very dict the file backend gives and
  the same ETag. ``properties`` (jsonb) and ``geom`` (PostGIS, EPSG:4326, 2D) are derived from
  it by the database, for SQL queries and spatial indexes; they are never read back. A feature
  the functions cannot convert (not a geometry PostGIS knows) gets NULL there, never an error:
  the database stores whatever the files could (validation is the atlas's job, not the schema's).
- ``commits``: the history; ``changes`` as json (before/after exactly), ``entity_ids`` indexed.
- ``corrections``: the public's corrections.
- ``meta``: ``version`` — a token changed by every transaction that writes ``features`` or
  ``layers`` (a trigger: hand edits in psql count too) and by every commit.
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("""
        CREATE FUNCTION atlas_geom(geometry json) RETURNS geometry
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN
            IF geometry IS NULL OR json_typeof(geometry) <> 'object' THEN
                RETURN NULL;
            END IF;
            RETURN ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(geometry::text), 4326));
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION atlas_jsonb(value json) RETURNS jsonb
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN
            RETURN value::jsonb;
        EXCEPTION WHEN others THEN  -- \\u0000 in a string: jsonb cannot hold it
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TABLE layers (
            layer text PRIMARY KEY,
            collection json NOT NULL
        )
    """)
    op.execute("""
        CREATE TABLE features (
            layer text NOT NULL REFERENCES layers (layer) ON DELETE CASCADE,
            position integer NOT NULL,
            -- the id the atlas matches features by (atlas.storage.apply_changes): the
            -- feature's "id", else its properties' "id"; NULL unless a string
            id text GENERATED ALWAYS AS (CASE
                WHEN feature -> 'id' IS NULL THEN
                    CASE WHEN json_typeof(feature -> 'properties' -> 'id') = 'string'
                         THEN feature -> 'properties' ->> 'id' END
                WHEN json_typeof(feature -> 'id') = 'string' THEN feature ->> 'id'
            END) STORED,
            feature json NOT NULL,
            properties jsonb GENERATED ALWAYS AS (atlas_jsonb(feature -> 'properties')) STORED,
            geom geometry(Geometry, 4326)
                GENERATED ALWAYS AS (atlas_geom(feature -> 'geometry')) STORED,
            PRIMARY KEY (layer, position)
        )
    """)
    op.execute("CREATE INDEX features_id ON features (id)")
    op.execute("CREATE INDEX features_geom ON features USING gist (geom)")
    op.execute("CREATE INDEX features_properties ON features USING gin (properties jsonb_path_ops)")
    op.execute("""
        CREATE TABLE commits (
            number bigint PRIMARY KEY,
            author text NOT NULL,
            time timestamptz NOT NULL,
            message text NOT NULL,
            undoes bigint,
            entity_ids text[] NOT NULL,
            changes json NOT NULL
        )
    """)
    op.execute("CREATE INDEX commits_entity_ids ON commits USING gin (entity_ids)")
    op.execute("""
        CREATE TABLE corrections (
            number bigint PRIMARY KEY,
            entity_id text NOT NULL,
            time text NOT NULL,
            message text NOT NULL,
            lon double precision,
            lat double precision,
            contact text NOT NULL DEFAULT '',
            status text NOT NULL DEFAULT 'pending',
            decided_by text NOT NULL DEFAULT '',
            decided_at text NOT NULL DEFAULT '',
            commit bigint,
            extra json NOT NULL DEFAULT '{}'
        )
    """)
    op.execute("CREATE INDEX corrections_status ON corrections (status, number)")
    op.execute("""
        CREATE TABLE meta (
            key text PRIMARY KEY,
            value text NOT NULL
        )
    """)
    op.execute("""
        CREATE FUNCTION atlas_bump_version() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            -- once per transaction is enough: nobody sees the token before the commit
            IF current_setting('atlas.version_bumped', true) IS DISTINCT FROM 'yes' THEN
                UPDATE meta
                   SET value = substr(md5(random()::text || clock_timestamp()::text), 1, 12)
                 WHERE key = 'version';
                PERFORM set_config('atlas.version_bumped', 'yes', true);
            END IF;
            RETURN NULL;
        END $$
    """)
    op.execute("INSERT INTO meta (key, value) "
               "VALUES ('version', substr(md5(random()::text || clock_timestamp()::text), 1, 12))")
    for table in ("layers", "features"):
        op.execute(f"""
            CREATE TRIGGER {table}_version
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION atlas_bump_version()
        """)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS features, layers, commits, corrections, meta")
    op.execute("DROP FUNCTION IF EXISTS atlas_bump_version(), atlas_geom(json), atlas_jsonb(json)")
