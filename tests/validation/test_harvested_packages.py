"""A harvested data package as the portal validates it: the harvester
publishes it (tables with their Table Schema, datapackage.json beside them)
and the real worker validates every resource — the portal's verdict is the
harvester's (issue 24), and the datapackage.json is checked as what it is,
a descriptor (issue 13: it crashed, and every harvested dataset showed
"nicht prüfbar")."""
import json
import os

import pytest
from ckanapi import LocalCKAN

from ckan.lib.jobs import Worker
from ckan.tests import factories, helpers

from harvesters import runner

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "harvesters", "samples")


@pytest.fixture
def harvested(loopback, tmp_path):
    """The bundled tree register harvested into the portal by an editor of
    its organisation, as bin/setup's harvester account does."""
    routes, base = loopback
    with open(os.path.join(SAMPLES, "jena_baumkataster.csv"), "rb") as f:
        routes["/jena.csv"] = (f.read(), "text/csv; charset=windows-1252", 0)
    admin, user = factories.Sysadmin(), factories.User()
    factories.Organization(name="stadt-jena", user=admin, users=[{"name": user["name"], "capacity": "editor"}])
    config = runner.load_config()
    config["jena"].update(url=base + "/jena.csv", timeout=1, attempts=2, backoff=0.01)
    result = runner.run(["jena"], config, str(tmp_path), LocalCKAN(username=user["name"]))[0]
    assert result["status"] == "ok", result
    return helpers.call_action("package_show", id="baumkataster-jena"), tmp_path


def reports(pkg):
    return {r["name"]: helpers.call_action("resource_validation_show", resource_id=r["id"])
            for r in pkg["resources"]}


def test_a_harvested_package_is_valid_in_the_portal_too(harvested, app):
    pkg, out = harvested
    assert {r["name"] for r in pkg["resources"]} >= {"baeume.csv", "baeume.geojson", "datapackage.json"}
    assert set(s["status"] for s in reports(pkg).values()) == {"pending"}
    Worker().work(burst=True)  # the real job, as `ckan jobs worker` runs it
    found = reports(pkg)
    assert {name: r["status"] for name, r in found.items()} == {name: "valid" for name in found}, \
        {name: (r["status"], r.get("reason"), r["errors"][:3]) for name, r in found.items()}
    # The table against the Table Schema it was built and checked with, not an inferred one.
    descriptor = json.loads((out / "jena" / "current" / "datapackage.json").read_text())
    assert found["baeume.csv"]["schema_origin"] == "resource" and not found["baeume.csv"]["inferred_schema"]
    assert found["baeume.csv"]["row_count"] == descriptor["resources"][0]["rows"]
    assert found["datapackage.json"]["schema_origin"] == "profile"
    assert found["baeume.geojson"]["schema_origin"] == "geojson"
    assert helpers.call_action("package_show", id=pkg["id"])["validation_status"] == "valid"
    for name in ("datapackage.json", "baeume.csv"):
        res = next(r for r in pkg["resources"] if r["name"] == name)
        page = app.get(f"/dataset/{pkg['name']}/resource/{res['id']}").body
        assert "Validierung: gültig" in " ".join(page.split()), name
        report_page = app.get(f"/dataset/{pkg['name']}/resource/{res['id']}/validation").body
        assert "nicht prüfbar" not in report_page and "Error" not in report_page


@pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1")
def test_a_broken_descriptor_is_invalid_not_a_crash(loopback, app):
    admin = factories.Sysadmin()
    org = factories.Organization(user=admin)
    pkg = helpers.call_action("package_create", {"user": admin["name"]}, name="paket", title="Paket",
                              notes="Ein Datenpaket", owner_org=org["id"])
    routes, base = loopback
    descriptor = {"name": "Kein gültiger Name", "resources": [
        {"name": "a", "path": "a.csv", "schema": {"fields": [{"name": "x", "type": "zahl"}]}},
        {"name": "a", "path": "b.csv"}]}
    routes["/paket/datapackage.json"] = (json.dumps(descriptor).encode(), "application/json")
    res = helpers.call_action("resource_create", {"user": admin["name"]}, package_id=pkg["id"],
                              url=base + "/paket/datapackage.json", format="JSON", name="datapackage.json")
    Worker().work(burst=True)
    found = helpers.call_action("resource_validation_show", resource_id=res["id"])
    assert found["status"] == "invalid" and found["schema_origin"] == "profile"
    assert found["errors_by_type"][0]["type"] == "descriptor-error" and found["error_count"] >= 1
    page = app.get(f"/dataset/paket/resource/{res['id']}/validation").body
    assert "Beschreibung des Datenpakets" in page and "Data-Package-Spezifikation" in page
    assert "AttributeError" not in page and "validation failed" not in page


def test_a_crash_reads_as_a_german_sentence(app):
    """What reports of the old job stored ("validation failed: AttributeError")
    and what a crash stores now both read as a sentence for stewards."""
    import ckan.model as model
    from ckanext.jena.validation import run, store
    admin = factories.Sysadmin()
    org = factories.Organization(user=admin)
    pkg = factories.Dataset(owner_org=org["id"], name="absturz", user=admin)
    pages = []
    for report in ({"status": "error", "message": "validation failed: AttributeError"},
                   run.failed("crash", "validation failed: KeyError: 'x'")):
        res = factories.Resource(package_id=pkg["id"], url="http://example.org/a.pdf", format="PDF")
        store.save(res["id"], pkg["id"], report)
        model.Session.commit()
        pages.append(app.get(f"/dataset/absturz/resource/{res['id']}/validation").body)
    for page in pages:
        assert "Die Prüfung ist an einem internen Fehler gescheitert" in page
        assert "AttributeError" not in page and "KeyError" not in page and "validation failed" not in page
