"""Search index table of the PostgreSQL search backend.

Revision ID: 0001_search_index
Revises:
Create Date: 2026-11-24
"""
from alembic import op

revision = "0001_search_index"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    has_postgis = bind.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'postgis'").scalar()
    if not has_postgis:
        raise RuntimeError(
            "jena_pgsearch needs PostGIS in this database: as a superuser run "
            "CREATE EXTENSION postgis (bin/setup does this), then migrate again")
    # unaccent is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # German stemming after folding accents, so "Bäume" and "Baume", "Straße"
    # and "Strasse" meet in the index.
    op.execute("""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'jena_german') THEN
                CREATE TEXT SEARCH CONFIGURATION jena_german (COPY = pg_catalog.german);
                ALTER TEXT SEARCH CONFIGURATION jena_german
                    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, german_stem;
            END IF;
        END $$""")
    op.execute("""
        CREATE OR REPLACE FUNCTION jena_pgsearch_ts(v text) RETURNS timestamptz
        LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
        BEGIN RETURN v::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$""")
    op.execute("""
        CREATE OR REPLACE FUNCTION jena_pgsearch_num(v text) RETURNS double precision
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN RETURN v::double precision; EXCEPTION WHEN others THEN RETURN NULL; END $$""")
    op.execute("CREATE SEQUENCE IF NOT EXISTS jena_search_doc_seq")
    op.execute("""
        CREATE TABLE jena_search_doc (
            index_id text PRIMARY KEY,
            id text NOT NULL,
            site_id text,
            seq bigint NOT NULL,
            doc jsonb NOT NULL,
            terms jsonb NOT NULL,
            data_dict text,
            validated_data_dict text,
            search_vector tsvector NOT NULL,
            search_text text NOT NULL DEFAULT '',
            metadata_created timestamptz,
            metadata_modified timestamptz,
            geom geometry(Geometry, 4326),
            indexed_at timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("CREATE INDEX jena_search_doc_id ON jena_search_doc (id)")
    op.execute("CREATE INDEX jena_search_doc_terms ON jena_search_doc USING gin (terms jsonb_path_ops)")
    op.execute("CREATE INDEX jena_search_doc_fts ON jena_search_doc USING gin (search_vector)")
    op.execute("CREATE INDEX jena_search_doc_modified ON jena_search_doc (metadata_modified)")
    op.execute("CREATE INDEX jena_search_doc_created ON jena_search_doc (metadata_created)")
    op.execute("CREATE INDEX jena_search_doc_geom ON jena_search_doc USING gist (geom)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS jena_search_doc")
    op.execute("DROP SEQUENCE IF EXISTS jena_search_doc_seq")
    op.execute("DROP FUNCTION IF EXISTS jena_pgsearch_ts(text)")
    op.execute("DROP FUNCTION IF EXISTS jena_pgsearch_num(text)")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS jena_german")
