"""jena: the platform's shared plugin (templates, translations, CLI)."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.jena import cli


class JenaPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "../templates")

    # IClick
    def get_commands(self):
        return [cli.jena]

    # ITranslation: the catalogue lives in ckanext/jena/i18n, not next to
    # this module.
    def i18n_directory(self):
        import os
        return os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")

    def i18n_domain(self):
        return "ckanext-jena"
