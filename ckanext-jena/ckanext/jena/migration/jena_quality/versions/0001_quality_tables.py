"""Quality results per dataset and link check results per URL.

Revision ID: 0001_quality_tables
Revises:
Create Date: 2026-11-24
"""
from alembic import op

revision = "0001_quality_tables"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE jena_quality (
            package_id text PRIMARY KEY,
            owner_org text,
            score integer NOT NULL,
            rating text NOT NULL,
            dimensions jsonb NOT NULL,
            indicators jsonb NOT NULL,
            computed_at timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("CREATE INDEX jena_quality_owner_org ON jena_quality (owner_org)")
    op.execute("""
        CREATE TABLE jena_url_check (
            url text PRIMARY KEY,
            status integer,
            error text,
            checked_at timestamptz NOT NULL
        )""")


def downgrade():
    op.execute("DROP TABLE IF EXISTS jena_url_check")
    op.execute("DROP TABLE IF EXISTS jena_quality")
