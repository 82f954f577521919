"""jena_quality: live metadata quality score (MQA model) for every dataset.

Computed whenever a dataset is indexed (create, update, reindex), stored per
indicator and indexed as quality_score / quality_rating so /dataset can
facet and sort by it. Link reachability is checked by a background job.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.plugins.blankets import parts
from ckanext.jena.quality import actions, helpers, labels, score, store, urlcheck
from ckanext.jena.quality.views import quality


_ASSESSED = "jena_quality_assessed"
# The two index calls of one dataset come one after the other; a bulk
# reindex in one transaction keeps only the last few.
_ASSESSED_KEPT = 64


def _assessed_in_transaction() -> dict[str, tuple[bytes, dict[str, Any]]]:
    """package id -> (digest of its validated dict, quality result) of the
    datasets assessed in the database transaction under way."""
    session = model.Session()
    transaction = session.get_transaction()
    if transaction is None:
        return {}
    memo = session.info.get(_ASSESSED)
    if memo is None or memo[0] is not transaction:
        memo = session.info[_ASSESSED] = (transaction, {})
    return memo[1]


@parts("quality", actions=actions.get_actions, auth=actions.get_auth_functions, blueprints=[quality],
       helpers=helpers.get_helpers)
class QualityPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        validated, package_id = pkg_dict["validated_data_dict"], pkg_dict["id"]
        assessed = _assessed_in_transaction()
        digest = hashlib.blake2b(validated.encode(), digest_size=16).digest()
        seen = assessed.get(package_id)
        if seen is not None and seen[0] == digest:
            # CKAN indexes a new dataset twice in the commit that creates it
            # (as new, then as the package of its new tags and resources;
            # ckan/model/modification.py), an edit with its resources too:
            # the same dataset, already assessed, saved and queued.
            result = seen[1]
        else:
            pkg = json.loads(validated)
            result = score.assess_dataset(pkg)
            # Every path that changes visibility or URLs reindexes (the
            # actions, bulk_update_public/private), so this is where a
            # change is noticed.
            before, now = store.watched(pkg["id"]), urlcheck.watched(pkg)
            store.save(pkg["id"], pkg.get("owner_org"), result, now)
            recheck = urlcheck.to_recheck(before, now)
            if recheck:
                urlcheck.enqueue(pkg["id"], force=recheck)
            assessed[package_id] = (digest, result)
            if len(assessed) > _ASSESSED_KEPT:
                del assessed[next(iter(assessed))]
        # Zero-padded so that a string sort (Solr's and ours) orders by
        # score; after_dataset_search gives API users the number.
        pkg_dict["quality_score"] = f"{result['score']:03d}"
        pkg_dict["quality_rating"] = result["rating"]
        return pkg_dict

    def after_dataset_update(self, context, pkg_dict):
        # The routine check: URLs not checked within url_recheck_hours.
        urlcheck.enqueue(pkg_dict["id"])

    def after_dataset_search(self, search_results, search_params):
        for result in search_results.get("results") or []:
            value = result.get("quality_score")
            if isinstance(value, str) and value.isdigit():
                result["quality_score"] = int(value)
        facet = search_results.get("search_facets", {}).get("quality_rating")
        for item in (facet or {}).get("items", []):
            item["display_name"] = labels.rating_label(item["name"])
        return search_results

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        facets_dict["quality_rating"] = tk._("Metadata quality")
        return facets_dict

