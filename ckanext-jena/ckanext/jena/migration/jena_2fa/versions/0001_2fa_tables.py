"""Second factors of user accounts: TOTP secrets, passkeys, recovery codes.

Revision ID: 0001_2fa_tables
Revises:
Create Date: 2026-12-02
"""
from alembic import op

revision = "0001_2fa_tables"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # ON DELETE CASCADE: a purged user takes its factors along (and CKAN's
    # test resets, which delete users, leave nothing behind).
    op.execute("""
        CREATE TABLE jena_2fa_totp (
            user_id text PRIMARY KEY REFERENCES "user" (id) ON DELETE CASCADE,
            secret text NOT NULL,
            last_counter bigint NOT NULL DEFAULT 0,
            created timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("""
        CREATE TABLE jena_2fa_passkey (
            credential_id text PRIMARY KEY,
            user_id text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            name text NOT NULL,
            public_key bytea NOT NULL,
            sign_count bigint NOT NULL DEFAULT 0,
            created timestamptz NOT NULL DEFAULT now(),
            last_used timestamptz
        )""")
    op.execute("CREATE INDEX jena_2fa_passkey_user ON jena_2fa_passkey (user_id)")
    # Only the SHA-256 of each code: a leaked table gives no usable code.
    op.execute("""
        CREATE TABLE jena_2fa_recovery (
            user_id text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            code_hash text NOT NULL,
            PRIMARY KEY (user_id, code_hash)
        )""")


def downgrade():
    op.execute("DROP TABLE IF EXISTS jena_2fa_recovery")
    op.execute("DROP TABLE IF EXISTS jena_2fa_passkey")
    op.execute("DROP TABLE IF EXISTS jena_2fa_totp")
