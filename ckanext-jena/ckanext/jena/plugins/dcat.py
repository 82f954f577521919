"""jena_dcat: DCAT-AP.de output and its SHACL validation.

The profile itself is an entry point of ckanext-dcat (`dcat_ap_de` in
ckanext.dcat.rdf.profiles); this plugin validates every change of a dataset against
"DCAT-AP 3.0.de – Deutsche Spezifikation" in a background job, keeps the result
(`jena_shacl_show`, the page /dataset/NAME/dcat-ap) and offers `ckan jena-shacl`.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.dcat import actions, cli, job, messages, store
from ckanext.jena.dcat.views import dcat_ap


class DcatPlugin(p.SingletonPlugin):
    p.implements(p.IConfigDeclaration)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.IClick)
    p.implements(p.ITemplateHelpers)

    # IConfigDeclaration
    def declare_config_options(self, declaration, key):
        section = key.ckanext.jena.dcat
        declaration.annotate("jena_dcat: DCAT-AP.de profile and SHACL validation")
        declaration.declare_bool(section.dcatde_2_properties, True).set_description(
            "Also emit the DCAT-AP.de 2.0 properties that 3.0 deprecates (dcatde:politicalGeocodingURI, "
            "dcatde:maintainer, dcatde:originator) next to their 3.0 successors, for harvesters that "
            "still read 2.0; the 3.0 shapes list them as deprecation warnings, not violations.")
        declaration.declare(section.publisher_type, "http://purl.org/adms/publishertype/LocalAuthority") \
            .set_description("ADMS publisher type (dct:type) of the publishers of our datasets.")
        declaration.declare(section.catalog_publisher_name, "Stadt Jena").set_description(
            "Name of the catalogue's publisher (dct:publisher of dcat:Catalog, mandatory).")
        declaration.declare(section.catalog_publisher_uri, "https://www.jena.de/").set_description(
            "URI of the catalogue's publisher.")
        declaration.declare_bool(section.shacl.on_change, True).set_description(
            "Validate a dataset in a background job after each create or update.")
        declaration.declare_int(section.shacl.job_timeout, 300).set_description(
            "Seconds a SHACL validation job may run before it is stopped (and recorded as failed).")

    # IPackageController
    def after_dataset_create(self, context, pkg_dict):
        self._changed(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        self._changed(context, pkg_dict)

    def after_dataset_delete(self, context, pkg_dict):
        store.delete(pkg_dict["id"])

    def _changed(self, context, pkg_dict):
        # The portal's own patches (validation status, jena_system) change no DCAT property.
        if context.get("jena_system") or not tk.config.get("ckanext.jena.dcat.shacl.on_change"):
            return
        if pkg_dict.get("id") and pkg_dict.get("type", "dataset") == "dataset":
            job.enqueue(pkg_dict["id"])

    # IActions / IAuthFunctions
    def get_actions(self):
        return actions.get_actions()

    def get_auth_functions(self):
        return actions.get_auth_functions()

    # IBlueprint
    def get_blueprint(self):
        return [dcat_ap]

    # IClick
    def get_commands(self):
        return [cli.jena_shacl]

    # ITemplateHelpers
    def get_helpers(self):
        return {"jena_shacl_result": store.load, "jena_shacl_message": messages.message,
                "jena_shacl_where": messages.where_text, "jena_shacl_path": messages.path_label}
