"""block_invalid holds on every path that changes a dataset's visibility
(issue 12: bulk_update_public made a dataset public past it)."""
import json

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import factories, helpers
import ckan.logic as logic

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker"),
              pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1"),
              pytest.mark.ckan_config("ckanext.jena.validation.block_invalid", "true")]

BAD = "baumnummer;hoehe\n" + "".join(f"{i};{10 + i}\n" for i in range(1, 30)) + "30;zwölf\n"
GOOD = "baumnummer;hoehe\n" + "".join(f"{i};{10 + i}\n" for i in range(1, 31))
SCHEMA = json.dumps({"fields": [{"name": "baumnummer", "type": "integer"}, {"name": "hoehe", "type": "number"}]})


@pytest.fixture
def steward():
    """An editor of the organisation, as stewards are."""
    admin, user = factories.Sysadmin(), factories.User()
    org = factories.Organization(user=admin, users=[{"name": user["name"], "capacity": "admin"}])
    return user, org


@pytest.fixture
def files(loopback):
    routes, base = loopback
    routes["/schlecht.csv"] = (BAD.encode(), "text/csv")
    routes["/gut.csv"] = (GOOD.encode(), "text/csv")
    return base


def make(steward, files, name, body="schlecht", private=False):
    user, org = steward
    return helpers.call_action("package_create", {"user": user["name"]}, name=name, title=name.title(),
                               notes="Daten", owner_org=org["id"], private=private,
                               resources=[{"url": f"{files}/{body}.csv", "format": "CSV", "name": f"{body}.csv",
                                           "table_schema": SCHEMA}])


def shown(name):
    return helpers.call_action("package_show", id=name)


def test_created_public_with_an_invalid_file_becomes_private(steward, files):
    make(steward, files, "neu")  # the file copied from elsewhere; public while pending
    Worker().work(burst=True)
    pkg = shown("neu")
    assert pkg["private"] is True and pkg["validation_status"] == "invalid"


@pytest.mark.parametrize("how", ["package_patch", "package_update", "package_revise"])
def test_no_update_makes_it_public(steward, files, how):
    user, _ = steward
    make(steward, files, "daten")
    Worker().work(burst=True)
    context = {"user": user["name"], "ignore_auth": False}
    with pytest.raises(logic.ValidationError) as err:
        if how == "package_patch":
            helpers.call_action("package_patch", context, id="daten", private=False)
        elif how == "package_update":
            helpers.call_action("package_update", context, **dict(shown("daten"), private=False))
        else:
            helpers.call_action("package_revise", context, match={"name": "daten"},
                                update={"private": False})
    assert "private" in str(err.value.error_dict)
    assert shown("daten")["private"] is True


def test_an_update_that_keeps_it_private_is_allowed(steward, files):
    # `private` left out keeps the visibility: not a request to publish
    user, _ = steward
    make(steward, files, "daten")
    Worker().work(burst=True)
    pkg = shown("daten")
    update = {k: v for k, v in pkg.items() if k != "private"}
    helpers.call_action("package_update", {"user": user["name"]}, **dict(update, notes="Neu beschrieben"))
    pkg = shown("daten")
    assert pkg["notes"] == "Neu beschrieben" and pkg["private"] is True


def test_bulk_update_public_leaves_invalid_datasets_private(steward, files):
    user, org = steward
    bad, good = make(steward, files, "schlecht"), make(steward, files, "gut", body="gut", private=True)
    Worker().work(burst=True)
    assert shown("schlecht")["private"] is True and shown("gut")["validation_status"] == "valid"
    result = helpers.call_action("bulk_update_public", {"user": user["name"], "ignore_auth": False},
                                 datasets=[bad["id"], good["id"]], org_id=org["id"])
    assert result == {"blocked": ["schlecht"]}
    assert shown("schlecht")["private"] is True and shown("gut")["private"] is False
    # the search index (what lists and counts use) agrees
    found = helpers.call_action("package_search", q="*:*", include_private=False)["results"]
    assert [p["name"] for p in found] == ["gut"]


def test_the_organisation_bulk_page_says_what_stayed_private(steward, files, app):
    user, org = steward
    bad = make(steward, files, "schlecht")
    Worker().work(burst=True)
    token = helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"], name="t")["token"]
    page = app.post(f"/organization/bulk_process/{org['name']}", headers={"Authorization": token},
                    data={f"dataset_{bad['id']}": "on", "bulk_action.public": "public"}, follow_redirects=True)
    assert shown("schlecht")["private"] is True
    assert "Nicht veröffentlicht, weil Ressourcen die Prüfung nicht bestanden haben: schlecht" in page.body


def test_a_valid_dataset_is_published_as_usual(steward, files):
    user, _ = steward
    make(steward, files, "gut", body="gut", private=True)
    Worker().work(burst=True)
    helpers.call_action("package_patch", {"user": user["name"]}, id="gut", private=False)
    assert shown("gut")["private"] is False
