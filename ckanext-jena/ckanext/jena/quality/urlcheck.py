"""Background job: are a dataset's access and download URLs reachable?

Runs in CKAN's jobs worker (never in a web request) with short timeouts,
stores the HTTP status per URL and reindexes the dataset, which recomputes
its quality score from the stored statuses.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Optional

import requests

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk

from . import mqa, store

log = logging.getLogger(__name__)
USER_AGENT = "ckanext-jena link check (+https://opendata.jena.de)"


def dataset_urls(pkg: dict) -> list[str]:
    urls = []
    for res in pkg.get("resources") or []:
        for url in (mqa.access_url(res), mqa.download_url(res)):
            if url and url.startswith(("http://", "https://")) and url not in urls:
                urls.append(url)
    return urls


def check_url(url: str, timeout: float) -> tuple[Optional[int], Optional[str]]:
    """HTTP status of the URL (HEAD, or GET where HEAD is refused)."""
    headers = {"User-Agent": USER_AGENT}
    try:
        resp = requests.head(url, timeout=timeout, allow_redirects=True, headers=headers)
        if resp.status_code in (405, 501) or resp.status_code >= 400:
            # Some servers refuse HEAD; ask for the first byte only.
            resp = requests.get(url, timeout=timeout, allow_redirects=True, stream=True,
                                headers=dict(headers, Range="bytes=0-0"))
            resp.close()
        return resp.status_code, None
    except requests.RequestException as e:
        return None, f"{type(e).__name__}: {e}"[:500]


def check_dataset_urls(package_id: str) -> dict[str, Optional[int]]:
    """The job: check what is due, store the results, reindex the dataset."""
    timeout = tk.config.get("ckanext.jena.quality.url_timeout")
    recheck = timedelta(hours=tk.config.get("ckanext.jena.quality.url_recheck_hours"))
    # Our own resource downloads are answered by this portal: check them too.
    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    urls = dataset_urls(pkg)
    fresh = store.checked_since(urls, datetime.now(timezone.utc) - recheck)
    results = {}
    for url in urls:
        if url in fresh:
            continue
        status, error = check_url(url, timeout)
        store.save_url_check(url, status, error)
        results[url] = status
        log.info("link check %s: %s", url, status if status else error)
    model.Session.commit()
    if results:
        search.rebuild(package_id)
    return results


def enqueue(package_id: str) -> None:
    tk.enqueue_job(check_dataset_urls, [package_id], title=f"link check {package_id}",
                   rq_kwargs={"timeout": 300})
