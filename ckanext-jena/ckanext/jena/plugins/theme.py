"""jena_theme: the portal's own look (home page, header and footer, logo,
the legally required pages, a German 404) on CKAN's theming conventions:
template block overrides, a webassets bundle, a public folder."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.plugins.blankets import parts
from ckanext.jena.theme import helpers, pages
from ckanext.jena.theme.views import theme


@parts("theme", blueprints=[theme], helpers=helpers.get_helpers)
class ThemePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config):
        # A folder of its own, so the shared templates of `jena` never need
        # this plugin's helpers.
        tk.add_template_directory(config, "../theme/templates")
        tk.add_public_directory(config, "../public")
        tk.add_resource("../assets/theme", "jena_theme")

    def update_config_schema(self, schema):
        # The pages' texts are edited at /ckan-admin/config and kept in
        # system_info, as CKAN keeps ckan.site_about.
        ignore_missing = tk.get_validator("ignore_missing")
        unicode_safe = tk.get_validator("unicode_safe")
        for option in pages.OPTIONS:
            schema[option] = [ignore_missing, unicode_safe]
        return schema

    # IFacets: the categories the home page links to are a facet, so the
    # filtered search names its filter ("Kategorien: Umwelt"), not a URI.
    def dataset_facets(self, facets_dict, package_type):
        return helpers.with_theme_facet(facets_dict)

    def organization_facets(self, facets_dict, organization_type, package_type):
        return helpers.with_theme_facet(facets_dict)

    # IPackageController
    def after_dataset_search(self, search_results, search_params):
        return helpers.label_theme_facet(search_results)
