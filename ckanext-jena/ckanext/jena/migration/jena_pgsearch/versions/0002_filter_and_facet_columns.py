"""Columns for the filters of every search and for facet counting.

Revision ID: 0002_filter_facet_columns
Revises: 0001_search_index
Create Date: 2026-11-24
"""
from alembic import op

revision = "0002_filter_facet_columns"
down_revision = "0001_search_index"
branch_labels = None
depends_on = None

STRINGS = ("name", "state", "capacity", "dataset_type", "entity_type", "organization")


def upgrade():
    for col in STRINGS:
        op.execute(f"ALTER TABLE jena_search_doc ADD COLUMN {col} text")
        op.execute(f"UPDATE jena_search_doc SET {col} = terms -> '{col}' ->> 0")
    op.execute("ALTER TABLE jena_search_doc ADD COLUMN permission_labels text[] NOT NULL DEFAULT '{}'")
    op.execute("ALTER TABLE jena_search_doc ADD COLUMN facet_values text[] NOT NULL DEFAULT '{}'")
    op.execute("""
        UPDATE jena_search_doc SET permission_labels = coalesce(ARRAY(
            SELECT jsonb_array_elements_text(terms -> 'permission_labels')), '{}')""")
    op.execute("""
        UPDATE jena_search_doc SET facet_values = coalesce(ARRAY(
            SELECT f || chr(31) || v FROM unnest(ARRAY['organization', 'groups', 'tags',
                'res_format', 'license_id', 'res_type']) f,
                jsonb_array_elements_text(coalesce(terms -> f, '[]')) v), '{}')""")
    op.execute("CREATE INDEX jena_search_doc_name ON jena_search_doc (name)")
    op.execute("CREATE INDEX jena_search_doc_labels ON jena_search_doc USING gin (permission_labels)")
    op.execute("CREATE INDEX jena_search_doc_organization ON jena_search_doc (organization)")


def downgrade():
    for col in STRINGS + ("permission_labels", "facet_values"):
        op.execute(f"ALTER TABLE jena_search_doc DROP COLUMN IF EXISTS {col}")
