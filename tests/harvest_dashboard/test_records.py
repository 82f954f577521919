"""Harvest records in the portal: a real run of the tree register reports
itself through jena_harvest_run_create as the harvesters' editor account;
stewards see it on /ernte, nobody else does; a portal that does not take a
record leaves the harvest alone and gets the record with the next run."""
import json

from markupsafe import escape

import ckan.plugins as p
import pytest
from ckan.tests import helpers

from harvesters import runner

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def harvest(people, config, out):
    return runner.run(["jena"], config, str(out), people.portal)


def as_user(user, action, **data):
    return helpers.call_action(action, {"user": user["name"], "ignore_auth": False}, **data)


def test_a_real_run_arrives_in_the_portal_with_its_counts(people, tree_source, tmp_path, app):
    routes, config = tree_source
    result = harvest(people, config, tmp_path)[0]
    assert result["status"] == "ok", result
    runs = as_user(people.steward, "jena_harvest_run_list")
    assert runs["count"] == 1
    run = runs["results"][0]
    assert (run["source"], run["kind"], run["status"], run["trigger"]) == ("jena", "tree_register", "ok", "command")
    assert run["organization_id"] == people.jena["id"] and run["reported_by"] == people.harvester["name"]
    assert run["rows"] == 3000 and run["new"] == 3000 and run["removed"] == 0
    assert [d["name"] for d in run["datasets"]] == ["baumkataster-jena"]
    assert run["datasets"][0]["summary"] == "Erstveröffentlichung."
    # The record in runs.jsonl is kept as before; nothing waits.
    assert not (tmp_path / "reports-pending.jsonl").exists()
    assert json.loads((tmp_path / "runs.jsonl").read_text().splitlines()[-1])["status"] == "ok"

    # A source that answers with an HTML page: the source's own message arrives.
    routes["/jena.csv"] = (b"<html><body>Wartungsarbeiten</body></html>", "text/html", 0)
    failed = harvest(people, config, tmp_path)[0]
    assert failed["status"] == "failed"
    latest = as_user(people.steward, "jena_harvest_run_list", source="jena")["results"][0]
    assert latest["status"] == "failed" and latest["message"] == failed["message"] and latest["rows"] is None

    page = app.get("/ernte", extra_environ={"REMOTE_USER": people.steward["name"]})
    assert page.status_code == 200
    text = page.body
    assert "Baumkataster Jena" in text and "fehlgeschlagen" in text and str(escape(failed["message"])) in text
    assert "3.000" in text  # the row trend, in words too
    assert "/dataset/baumkataster-jena" in text


def test_the_portal_not_taking_a_record_leaves_the_harvest_alone(people, tree_source, tmp_path):
    routes, config = tree_source
    p.unload("jena_harvest")  # a portal without the action (an older one, or one that fails)
    try:
        first = harvest(people, config, tmp_path)[0]
    finally:
        p.load("jena_harvest")
    assert first["status"] == "ok", first
    pending = (tmp_path / "reports-pending.jsonl").read_text().splitlines()
    assert len(pending) == 1 and json.loads(pending[0])["source"] == "jena"
    # The next run sends the waiting record first, then its own.
    second = harvest(people, config, tmp_path)[0]
    assert second["status"] == "ok"
    runs = as_user(people.admin, "jena_harvest_run_list", source="jena")["results"]
    assert [r["id"] for r in runs][::-1][0] == json.loads(pending[0])["id"]
    assert len(runs) == 2 and not (tmp_path / "reports-pending.jsonl").exists()
    assert runs[0]["datasets"][0]["summary"] == "unverändert"


def test_a_record_sent_twice_is_stored_once(people, tree_source, tmp_path):
    record = {"id": "run-1", "source": "jena", "kind": "tree_register", "organization": "stadt-jena",
              "started": "2026-12-01T03:30:00+00:00", "finished": "2026-12-01T03:31:00+00:00",
              "status": "ok", "rows": 10}
    people.portal.action.jena_harvest_run_create(**record)
    people.portal.action.jena_harvest_run_create(**record)
    assert as_user(people.admin, "jena_harvest_run_list")["count"] == 1


def test_another_organisations_steward_sees_nothing(people, tree_source, tmp_path, app):
    assert harvest(people, tree_source[1], tmp_path)[0]["status"] == "ok"
    run_id = as_user(people.steward, "jena_harvest_run_list")["results"][0]["id"]
    # Editors elsewhere, members and strangers: no runs, no source, no page.
    assert as_user(people.other_steward, "jena_harvest_run_list") == {"count": 0, "results": []}
    # Only their own organisation's configured sources (the bundled sources.yaml's leipzig), never run.
    theirs = as_user(people.other_steward, "jena_harvest_source_list")
    assert "leipzig" in {s["source"] for s in theirs} and "jena" not in {s["source"] for s in theirs}
    assert all(s["organization_id"] == people.other["id"] and s["last_run"] is None for s in theirs)
    for user in (people.other_steward, people.member):
        with pytest.raises(p.toolkit.NotAuthorized):
            as_user(user, "jena_harvest_run_show", id=run_id)
        with pytest.raises(p.toolkit.NotAuthorized):
            as_user(user, "jena_harvest_source_show", source="jena")
    with pytest.raises(p.toolkit.NotAuthorized):
        as_user(people.member, "jena_harvest_run_list")
    page = app.get("/ernte", extra_environ={"REMOTE_USER": people.other_steward["name"]})
    assert page.status_code == 200 and "Baumkataster Jena" not in page.body
    assert app.get("/ernte/jena", extra_environ={"REMOTE_USER": people.other_steward["name"]}).status_code == 403
    assert app.get("/harvest/jena", extra_environ={"REMOTE_USER": people.steward["name"]}).status_code == 200
    # Visitors are sent to the login.
    visitor = app.get("/ernte", follow_redirects=False)
    assert visitor.status_code == 302 and "/user/login" in visitor.headers["Location"]
    # Another organisation's editor cannot report runs of this one.
    with pytest.raises(p.toolkit.NotAuthorized):
        as_user(people.other_steward, "jena_harvest_run_create", source="jena", kind="tree_register",
                organization="stadt-jena", started="2026-12-01T03:30:00", finished="2026-12-01T03:31:00",
                status="ok")
    # The dataset page shows the last harvest to everyone (public dataset).
    text = app.get("/dataset/baumkataster-jena").body
    assert "Letzter Abgleich" in text and "erfolgreich" in text


def test_the_source_page_pages_its_history(people, app):
    for n in range(25):
        people.portal.action.jena_harvest_run_create(
            id=f"run-{n:02d}", source="jena", kind="tree_register", organization="stadt-jena",
            started=f"2026-11-{n + 1:02d}T03:30:00+00:00", finished=f"2026-11-{n + 1:02d}T03:31:00+00:00",
            status="ok", rows=1000 + n)
    env = {"REMOTE_USER": people.steward["name"]}
    first = app.get("/ernte/jena", extra_environ=env).body
    second = app.get("/ernte/jena?page=2", extra_environ=env).body
    assert first.count('class="jena-harvest-run"') == 20 and second.count('class="jena-harvest-run"') == 5
    assert "1.024" in first and "1.004" not in first.split('id="jena-harvest-runs"')[1]  # newest first
    assert "1.000" in second.split('id="jena-harvest-runs"')[1]
    assert "/ernte/jena?page=2" in first


@pytest.mark.ckan_config("ckanext.jena.harvest.schedule", "* 30 4 * * *\njena 15 3 * * 1")
def test_the_next_run_comes_from_the_schedule_in_the_config(people):
    import datetime as dt

    import pytz
    berlin = pytz.timezone("Europe/Berlin")
    shown = {s["source"]: s for s in as_user(people.steward, "jena_harvest_source_list")}
    jena = dt.datetime.fromisoformat(shown["jena"]["next_run"]).astimezone(berlin)
    other = dt.datetime.fromisoformat(shown["geodaten-jena"]["next_run"]).astimezone(berlin)
    now = dt.datetime.now(dt.timezone.utc)
    assert (jena.weekday(), jena.hour, jena.minute) == (0, 3, 15) and now < jena <= now + dt.timedelta(days=7)
    assert (other.hour, other.minute) == (4, 30) and now < other <= now + dt.timedelta(days=1)
    assert shown["jena"]["schedule"] == "15 3 * * 1"
