"""Shared fixtures. Every test runs with the plugins of test.ini loaded
(CKAN's with_plugins), against the real test database and Redis."""
import os

import pytest


def _migrate_enabled_plugins():
    """Apply the migrations of every enabled plugin that has some."""
    from ckan.cli.db import _resolve_alembic_config, _run_migrations
    from ckan.common import config
    for plugin in config.get("ckan.plugins"):
        try:
            path = _resolve_alembic_config(plugin)
        except Exception:
            continue
        if path and os.path.exists(path):
            _run_migrations(plugin)


@pytest.fixture(scope="session")
def reset_db(reset_db):
    """CKAN's reset drops every table on its first call in a test run (our
    search index and the activity plugin's columns among them) and rebuilds
    only the core schema: apply the plugins' migrations after each reset."""
    def reset():
        reset_db()
        _migrate_enabled_plugins()
    return reset


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    yield
