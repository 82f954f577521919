"""Downloading a source: retries with backoff, timeouts, clear errors.

Every error names the source and the problem (down, slow, HTTP status, an
HTML page where data was expected).
"""
from __future__ import annotations

import logging
import os
import time

import requests

from .ckan_client import USER_AGENT

log = logging.getLogger(__name__)


class SourceError(Exception):
    """A source could not deliver usable data; the message says why."""


def _retry_after(value: str | None, cap: float) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), at most `cap`."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        import email.utils
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        import datetime as dt
        seconds = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    return max(0.0, min(seconds, cap))


def download(source: str, url: str, expect: str, timeout: float = 30, attempts: int = 3,
             backoff: float = 2.0, max_wait: float = 120.0) -> bytes:
    """The body of `url`. 5xx, timeouts and connection errors are retried with
    backoff; 429 waits as long as the server's Retry-After says (at most
    `max_wait` seconds) before the next attempt."""
    if url.startswith("file:"):
        # Bundled sample sources (path relative to harvesters/).
        path = os.path.join(os.path.dirname(__file__), url[len("file:"):])  # absolute stays absolute
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            raise SourceError(f"{source}: cannot read {path}: {e.strerror}")
    last = None
    wait: float | None = None
    for attempt in range(1, attempts + 1):
        wait = None
        try:
            resp = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
        except requests.Timeout:
            last = f"{source}: {url} did not answer within {timeout:g} s"
        except requests.ConnectionError as e:
            last = f"{source}: cannot connect to {url} ({type(e).__name__})"
        else:
            if resp.status_code >= 500 or resp.status_code == 429:
                last = f"{source}: {url} answered HTTP {resp.status_code}"
                if resp.status_code == 429:
                    wait = _retry_after(resp.headers.get("Retry-After"), max_wait)
                    last += " (too many requests" + (f", Retry-After {wait:g} s)" if wait is not None else ")")
            elif resp.status_code >= 400:
                raise SourceError(f"{source}: {url} answered HTTP {resp.status_code}")
            else:
                ctype = resp.headers.get("Content-Type", "")
                head = resp.content[:512].lstrip().lower()
                if expect != "html" and (ctype.startswith("text/html") or head.startswith((b"<!doctype html", b"<html"))):
                    raise SourceError(f"{source}: {url} returned an HTML page instead of {expect.upper()}")
                return resp.content
        if attempt < attempts:
            log.warning("%s (attempt %d of %d), retrying", last, attempt, attempts)
            time.sleep(wait if wait is not None else backoff ** (attempt - 1))
    raise SourceError(last)


def get(source: str, url: str, expect: str, config: dict) -> bytes:
    """download() with the source's settings: timeout, attempts, backoff, max_wait."""
    return download(source, url, expect, timeout=config.get("timeout", 30), attempts=config.get("attempts", 3),
                    backoff=config.get("backoff", 2.0), max_wait=config.get("max_wait", 120.0))


def get_json(source: str, url: str, config: dict):
    """A JSON document from `url`; anything else is a SourceError naming both."""
    import json
    data = get(source, url, "json", config)
    try:
        return json.loads(data)
    except ValueError as e:
        raise SourceError(f"{source}: {url} did not return valid JSON ({e}; starts with {data[:60]!r})")
