"""Run now: one source harvested by a job in CKAN's queue, with the same
lock as cron (runner.run takes OUT/.lock), publishing as the harvesters'
own editor account (ckanapi's LocalCKAN: the worker is the portal; no
token needed, no sysadmin rights)."""
from __future__ import annotations

import fcntl
import logging
import os

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import store

log = logging.getLogger(__name__)


def harvest_folder() -> str:
    return tk.config.get("ckanext.jena.harvest.out") or ""


def locked(out: str) -> bool:
    """Does a run (cron's or a job's) hold OUT/.lock right now?"""
    path = os.path.join(out, ".lock")
    if not os.path.exists(path):
        return False
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False


def _save(trigger_id: str, **values) -> None:
    # Committed at once: the page polls it while the harvest goes on.
    store.update_trigger(trigger_id, **values)
    model.Session.commit()


def run_source(trigger_id: str, source: str) -> None:
    """The job: harvest `source` into the configured folder and publish it."""
    from ckanapi import LocalCKAN

    from harvesters import runner, states
    out = harvest_folder()
    _save(trigger_id, state="running", message="")

    def progress(unit: str, done: int, total: int) -> None:
        _save(trigger_id, done=done, total=total, current=unit)

    try:
        sources = runner.load_config(tk.config.get("ckanext.jena.harvest.sources") or None)
        ckan = LocalCKAN(username=tk.config.get("ckanext.jena.harvest.user"))
        results = runner.run([source], sources, out, ckan, progress=progress, trigger="portal")
    except runner.Locked as e:
        _save(trigger_id, state="locked", message=str(e))
        return
    except Exception as e:  # a broken configuration, a full disk: said on the page
        log.exception("run now of %s failed", source)
        model.Session.rollback()
        _save(trigger_id, state="failed", message=f"{type(e).__name__}: {e}"[:2000])
        return
    bad = [r["message"] for r in results if r["status"] not in states.GOOD]
    _save(trigger_id, state="failed" if bad else "done", done=len(results), total=len(results), current="",
          message=" | ".join(bad)[:2000])


def enqueue(trigger_id: str, source: str) -> None:
    tk.enqueue_job(run_source, [trigger_id, source], title=f"jena harvest {source}",
                   queue=tk.config.get("ckanext.jena.harvest.queue"),
                   rq_kwargs={"timeout": tk.config.get("ckanext.jena.harvest.job_timeout"), "job_id": trigger_id})
