"""Failed login attempts counted in Redis: after `max_attempts` failures
within `lockout_seconds` an account (by the name or e-mail typed, so
unknown names count as well and reveal nothing) or a second-factor check
is refused until the window has passed."""
from __future__ import annotations

import hashlib

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis


def _key(scope: str, subject: str) -> str:
    # Hashed: what people type into the login field is no key for Redis to show.
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"{tk.config.get('ckan.site_id')}:jena_2fa:fail:{scope}:{digest}"


def _limit() -> tuple[int, int]:
    return (tk.config.get("ckanext.jena.2fa.max_attempts"), tk.config.get("ckanext.jena.2fa.lockout_seconds"))


def blocked(scope: str, subject: str) -> int:
    """Seconds until the next attempt may be made; 0 if it may be made now."""
    attempts, _ = _limit()
    redis = connect_to_redis()
    key = _key(scope, subject)
    count = int(redis.get(key) or 0)
    if count < attempts:
        return 0
    return max(int(redis.ttl(key)), 1)


def failed(scope: str, subject: str) -> None:
    _, window = _limit()
    redis = connect_to_redis()
    key = _key(scope, subject)
    with redis.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        pipe.execute()


def succeeded(scope: str, subject: str) -> None:
    connect_to_redis().delete(_key(scope, subject))
