"""Shared fixtures. Every test runs with the plugins of test.ini loaded
(CKAN's with_plugins), against the real test database and Redis."""
import glob
import json
import os
import time

import pytest

from .loopback import serve

from .portal_process import ROOT


def _plugin_loading_without_stack_walks():
    """CKAN loads every plugin afresh for each test (`with_plugins`, the
    `app` fixture), and two of its helpers make that cost seconds per test
    here: `toolkit.add_template_directory`/`add_public_directory`/
    `add_resource` find their caller with `inspect.stack()`, which reads the
    source of every frame of pytest's deep stack, and each plugin lookup
    scans every installed distribution's entry points. Same results, found
    the cheap way: the caller's file from its frame, and the entry points
    (which do not change during a run) looked up once per name. A portal
    loads its plugins once at start, so this matters to the suite only
    (measured: see the commit that brought it)."""
    import functools
    import sys

    import yaml

    import ckan.plugins.core as core
    import ckan.plugins.toolkit as toolkit
    from ckan.lib.webassets_tools import create_library

    def add_served_directory(config_, relative_path, config_var):
        # CKAN's own, with its inspect.stack()[2] as a frame lookup: frame 0 is
        # this, 1 add_template/public_directory, 2 the plugin calling it.
        absolute_path = os.path.join(os.path.dirname(sys._getframe(2).f_code.co_filename), relative_path)
        if absolute_path not in config_.get(config_var, []):
            config_[config_var] = [absolute_path] + config_.get(config_var, [])
        return absolute_path

    def add_resource(path, name):
        create_library(name, os.path.join(os.path.dirname(sys._getframe(1).f_code.co_filename), path))

    toolkit._add_served_directory = add_served_directory
    toolkit.add_resource = add_resource
    find = core.entry_points

    @functools.lru_cache(maxsize=None)
    def entry_points(**selection):
        return tuple(find(**selection))
    core.entry_points = entry_points
    # Each plugin load parses scheming's schemas and presets, the webassets
    # bundles and the config declarations again, with PyYAML's pure-Python
    # parser; libyaml's (the same safe loader, in C) is several times faster.
    if yaml.__with_libyaml__:
        yaml.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)
    # CKAN's core config declaration (one large YAML file) is parsed at every
    # update_config; parsed once, each caller gets its own copy.
    import copy

    import msgspec.yaml
    decode = msgspec.yaml.decode

    @functools.lru_cache(maxsize=8)
    def parsed(buf):
        return decode(buf)
    msgspec.yaml.decode = lambda buf, **kw: copy.deepcopy(parsed(buf)) if not kw and isinstance(buf, bytes) \
        else decode(buf, **kw)


def pytest_configure(config):
    config._jena_started = time.time()
    _plugin_loading_without_stack_walks()


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


@pytest.fixture(autouse=True)
def login_counters_cleared():
    """Every test logs in from 127.0.0.1, so the per-address login counter
    (10 failures in 15 minutes) would carry one test's wrong passwords into
    the next and lock it out, depending on the order the suite runs in.
    Each test starts with no failed logins counted, as a fresh client would."""
    from ckanext.jena.twofactor import ratelimit
    ratelimit.clear_all()


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


def pytest_terminal_summary(terminalreporter, config):
    """axe-core's figures per page (tests/browser/test_accessibility.py), for
    the closing notes: read from the files this run's tests wrote, in
    whichever worker they ran."""
    artefacts = os.path.join(ROOT, "var", "test-artifacts", "browser")
    found = [path for path in glob.glob(os.path.join(artefacts, "axe-*.json"))
             if os.path.getmtime(path) >= getattr(config, "_jena_started", 0)]
    results = []
    for path in sorted(found, key=os.path.getmtime):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if "summary" in data:
            results.append((data["page"], data["summary"]))
    if not results:
        return
    lines = ["page        critical serious moderate minor  violated rules; for review (axe undecided)"]
    for name, summary in results:
        c = summary["counts"]
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(summary["rules"].items())) or "-"
        review = ", ".join(f"{rule} {n}" for rule, n in sorted(summary["review"].items())) or "-"
        lines.append(f"{name:<11} {c['critical']:>8} {c['serious']:>7} {c['moderate']:>8} {c['minor']:>5}  "
                     f"{rules}; {review}")
    terminalreporter.write_sep("-", "axe-core violations (WCAG 2.1 A/AA, affected elements)")
    for line in lines:
        terminalreporter.write_line(line)
    with open(os.path.join(artefacts, "axe-summary.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
