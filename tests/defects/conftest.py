"""Fixtures of the defect tests (issues 13 and 23): a steward of an
organisation (tests/conftest.py's `steward`, of the organisation here), as
they meet the portal through the web form and the API."""
import pytest

from ckan.tests import factories, helpers


@pytest.fixture
def org(clean_db, clean_index):
    return factories.Organization()


@pytest.fixture
def token(steward):
    return helpers.call_action("api_token_create", {"user": steward["name"]},
                               user=steward["name"], name="t")["token"]


@pytest.fixture
def api(app, token):
    """An action API call as the steward's client makes it: (status, body)."""
    def call(action, status=200, **data):
        response = app.post(f"/api/3/action/{action}", headers={"Authorization": token},
                            json=data, status=status)
        return response.json
    return call


@pytest.fixture
def as_steward(steward):
    return {"REMOTE_USER": steward["name"]}
