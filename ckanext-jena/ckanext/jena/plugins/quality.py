"""jena_quality: live metadata quality score (MQA model) for every dataset.

Computed whenever a dataset is indexed (create, update, reindex), stored per
indicator and indexed as quality_score / quality_rating so /dataset can
facet and sort by it. Link reachability is checked by a background job.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.plugins.blankets import parts
from ckanext.jena.quality import actions, helpers, labels, score, store, urlcheck
from ckanext.jena.quality.views import quality


@parts("quality", actions=actions.get_actions, auth=actions.get_auth_functions, blueprints=[quality],
       helpers=helpers.get_helpers)
class QualityPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        pkg = json.loads(pkg_dict["validated_data_dict"])
        result = score.assess_dataset(pkg)
        # Every path that changes visibility or URLs reindexes (the actions,
        # bulk_update_public/private), so this is where a change is noticed.
        before, now = store.watched(pkg["id"]), urlcheck.watched(pkg)
        store.save(pkg["id"], pkg.get("owner_org"), result, now)
        recheck = urlcheck.to_recheck(before, now)
        if recheck:
            urlcheck.enqueue(pkg["id"], force=recheck)
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

