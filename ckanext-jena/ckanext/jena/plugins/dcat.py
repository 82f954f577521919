"""jena_dcat: DCAT-AP.de output and its SHACL validation.

The profile itself is an entry point of ckanext-dcat (`dcat_ap_de` in
ckanext.dcat.rdf.profiles); this plugin validates every change of a dataset against
"DCAT-AP 3.0.de – Deutsche Spezifikation" in a background job, keeps the result
(`jena_shacl_show`, the page /dataset/NAME/dcat-ap) and offers `ckan jena-shacl`.
"""
from __future__ import annotations

import logging

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.dcat import actions, cli, job, messages, store
from ckanext.jena.dcat.views import dcat_ap
from ckanext.jena.plugins.blankets import parts

# ckanext-dcat's euro profile writes a resource's hash ("sha256:…") as an
# xsd:hexBinary literal before our profile replaces it with an spdx:Checksum;
# rdflib logs a traceback for each such literal. The replacement is tested
# (tests/dcat); the log lines were only noise in every worker job.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@parts("dcat", actions=actions.get_actions, auth=actions.get_auth_functions, blueprints=[dcat_ap],
       commands=[cli.jena_shacl],
       helpers={"jena_shacl_result": store.load, "jena_shacl_message": messages.message,
                "jena_shacl_where": messages.where_text, "jena_shacl_path": messages.path_label})
class DcatPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

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

