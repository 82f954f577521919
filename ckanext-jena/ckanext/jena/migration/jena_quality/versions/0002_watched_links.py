"""What the link check last saw of a dataset (visibility and URLs), so that
a change of either is checked at once instead of after url_recheck_hours.

Revision ID: 0002_watched_links
Revises: 0001_quality_tables
Create Date: 2026-12-01
"""
from alembic import op

revision = "0002_watched_links"
down_revision = "0001_quality_tables"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE jena_quality ADD COLUMN IF NOT EXISTS watched jsonb")


def downgrade():
    op.execute("ALTER TABLE jena_quality DROP COLUMN IF EXISTS watched")
