"""A GIN index of the title's lexemes (label A of the search vector).

A free-text search for one common word ranked every hit: at 100,000
datasets ~65,000 vectors through ts_rank for a page of 20 (85-100 ms, issue
19's bench). Every document with the word in its title ranks above every
other hit (table.TITLE_VECTOR), so sql.Search.page ranks those first, found
through this index, and ranks all hits only when they do not fill the page.

Revision ID: 0007_title_text_index
Revises: 0006_quality_sort_index
Create Date: 2026-12-03
"""
from alembic import op

from ckanext.jena.pgsearch import table

revision = "0007_title_text_index"
down_revision = "0006_quality_sort_index"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(table.index("jena_search_doc_title_fts").ddl())
    # The planner's statistics of the new expression.
    op.execute(f"ANALYZE {table.TABLE}")


def downgrade():
    op.execute("DROP INDEX IF EXISTS jena_search_doc_title_fts")
