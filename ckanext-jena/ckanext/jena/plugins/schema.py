"""jena_schema: validators, vocabularies and licences of our scheming schemas.

The schemas themselves are data (schemas/ckan/*.yaml, loaded by
ckanext-scheming's scheming_datasets and scheming_organizations plugins).
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins as p
from ckan.model.license import LicenseRegister

from ckanext.jena import helpers, validators
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


class SchemaPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurable)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)

    # IConfigurable
    def configure(self, config):
        # CKAN keeps one register per process (Package._license_register).
        model.Package._license_register = dcat_ap_de_license_register()

    # IValidators
    def get_validators(self):
        return validators.all_validators()

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers()
