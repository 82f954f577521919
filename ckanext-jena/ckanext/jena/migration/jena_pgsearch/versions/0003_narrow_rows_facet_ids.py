"""Keep the rows every search scans narrow; count facets on integer ids.

Every search scans the filter columns and the tsvector of the matching rows;
the stored document, term map and dataset dicts are read for 20 rows at most.
Moving the large values out of line (toast_tuple_target) and keeping the
scanned ones inline (STORAGE MAIN) made counting 10,000 rows 3x faster, and
grouping integer facet ids instead of text about 40% faster (bench/).

Revision ID: 0003_narrow_rows_facet_ids
Revises: 0002_filter_facet_columns
Create Date: 2026-11-24
"""
from alembic import op

revision = "0003_narrow_rows_facet_ids"
down_revision = "0002_filter_facet_columns"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE jena_search_facet_value (
            id serial PRIMARY KEY,
            fv text NOT NULL UNIQUE
        )""")
    op.execute("ALTER TABLE jena_search_doc ADD COLUMN facet_ids integer[] NOT NULL DEFAULT '{}'")
    op.execute("""
        INSERT INTO jena_search_facet_value (fv)
        SELECT DISTINCT unnest(facet_values) FROM jena_search_doc
        ON CONFLICT DO NOTHING""")
    op.execute("""
        UPDATE jena_search_doc d SET facet_ids = ARRAY(
            SELECT v.id FROM jena_search_facet_value v WHERE v.fv = ANY(d.facet_values))""")
    op.execute("ALTER TABLE jena_search_doc DROP COLUMN facet_values")
    op.execute("ALTER TABLE jena_search_doc SET (toast_tuple_target = 128)")
    for col in ("search_vector", "facet_ids", "permission_labels"):
        op.execute(f"ALTER TABLE jena_search_doc ALTER COLUMN {col} SET STORAGE MAIN")
    # Rewrite the existing rows under the new storage rules, then compact.
    op.execute("UPDATE jena_search_doc SET seq = seq")
    with op.get_context().autocommit_block():
        op.execute("VACUUM FULL ANALYZE jena_search_doc")


def downgrade():
    op.execute("ALTER TABLE jena_search_doc RESET (toast_tuple_target)")
    op.execute("ALTER TABLE jena_search_doc ADD COLUMN facet_values text[] NOT NULL DEFAULT '{}'")
    op.execute("""
        UPDATE jena_search_doc d SET facet_values = ARRAY(
            SELECT v.fv FROM jena_search_facet_value v WHERE v.id = ANY(d.facet_ids))""")
    op.execute("ALTER TABLE jena_search_doc DROP COLUMN facet_ids")
    op.execute("DROP TABLE jena_search_facet_value")
