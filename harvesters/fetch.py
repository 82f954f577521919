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


def download(source: str, url: str, expect: str, timeout: float = 30, attempts: int = 3,
             backoff: float = 2.0) -> bytes:
    if url.startswith("file:"):
        # Bundled sample sources (path relative to harvesters/).
        path = os.path.join(os.path.dirname(__file__), url[len("file:"):])  # absolute stays absolute
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            raise SourceError(f"{source}: cannot read {path}: {e.strerror}")
    last = None
    for attempt in range(1, attempts + 1):
        try:
            resp = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
        except requests.Timeout:
            last = f"{source}: {url} did not answer within {timeout:g} s"
        except requests.ConnectionError as e:
            last = f"{source}: cannot connect to {url} ({type(e).__name__})"
        else:
            if resp.status_code >= 500 or resp.status_code == 429:
                last = f"{source}: {url} answered HTTP {resp.status_code}"
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
            time.sleep(backoff ** (attempt - 1))
    raise SourceError(last)
