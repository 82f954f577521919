"""The metadata quality score as a column, with an index that is the
ORDER BY of the portal's quality sort.

The home page ("best described datasets") and the "Metadata quality" sort
of /dataset order by `quality_score desc, metadata_modified desc`. The
score lived only in the term map, so every such search read and sorted all
index documents: 0.69 s a search at 100,000 datasets (issue 19's bench
data). As a column with this index the page is an index scan and a LIMIT.

Revision ID: 0006_quality_sort_index
Revises: 0005_index_generation
Create Date: 2026-12-03
"""
from alembic import op

from ckanext.jena.pgsearch import table

revision = "0006_quality_sort_index"
down_revision = "0005_index_generation"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(f"ALTER TABLE {table.TABLE} ADD COLUMN {table.column('quality_score').ddl()}")
    # What store.document_row writes: the first value of the field's terms.
    op.execute(f"UPDATE {table.TABLE} SET quality_score = terms -> 'quality_score' ->> 0 "
               f"WHERE terms ? 'quality_score'")
    op.execute(table.index("jena_search_doc_quality").ddl())
    # The updated rows' visibility map and the planner's statistics.
    with op.get_context().autocommit_block():
        op.execute(f"VACUUM ANALYZE {table.TABLE}")


def downgrade():
    op.execute("DROP INDEX IF EXISTS jena_search_doc_quality")
    op.execute(f"ALTER TABLE {table.TABLE} DROP COLUMN quality_score")
