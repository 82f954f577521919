"""Removing a factor (the authenticator app, a passkey) or replacing the
recovery codes asks for the password again: a session left open on a
shared computer, or a stolen session cookie, cannot strip an account of
its second factor. The form is protected against cross-site requests."""
import re

import pytest

from ckan.tests import factories

from ckanext.jena.twofactor import store

from tests.validation.test_csrf import fresh_csrf, token_in  # noqa: F401  (a fixture)

from .conftest import PASSWORD, log_in, logged_in, set_up_totp

pytestmark = pytest.mark.usefixtures("clean_db", "clean_redis")


def asks_for_the_code(name) -> bool:
    """A fresh login of the account stops at the second step."""
    from ckan.tests.helpers import _get_test_app
    return "/user/login/2fa" in log_in(_get_test_app().test_client(), name).location


@pytest.fixture
def enrolled(client, person):
    log_in(client, person["name"])
    secret, codes = set_up_totp(client, person["name"])
    return client, person["name"], secret, codes


def test_removing_the_app_without_the_password_is_refused(enrolled):
    client, name, _, _ = enrolled
    page = client.get(f"/user/{name}/2fa").get_data(as_text=True)
    assert 'name="password"' in page and "Ihr Passwort (zur Bestätigung)" in page
    missing = client.post(f"/user/{name}/2fa/totp/delete", data={}, follow_redirects=False)
    assert missing.status_code == 400
    assert "Bitte bestätigen Sie mit Ihrem Passwort." in missing.get_data(as_text=True)
    wrong = client.post(f"/user/{name}/2fa/totp/delete", data={"password": "geraten"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert "Das Passwort ist falsch. Es wurde nichts geändert." in wrong.get_data(as_text=True)
    assert store.factors(_id(name))["totp"]
    assert asks_for_the_code(name)


def _id(name):
    import ckan.model as model
    return model.User.by_name(name).id


def test_removing_the_app_with_the_password(enrolled):
    client, name, _, _ = enrolled
    done = client.post(f"/user/{name}/2fa/totp/delete", data={"password": PASSWORD}, follow_redirects=False)
    assert done.status_code == 302
    assert not store.factors(_id(name))["totp"]
    assert not asks_for_the_code(name)


def test_removing_a_passkey_needs_the_password(enrolled):
    client, name, _, _ = enrolled
    # A stored passkey (its key material plays no part in removing it).
    store.add_passkey(_id(name), "a2V5LWF1cy1kZW0tdGVzdA", "Sicherheitsschlüssel", b"\x01" * 77, 0)
    import ckan.model as model
    model.Session.commit()
    page = client.get(f"/user/{name}/2fa").get_data(as_text=True)
    assert "Sicherheitsschlüssel" in page
    url = f"/user/{name}/2fa/passkey/a2V5LWF1cy1kZW0tdGVzdA/delete"
    assert client.post(url, data={}, follow_redirects=False).status_code == 400
    assert client.post(url, data={"password": "geraten"}, follow_redirects=False).status_code == 403
    assert [k["name"] for k in store.passkeys(_id(name))] == ["Sicherheitsschlüssel"]
    assert client.post(url, data={"password": PASSWORD}, follow_redirects=False).status_code == 302
    assert store.passkeys(_id(name)) == []


def test_new_recovery_codes_need_the_password(enrolled):
    client, name, secret, codes = enrolled
    refused = client.post(f"/user/{name}/2fa/recovery", data={"password": "geraten"})
    assert refused.status_code == 403
    assert not re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", refused.get_data(as_text=True))
    fresh = client.post(f"/user/{name}/2fa/recovery", data={"password": PASSWORD})
    new_codes = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", fresh.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    # The old codes no longer replace the factor, the new ones do.
    client.get("/user/_logout")
    log_in(client, name)
    assert client.post("/user/login/2fa", data={"recovery_code": codes[0]}).status_code == 400
    assert client.post("/user/login/2fa", data={"recovery_code": new_codes[0]}, follow_redirects=False).status_code == 302


def test_a_sysadmin_removes_anothers_factor_with_the_sysadmins_password(app, enrolled):
    _, name, _, _ = enrolled
    admin_password = "Admin-Passwort-Jena-2026"
    admin = factories.Sysadmin(password=admin_password)
    theirs = app.test_client()
    log_in(theirs, admin["name"], admin_password)
    # The owner's password is not the sysadmin's confirmation.
    assert theirs.post(f"/user/{name}/2fa/totp/delete", data={"password": PASSWORD},
                       follow_redirects=False).status_code == 403
    assert asks_for_the_code(name)
    assert theirs.post(f"/user/{name}/2fa/totp/delete", data={"password": admin_password},
                       follow_redirects=False).status_code == 302
    assert not asks_for_the_code(name)


@pytest.mark.ckan_config("ckanext.jena.2fa.max_attempts", 2)
def test_guessing_the_password_at_removal_is_limited(enrolled):
    client, name, _, _ = enrolled
    for _ in range(2):
        assert client.post(f"/user/{name}/2fa/totp/delete", data={"password": "geraten"},
                           follow_redirects=False).status_code == 403
    locked = client.post(f"/user/{name}/2fa/totp/delete", data={"password": PASSWORD}, follow_redirects=False)
    assert locked.status_code == 429
    assert store.factors(_id(name))["totp"]
    assert logged_in(client)   # the session itself is not ended by it


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
@pytest.mark.ckan_config("ckan.csrf_protection.ignore_extensions", False)
def test_the_removal_form_needs_its_csrf_token(fresh_csrf, app, person):
    """A page elsewhere that knows the password (typed into a phishing
    form) still cannot post the removal with the person's cookie."""
    import pyotp
    client = app.test_client()
    token = re.search(r'<meta name="_csrf_token" content="([^"]+)"',
                      client.get("/user/login").get_data(as_text=True)).group(1)
    client.post("/user/login", data={"login": person["name"], "password": PASSWORD, "_csrf_token": token})
    name = person["name"]
    page = client.get(f"/user/{name}/2fa/totp").get_data(as_text=True)
    secret = re.search(r'id="jena-2fa-secret">([A-Z2-7]+)<', page).group(1)
    client.post(f"/user/{name}/2fa/totp", data={"code": pyotp.TOTP(secret).now(), "_csrf_token": token_in(page)})
    assert store.factors(_id(name))["totp"]
    forged = client.post(f"/user/{name}/2fa/totp/delete", data={"password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 400
    assert store.factors(_id(name))["totp"]
    settings = client.get(f"/user/{name}/2fa").get_data(as_text=True)
    done = client.post(f"/user/{name}/2fa/totp/delete", data={"password": PASSWORD, "_csrf_token": token_in(settings)},
                       follow_redirects=False)
    assert done.status_code == 302
    assert not store.factors(_id(name))["totp"]
