"""jena_pgsearch: CKAN's dataset search served from PostgreSQL, no Solr.

Enabled in ckan.plugins it takes over indexing and querying (see
ckanext.jena.pgsearch); left out, CKAN talks to Solr as usual.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p

from ckanext.jena.pgsearch import choices, install
from ckanext.jena.pgsearch.bbox import bbox_filter
from ckanext.jena.plugins.blankets import parts

# Wrap CKAN's search entry points as soon as the plugin module is imported:
# CKAN checks the Solr schema right after loading plugins.
install.install()


@parts("search")
class PgSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        install.install()

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return choices.index_values(pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        # ckanext-spatial's API: ext_bbox=minx,miny,maxx,maxy. Turned into a
        # filter on spatial_geom in the syntax Solr's RPT fields also accept.
        extras = search_params.get("extras") or {}
        bbox = extras.get("ext_bbox")
        if bbox:
            clause = bbox_filter(bbox)
            fq = search_params.get("fq") or ""
            search_params["fq"] = f"{fq} +{clause}".strip()
        return search_params
