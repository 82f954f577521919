"""Harvest runs as the runner reports them, the alerts sent per source and
the portal's "run now" triggers.

Revision ID: 0001_harvest_tables
Revises:
Create Date: 2026-12-02
"""
from alembic import op

revision = "0001_harvest_tables"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # One row per run of a configured source (its units summed up); the id is
    # the runner's, so a record sent twice (an answer lost) is stored once.
    op.execute("""
        CREATE TABLE jena_harvest_run (
            id text PRIMARY KEY,
            source text NOT NULL,
            kind text NOT NULL,
            organization_id text NOT NULL,
            title text NOT NULL DEFAULT '',
            started timestamptz NOT NULL,
            finished timestamptz NOT NULL,
            status text NOT NULL,
            trigger text NOT NULL DEFAULT 'command',
            rows bigint,
            new integer NOT NULL DEFAULT 0,
            removed integer NOT NULL DEFAULT 0,
            changed integer NOT NULL DEFAULT 0,
            repaired integer NOT NULL DEFAULT 0,
            warnings jsonb NOT NULL DEFAULT '{}',
            message text NOT NULL DEFAULT '',
            datasets jsonb NOT NULL DEFAULT '[]',
            reported_by text NOT NULL,
            reported timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("CREATE INDEX jena_harvest_run_source ON jena_harvest_run (source, started DESC)")
    op.execute("CREATE INDEX jena_harvest_run_organization ON jena_harvest_run (organization_id)")
    # An open alert per source: sent once, cleared (with a second mail) on recovery.
    op.execute("""
        CREATE TABLE jena_harvest_alert (
            source text PRIMARY KEY,
            reason text NOT NULL,
            run_id text NOT NULL,
            baseline_rows bigint,
            recipient text NOT NULL DEFAULT '',
            since timestamptz NOT NULL DEFAULT now()
        )""")
    # "Run now": one row per job in CKAN's queue, its state and progress.
    op.execute("""
        CREATE TABLE jena_harvest_trigger (
            id text PRIMARY KEY,
            source text NOT NULL,
            organization_id text NOT NULL,
            user_id text NOT NULL,
            state text NOT NULL,
            done integer NOT NULL DEFAULT 0,
            total integer,
            current text NOT NULL DEFAULT '',
            message text NOT NULL DEFAULT '',
            created timestamptz NOT NULL DEFAULT now(),
            updated timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("CREATE INDEX jena_harvest_trigger_source ON jena_harvest_trigger (source, created DESC)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS jena_harvest_trigger")
    op.execute("DROP TABLE IF EXISTS jena_harvest_alert")
    op.execute("DROP TABLE IF EXISTS jena_harvest_run")
