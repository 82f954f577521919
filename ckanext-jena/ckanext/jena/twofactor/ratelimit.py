"""Login attempts counted in Redis. Every attempt takes a place in its
counters *before* the password or code is checked, in one Lua script
(count, window, verdict at once): attempts made at the same instant cannot
all pass a check and only then be counted. A counter over its limit
refuses until its window ends.

Two kinds of counter: an account's (by the account CKAN finds, or the
name typed, so unknown names count as well and reveal nothing; or an
account's second step), which a success clears; and a client address's
(password spraying: one password tried on many accounts), to which a
success only gives its place back, so an office behind one address is not
locked out by its own good logins."""
from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

# KEYS: the counters; ARGV: limit and window of each, in turn. Returns the
# seconds until the next attempt may be made, 0 if this one may go ahead.
# The first counter over its limit ends it: the counters after it are not
# touched (a sprayer held up at its address uses up no account's attempts).
_RESERVE = """
for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    if count == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
    if count > tonumber(ARGV[2 * i - 1]) then
        local ttl = redis.call('TTL', key)
        if ttl < 1 then ttl = 1 end
        return ttl
    end
end
return 0
"""
# A place given back only while the counter lives: a DECR after it expired
# would leave a negative counter without a window, i.e. extra attempts.
_GIVE_BACK = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int
    window: int
    cleared_by_success: bool


def _prefix() -> str:
    return f"{tk.config.get('ckan.site_id')}:jena_2fa:fail:"


def _key(scope: str, subject: str) -> str:
    # Hashed: what people type into the login field is no key for Redis to show.
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"{_prefix()}{scope}:{digest}"


def clear_all() -> int:
    """Forget every failed login of this site (all accounts, all addresses);
    how many counters there were."""
    redis = connect_to_redis()
    stale = list(redis.scan_iter(match=_prefix() + "*", count=1000))
    if stale:
        redis.delete(*stale)
    return len(stale)


def account(scope: str, subject: str) -> Counter:
    """The counter of an account's password ("password") or second step ("factor")."""
    return Counter(_key(scope, subject), tk.config.get("ckanext.jena.2fa.max_attempts"),
                   tk.config.get("ckanext.jena.2fa.lockout_seconds"), True)


def address(remote_addr: str) -> Counter:
    """The counter of a client address. IPv6 by its /64: whoever has one
    address of a network has them all."""
    try:
        ip = ipaddress.ip_address((remote_addr or "").strip())
        subject = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    except ValueError:
        subject = "unknown"
    return Counter(_key("address", subject), tk.config.get("ckanext.jena.login.max_attempts_per_address"),
                   tk.config.get("ckanext.jena.login.address_window_seconds"), False)


def attempt(*counters: Counter) -> int:
    """Count an attempt on the counters, in their order; the seconds to
    wait if one is over its limit (the attempt must then be refused), else 0."""
    args: list[int] = []
    for counter in counters:
        args += [counter.limit, counter.window]
    redis = connect_to_redis()
    return int(redis.register_script(_RESERVE)(keys=[c.key for c in counters], args=args))


def succeeded(*counters: Counter) -> None:
    """The attempt was good: an account's counter starts again, an
    address's gets the attempt back."""
    redis = connect_to_redis()
    give_back = redis.register_script(_GIVE_BACK)
    for counter in counters:
        if counter.cleared_by_success:
            redis.delete(counter.key)
        else:
            give_back(keys=[counter.key])
