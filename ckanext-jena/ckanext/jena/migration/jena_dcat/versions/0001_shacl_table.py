"""DCAT-AP.de SHACL result per dataset.

Revision ID: 0001_shacl_table
Revises:
Create Date: 2026-12-01
"""
from alembic import op

revision = "0001_shacl_table"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE jena_shacl (
            package_id text PRIMARY KEY,
            status text NOT NULL,
            conforms boolean,
            violations integer NOT NULL DEFAULT 0,
            warnings integer NOT NULL DEFAULT 0,
            message text NOT NULL DEFAULT '',
            report jsonb,
            updated timestamptz NOT NULL DEFAULT now()
        )""")


def downgrade():
    op.execute("DROP TABLE IF EXISTS jena_shacl")
