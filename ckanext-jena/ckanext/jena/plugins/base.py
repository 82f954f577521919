"""jena: the platform's shared plugin (templates, translations, CLI, the
outbound HTTP options)."""
from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.jena import cli, display, feeds
from ckanext.jena.plugins.blankets import parts

PACKAGE = os.path.dirname(os.path.dirname(__file__))


# The options of the outbound client (ckanext.jena.outbound), which the
# validation job and the link check share; the helpers show numbers, dates
# and terms as dataset pages do.
@parts("outbound", commands=[cli.jena], helpers=display.get_helpers)
class JenaPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IFeed)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "../templates")

    # ITranslation: the catalogue lives in ckanext/jena/i18n, not next to
    # this module.
    def i18n_directory(self):
        return os.path.join(PACKAGE, "i18n")

    def i18n_domain(self):
        return "ckanext-jena"

    # IFeed: the Atom feeds in the page's language.
    def get_feed_class(self):
        return feeds.JenaFeed

    def get_item_additional_fields(self, dataset_dict):
        return {}
