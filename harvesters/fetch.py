"""Downloading a source: the one outbound client (etl.http) with the
harvesters' policy on top — retries with backoff, 429 Retry-After, an HTML
page where data was expected, bounded and same-origin paging.

Every error names the source and the problem. Which internal addresses a
harvest may reach is the operator's choice: JENA_OUTBOUND_ALLOW (space- or
comma-separated host[:port] / CIDR entries) and a source's `network_allow`
list; anything else inside the network is refused, on every redirect too.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import os
import re
import time
from typing import Any, Callable, Optional

from etl.errors import SourceError
from etl.http import Client, Limits, OutboundError, origin

from .ckan_client import USER_AGENT

log = logging.getLogger(__name__)
__all__ = ["SourceError", "download", "get", "get_json", "next_page", "client"]
MAX_BYTES = 1 << 30  # a million trees are ~130 MB; a source may set max_bytes
MAX_PAGES = 10_000


def _option(config: Any, key: str, default: Any) -> Any:
    """A source's setting, from a dict or a typed config object."""
    if config is None:
        return default
    value = config.get(key) if isinstance(config, dict) else getattr(config, key, None)
    return default if value is None else value


def allow_list(config: Any = None) -> list[str]:
    entries = re.split(r"[\s,]+", os.environ.get("JENA_OUTBOUND_ALLOW", "").strip())
    return [e for e in entries if e] + list(_option(config, "network_allow", []) or [])


def client(config: Any = None) -> Client:
    return Client(allow=allow_list(config), user_agent=USER_AGENT)


def _retry_after(value: Optional[str], cap: float) -> Optional[float]:
    """Seconds from a Retry-After header (seconds or an HTTP date), at most `cap`."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    return max(0.0, min(seconds, cap))


def _local_sample(source: str, url: str) -> bytes:
    # Bundled sample sources (path relative to harvesters/); only ever from the
    # operator's configuration, never from what a source sends (see next_page).
    path = os.path.join(os.path.dirname(__file__), url[len("file:"):])  # absolute stays absolute
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise SourceError(f"{source}: cannot read {path}: {e.strerror}")


def download(source: str, url: str, expect: str, timeout: float = 30, attempts: int = 3,
             backoff: float = 2.0, max_wait: float = 120.0, max_bytes: int = MAX_BYTES,
             config: Any = None, on_retry: Optional[Callable[[str], None]] = None,
             headers: Optional[dict] = None) -> bytes:
    """The body of `url`. 5xx, timeouts and connection errors are retried with
    backoff; 429 waits as long as the server's Retry-After says (at most
    `max_wait` seconds). Refused targets and oversized bodies fail at once.
    `timeout` bounds each attempt as a whole (connect, redirects, body).
    A 4xx error carries the status (`error.status`); `on_retry(problem)` is
    told of each retry (a kind that counts its source's flakiness).
    `headers`, a dict, receives the answer's headers (lower-case names)."""
    if url.startswith("file:"):
        return _local_sample(source, url)
    http = client(config)
    limits = Limits(max_bytes=max_bytes, deadline=timeout, connect_timeout=min(10.0, timeout),
                    read_timeout=timeout)
    last = None
    for attempt in range(1, attempts + 1):
        wait: Optional[float] = None
        try:
            resp = http.get(url, limits=limits)
        except OutboundError as e:
            if e.reason in ("refused", "scheme", "too_large", "redirects"):
                raise SourceError(f"{source}: {e}")
            if e.reason in ("deadline", "timeout"):
                last = f"{source}: {url} did not answer within {timeout:g} s"
            else:
                last = f"{source}: {e}"
        else:
            if resp.status >= 500 or resp.status == 429:
                last = f"{source}: {url} answered HTTP {resp.status}"
                if resp.status == 429:
                    wait = _retry_after(resp.headers.get("Retry-After"), max_wait)
                    last += " (too many requests" + (f", Retry-After {wait:g} s)" if wait is not None else ")")
            elif resp.status >= 400:
                error = SourceError(f"{source}: {url} answered HTTP {resp.status}")
                error.status = resp.status
                raise error
            else:
                ctype = resp.headers.get("Content-Type", "")
                head = resp.content[:512].lstrip().lower()
                if expect != "html" and (ctype.startswith("text/html") or head.startswith((b"<!doctype html", b"<html"))):
                    raise SourceError(f"{source}: {url} returned an HTML page instead of {expect.upper()}")
                if headers is not None:
                    headers.update((k.lower(), v) for k, v in resp.headers.items())
                return resp.content
        if attempt < attempts:
            log.warning("%s (attempt %d of %d), retrying", last, attempt, attempts)
            if on_retry:
                on_retry(last)
            time.sleep(wait if wait is not None else backoff ** (attempt - 1))
    raise SourceError(last)


def get(source: str, url: str, expect: str, config: Any,
        on_retry: Optional[Callable[[str], None]] = None, headers: Optional[dict] = None) -> bytes:
    """download() with the source's settings: timeout, attempts, backoff, max_wait, max_bytes."""
    return download(source, url, expect, timeout=_option(config, "timeout", 30),
                    attempts=_option(config, "attempts", 3), backoff=_option(config, "backoff", 2.0),
                    max_wait=_option(config, "max_wait", 120.0), max_bytes=_option(config, "max_bytes", MAX_BYTES),
                    config=config, on_retry=on_retry, headers=headers)


def get_json(source: str, url: str, config: Any, headers: Optional[dict] = None):
    """A JSON document from `url`; anything else is a SourceError naming both."""
    data = get(source, url, "json", config, headers=headers)
    try:
        return json.loads(data)
    except ValueError as e:
        raise SourceError(f"{source}: {url} did not return valid JSON ({e}; starts with {data[:60]!r})")


def next_page(source: str, previous: str, following: Optional[str], seen: set, limit: int = MAX_PAGES) -> Optional[str]:
    """The next page's URL a source sent (SensorThings @iot.nextLink, a
    `next` link), checked: http(s), the same origin as the page that named it,
    not seen before in this walk, and no more than `limit` pages. None when
    there is no next page. `seen` collects the URLs walked (pass one set per walk)."""
    if not following:
        return None
    if origin(following)[0] not in ("http", "https"):
        raise SourceError(f"{source}: the next-page link {following[:200]!r} is not an http(s) URL; not followed")
    if origin(following) != origin(previous):
        raise SourceError(f"{source}: the next-page link {following[:200]!r} leaves {previous.split('?')[0]} "
                          "for another host; not followed")
    seen.add(previous)
    if following in seen:
        raise SourceError(f"{source}: the next-page link {following[:200]!r} was already followed (a loop); "
                          "stopped")
    if len(seen) >= limit:
        raise SourceError(f"{source}: more than {limit} pages; stopped (raise max_pages if the source is that big)")
    return following
