"""The validation views that change things (adopt the inferred schema,
validate again) are POST forms protected against cross-site requests once
CKAN's CSRF protection covers extensions (issue 12): a steward's browser
session alone is not enough, the form's token is."""
import json
import re

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import factories, helpers

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker"),
              pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1"),
              pytest.mark.ckan_config("WTF_CSRF_ENABLED", True),
              pytest.mark.ckan_config("ckan.csrf_protection.ignore_extensions", False)]

PASSWORD = "Baumkataster-2026"
CSV = "baumnummer;hoehe\n" + "".join(f"{i};{i},5\n" for i in range(1, 21))


def token_in(html):
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def fresh_csrf(monkeypatch):
    """CKAN's CSRF guard is one object per process and keeps the blueprints
    an earlier app of this test run exempted (with the default config): start
    from none, as a portal process configured so does."""
    from ckan.config.middleware.flask_app import csrf
    monkeypatch.setattr(csrf, "_exempt_blueprints", set())
    monkeypatch.setattr(csrf, "_exempt_views", set())


@pytest.fixture
def steward_session(fresh_csrf, app, loopback):
    """A steward logged in through the login form (a cookie session, as a browser has)."""
    routes, base = loopback
    routes["/hoehen.csv"] = (CSV.encode(), "text/csv")
    user = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    pkg = helpers.call_action("package_create", {"user": user["name"]}, name="hoehen", title="Höhen",
                              notes="Baumhöhen", owner_org=org["id"],
                              resources=[{"url": base + "/hoehen.csv", "format": "CSV", "name": "hoehen.csv"}])
    Worker().work(burst=True)
    browser = app.test_client()  # one client: it keeps the session cookie
    login_page = browser.get("/user/login").get_data(as_text=True)
    token = re.search(r'<meta name="_csrf_token" content="([^"]+)"', login_page).group(1)
    browser.post("/user/login", data={"login": user["name"], "password": PASSWORD, "_csrf_token": token})
    res = pkg["resources"][0]
    return browser, f"/dataset/hoehen/resource/{res['id']}/validation", res


def test_adopting_the_schema_needs_the_forms_token(steward_session):
    browser, page_url, res = steward_session
    page = browser.get(page_url).get_data(as_text=True)
    assert "Schema übernehmen" in page  # logged in: the steward's form is there
    refused = browser.post(page_url + "/adopt-schema", data={}, follow_redirects=False)
    assert refused.status_code == 400
    assert not helpers.call_action("resource_show", id=res["id"]).get("table_schema")
    done = browser.post(page_url + "/adopt-schema", data={"_csrf_token": token_in(page)}, follow_redirects=False)
    assert done.status_code == 302
    adopted = json.loads(helpers.call_action("resource_show", id=res["id"])["table_schema"])
    assert adopted["fields"][1]["decimalChar"] == ","


def test_validating_again_needs_the_forms_token(steward_session):
    browser, page_url, res = steward_session
    page = browser.get(page_url).get_data(as_text=True)
    assert browser.post(page_url + "/run", data={}, follow_redirects=False).status_code == 400
    assert helpers.call_action("resource_validation_show", resource_id=res["id"])["status"] == "valid"
    done = browser.post(page_url + "/run", data={"_csrf_token": token_in(page)}, follow_redirects=False)
    assert done.status_code == 302
    assert helpers.call_action("resource_validation_show", resource_id=res["id"])["status"] == "pending"
