"""jena_health: /healthz, the portal's health for monitoring (ckanext/jena/health.py)."""
from __future__ import annotations

import ckan.plugins as p

from ckanext.jena import health
from ckanext.jena.plugins.blankets import parts


@parts("health", blueprints=[health.blueprint])
class HealthPlugin(p.SingletonPlugin):
    pass
