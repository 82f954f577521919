"""jena_health: /healthz, the portal's health for monitoring (ckanext/jena/health.py)."""
from __future__ import annotations

import ckan.plugins as p

from ckanext.jena import health
from ckanext.jena.declarations import declare_options


class HealthPlugin(p.SingletonPlugin):
    p.implements(p.IBlueprint)
    p.implements(p.IConfigDeclaration)

    def get_blueprint(self):
        return [health.blueprint]

    def declare_config_options(self, declaration, key):
        declare_options(declaration, "health")
