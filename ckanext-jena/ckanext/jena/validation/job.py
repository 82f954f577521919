"""The background job that validates one resource, and what follows from it.

Never leaves a resource "pending": whatever goes wrong becomes a status
"error" with the reason. Afterwards the dataset's validation status is
updated (which reindexes it and so refreshes its quality score).
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from urllib.parse import urlparse

import requests

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.uploader import get_resource_uploader

from . import run, store

log = logging.getLogger(__name__)


class SourceError(Exception):
    """The file could not be had (not there, too large, an HTML page …)."""


def _limit() -> int:
    return tk.config.get("ckanext.jena.validation.max_size_mb") * 1024 * 1024


def local_file(resource: dict, directory: str) -> str:
    if resource.get("url_type") == "upload":
        path = get_resource_uploader(resource).get_path(resource["id"])
        if not os.path.exists(path):
            raise SourceError(tk._("the uploaded file is missing from the storage"))
        if os.path.getsize(path) > _limit():
            raise SourceError(tk._("the file is larger than the limit of {mb} MB").format(
                mb=tk.config.get("ckanext.jena.validation.max_size_mb")))
        # An extension tells frictionless the format of an extension-less upload.
        name = resource.get("url", "").rsplit("/", 1)[-1] or "upload"
        link = os.path.join(directory, name)
        os.symlink(path, link)
        return link
    url = resource.get("url") or ""
    if urlparse(url).scheme not in ("http", "https"):
        raise SourceError(tk._("no file to validate at {url}").format(url=url or "-"))
    name = os.path.basename(urlparse(url).path) or "download"
    target = os.path.join(directory, name)
    try:
        with requests.get(url, stream=True, timeout=30,
                          headers={"User-Agent": "ckanext-jena validation"}) as resp:
            if resp.status_code >= 400:
                raise SourceError(tk._("the link answers HTTP {status}").format(status=resp.status_code))
            ctype = resp.headers.get("Content-Type", "")
            if ctype.startswith("text/html") and (resource.get("format") or "").upper() != "HTML":
                raise SourceError(tk._("the link returns a web page (HTML), not the data"))
            size = 0
            with open(target, "wb") as f:
                for chunk in resp.iter_content(1 << 16):
                    size += len(chunk)
                    if size > _limit():
                        raise SourceError(tk._("the file is larger than the limit of {mb} MB").format(
                            mb=tk.config.get("ckanext.jena.validation.max_size_mb")))
                    f.write(chunk)
    except requests.RequestException as e:
        raise SourceError(tk._("the file could not be downloaded: {error}").format(error=type(e).__name__))
    return target


def validate_resource(resource_id: str) -> dict:
    resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    try:
        schema = json.loads(resource["table_schema"]) if resource.get("table_schema") else None
        with tempfile.TemporaryDirectory(prefix="jena-validation-") as directory:
            path = local_file(resource, directory)
            result = run.validate_file(path, resource.get("format") or "", schema,
                                       tk.config.get("ckanext.jena.validation.max_errors"))
    except SourceError as e:
        result = run._result("error", str(e))
    except Exception as e:  # a crash must still end "pending"
        log.exception("validating resource %s failed", resource_id)
        result = run._result("error", tk._("validation failed: {error}").format(error=type(e).__name__))
    try:
        store.save(resource_id, resource["package_id"], result)
        model.Session.commit()
    except Exception as e:  # the report itself could not be stored: say so
        model.Session.rollback()
        log.exception("storing the report of %s failed", resource_id)
        result = run._result("error", tk._("validation failed: {error}").format(error=type(e).__name__))
        store.save(resource_id, resource["package_id"], result)
        model.Session.commit()
    update_dataset(resource["package_id"])
    log.info("resource %s: %s (%s errors)", resource_id, result["status"], result.get("error_count"))
    return result


def on_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """rq's failure callback (timeouts included): record the reason."""
    resource_id = job.args[0]
    model.Session.rollback()
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
        store.save(resource_id, resource["package_id"], run._result(
            "error", tk._("validation stopped: {error}").format(error=exc_type.__name__)))
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
