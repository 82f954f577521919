"""Shared fixtures. Every test runs with the plugins of test.ini loaded
(CKAN's with_plugins), against the real test database and Redis."""
import os

import pytest

from .loopback import serve


# Plugins whose tables must exist whatever a test enables: the CLI loads the
# full stack of test.ini even where a test runs with fewer plugins.
ALWAYS_MIGRATED = ("activity", "jena_pgsearch", "jena_quality", "jena_validation", "jena_dcat", "jena_harvest")


def _migrate_plugins():
    """Apply the migrations of our plugins and every enabled one. CKAN finds
    a plugin's migrations only while it is loaded, so load it meanwhile."""
    import ckan.plugins as p
    from ckan.cli.db import _resolve_alembic_config, _run_migrations
    from ckan.common import config
    names = list(dict.fromkeys([*config.get("ckan.plugins"), *ALWAYS_MIGRATED]))
    # All at once and in the configured order: a plugin may need another one
    # loaded first (jena_datastore refuses to load without datastore).
    loaded_here = [name for name in names if not p.plugin_loaded(name)]
    p.load(*loaded_here)
    try:
        for plugin in names:
            path = _resolve_alembic_config(plugin)
            if path and os.path.exists(path):
                _run_migrations(plugin)
    finally:
        p.unload(*reversed(loaded_here))


@pytest.fixture(scope="session")
def reset_db(reset_db):
    """CKAN's first reset in a test run drops every table (our search index
    and quality tables, the activity plugin's columns) and rebuilds only the
    core schema; later resets only delete rows. Migrate after the first."""
    import ckan.model as model

    def reset():
        dropping = not model.repo.tables_created_and_initialised
        reset_db()
        if dropping:
            _migrate_plugins()
        # CKAN empties only the tables it knows; ours keep per-dataset state.
        model.Session.execute("TRUNCATE jena_quality, jena_url_check, jena_validation, jena_shacl, "
                              "jena_harvest_run, jena_harvest_alert, jena_harvest_trigger")
        model.Session.commit()
    return reset


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    yield


@pytest.fixture
def admin():
    """A sysadmin, who creates what a test's steward or harvester would."""
    from ckan.tests import factories
    return factories.Sysadmin()


@pytest.fixture
def org(admin):
    """An organisation of the sysadmin."""
    from ckan.tests import factories
    return factories.Organization(user=admin)


@pytest.fixture
def token(admin):
    """The sysadmin's API token, for pages and API calls as a client makes them."""
    from ckan.tests import helpers
    return helpers.call_action("api_token_create", {"user": admin["name"]}, user=admin["name"],
                               name="t")["token"]


@pytest.fixture
def steward(org):
    """A user who is editor of `org`, as stewards are."""
    from ckan.tests import factories, helpers
    user = factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=user["name"],
                        role="editor")
    return user


@pytest.fixture(scope="module")
def loopback():
    """A data provider's web server on loopback: (routes a test fills, base URL)."""
    routes: dict = {}
    with serve(routes) as base:
        yield routes, base


@pytest.fixture(autouse=True)
def harvest_sources_on_loopback(request, monkeypatch):
    """Test sources are loopback servers: the operator's allow-list names them
    (as bin/run does for the sample map server). Tests of the guard itself
    mark themselves `outbound_strict` and get the production default."""
    if request.node.get_closest_marker("outbound_strict") is None:
        monkeypatch.setenv("JENA_OUTBOUND_ALLOW", "127.0.0.1")
    else:
        monkeypatch.delenv("JENA_OUTBOUND_ALLOW", raising=False)
