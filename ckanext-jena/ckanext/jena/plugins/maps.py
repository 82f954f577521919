"""jena_maps: what the portal adds to ckanext-spatial's and ckanext-geoview's
maps. Their Leaflet widgets come with spatial_metadata and geojson_view (the
templates are our overrides in templates/package and templates/spatial);
this plugin serves one small script that gives every map orientation when no
base map tiles load: a metric scale, and on the search page the extents of
the datasets listed."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


class MapsPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer
    def update_config(self, config):
        tk.add_resource("../assets/maps", "jena_maps")
