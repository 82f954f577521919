"""Recovery codes: ten one-time codes for a lost phone or key, shown once
and stored as SHA-256 hashes (the codes are random, 50 bits each, and
attempts are limited: a slow password hash would add nothing)."""
from __future__ import annotations

import base64
import hashlib
import secrets

from ckanext.jena.twofactor import store

COUNT = 10


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"


def regenerate(user_id: str) -> list[str]:
    """New codes replace all old ones; the plain codes are returned once."""
    codes = [_new_code() for _ in range(COUNT)]
    store.replace_recovery(user_id, [_hash(c) for c in codes])
    return codes


def use(user_id: str, code: str) -> bool:
    """A valid unused code, now spent."""
    return bool(_normalise(code)) and store.use_recovery(user_id, _hash(code))
