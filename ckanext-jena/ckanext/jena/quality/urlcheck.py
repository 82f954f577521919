"""Are a dataset's access and download URLs reachable?

A background job (CKAN's jobs worker, never a web request) asks each URL
through the portal's one outbound client (`ckanext.jena.outbound`): HEAD,
or a GET for one byte where HEAD is refused, with a short deadline. It
stores the HTTP status per URL and reindexes the dataset, which recomputes
its quality score from the stored results.

- Addresses inside the network (loopback, private, link-local, …) are
  refused by the client unless an operator allow-listed them. A refused URL
  is stored as "not checked: refused address": whether something answers
  there is none of the steward's business (issue 12, finding 3).
- The portal's own uploads are judged without a request: the stored file
  exists, so the download works (a private dataset's file answers 403 to an
  anonymous check, which said nothing about the file).
- A URL checked within `url_recheck_hours` is not asked again by the routine
  check after every update; a new dataset, a change of visibility or of a
  resource URL, and the steward's "check links again" button check at once
  (`force`).
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

import ckan.lib.search as search
import ckan.lib.uploader as uploader
import ckan.plugins.toolkit as tk

from ckanext.jena import outbound
from etl.http import OutboundError, Refused

from . import mqa, store

log = logging.getLogger(__name__)
USER_AGENT = "ckanext-jena link check (+https://opendata.jena.de)"
# The GET fallback asks for the first byte (Range); a server that ignores
# that is cut off here instead of sending the whole file.
GET_BYTES = 64 << 10
REFUSED = "refused"


def stored_upload(resource: dict) -> Optional[bool]:
    """For one of the portal's own uploads: is the file stored? None for a
    link, or when the configured uploader keeps files elsewhere."""
    if resource.get("url_type") != "upload" or not resource.get("id"):
        return None
    upload = uploader.get_resource_uploader(dict(resource))  # it pops keys
    if not getattr(upload, "storage_path", None) or not hasattr(upload, "get_path"):
        return None
    return os.path.isfile(upload.get_path(resource["id"]))


def _urls(resource: dict) -> list[str]:
    return [u for u in dict.fromkeys((mqa.access_url(resource), mqa.download_url(resource)))
            if u and u.startswith(("http://", "https://"))]


def available(pkg: dict) -> frozenset[str]:
    """URLs that work without a check: the stored files of uploads."""
    return frozenset(u for r in pkg.get("resources") or [] if stored_upload(r) for u in _urls(r))


def dataset_urls(pkg: dict) -> list[str]:
    """The URLs the job asks over the network (documentation resources are
    not scored, stored uploads need no request)."""
    urls: list[str] = []
    for res in pkg.get("resources") or []:
        if mqa.role(res) == mqa.DOCUMENTATION or stored_upload(res) is not None:
            continue
        urls += [u for u in _urls(res) if u not in urls]
    return urls


def check_url(url: str, timeout: float) -> tuple[Optional[int], Optional[str]]:
    """(HTTP status, None) or (None, why not): HEAD, or GET where HEAD fails."""
    client = outbound.client(USER_AGENT)
    try:
        resp = client.head(url, limits=outbound.limits(max_bytes=GET_BYTES, deadline=timeout))
        if resp.status >= 400:
            # Some servers refuse HEAD (405, 501, or a blanket 403/404).
            resp = client.get(url, headers={"Range": "bytes=0-0"},
                              limits=outbound.limits(max_bytes=GET_BYTES, deadline=timeout))
        return resp.status, None
    except Refused:
        # Stored without the client's message (it names the address).
        return None, REFUSED
    except OutboundError as e:
        status = getattr(e, "status", None)
        return (status, None) if status else (None, f"{e.reason}: {e}"[:500])


def state(check: Optional[dict]) -> str:
    """reachable, unreachable, refused or pending (not checked yet)."""
    if check is None:
        return "pending"
    if check["status"] in mqa.REACHABLE:
        return "reachable"
    return REFUSED if check["error"] == REFUSED else "unreachable"


def links(pkg: dict) -> list[dict]:
    """What the steward sees per URL: state and HTTP status (never the
    error text of a refused address)."""
    checks = store.url_checks(dataset_urls(pkg))
    out, seen = [], set()
    for res in pkg.get("resources") or []:
        if mqa.role(res) == mqa.DOCUMENTATION:
            continue
        stored = stored_upload(res)
        for url in _urls(res):
            if url in seen:
                continue
            seen.add(url)
            check = checks.get(url)
            if stored is not None:
                # Judged from the file; a missing file is a broken download.
                out.append({"url": url, "state": "stored" if stored else "unreachable",
                            "status": None, "checked_at": None})
            else:
                out.append({"url": url, "state": state(check),
                            "status": check["status"] if check else None,
                            "checked_at": check["checked_at"] if check else None})
    return out


def check_dataset_urls(package_id: str, force: Iterable[str] = (),
                       requested_at: Optional[str] = None) -> dict[str, Optional[int]]:
    """The job: check what is due, store the results, reindex the dataset.

    `force` URLs are due unless checked after `requested_at` (ISO time the
    check was asked for); the others unless checked within url_recheck_hours."""
    timeout = tk.config.get("ckanext.jena.quality.url_timeout")
    recheck = timedelta(hours=tk.config.get("ckanext.jena.quality.url_recheck_hours"))
    try:
        pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    except tk.ObjectNotFound:
        return {}  # deleted (or purged) since
    urls = dataset_urls(pkg)
    force = set(force) & set(urls)
    since = datetime.fromisoformat(requested_at) if requested_at else datetime.now(timezone.utc)
    fresh = (store.checked_since(set(urls) - force, datetime.now(timezone.utc) - recheck)
             | store.checked_since(force, since))
    results = {}
    for url in urls:
        if url in fresh:
            continue
        status, error = check_url(url, timeout)
        store.save_url_check(url, status, error)
        results[url] = status
        log.info("link check %s: %s", url, status if status else error)
    store.commit()
    if results:
        search.rebuild(package_id)
    return results


def enqueue(package_id: str, force: Iterable[str] = ()) -> None:
    force = sorted(set(force))
    tk.enqueue_job(check_dataset_urls,
                   [package_id, force, datetime.now(timezone.utc).isoformat()],
                   title=f"link check {package_id}", rq_kwargs={"timeout": 300})


def watched(pkg: dict) -> dict:
    """What, when it changes, calls for a check at once: the dataset's
    visibility (the answer of the portal's own URLs depends on it) and its URLs."""
    return {"private": bool(pkg.get("private")), "urls": dataset_urls(pkg)}


def to_recheck(before: Optional[dict], now: dict) -> list[str]:
    """URLs to check at once: all of a new dataset or one whose visibility
    changed, else the URLs it did not have before."""
    if before is None or before.get("private") != now["private"]:
        return now["urls"]
    return [u for u in now["urls"] if u not in set(before.get("urls") or [])]
