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

import hashlib
import json
import logging
import os
import tempfile
from urllib.parse import urlparse

from sqlalchemy import event as sa_event

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.uploader import get_resource_uploader

import etl.errors
from etl.http import DeadlineExceeded, OutboundError, Refused, TooLarge
from etl.validation import formats
from ckanext.jena import outbound

from . import run, signals, store

log = logging.getLogger(__name__)
HTML_START = (b"<!doctype html", b"<html")


class SourceError(etl.errors.SourceError):
    """The file could not be had (not there, too large, an HTML page …), with
    a reason code the page words in German."""

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
    queued_as = (store.load(resource_id) or {}).get("fingerprint", "")  # kept: what was queued is checked
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
    result["fingerprint"] = queued_as
    try:
        store.save(resource_id, resource["package_id"], result)
        model.Session.commit()
    except Exception as e:  # the report itself could not be stored: say so
        model.Session.rollback()
        log.exception("storing the report of %s failed", resource_id)
        result = run.failed("crash", f"storing the report failed: {type(e).__name__}")
        result["fingerprint"] = queued_as
        store.save(resource_id, resource["package_id"], result)
        model.Session.commit()
    try:
        update_dataset(resource["package_id"])
    except tk.ValidationError as e:  # the dataset fails a validator of today: keep the resource's report
        model.Session.rollback()
        log.warning("dataset %s: validation status not updated, the dataset does not validate: %s",
                    resource["package_id"], e.error_summary)
    log.info("resource %s: %s (%s errors)", resource_id, result["status"], result.get("error_count"))
    try:
        signals.resource_validated.send(resource_id, status=result["status"])
    except Exception:  # a listener's failure is its own, never the verdict's
        log.exception("a listener of resource_validated failed for %s", resource_id)
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
        result["fingerprint"] = (store.load(resource_id) or {}).get("fingerprint", "")
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


# Queuing, from after_dataset_create/update: every save of a resource passes
# there (resource_create/update/patch call package_update), and so do
# resources given inline to package_create/update, for which CKAN calls no
# resource hook. A resource is queued when it changed since it was last
# queued (its fingerprint), so a save that changes only metadata queues nothing. The
# "pending" row is written in the action's transaction and the job is put on
# Redis only after that transaction commits: a worker never looks for a
# resource that is not there yet, and a rolled-back save queues nothing.

FINGERPRINT = ("url", "format", "table_schema", "size", "last_modified", "hash")
_QUEUE = "jena_validation_queue"


def fingerprint(resource: dict) -> str:
    """The same for the same resource however CKAN hands it over (an upload's
    URL as its file name or as the download URL, a date or its text)."""
    values = []
    for key in FINGERPRINT:
        value = resource.get(key)
        if key == "url" and resource.get("url_type") == "upload":
            value = (value or "").rsplit("/", 1)[-1]
        values.append(value.isoformat() if hasattr(value, "isoformat") else str(value or ""))
    return hashlib.sha1(json.dumps(values).encode()).hexdigest()


def should_validate(resource: dict) -> bool:
    return bool(resource.get("url")) and resource.get("state", "active") == "active" and \
        formats.table_format(resource.get("format") or "", resource.get("url") or "") is not None


def request(resources: list[dict], package_id: str, force: bool = False) -> list[str]:
    """Queue those of `resources` that changed (all with `force`); their ids."""
    known = store.fingerprints(package_id)
    queued = []
    for resource in resources:
        if not resource.get("id") or not should_validate(resource):
            continue
        fp = fingerprint(resource)
        if force or known.get(resource["id"]) != fp:
            store.pending(resource["id"], package_id, fp)
            model.Session.info.setdefault(_QUEUE, {})[resource["id"]] = "validate"
            queued.append(resource["id"])
    return queued


def dataset_changed(package: dict) -> None:
    """After package_create/update: queue new or changed resources, forget
    removed ones (and recompute the dataset's status if that changes it)."""
    if "resources" not in package:  # an update that left them out (allow_partial_update) keeps them
        return
    resources = [r for r in package.get("resources") or [] if r.get("id")]
    request(resources, package["id"])
    if store.forget(package["id"], [r["id"] for r in resources]):
        model.Session.info.setdefault(_QUEUE, {})[package["id"]] = "refresh"


def _after_commit(session) -> None:
    from rq.job import Callback
    for target, kind in session.info.pop(_QUEUE, {}).items():
        if kind == "refresh":
            tk.enqueue_job(update_dataset, [target], title=f"validation status of {target}")
        else:
            tk.enqueue_job(validate_resource, [target], title=f"validate {target}",
                           rq_kwargs={"timeout": tk.config.get("ckanext.jena.validation.job_timeout"),
                                      "on_failure": Callback(on_failure)})


def _after_rollback(session) -> None:
    session.info.pop(_QUEUE, None)


if not sa_event.contains(model.Session, "after_commit", _after_commit):
    sa_event.listen(model.Session, "after_commit", _after_commit)
    sa_event.listen(model.Session, "after_rollback", _after_rollback)


def enqueue(resource: dict) -> None:
    """Validate `resource` again, whether it changed or not."""
    request([resource], resource["package_id"], force=True)
    model.Session.commit()
