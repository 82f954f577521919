"""Validation status and report per resource.

Revision ID: 0001_validation_table
Revises:
Create Date: 2026-11-24
"""
from alembic import op

revision = "0001_validation_table"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE jena_validation (
            resource_id text PRIMARY KEY,
            package_id text NOT NULL,
            status text NOT NULL,
            error_count integer NOT NULL DEFAULT 0,
            row_count bigint,
            message text NOT NULL DEFAULT '',
            report jsonb,
            updated timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("CREATE INDEX jena_validation_package ON jena_validation (package_id)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS jena_validation")
