"""The check after each change: a job on the real queue, the stored result, the API, the
steward's page in German, compliance() for the quality score, and `ckan jena-shacl`."""
import pytest
import rq

from ckan.cli.cli import ckan
from ckan.lib import jobs
from ckan.lib.jobs import Worker
from ckan.tests import helpers

from ckanext.jena.dcat import shacl, store

from .conftest import CONFIG, create, full

pytestmark = [*CONFIG, pytest.mark.usefixtures("dcat_tables", "clean_index", "clean_queues",
                                               "with_test_worker")]


def run_jobs():
    Worker().work(burst=True)


def queued():
    return [job for queue in rq.Queue.all(connection=jobs.get_queue().connection) for job in queue.jobs]


def bad(admin, org, name="mangelhaft"):
    """What a steward can save through our schema and DCAT-AP.de still refuses: a
    contact with a name only, a resource without URL, an unregistered media type."""
    return create(admin, org, name, contact=[{"name": "Frau Muster"}], resources=[
        {"name": "ohne-url.csv", "format": "CSV"},
        {"name": "eigen.dat", "url": "https://daten.jena.example/eigen.dat", "format": "TXT",
         "mimetype": "application/x-eigenformat"}])


def test_a_change_is_checked_in_the_background(admin, org):
    pkg = full(admin, org)
    # Saved, not yet checked: no compliance for the score until the worker ran.
    assert store.load(pkg["id"])["status"] == "pending"
    assert shacl.compliance(pkg["id"]) is None
    assert [j.func_name for j in queued() if "dcat" in j.func_name] == ["ckanext.jena.dcat.job.validate"]
    run_jobs()
    result = helpers.call_action("jena_shacl_show", {"user": ""}, id=pkg["name"])
    assert result["status"] == "done" and result["conforms"] is True and result["violations"] == 0
    assert result["profile"] == "DCAT-AP 3.0.de – Deutsche Spezifikation"
    assert shacl.compliance(pkg["id"]) is True


def test_the_badge_for_the_dataset_page(app, admin, org):
    import ckan.plugins.toolkit as tk
    good, wrong = full(admin, org, name="gut"), bad(admin, org)
    with app.flask_app.test_request_context():
        assert "wird geprüft" in tk.render_snippet("jena/shacl_badge.html", {"pkg": good})
    run_jobs()
    with app.flask_app.test_request_context():
        assert "DCAT-AP.de" in tk.render_snippet("jena/shacl_badge.html", {"pkg": good})
        assert "konform" in tk.render_snippet("jena/shacl_badge.html", {"pkg": good})
        html = tk.render_snippet("jena/shacl_badge.html", {"pkg": wrong})
        assert "Verstöße" in html and f"/dataset/{wrong['name']}/dcat-ap" in html


def test_a_bad_dataset_reads_in_german(app, admin, org):
    pkg = bad(admin, org)
    run_jobs()
    assert shacl.compliance(pkg["id"]) is False
    result = helpers.call_action("jena_shacl_show", id=pkg["id"])
    by_path = {r["path"]: r for r in result["results"] if r["severity"] == "violation"}
    assert set(by_path) == {"vcard:hasEmail | vcard:hasURL | vcard:hasTelephone", "dcat:accessURL",
                            "dcat:mediaType"}
    assert by_path["dcat:mediaType"]["value"] == "application/x-eigenformat"
    html = app.get(f"/dataset/{pkg['name']}/dcat-ap", headers={"Accept-Language": "de"}).body
    # The shapes' own German messages, and where to fix it in our words.
    assert "MUSS über vcard:hasEmail, vcard:hasURL oder vcard:hasTelephone verfügen" in html
    assert "dcat:accessURL MUSS MINDESTEN einmal vorkommen" in html
    assert "Ressource „ohne-url.csv“" in html
    assert "Kontakt" in html and "Verstöße" in html


def test_a_fix_is_checked_again(admin, org):
    pkg = bad(admin, org)
    run_jobs()
    assert shacl.compliance(pkg["id"]) is False
    found = store.load(pkg["id"])["violations"]
    resources = [{"name": "ohne-url.csv", "format": "CSV", "url": "https://daten.jena.example/a.csv"}]
    helpers.call_action("package_patch", {"user": admin["name"]}, id=pkg["id"], resources=resources,
                        contact=[{"name": "Frau Muster", "email": "muster@jena.example"}])
    assert store.load(pkg["id"])["status"] == "pending"
    # Meanwhile the previous report stays readable, and the score keeps its compliance.
    assert store.load(pkg["id"])["violations"] == found
    assert shacl.compliance(pkg["id"]) is False
    run_jobs()
    assert shacl.compliance(pkg["id"]) is True


def test_a_refused_change_queues_nothing(admin, org):
    with pytest.raises(Exception):
        create(admin, org, "kaputt", issued="gestern")
    assert [j for j in queued() if "dcat" in j.func_name] == []


def test_the_result_is_as_private_as_the_dataset(app, admin, org):
    pkg = full(admin, org, private=True)
    run_jobs()
    app.get(f"/dataset/{pkg['name']}/dcat-ap", status=403)
    response = app.get(f"/api/3/action/jena_shacl_show?id={pkg['name']}", status=403)
    assert response.json["success"] is False


def test_a_deleted_dataset_has_no_result(admin, org):
    pkg = full(admin, org)
    run_jobs()
    helpers.call_action("package_delete", {"user": admin["name"]}, id=pkg["id"])
    assert store.load(pkg["id"]) is None


@pytest.mark.usefixtures("with_extended_cli")
def test_the_operators_command(cli, admin, org):
    good, wrong = full(admin, org, name="gut"), bad(admin, org)
    result = cli.invoke(ckan, ["jena-shacl", wrong["name"]])
    assert result.exit_code == 1, result.output
    assert "MUSS über vcard:hasEmail" in result.output
    assert shacl.compliance(wrong["id"]) is False          # stored, like the job's result
    result = cli.invoke(ckan, ["jena-shacl", good["name"]])
    assert result.exit_code == 0, result.output
    helpers.call_action("package_delete", {"user": admin["name"]}, id=wrong["id"])
    result = cli.invoke(ckan, ["jena-shacl", "--catalog"])
    assert result.exit_code == 0, result.output
    assert "1 datasets" in result.output
