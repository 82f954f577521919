"""Fixtures of the theme tests: users with API tokens (CKAN identifies a
token on every request, web pages included) and the page texts reset."""
import pytest

from ckan.common import config
from ckan.tests import factories, helpers

from ckanext.jena.theme import pages


def token_of(user):
    return helpers.call_action("api_token_create", {"user": user["name"]},
                               user=user["name"], name="t")["token"]


@pytest.fixture
def sysadmin_token():
    return token_of(factories.Sysadmin())


@pytest.fixture
def user_token():
    return token_of(factories.User())


@pytest.fixture(autouse=True)
def default_page_texts():
    """A saved page text lives on in the process's config: empty it again."""
    yield
    for option in pages.OPTIONS:
        config[option] = ""
