"""The second factors of each account (plugin migration jena_2fa:
`ckan db upgrade -p jena_2fa`). Callers commit."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa

import ckan.model as model


def _run(sql: str, **params):
    return model.Session.execute(sa.text(sql), params)


# TOTP

def totp_secret(user_id: str) -> Optional[tuple[str, int]]:
    """(secret, last accepted time step) or None."""
    row = _run("SELECT secret, last_counter FROM jena_2fa_totp WHERE user_id = :u", u=user_id).first()
    return (row.secret, row.last_counter) if row else None


def save_totp(user_id: str, secret: str, counter: int) -> None:
    _run("INSERT INTO jena_2fa_totp (user_id, secret, last_counter) VALUES (:u, :s, :c) "
         "ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, "
         "last_counter = EXCLUDED.last_counter, created = now()", u=user_id, s=secret, c=counter)


def use_totp_counter(user_id: str, counter: int) -> bool:
    """Record a time step as used; False if it (or a later one) was used
    already: a code seen once is never accepted again."""
    return _run("UPDATE jena_2fa_totp SET last_counter = :c WHERE user_id = :u AND last_counter < :c",
                u=user_id, c=counter).rowcount == 1


def delete_totp(user_id: str) -> None:
    _run("DELETE FROM jena_2fa_totp WHERE user_id = :u", u=user_id)


# Passkeys

def passkeys(user_id: str) -> list[dict[str, Any]]:
    rows = _run("SELECT credential_id, name, public_key, sign_count, created, last_used "
                "FROM jena_2fa_passkey WHERE user_id = :u ORDER BY created", u=user_id)
    return [dict(row._mapping) for row in rows]


def add_passkey(user_id: str, credential_id: str, name: str, public_key: bytes, sign_count: int) -> None:
    _run("INSERT INTO jena_2fa_passkey (credential_id, user_id, name, public_key, sign_count) "
         "VALUES (:c, :u, :n, :k, :s)", c=credential_id, u=user_id, n=name, k=public_key, s=sign_count)


def passkey_used(credential_id: str, sign_count: int) -> None:
    _run("UPDATE jena_2fa_passkey SET sign_count = :s, last_used = now() WHERE credential_id = :c",
         c=credential_id, s=sign_count)


def delete_passkey(user_id: str, credential_id: str) -> bool:
    return _run("DELETE FROM jena_2fa_passkey WHERE user_id = :u AND credential_id = :c",
                u=user_id, c=credential_id).rowcount == 1


# Recovery codes (hashes only)

def replace_recovery(user_id: str, hashes: list[str]) -> None:
    _run("DELETE FROM jena_2fa_recovery WHERE user_id = :u", u=user_id)
    for h in hashes:
        _run("INSERT INTO jena_2fa_recovery (user_id, code_hash) VALUES (:u, :h)", u=user_id, h=h)


def use_recovery(user_id: str, code_hash: str) -> bool:
    return _run("DELETE FROM jena_2fa_recovery WHERE user_id = :u AND code_hash = :h",
                u=user_id, h=code_hash).rowcount == 1


def recovery_left(user_id: str) -> int:
    return _run("SELECT count(*) FROM jena_2fa_recovery WHERE user_id = :u", u=user_id).scalar()


def delete_recovery(user_id: str) -> None:
    _run("DELETE FROM jena_2fa_recovery WHERE user_id = :u", u=user_id)


def factors(user_id: str) -> dict[str, Any]:
    """What the account has: {"totp": bool, "passkeys": int, "recovery": int}."""
    row = _run("SELECT EXISTS (SELECT 1 FROM jena_2fa_totp WHERE user_id = :u) AS totp, "
               "(SELECT count(*) FROM jena_2fa_passkey WHERE user_id = :u) AS passkeys, "
               "(SELECT count(*) FROM jena_2fa_recovery WHERE user_id = :u) AS recovery",
               u=user_id).first()
    return {"totp": row.totp, "passkeys": row.passkeys, "recovery": row.recovery}


def enrolled(user_id: str) -> bool:
    """A second factor (TOTP or passkey) is set up; recovery codes alone are none."""
    f = factors(user_id)
    return f["totp"] or f["passkeys"] > 0
