"""Two-factor login tests: a real CKAN app (CKAN's `app` fixture) with one
test client per person, so the session cookie carries the login from one
request to the next as a browser does."""
import re

import pyotp
import pytest

from ckan.tests import factories

PASSWORD = "Jena-Zwei-Faktor-2026!"


@pytest.fixture
def person():
    return factories.User(password=PASSWORD)


@pytest.fixture
def client(app):
    return app.test_client()


def log_in(client, name, password=PASSWORD):
    """The password step, as the login form posts it; the response unfollowed."""
    return client.post("/user/login", data={"login": name, "password": password}, follow_redirects=False)


def logged_in(client) -> bool:
    """The page header shows the account menu only to a logged-in user."""
    return "account avatar authed" in client.get("/dataset/").get_data(as_text=True)


def set_up_totp(client, name) -> tuple[str, list[str]]:
    """Enrol an authenticator app on the user's page as a person does:
    read the key under the QR code, type the app's code. Returns the
    secret and the recovery codes the page shows once."""
    page = client.get(f"/user/{name}/2fa/totp").get_data(as_text=True)
    secret = re.search(r'id="jena-2fa-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post(f"/user/{name}/2fa/totp", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", done.get_data(as_text=True))
    return secret, codes


def next_code(secret) -> str:
    """The app's code of the next 30-second step (within the accepted
    drift): the current one was spent on the enrolment."""
    import time
    return pyotp.TOTP(secret).at(time.time() + 30)
