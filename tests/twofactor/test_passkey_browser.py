"""Passkeys in Chromium: registration on the user's page and the login's
second step, with a virtual FIDO2 authenticator of the DevTools protocol
(WebAuthn.addVirtualAuthenticator) against a real portal (`ckan run`) whose
ckan.site_url is its loopback address: the WebAuthn origin and RP ID."""
import os
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

import ckan.model as model
from ckan.common import config
from ckan.tests import factories

from ..portal_process import ckan_web, free_port, started
from .conftest import PASSWORD

CHROMIUM = os.environ.get("JENA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIRTUAL_KEY = {"protocol": "ctap2", "transport": "usb", "hasResidentKey": True,
               "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}

# "authed" alone, not the "not-authed" of an anonymous header.
AUTHED = re.compile(r"(^|\s)authed(\s|$)")

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """The browser talks to the portal's process; this one needs no plugins per test."""
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="module")
def portal_url(reset_db):
    import ckan.plugins
    ckan.plugins.load_all()  # the first reset migrates the enabled plugins' tables
    try:
        reset_db()
    finally:
        ckan.plugins.unload_non_system_plugins()
    port = free_port()
    # WebAuthn wants a domain as RP ID, not an IP address: localhost (a
    # secure context over plain HTTP too), served on 127.0.0.1.
    url = os.environ.get("JENA_2FA_TEST_ORIGIN", "http://localhost") + f":{port}"
    # The configuration this test run was started with (--ckan-ini).
    with started({"web": ckan_web(port, config["__file__"])}, port, env={"CKAN_SITE_URL": url},
                 log_prefix="jena-2fa"):
        yield url


@pytest.fixture
def browser_context_args(browser_context_args, portal_url):
    return {**browser_context_args, "base_url": portal_url, "locale": "de-DE"}


def _log_in(page, name):
    page.goto("/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("form:has(#field-login) button[type=submit]").click()


def _authed(page):
    return page.locator(".account").first


def _sign_count(credential_id):
    model.Session.remove()
    return model.Session.execute(sa.text("SELECT sign_count FROM jena_2fa_passkey WHERE credential_id = :c"),
                                 {"c": credential_id}).scalar()


def test_passkey_registration_and_login_with_a_virtual_authenticator(page):
    page.set_default_timeout(20000)
    user = factories.User(password=PASSWORD)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    key = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_KEY})["authenticatorId"]

    _log_in(page, user["name"])
    expect(_authed(page)).to_have_class(AUTHED)
    page.goto(f"/user/{user['name']}/2fa")
    page.fill("#field-passkey-name", "Sicherheitsschlüssel Büro")
    page.click("#jena-2fa-passkey-add")
    expect(page.locator(".jena-2fa-passkey-item")).to_contain_text("Sicherheitsschlüssel Büro")
    made = cdp.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"]
    assert len(made) == 1

    # The password alone leads to the second step, the key logs in.
    page.goto("/user/_logout")
    _log_in(page, user["name"])
    expect(page).to_have_url(re.compile(r"/user/login/2fa$"))
    expect(_authed(page)).not_to_have_class(AUTHED)
    with page.expect_request(re.compile(r"/user/login/2fa/passkey$")) as sent:
        page.click("#jena-2fa-passkey-login")
    expect(_authed(page)).to_have_class(AUTHED)
    used = cdp.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"][0]
    stored_id = made[0]["credentialId"].rstrip("=").replace("+", "-").replace("/", "_")
    assert _sign_count(stored_id) == used["signCount"] > 0

    # A recorded answer signed an old challenge: sent again, it is refused.
    recorded = sent.value.post_data
    page.goto("/user/_logout")
    _log_in(page, user["name"])
    expect(page).to_have_url(re.compile(r"/user/login/2fa$"))
    status = page.evaluate("""async (body) => {
        await fetch("/user/login/2fa/passkey/options", {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json"}, body: "{}"});
        const resp = await fetch("/user/login/2fa/passkey", {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json"}, body});
        return resp.status;
    }""", recorded)
    assert status == 400
    page.reload()
    expect(_authed(page)).not_to_have_class(AUTHED)
    page.click("#jena-2fa-passkey-login")  # the key itself still works
    expect(_authed(page)).to_have_class(AUTHED)
