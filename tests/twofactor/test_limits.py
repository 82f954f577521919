"""Login attempts are limited (Redis), for the password and for the second
factor; API tokens are not touched by any of it."""
import pytest

from ckan.tests import factories, helpers

from .conftest import PASSWORD, log_in, logged_in, next_code, set_up_totp

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.ckan_config("ckanext.jena.2fa.max_attempts", 3)
def test_password_guessing_locks_the_account_not_others(app, person):
    client = app.test_client()
    for _ in range(3):
        failed = log_in(client, person["name"], "falsch")
        assert failed.status_code == 200 and "Anmeldung fehlgeschlagen" in failed.get_data(as_text=True)
    locked = log_in(client, person["name"])  # even the right password now
    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in locked.get_data(as_text=True)
    assert not logged_in(client)
    other = factories.User(password=PASSWORD)
    assert log_in(app.test_client(), other["name"]).status_code == 302


@pytest.mark.ckan_config("ckanext.jena.2fa.max_attempts", 3)
def test_guessing_the_second_factor_is_limited(app, person):
    client = app.test_client()
    log_in(client, person["name"])
    secret, _ = set_up_totp(client, person["name"])
    client.get("/user/_logout")
    log_in(client, person["name"])
    good = next_code(secret)
    bad = "000000" if good != "000000" else "111111"
    for _ in range(3):
        assert client.post("/user/login/2fa", data={"code": bad}).status_code == 400
    locked = client.post("/user/login/2fa", data={"code": good})
    assert locked.status_code == 429
    assert not logged_in(client)


@pytest.mark.ckan_config("ckanext.jena.2fa.required_for", "sysadmin")
def test_api_tokens_work_without_the_second_factor(app):
    required = factories.Sysadmin(password=PASSWORD)    # must enrol, has not
    enrolled = factories.User(password=PASSWORD)        # has a factor
    client = app.test_client()
    log_in(client, enrolled["name"])
    set_up_totp(client, enrolled["name"])
    for user in (required, enrolled):
        token = helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"],
                                    name="skript")["token"]
        res = app.get("/api/3/action/api_token_list", query_string={"user_id": user["name"]},
                      headers={"Authorization": token})
        assert res.status_code == 200, res.get_data(as_text=True)
        assert res.json["success"] and len(res.json["result"]) == 1
