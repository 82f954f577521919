"""Who may list the portal's users: not anonymous visitors (issue 13). CKAN's
convention for it is ckan.auth.public_user_details = false, which the
portal's configuration sets (and test.ini as the portal)."""
import configparser
import os

import pytest

from ckan.tests import factories, helpers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.usefixtures("clean_db")


def test_anonymous_visitors_cannot_list_users(app):
    factories.User(name="steward-jena")
    response = app.get("/api/3/action/user_list", status=403)
    assert "steward-jena" not in response.body
    app.get("/api/3/action/user_show", query_string={"id": "steward-jena"}, status=403)


def test_logged_in_users_and_sysadmins_can(app):
    user, admin = factories.User(name="steward-jena"), factories.Sysadmin()
    for who in (user, admin):
        token = helpers.call_action("api_token_create", {"user": who["name"]}, user=who["name"],
                                    name="t")["token"]
        names = [u["name"] for u in app.get("/api/3/action/user_list",
                                            headers={"Authorization": token}).json["result"]]
        assert "steward-jena" in names


def test_the_portal_configuration_keeps_user_details_private():
    parser = configparser.RawConfigParser()
    parser.read(os.path.join(ROOT, "config", "ckan.ini.in"))
    assert parser.get("app:main", "ckan.auth.public_user_details") == "false"
