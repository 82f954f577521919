"""jena_schema: validators, vocabularies and licences of our scheming schemas.

The schemas themselves are data (schemas/ckan/*.yaml, loaded by
ckanext-scheming's scheming_datasets and scheming_organizations plugins).
Beside them: what the form's JavaScript does differently (German slugs,
assets/form), what an upload fills in, and the activity pages' guard.
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.model.license import LicenseRegister

from ckanext.jena import changes_guard, helpers, uploads, validators
from ckanext.jena.plugins.blankets import parts
from ckanext.jena.vocabularies import vocabulary


def dcat_ap_de_license_register() -> LicenseRegister:
    """CKAN's licence list from the DCAT-AP.de vocabulary, so that license_id
    holds DCAT-AP.de ids and ckanext-dcat writes their URIs."""
    register = LicenseRegister.__new__(LicenseRegister)
    register._create_license_list([{
        "id": t.id, "title": t.label["de"], "url": t.uri,
        "od_conformance": "approved" if t.extra.get("open") else "not reviewed",
        "osd_conformance": "not reviewed", "status": "active",
    } for t in vocabulary("licenses").terms])
    return register


@parts(validators=validators.all_validators, helpers=helpers.get_helpers)
class SchemaPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer: the form's scripts (assets/form/webassets.yml).
    def update_config(self, config):
        tk.add_resource("../assets/form", "jena_form")

    # IConfigurable
    def configure(self, config):
        # CKAN keeps one register per process (Package._license_register).
        model.Package._license_register = dcat_ap_de_license_register()

    # IResourceController
    def before_resource_create(self, context, resource):
        uploads.let_ckan_fill_metadata(resource)

    def before_resource_update(self, context, current, resource):
        uploads.follow_new_file(current, resource)
        uploads.let_ckan_fill_metadata(resource)

    # IMiddleware: the activity plugin's views exist once all blueprints are in.
    def make_middleware(self, app, config):
        changes_guard.guard(app)
        return app
