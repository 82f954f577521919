"""The background job that validates one dataset after a change.

Enqueued only once the change is committed (a worker must see what it validates): the
dataset is marked pending inside the change's transaction and queued after its commit.
A failure is stored with its reason, never left pending. When the outcome (conforms or
not) changes, the dataset is reindexed so the quality score reads the new compliance.
"""
from __future__ import annotations

import logging

from sqlalchemy import event

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import shacl, store

log = logging.getLogger(__name__)
_QUEUED = "jena_shacl_queued"


def enqueue(package_id: str) -> None:
    store.pending(package_id)
    model.Session.info.setdefault(_QUEUED, set()).add(package_id)


@event.listens_for(model.Session, "after_commit")
def _after_commit(session) -> None:
    for package_id in sorted(session.info.pop(_QUEUED, ())):
        from rq.job import Callback
        tk.enqueue_job(validate, [package_id], title=f"DCAT-AP.de {package_id}",
                       rq_kwargs={"timeout": tk.config.get("ckanext.jena.dcat.shacl.job_timeout", 300),
                                  "on_failure": Callback(on_failure)})


@event.listens_for(model.Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_QUEUED, None)


def run(package_id: str) -> dict:
    """Validate now, store the result and return it (the job's and the CLI's work)."""
    previous = shacl.compliance(package_id)
    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    try:
        report = shacl.validate_dataset(pkg)
    except Exception as e:  # a crash is a result too: the steward sees it could not run
        log.exception("DCAT-AP.de validation of %s failed", package_id)
        model.Session.rollback()
        store.failed(package_id, type(e).__name__)
        model.Session.commit()
        return store.load(package_id)
    store.save(package_id, report)
    model.Session.commit()
    if previous != report["conforms"]:
        from ckan.lib.search import rebuild
        rebuild(package_id)
        model.Session.commit()
    log.info("dataset %s: %d violations, %d warnings (%.0f ms)", package_id, report["violations"],
             report["warnings"], report["duration_ms"])
    return store.load(package_id)


def validate(package_id: str) -> None:
    try:
        run(package_id)
    except tk.ObjectNotFound:  # deleted meanwhile
        model.Session.rollback()
        store.delete(package_id)
        model.Session.commit()


def on_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """rq's failure callback (timeouts included): record the reason."""
    package_id = job.args[0]
    model.Session.rollback()
    try:
        store.failed(package_id, exc_type.__name__)
        model.Session.commit()
    except Exception:
        log.exception("could not record the failure of validating %s", package_id)
