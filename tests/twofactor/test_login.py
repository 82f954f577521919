"""TOTP and recovery codes in the real login (issue 17, two-factor login):
the password alone no longer logs in an account with a second factor."""
import pyotp
import pytest
import sqlalchemy as sa

import ckan.model as model

from .conftest import PASSWORD, log_in, logged_in, next_code, set_up_totp

pytestmark = pytest.mark.usefixtures("clean_db")


def test_totp_login_with_a_code_computed_here(client, person):
    name = person["name"]
    assert log_in(client, name).status_code == 302  # no second factor yet: in
    secret, codes = set_up_totp(client, name)
    assert len(codes) == 10 and len(set(codes)) == 10
    client.get("/user/_logout")
    assert not logged_in(client)

    # The password is right, but it only leads to the second step.
    step = log_in(client, name)
    assert step.status_code == 302 and step.location.endswith("/user/login/2fa")
    assert not logged_in(client)
    page = client.get("/user/login/2fa").get_data(as_text=True)
    assert "Code aus Ihrer Authenticator-App" in page

    wrong = client.post("/user/login/2fa", data={"code": "000000" if next_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "Der Code ist falsch oder abgelaufen." in wrong.get_data(as_text=True)
    assert not logged_in(client)

    # The code typed at the enrolment was spent there: replaying it fails.
    replay = client.post("/user/login/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert replay.status_code == 400

    done = client.post("/user/login/2fa", data={"code": next_code(secret)}, follow_redirects=False)
    assert done.status_code == 302 and "/user/login" not in done.location
    assert logged_in(client)


def test_recovery_code_replaces_the_factor_once(client, person):
    name = person["name"]
    log_in(client, name)
    _, codes = set_up_totp(client, name)
    client.get("/user/_logout")

    log_in(client, name)
    assert client.post("/user/login/2fa", data={"recovery_code": codes[3].upper()},
                       follow_redirects=False).status_code == 302
    assert logged_in(client)
    assert "Noch 9 unbenutzte Wiederherstellungscodes" in client.get(f"/user/{name}/2fa").get_data(as_text=True)
    client.get("/user/_logout")

    log_in(client, name)
    assert client.post("/user/login/2fa", data={"recovery_code": codes[3]}).status_code == 400
    assert not logged_in(client)


def test_codes_are_stored_hashed_and_the_secret_stays_out_of_the_log(client, person, caplog):
    name = person["name"]
    with caplog.at_level("DEBUG"):
        log_in(client, name)
        secret, codes = set_up_totp(client, name)
    user = model.User.get(name)
    stored = [r[0] for r in model.Session.execute(
        sa.text("SELECT code_hash FROM jena_2fa_recovery WHERE user_id = :u"), {"u": user.id})]
    assert len(stored) == 10
    assert not set(codes) & set(stored) and not any(c.replace("-", "") in stored for c in codes)
    assert secret not in caplog.text and not any(c in caplog.text for c in codes)


def test_an_account_without_a_factor_logs_in_as_before(client, person):
    done = log_in(client, person["name"])
    assert done.status_code == 302 and "2fa" not in done.location
    assert logged_in(client)


def test_removing_the_app_on_the_users_page_ends_the_second_step(client, person):
    name = person["name"]
    log_in(client, name)
    set_up_totp(client, name)
    page = client.get(f"/user/{name}/2fa").get_data(as_text=True)
    assert "Authenticator-App entfernen" in page and "Zwei-Faktor-Anmeldung" in page
    client.post(f"/user/{name}/2fa/totp/delete", data={"password": PASSWORD})
    client.get("/user/_logout")
    assert "2fa" not in log_in(client, name).location
    assert logged_in(client)


def test_another_user_cannot_see_or_change_my_factors(app, person):
    from ckan.tests import factories
    other = factories.User(password=PASSWORD)
    mine, theirs = app.test_client(), app.test_client()
    log_in(mine, person["name"])
    set_up_totp(mine, person["name"])
    log_in(theirs, other["name"])
    assert theirs.get(f"/user/{person['name']}/2fa").status_code == 403
    assert theirs.get(f"/user/{person['name']}/2fa/totp").status_code == 403
    assert theirs.post(f"/user/{person['name']}/2fa/totp/delete").status_code == 403
    assert theirs.post(f"/user/{person['name']}/2fa/recovery").status_code == 403
