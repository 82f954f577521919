"""The backend's configuration options, read at call time."""
from __future__ import annotations

import fnmatch

from ckan.common import config

# Facet values of these fields (fnmatch patterns) are stored as integer ids
# for fast counting; other fields are faceted from the term map, correct but
# slower.
DEFAULT_FACET_FIELDS = "organization groups tags res_format license_id res_type vocab_*"


def text_config() -> str:
    return config.get("ckanext.jena.search.text_config") or "jena_german"


def facet_cache_seconds() -> float:
    """How long facet counts of a search may be reused while the index
    has not changed (facet_cache.py); 0 turns the reuse off."""
    return float(config.get("ckanext.jena.search.facet_cache_seconds"))


def facet_patterns() -> tuple[str, ...]:
    """Field names (or fnmatch patterns) whose values are stored for fast
    faceting: our option plus the facets CKAN's pages ask for."""
    ours = (config.get("ckanext.jena.search.facet_fields") or DEFAULT_FACET_FIELDS).split()
    pages = config.get("search.facets") or []
    if isinstance(pages, str):
        pages = pages.split()
    return tuple(dict.fromkeys([*ours, *pages]))


def stored_facet(field: str) -> bool:
    """Whether the field's values are stored as facet values (store.py
    builds them from the same patterns)."""
    return any(fnmatch.fnmatchcase(field, p) for p in facet_patterns())
