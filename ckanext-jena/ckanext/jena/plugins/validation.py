"""jena_validation: every tabular resource validated with frictionless.

On create and update a background job (CKAN jobs on Redis) validates the
resource against its Table Schema or an inferred one, stores the report and
updates the dataset's validation status (and with it the quality score).
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.validation import actions, job, labels, sniff, store
from ckanext.jena.validation.views import validation


def should_validate(resource: dict) -> bool:
    return bool(resource.get("url")) and sniff.table_format(
        resource.get("format") or "", resource.get("url") or "") is not None


@tk.chained_action
def package_update(original, context, data_dict):
    """With block_invalid, a dataset with invalid resources stays private."""
    if (tk.config.get("ckanext.jena.validation.block_invalid") and not context.get("jena_system")
            and not tk.asbool(data_dict.get("private", False)) and data_dict.get("id")):
        statuses = store.of_package(tk.get_action("package_show")(
            {"ignore_auth": True}, {"id": data_dict["id"]})["id"])
        if any(status == "invalid" for status, _ in statuses.values()):
            raise tk.ValidationError({"private": [tk._(
                "The dataset has resources that failed validation; fix them before publishing.")]})
    return original(context, data_dict)


class ValidationPlugin(p.SingletonPlugin):
    p.implements(p.IConfigDeclaration)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)

    # IConfigDeclaration
    def declare_config_options(self, declaration, key):
        section = key.ckanext.jena.validation
        declaration.annotate("jena_validation: Frictionless validation of resources")
        declaration.declare_bool(section.block_invalid, False).set_description(
            "Datasets with invalid resources cannot be made public (and are made private).")
        declaration.declare_int(section.job_timeout, 600).set_description(
            "Seconds a validation job may run before it is stopped (and reported).")
        declaration.declare_int(section.max_size_mb, 500).set_description(
            "Files larger than this are not validated (reported as such).")
        declaration.declare_int(section.max_errors, 1000).set_description(
            "Validation stops counting errors here; the report says so.")

    # IResourceController
    def after_resource_create(self, context, resource):
        if should_validate(resource):
            job.enqueue(resource)

    def after_resource_update(self, context, resource):
        if should_validate(resource) and not context.get("jena_system"):
            job.enqueue(resource)

    # IActions / IAuthFunctions
    def get_actions(self):
        return dict(actions.get_actions(), package_update=package_update)

    def get_auth_functions(self):
        return actions.get_auth_functions()

    # IBlueprint
    def get_blueprint(self):
        return [validation]

    # ITemplateHelpers
    def get_helpers(self):
        return {"jena_validation": store.load, "jena_error_title": labels.error_title,
                "jena_error_description": labels.error_description}
