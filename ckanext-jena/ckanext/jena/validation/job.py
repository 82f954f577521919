"""The background job that validates one resource, and what follows from it.

The file comes from CKAN's storage (an upload) or through the portal's one
outbound client (a link): the validation size limit is its byte cap, the
outbound deadline bounds a slow server (so it cannot hold the worker for the
whole job limit), and loopback or private targets are refused. The file is
stored under a name the job chooses, never one from the URL.

Never leaves a resource "pending": whatever goes wrong becomes a status
"error" with a reason code that the report page words in German. Afterwards
the dataset's validation status is updated (which reindexes it and so
refreshes its quality score).
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from urllib.parse import urlparse

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.uploader import get_resource_uploader

from etl.http import DeadlineExceeded, OutboundError, Refused, TooLarge
from ckanext.jena import outbound

from . import run, store

log = logging.getLogger(__name__)
HTML_START = (b"<!doctype html", b"<html")


class SourceError(Exception):
    """The file could not be had (not there, too large, an HTML page …)."""

    def __init__(self, reason: str, message: str, **params):
        super().__init__(message)
        self.reason, self.message, self.params = reason, message, params


def _limit_mb() -> int:
    return tk.config.get("ckanext.jena.validation.max_size_mb")


def _too_large(mb: int) -> SourceError:
    return SourceError("too-large", f"the file is larger than the limit of {mb} MB", mb=mb)


def local_file(resource: dict, directory: str) -> str:
    if resource.get("url_type") == "upload":
        path = get_resource_uploader(resource).get_path(resource["id"])
        if not os.path.exists(path):
            raise SourceError("upload-missing", "the uploaded file is missing from the storage")
        if os.path.getsize(path) > _limit_mb() << 20:
            raise _too_large(_limit_mb())
        return path
    url = resource.get("url") or ""
    if urlparse(url).scheme not in ("http", "https"):
        raise SourceError("no-file", f"no file to validate at {url or '-'}", url=url)
    target = os.path.join(directory, "download")
    limits = outbound.limits(max_bytes=max(_limit_mb() << 20, 1))  # 0 would mean "no tighter cap"
    try:
        resp = outbound.client().get(url, limits=limits, stream_to=target)
    except Refused as e:
        raise SourceError("download-refused", str(e))
    except TooLarge:
        raise _too_large(limits.max_bytes >> 20)
    except DeadlineExceeded:
        raise SourceError("download-deadline", f"no file within {limits.deadline:g} s", seconds=f"{limits.deadline:g}")
    except OutboundError as e:
        raise SourceError("download-failed", str(e), kind=e.reason)
    if resp.status >= 400:
        raise SourceError("download-http", f"the link answers HTTP {resp.status}", status=resp.status)
    if (resource.get("format") or "").upper() not in ("HTML", "HTM") and _is_html(resp.headers, target):
        raise SourceError("download-html", "the link returns a web page (HTML), not the data")
    return target


def _is_html(headers, path: str) -> bool:
    if (headers.get("Content-Type") or "").lower().startswith(("text/html", "application/xhtml")):
        return True
    with open(path, "rb") as f:
        head = f.read(512).lstrip().lower()
    return head.startswith(HTML_START)


def validate_resource(resource_id: str) -> dict:
    resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    try:
        schema = resource.get("table_schema") or None
        schema = json.loads(schema) if isinstance(schema, str) else schema
        with tempfile.TemporaryDirectory(prefix="jena-validation-") as directory:
            path = local_file(resource, directory)
            result = run.validate_file(path, resource.get("format") or "", schema,
                                       tk.config.get("ckanext.jena.validation.max_errors"),
                                       name=resource.get("url") or "", scratch=directory)
    except SourceError as e:
        result = run.failed(e.reason, e.message, **e.params)
    except ValueError as e:  # a table_schema that is not JSON
        result = run.failed("schema-refused", f"the Table Schema is not JSON: {e}")
    except Exception as e:  # a crash must still end "pending"
        log.exception("validating resource %s failed", resource_id)
        result = run.failed("crash", f"validation failed: {type(e).__name__}: {e}")
    try:
        store.save(resource_id, resource["package_id"], result)
        model.Session.commit()
    except Exception as e:  # the report itself could not be stored: say so
        model.Session.rollback()
        log.exception("storing the report of %s failed", resource_id)
        result = run.failed("crash", f"storing the report failed: {type(e).__name__}")
        store.save(resource_id, resource["package_id"], result)
        model.Session.commit()
    try:
        update_dataset(resource["package_id"])
    except tk.ValidationError as e:  # the dataset fails a validator of today: keep the resource's report
        model.Session.rollback()
        log.warning("dataset %s: validation status not updated, the dataset does not validate: %s",
                    resource["package_id"], e.error_summary)
    log.info("resource %s: %s (%s errors)", resource_id, result["status"], result.get("error_count"))
    return result


def on_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """rq's failure callback (timeouts included): record the reason."""
    resource_id = job.args[0]
    model.Session.rollback()
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
        if exc_type.__name__ == "JobTimeoutException":
            result = run.failed("stopped", f"validation stopped: {exc_type.__name__}",
                                seconds=tk.config.get("ckanext.jena.validation.job_timeout"))
        else:
            result = run.failed("crash", f"validation failed: {exc_type.__name__}")
        store.save(resource_id, resource["package_id"], result)
        model.Session.commit()
        update_dataset(resource["package_id"])
    except Exception:
        log.exception("could not record the failure of validating %s", resource_id)


def dataset_status(statuses) -> str:
    codes = [s for s, _ in statuses.values()]
    for code in ("pending", "invalid", "error"):
        if code in codes:
            return code
    return "valid" if codes else ""


def update_dataset(package_id: str) -> None:
    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    status = dataset_status(store.of_package(package_id))
    patch = {}
    if status and pkg.get("validation_status") != status:
        patch["validation_status"] = status
    if status == "invalid" and not pkg.get("private") and tk.config.get(
            "ckanext.jena.validation.block_invalid"):
        patch["private"] = True
    if patch:
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        tk.get_action("package_patch")(
            {"ignore_auth": True, "user": site_user["name"], "jena_system": True},
            dict(patch, id=package_id))


def enqueue(resource: dict) -> None:
    store.pending(resource["id"], resource["package_id"])
    model.Session.commit()
    from rq.job import Callback
    tk.enqueue_job(validate_resource, [resource["id"]], title=f"validate {resource['id']}",
                   rq_kwargs={"timeout": tk.config.get("ckanext.jena.validation.job_timeout"),
                              "on_failure": Callback(on_failure)})
