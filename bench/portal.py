"""What the benches that talk to CKAN share: the portal's app with its real
plugin set (test.ini, whose database and DataStore URLs the environment may
override, as bin/test-db and bin/setup-datastore print them), a database
brought up to date, the site user's context, and the percentile the figures
are given in."""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def app(**overrides):
    """CKAN's app on test.ini with `overrides` (config keys) on top."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    conf = load_config(os.path.join(ROOT, "test.ini"))
    conf.update(overrides)
    return make_app(conf)


def plugins() -> list[str]:
    from ckan.common import config
    value = config.get("ckan.plugins") or []
    return value.split() if isinstance(value, str) else list(value)


def migrated_plugins() -> list[str]:
    """Every loaded plugin with migrations of its own (ours, activity)."""
    import ckan.plugins as p
    from ckan.cli.db import _resolve_alembic_config
    return [name for name in plugins()
            if p.plugin_loaded(name) and os.path.exists(_resolve_alembic_config(name) or "")]


def database(empty: bool = False) -> None:
    """The portal database at the current migrations, with every plugin's
    tables; `empty`: dropped and made again first (a fresh test database
    has no tables at all)."""
    import ckan.model as model
    from ckan.cli.db import _run_migrations
    from ckan.lib.search import clear_all
    # CKAN's migration environment re-initialises the model with an engine
    # without a pool (ckan/migration/env.py): every later Session.remove()
    # would then cost a new PostgreSQL backend, which a portal's pooled
    # workers never pay (~10 ms on each write and search measured after it).
    engine = model.meta.engine
    if empty:
        model.repo.rebuild_db()
    else:
        model.repo.init_db()
    for name in migrated_plugins():
        _run_migrations(name)
    model.init_model(engine)
    if empty:
        clear_all()


def as_site_user():
    """A fresh action context of CKAN's site user for each call (CKAN
    writes into the context it is given)."""
    import ckan.plugins.toolkit as tk
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return lambda: {"ignore_auth": True, "user": site_user["name"]}


def percentile(values, pct: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)

