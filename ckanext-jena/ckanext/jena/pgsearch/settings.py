"""The backend's configuration options, read at call time."""
from __future__ import annotations

from ckan.common import config

from .schema import DEFAULT_FACET_FIELDS


def text_config() -> str:
    return config.get("ckanext.jena.search.text_config") or "jena_german"


def facet_patterns() -> tuple[str, ...]:
    """Field names (or fnmatch patterns) whose values are stored for fast
    faceting: our option plus the facets CKAN's pages ask for."""
    ours = (config.get("ckanext.jena.search.facet_fields") or DEFAULT_FACET_FIELDS).split()
    pages = config.get("search.facets") or []
    if isinstance(pages, str):
        pages = pages.split()
    return tuple(dict.fromkeys([*ours, *pages]))
