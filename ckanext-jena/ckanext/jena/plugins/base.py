"""jena: the platform's shared plugin (templates, translations, CLI, the
outbound HTTP options)."""
from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.jena import cli, display, feeds
from ckanext.jena.declarations import declare_options

PACKAGE = os.path.dirname(os.path.dirname(__file__))


class JenaPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IClick)
    p.implements(p.ITranslation)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IFeed)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "../templates")

    # IConfigDeclaration: the outbound client (ckanext.jena.outbound) is
    # shared by the validation job and the link check.
    def declare_config_options(self, declaration, key):
        declare_options(declaration, "outbound")

    # IClick
    def get_commands(self):
        return [cli.jena]

    # ITranslation: the catalogue lives in ckanext/jena/i18n, not next to
    # this module.
    def i18n_directory(self):
        return os.path.join(PACKAGE, "i18n")

    def i18n_domain(self):
        return "ckanext-jena"

    # ITemplateHelpers: numbers, dates and terms as dataset pages show them.
    def get_helpers(self):
        return display.get_helpers()

    # IFeed: the Atom feeds in the page's language.
    def get_feed_class(self):
        return feeds.JenaFeed

    def get_item_additional_fields(self, dataset_dict):
        return {}
