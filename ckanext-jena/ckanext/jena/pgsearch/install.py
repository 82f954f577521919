"""Route CKAN's Solr calls to PostgreSQL while jena_pgsearch is loaded.

CKAN 2.11 has no interface for search backends: ckan.lib.search and its
submodules call `make_connection()` (module globals) and check Solr's schema
at start-up. We wrap those names once; each wrapper asks at call time whether
the plugin is loaded, so unloading it (or never enabling it) gives CKAN's
Solr behaviour back unchanged.
"""
from __future__ import annotations

import inspect
import logging

import ckan.lib.search as search
import ckan.lib.search.common as common
import ckan.lib.search.index as index
import ckan.lib.search.query as query
import ckan.plugins as p

from . import writes
from .connection import PgSearchConnection

log = logging.getLogger(__name__)

PLUGIN = "jena_pgsearch"
_ORIGINAL = {
    "make_connection": common.make_connection,
    "is_available": common.is_available,
    "check_solr_schema_version": search.check_solr_schema_version,
    "rebuild": search.rebuild,
}


def active() -> bool:
    return p.plugin_loaded(PLUGIN)


def configured() -> bool:
    """Named in ckan.plugins. Reloading the plugins (the jobs worker does it
    for every job) unloads them one by one and rechecks the search engine
    after each: with jena_pgsearch already gone but still configured, Solr's
    check would log a connection traceback per job."""
    from ckan.common import config
    return PLUGIN in (config.get("ckan.plugins") or [])


def _make_connection(decode_dates: bool = True):
    if active():
        return PgSearchConnection(decode_dates)
    return _ORIGINAL["make_connection"](decode_dates)


def _is_available() -> bool:
    if active():
        return True
    return _ORIGINAL["is_available"]()


def _check_solr_schema_version(schema_file=None) -> bool:
    if active() or configured():
        return True  # our schema is a plugin migration, checked by `ckan db`
    return _ORIGINAL["check_solr_schema_version"](schema_file)


def _rebuild(package_id=None, *args, **kwargs):
    """CKAN's rebuild; a whole-index rebuild that commits each dataset
    (`search-index rebuild --commit-each`) has no commit at its end, so it
    ends with the planner's statistics here (see writes.analyze)."""
    out = _ORIGINAL["rebuild"](package_id, *args, **kwargs)
    call = inspect.signature(_ORIGINAL["rebuild"]).bind(package_id, *args, **kwargs)
    call.apply_defaults()
    given = call.arguments
    whole = given["package_id"] is None and given["package_ids"] is None
    if active() and whole and not given["defer_commit"]:
        writes.analyze()
    return out


def install() -> None:
    if getattr(search, "_jena_pgsearch_installed", False):
        return
    for module in (common, index, query, search):
        if hasattr(module, "make_connection"):
            module.make_connection = _make_connection
    common.is_available = search.is_available = _is_available
    search.check_solr_schema_version = _check_solr_schema_version
    search.rebuild = _rebuild
    writes.watch_commits()
    search._jena_pgsearch_installed = True
    log.debug("jena_pgsearch: CKAN search routed to PostgreSQL")
