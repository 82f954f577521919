"""Sources on loopback for the harvester tests: the bundled samples served
over HTTP, and routes a test can change to simulate faults."""
import os

import pytest
from ckanapi import LocalCKAN

from ckan.tests import factories

from harvesters import runner


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "harvesters", "samples")


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


@pytest.fixture
def sources(loopback):
    routes, base = loopback
    routes.clear()
    routes["/jena.csv"] = (sample("jena_baumkataster.csv"), "text/csv; charset=windows-1252", 0)
    routes["/leipzig.csv"] = (sample("leipzig_baeume.csv"), "text/csv", 0)
    config = runner.load_config()
    config["jena"]["url"] = base + "/jena.csv"
    config["leipzig"]["url"] = base + "/leipzig.csv"
    for c in config.values():
        c.update(timeout=1, attempts=2, backoff=0.01)
    return routes, base, config




@pytest.fixture
def harvester_portal():
    """The portal as the harvesters reach it: a user who is editor (not
    sysadmin) of the organisations it publishes to, as bin/setup makes it.
    `harvester_portal("stadt-jena", …)` → (LocalCKAN as that user, the user)."""
    def make(*organizations):
        admin, user = factories.Sysadmin(), factories.User()
        for name in organizations:
            factories.Organization(name=name, user=admin, users=[{"name": user["name"], "capacity": "editor"}])
        return LocalCKAN(username=user["name"]), user
    return make


@pytest.fixture
def harvester_ckan(harvester_portal):
    """LocalCKAN as the harvesters' editor account of stadt-jena."""
    return harvester_portal("stadt-jena")[0]


@pytest.fixture(scope="module")
def ckan_http(reset_db):
    """The test CKAN as a real server: (its URL). Tables are made first: the
    first reset of a session drops and rebuilds them."""
    from ..portal_process import ckan_web, free_port, started
    reset_db()
    port = free_port()
    with started({"ckan run": ckan_web(port)}, port, log_prefix="ckan-server") as server:
        yield server.url


@pytest.fixture
def harvester_token(harvester_portal):
    """An API token of the harvesters' editor account (organisation stadt-leipzig-beispiel)."""
    from ckan.tests import helpers
    _, user = harvester_portal("stadt-leipzig-beispiel")
    return helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"], name="harvest")["token"]
