"""The DataStore load as a job in CKAN's queue.

`enqueue_load` is called when validation ends "valid" (and by the "neu
laden" button and `ckan jena datastore-load`). The job loads only a file
whose validation says valid, skips one whose file, schema and reading are
those of the last load, and never leaves a resource "pending": every
outcome, a crash or a timeout included, is recorded with its reason.
"""
from __future__ import annotations

import logging
import tempfile
import time

import ckan.model as model
import ckan.plugins.toolkit as tk

from etl.package import sha256_file

from . import source, status
from .loader import LoadError, load

log = logging.getLogger(__name__)


def enqueue_load(resource_id: str, *, force: bool = False) -> None:
    """Queue the load of a resource (idempotent: a load already queued is
    not queued twice; the job skips an unchanged file by its hash unless
    `force`)."""
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    except tk.ObjectNotFound:
        return  # deleted meanwhile
    if not is_table(resource):
        return  # GeoJSON, PDF …: valid perhaps, but no table for the DataStore
    record = status.get(resource_id)
    timeout = tk.config.get("ckanext.jena.datastore.job_timeout")
    # A queued load will read the file as it is then; a running one may
    # have read the previous file, so another is queued behind it.
    if record and record["status"] == "pending" and record["age"] < timeout \
            and (record["forced"] or not force):
        return
    status.pending(resource_id, forced=force)
    from rq.job import Callback
    tk.enqueue_job(load_resource, [resource_id], {"force": force}, title=f"datastore load {resource_id}",
                   rq_kwargs={"timeout": timeout, "on_failure": Callback(on_failure)})


def is_table(resource: dict) -> bool:
    from etl.validation import formats
    name = resource.get("url") or ""
    if formats.is_descriptor_name(name):  # datapackage.json: checked as a description, no table
        return False
    return formats.table_format(resource.get("format") or "", name) in set(formats.TABULAR.values())


def load_resource(resource_id: str, force: bool = False) -> dict:
    """The job: load one resource into the DataStore; returns its record."""
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    except tk.ObjectNotFound:
        status.delete(resource_id)
        return {}
    status.loading(resource_id)
    try:
        outcome = _load(resource, force)
    except LoadError as e:
        log.warning("resource %s not loaded: %s (%s)", resource_id, e.message, e.reason)
        status.failed(resource_id, e.reason, e.message, e.params)
        outcome = "failed"
    except Exception as e:  # a crash still ends the "pending"
        log.exception("loading resource %s failed", resource_id)
        status.failed(resource_id, "crash", f"the load failed: {type(e).__name__}", {"error": type(e).__name__})
        outcome = "failed"
    if outcome == "loaded":
        _publish(resource_id)
    return status.get(resource_id) or {}


def _load(resource: dict, force: bool) -> str:
    report = source.report_of(resource["id"])
    if not report or report.get("status") != "valid":
        # An invalid (or not yet validated) file is never loaded.
        raise LoadError("not-valid", "the file has not passed validation",
                        validation=(report or {}).get("status", "none"))
    if report.get("schema_origin") in ("profile", "geojson"):
        raise LoadError("not-a-table", "the file is not a table", format=report.get("schema_origin"))
    with tempfile.TemporaryDirectory(prefix="jena-datastore-") as directory:
        path = source.local_file(resource, directory)
        src = source.source_of(resource, report, path)
        sha256 = sha256_file(path)
        fingerprint = source.fingerprint(sha256, src)
        record = status.get(resource["id"]) or {}
        if not force and record.get("fingerprint") == fingerprint and record.get("active"):
            status.unchanged(resource["id"])
            return "unchanged"
        from ckanext.datastore.backend.postgres import get_write_engine
        started = time.perf_counter()
        result = load(get_write_engine(), resource["id"], src,
                      fts_lang=tk.config.get("ckan.datastore.default_fts_lang"),
                      read_url=tk.config.get("ckan.datastore.read_url"),
                      workers=tk.config.get("ckanext.jena.datastore.workers"))
    status.loaded(resource["id"], rows=result.rows, sha256=sha256, fingerprint=fingerprint,
                  seconds=time.perf_counter() - started, columns=result.columns)
    log.info("resource %s: %s rows in the DataStore (%.1f s; %s)", resource["id"], result.rows,
             result.seconds, ", ".join(f"{k} {v:.1f} s" for k, v in result.steps.items()))
    return "loaded"


def _publish(resource_id: str) -> None:
    """What CKAN's own loaders do afterwards: mark the resource
    datastore_active (reindexing its dataset) and give it the default views
    that need the DataStore (datatables_view)."""
    from ckanext.datastore.logic.action import set_datastore_active_flag
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"model": model, "ignore_auth": True, "user": site_user["name"]}
    resobj = model.Resource.get(resource_id)
    if resobj is not None and resobj.extras.get("datastore_active") is not True:
        set_datastore_active_flag(dict(context), {"resource_id": resource_id}, True)
    try:
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
        package = tk.get_action("package_show")(dict(context), {"id": resource["package_id"]})
        tk.get_action("resource_create_default_resource_views")(dict(context), {
            "resource": resource, "package": package, "create_datastore_views": True})
    except Exception:  # the data is loaded; a view can be added by hand
        model.Session.rollback()
        log.exception("default views for resource %s could not be created", resource_id)


def on_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """rq's failure callback (timeouts included): record the reason."""
    try:
        status.failed(job.args[0], "stopped", f"the load was stopped: {exc_type.__name__}",
                      {"error": exc_type.__name__})
    except Exception:
        log.exception("could not record the failure of loading %s", job.args[0])
