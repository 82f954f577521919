"""Password guessing is limited per account, however the account is named:
CKAN's login takes the user name or the e-mail address, and both must
count against the one account."""
import pytest

from ckan.tests import factories

from tests.twofactor.conftest import PASSWORD, log_in, logged_in

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.ckan_config("ckanext.jena.2fa.max_attempts", 3)
def test_guessing_by_name_and_by_email_share_one_limit(app):
    person = factories.User(password=PASSWORD, email="gudrun@jena.example")
    client = app.test_client()
    for _ in range(3):
        assert log_in(client, person["name"], "falsch").status_code == 200
    # Three more guesses through the e-mail address would double the limit.
    by_email = log_in(client, "gudrun@jena.example", "falsch")
    assert by_email.status_code == 429
    assert log_in(client, "gudrun@jena.example").status_code == 429
    assert not logged_in(client)
