"""ckanext.jena.2fa.required_for: the roles that must have a second factor
are sent to set one up right after the password, and can do nothing else
until they have."""
import pytest

from ckan.tests import factories, helpers

from .conftest import PASSWORD, log_in, logged_in, next_code, set_up_totp

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.ckan_config("ckanext.jena.2fa.required_for", "sysadmin")
def test_a_sysadmin_without_a_factor_is_sent_to_enrolment(app):
    admin = factories.Sysadmin(password=PASSWORD)
    client = app.test_client()
    first = log_in(client, admin["name"])
    assert first.status_code == 302 and first.location.endswith(f"/user/{admin['name']}/2fa")
    page = client.get(first.location).get_data(as_text=True)
    assert "Ihr Konto muss mit einem zweiten Faktor geschützt werden" in page

    # Nothing else until then: pages lead back, the API (by cookie) refuses.
    elsewhere = client.get("/ckan-admin/", follow_redirects=False)
    assert elsewhere.status_code == 302 and elsewhere.location.endswith(f"/user/{admin['name']}/2fa")
    api = client.post("/api/3/action/organization_create", json={"name": "ohne-zweiten-faktor"})
    assert api.status_code == 403
    assert helpers.call_action("organization_list") == []

    secret, _ = set_up_totp(client, admin["name"])
    assert client.get("/ckan-admin/", follow_redirects=False).status_code == 200

    # From now on the login asks for the factor.
    client.get("/user/_logout")
    assert log_in(client, admin["name"]).location.endswith("/user/login/2fa")
    client.post("/user/login/2fa", data={"code": next_code(secret)})
    assert client.get("/ckan-admin/", follow_redirects=False).status_code == 200


@pytest.mark.ckan_config("ckanext.jena.2fa.required_for", "editor admin")
def test_editors_of_an_organisation_must_enrol_members_need_not(app):
    org = factories.Organization()
    editor = factories.User(password=PASSWORD)
    member = factories.User(password=PASSWORD)
    helpers.call_action("organization_member_create", id=org["id"], username=editor["name"], role="editor")
    helpers.call_action("organization_member_create", id=org["id"], username=member["name"], role="member")
    assert log_in(app.test_client(), editor["name"]).location.endswith(f"/user/{editor['name']}/2fa")
    client = app.test_client()
    assert "2fa" not in log_in(client, member["name"]).location
    assert client.get("/dataset/", follow_redirects=False).status_code == 200


def test_not_required_by_this_configuration(app):
    # test.ini requires nobody (the portal's default requires sysadmins,
    # organisation admins and editors): a sysadmin logs in with the password.
    admin = factories.Sysadmin(password=PASSWORD)
    client = app.test_client()
    assert "2fa" not in log_in(client, admin["name"]).location
    assert logged_in(client)


def test_a_session_that_skipped_the_factor_is_asked_for_it(app, person):
    # A session made by other means than the login form (CKAN's test
    # REMOTE_USER here; a registration or a remember-me cookie in life)
    # gets no further for an account that has a factor.
    client = app.test_client()
    log_in(client, person["name"])
    set_up_totp(client, person["name"])
    res = app.test_client().get("/dashboard/datasets", extra_environ={"REMOTE_USER": person["name"]},
                                follow_redirects=False)
    assert res.status_code == 302 and res.location.endswith("/user/login/2fa")
