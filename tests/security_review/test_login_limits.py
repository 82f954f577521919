"""Password guessing is limited per account, however the account is named
(CKAN's login takes the user name or the e-mail address, and both must
count against the one account), and per client address (password
spraying: one password tried on many accounts)."""
import threading

import pytest

from ckan.tests import factories

from tests.twofactor.conftest import PASSWORD, log_in, logged_in

# The address counters live in Redis across tests: each test starts at zero.
pytestmark = pytest.mark.usefixtures("clean_db", "clean_redis")


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


@pytest.mark.ckan_config("ckanext.jena.2fa.max_attempts", 3)
def test_one_address_guessing_across_many_accounts_is_limited(app):
    people = [factories.User(password=PASSWORD) for _ in range(12)]
    client = app.test_client()
    answers = [log_in(client, p["name"], "Sommer2026!").status_code for p in people]
    # The default: ten failed passwords per address; each account saw one.
    assert answers[:10] == [200] * 10 and answers[10:] == [429, 429]
    # Even the right password of an untouched account, from that address.
    assert log_in(client, people[-1]["name"]).status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in log_in(client, people[-1]["name"]).get_data(as_text=True)
    # Another address is not held up by it.
    elsewhere = app.test_client()
    done = elsewhere.post("/user/login", data={"login": people[-1]["name"], "password": PASSWORD},
                          extra_environ={"REMOTE_ADDR": "192.0.2.77"}, follow_redirects=False)
    assert done.status_code == 302


@pytest.mark.ckan_config("ckanext.jena.login.max_attempts_per_address", 4)
def test_good_logins_from_one_address_do_not_use_it_up(app):
    """An office behind one address: its people's good logins give their
    attempt back, so a few typos among many logins lock no one out."""
    people = [factories.User(password=PASSWORD) for _ in range(8)]
    for i, person in enumerate(people):
        client = app.test_client()
        if i % 3 == 0:   # three typos among eight logins
            assert log_in(client, person["name"], "vertippt").status_code == 200
        assert log_in(client, person["name"]).status_code == 302
    # The address has used three of its four failures, not eleven.
    assert log_in(app.test_client(), people[1]["name"], "vertippt").status_code == 200


@pytest.mark.ckan_config("ckanext.jena.login.max_attempts_per_address", 3)
def test_a_forwarded_for_header_is_not_believed_without_a_trusted_proxy(app):
    people = [factories.User(password=PASSWORD) for _ in range(5)]
    client = app.test_client()
    # A sprayer naming a new address in each request is still one address.
    answers = [client.post("/user/login", data={"login": p["name"], "password": "Sommer2026!"},
                           headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
               for i, p in enumerate(people)]
    assert answers == [200, 200, 200, 429, 429]


@pytest.mark.ckan_config("ckanext.jena.login.max_attempts_per_address", 3)
@pytest.mark.ckan_config("ckanext.jena.login.trusted_proxies", 1)
def test_behind_a_trusted_proxy_each_client_address_counts_alone(app):
    """With one reverse proxy configured, the address it appended to
    X-Forwarded-For is the client's: a sprayer is limited, the colleague
    behind the same proxy is not; an address the sprayer puts in front of
    the proxy's is ignored."""
    people = [factories.User(password=PASSWORD) for _ in range(5)]
    sprayer = app.test_client()
    answers = [sprayer.post("/user/login", data={"login": p["name"], "password": "Sommer2026!"},
                            headers={"X-Forwarded-For": f"10.9.9.{i}, 203.0.113.5"}).status_code
               for i, p in enumerate(people[:4])]
    assert answers == [200, 200, 200, 429]
    colleague = app.test_client()
    done = colleague.post("/user/login", data={"login": people[4]["name"], "password": PASSWORD},
                          headers={"X-Forwarded-For": "203.0.113.6"}, follow_redirects=False)
    assert done.status_code == 302


@pytest.mark.ckan_config("ckanext.jena.2fa.max_attempts", 3)
def test_attempts_at_the_same_instant_are_counted_before_they_are_checked(app):
    """Twelve guesses for one account sent at once: no more than the limit
    may even be checked, the rest is refused (a check of the counter and a
    count after the slow password check would let them all through)."""
    person = factories.User(password=PASSWORD)
    start = threading.Barrier(12)
    answers = []

    def guess():
        client = app.test_client()
        start.wait()
        answers.append(log_in(client, person["name"], "Sommer2026!").status_code)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] * 3 + [429] * 9
