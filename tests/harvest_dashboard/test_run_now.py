"""Run now: an org admin's trigger becomes a job in CKAN's queue, which a
real `ckan jobs worker --burst` runs into the harvest folder cron uses,
under the same lock: a second trigger while one waits or a run holds the
lock is refused, and a job that meets the lock does not harvest. (The
worker is a process of its own, as in production: a fork of this test
process would inherit the thread pools of polars that other tests started
here, and hang.)"""
import fcntl
import os
import subprocess

import pytest
from ckan.tests import helpers

import ckan.plugins.toolkit as tk

from ..portal_process import ROOT, ckan
from .conftest import harvest_ini

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")
# Actions as the API calls them: in a request, with its translations (pages make their own).
in_a_request = pytest.mark.usefixtures("with_request_context")
QUEUE = "jena_harvest_test"  # its own queue: the harvested dataset's other jobs are not this test's


@pytest.fixture
def run_now_config(people, sources_file, tmp_path, ckan_config, monkeypatch):
    """The same harvest options here (the web side) and in the worker's ini."""
    out = tmp_path / "harvest"
    out.mkdir()
    options = {"out": str(out), "sources": sources_file, "queue": QUEUE, "user": people.harvester["name"]}
    for key, value in options.items():
        monkeypatch.setitem(ckan_config, f"ckanext.jena.harvest.{key}", value)
    from ckan.lib import jobs
    jobs.get_queue(QUEUE).empty()
    return out, harvest_ini(tmp_path, **options)


def run_now(user):
    return helpers.call_action("jena_harvest_run_now", {"user": user["name"], "ignore_auth": False}, source="jena")


def trigger(user, trigger_id):
    return helpers.call_action("jena_harvest_trigger_show", {"user": user["name"]}, id=trigger_id)


def work(ini):
    """`ckan jobs worker --burst`: every queued job, then it stops."""
    result = subprocess.run(ckan(ini, "jobs", "worker", "--burst", QUEUE), cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def runs(user):
    return helpers.call_action("jena_harvest_run_list", {"user": user["name"]}, source="jena")["results"]


class HeldLock:
    """The lock as cron's jena-harvest holds it while it runs."""
    def __init__(self, out):
        self.file = open(os.path.join(out, ".lock"), "w")
        fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


@in_a_request
def test_run_now_goes_through_the_queue_under_the_crons_lock(people, run_now_config):
    out, ini = run_now_config
    queued = run_now(people.org_admin)
    assert queued["state"] == "queued" and queued["source"] == "jena"
    with pytest.raises(tk.ValidationError, match="läuft bereits"):  # a second trigger while it waits
        run_now(people.org_admin)
    assert runs(people.steward) == []  # nothing ran yet: it is a job
    work(ini)
    done = trigger(people.steward, queued["id"])
    assert done["state"] == "done", done
    assert (done["done"], done["total"]) == (1, 1)
    [run] = runs(people.steward)
    assert run["trigger"] == "portal" and run["status"] == "ok" and run["rows"] == 3000
    assert run["reported_by"] == people.harvester["name"]  # the editor account, not the admin who clicked
    assert os.path.islink(out / "jena" / "current")  # into cron's folder
    assert helpers.call_action("package_show", id="baumkataster-jena")["harvest_status"] == "ok"

    # Cron holds the lock: the trigger is refused at once.
    lock = HeldLock(out)
    try:
        with pytest.raises(tk.ValidationError, match="läuft bereits"):
            run_now(people.org_admin)
    finally:
        lock.release()

    # Cron takes the lock after the trigger was queued: the job does not harvest.
    queued = run_now(people.admin)
    lock = HeldLock(out)
    try:
        work(ini)
    finally:
        lock.release()
    assert trigger(people.org_admin, queued["id"])["state"] == "locked"
    assert len(runs(people.steward)) == 1


@in_a_request
def test_only_admins_of_the_organisation_and_sysadmins_run_now(people, run_now_config):
    for user in (people.steward, people.harvester, people.other_steward, people.member):
        with pytest.raises(tk.NotAuthorized):
            run_now(user)


def test_the_source_page_offers_run_now_to_admins_only(people, run_now_config, app):
    def page(user):
        return app.get("/ernte/jena", extra_environ={"REMOTE_USER": user["name"]}).body
    button = '<button class="btn btn-primary" type="submit">Jetzt ernten</button>'
    assert button in page(people.org_admin) and button not in page(people.steward)
    response = app.post("/ernte/jena/jetzt", extra_environ={"REMOTE_USER": people.org_admin["name"]},
                        follow_redirects=False)
    assert response.status_code == 302
    text = page(people.org_admin)
    assert "Wartet in der Warteschlange" in text and 'id="jena-harvest-progress"' in text
    assert app.post("/ernte/jena/jetzt", extra_environ={"REMOTE_USER": people.steward["name"]},
                    follow_redirects=False).status_code == 403
