"""End to end: harvest the tree register into the real test CKAN (action API
through ckanapi's LocalCKAN), again unchanged, again with changes, and a
failing run."""
import csv
import json

import pytest

from ckan.lib.uploader import get_resource_uploader
from ckan.tests import factories, helpers

from harvesters import runner

from .conftest import sample

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def harvest(config, out, ckan):
    return runner.run(["jena"], config, str(out), ckan)[0]


def resources(name="baumkataster-jena"):
    pkg = helpers.call_action("package_show", id=name)
    return pkg, {r["name"]: r for r in pkg["resources"]}


def stored_csv(resource):
    with open(get_resource_uploader(resource).get_path(resource["id"]), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def activities(pkg):
    return helpers.call_action("package_activity_list", id=pkg["id"], limit=100)


def test_harvest_publish_again_and_with_changes(sources, tmp_path, harvester_ckan):
    routes, base, config = sources
    first = harvest(config, tmp_path, harvester_ckan)
    assert first["status"] == "ok", first
    pkg, res = resources()
    assert set(res) == {"baeume.csv", "baeume.geojson", "datapackage.json", "aenderungen.csv"}
    assert len(stored_csv(res["baeume.csv"])) == 3000
    assert pkg["update_method"] == "harvested" and pkg["license_id"] == "dl-by-de/2.0"
    assert pkg["harvest_status"] == "ok" and pkg["harvest_message"] == "Erstveröffentlichung."
    assert pkg["last_successful_update"]
    # Each table carries the Table Schema it was validated with, so the portal
    # validates it against that schema, not against one it infers.
    descriptor = json.loads((tmp_path / "jena" / "current" / "datapackage.json").read_text())
    assert json.loads(res["baeume.csv"]["table_schema"]) == descriptor["resources"][0]["schema"]
    assert not res["baeume.geojson"].get("table_schema")
    before = len(activities(pkg))

    # Unchanged source: nothing new at all.
    second = harvest(config, tmp_path, harvester_ckan)
    assert second["published"]["changed"] is False
    pkg2, res2 = resources()
    assert len(activities(pkg2)) == before
    assert {n: r["hash"] for n, r in res2.items()} == {n: r["hash"] for n, r in res.items()}

    # Two trees felled, one planted, one grown.
    text = sample("jena_baumkataster.csv").decode("cp1252")
    lines = text.split("\r\n")
    header, rows = lines[0], [l for l in lines[1:] if l]
    felled = {rows[0].split(";")[0], rows[1].split(";")[0]}
    grown = rows[2].split(";")
    grown[4] = "31,5"
    planted = "99999;Tilia cordata;Winter-Linde;2025;2,5;12;1,0;vital;Lobeda;681900,00;5645000,00"
    changed_text = "\r\n".join([header, ";".join(grown)] + rows[3:] + [planted]) + "\r\n"
    routes["/jena.csv"] = (changed_text.encode("cp1252"), "text/csv", 0)
    third = harvest(config, tmp_path, harvester_ckan)
    assert third["status"] == "ok", third
    pkg3, res3 = resources()
    assert pkg3["harvest_message"] == "Seit dem letzten Abgleich: 1 neu, 2 entfernt, 1 geändert."
    changes = stored_csv(res3["aenderungen.csv"])
    assert {(c["change"], c["id"]) for c in changes} == (
        {("neu", "jena:99999"), ("geändert", f"jena:{grown[0]}")} | {("entfernt", f"jena:{t}") for t in felled})
    assert [c["fields"] for c in changes if c["change"] == "geändert"] == ["height_m"]
    assert res3["baeume.geojson"]["hash"] != res["baeume.geojson"]["hash"]


def test_a_failed_run_shows_on_the_dataset_and_keeps_the_data(sources, tmp_path, harvester_ckan):
    routes, base, config = sources
    assert harvest(config, tmp_path, harvester_ckan)["status"] == "ok"
    pkg, res = resources()
    routes["/jena.csv"] = (b"<html><body>Wartung</body></html>", "text/html", 0)
    failed = harvest(config, tmp_path, harvester_ckan)
    assert failed["status"] == "failed"
    pkg2, res2 = resources()
    assert pkg2["harvest_status"] == "failed"  # a stable code (harvesters/states.py) …
    assert "HTML page instead of CSV" in pkg2["harvest_message"] and pkg2["harvest_time"]
    assert res2["baeume.csv"]["hash"] == res["baeume.csv"]["hash"]
    assert pkg2["harvest_message"] != pkg["harvest_message"]


def test_the_dataset_page_shows_the_run_state_in_german(sources, tmp_path, harvester_ckan, app):
    routes, base, config = sources
    assert harvest(config, tmp_path, harvester_ckan)["status"] == "ok"
    routes["/jena.csv"] = (b"<html><body>Wartung</body></html>", "text/html", 0)
    harvest(config, tmp_path, harvester_ckan)
    page = app.get("/dataset/baumkataster-jena").body
    assert "fehlgeschlagen" in page and ">failed<" not in page  # … shown as its German label


def test_the_editor_account_keeps_up_private_datasets_of_its_organisation(sources, tmp_path, harvester_ckan):
    """Made private by a steward (or by block_invalid): still updated, found
    among the organisation's harvested datasets, withdrawn and failed."""
    from harvesters import publish
    routes, base, config = sources
    assert harvest(config, tmp_path, harvester_ckan)["status"] == "ok"
    steward = factories.Sysadmin()
    helpers.call_action("package_patch", {"user": steward["name"]}, id="baumkataster-jena", private=True)
    lines = sample("jena_baumkataster.csv").decode("cp1252").split("\r\n")
    routes["/jena.csv"] = ("\r\n".join(lines[:-3] + lines[-2:]).encode("cp1252"), "text/csv", 0)  # one felled
    again = harvest(config, tmp_path, harvester_ckan)
    assert again["status"] == "ok" and again["published"]["summary"].startswith(
        "Seit dem letzten Abgleich: 0 neu, 1 entfernt"), again
    assert publish.harvested_datasets(harvester_ckan, "baumkataster-", config["jena"]["url"]) == ["baumkataster-jena"]
    routes["/jena.csv"] = (b"<html>Wartung</html>", "text/html", 0)
    assert harvest(config, tmp_path, harvester_ckan)["status"] == "failed"
    assert helpers.call_action("package_show", id="baumkataster-jena")["harvest_status"] == "failed"
    assert publish.withdraw(harvester_ckan, "baumkataster-jena", "Quelle eingestellt") is True
    pkg = helpers.call_action("package_show", id="baumkataster-jena")
    assert pkg["private"] and pkg["harvest_status"] == "withdrawn"
    assert publish.harvested_datasets(harvester_ckan, "baumkataster-", config["jena"]["url"]) == []
