"""The quality of one dataset dict: computed with its link check results,
or as stored when it was last indexed. One place for the plugin's index
hook, the API action and the page helper."""
from __future__ import annotations

from typing import Any

from . import labels, mqa, store, urlcheck


def assess_dataset(pkg: dict) -> dict[str, Any]:
    context = mqa.Context(store.url_status(urlcheck.dataset_urls(pkg)), urlcheck.available(pkg))
    return mqa.assess(pkg, context)


def quality_of(pkg: dict) -> dict[str, Any]:
    """Score, rating, dimensions, indicators with their texts, and the
    dataset's link check results."""
    # Not stored yet: not indexed since the plugin was enabled.
    result = store.load(pkg["id"]) or assess_dataset(pkg)
    return dict(result, id=pkg["id"], name=pkg["name"], max=mqa.MAX_POINTS,
                indicators=labels.describe(result["indicators"]), links=urlcheck.links(pkg))
