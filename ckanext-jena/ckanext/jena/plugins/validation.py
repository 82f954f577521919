"""jena_validation: every tabular resource validated with frictionless.

On create and update a background job (CKAN jobs on Redis) validates the
resource against its Table Schema or an inferred one, through the one
validation core (etl.validation), stores the report and updates the
dataset's validation status (and with it the quality score).
"""
from __future__ import annotations

import ckan.plugins as p

from ckanext.jena.declarations import declare_options
from ckanext.jena.validation import actions, job, labels, messages, store, visibility
from ckanext.jena.validation.views import validation


class ValidationPlugin(p.SingletonPlugin):
    p.implements(p.IConfigDeclaration)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)

    # IConfigDeclaration: ckanext.jena.validation.* in config_declaration.yaml
    def declare_config_options(self, declaration, key):
        declare_options(declaration, "validation")

    # IPackageController: new and changed resources are validated (the job's
    # own updates of the dataset carry jena_system and change no resource)
    def after_dataset_create(self, context, pkg_dict):
        job.dataset_changed(pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        if not context.get("jena_system"):
            job.dataset_changed(pkg_dict)

    # IActions / IAuthFunctions
    def get_actions(self):
        return dict(actions.get_actions(), package_update=visibility.package_update,
                    bulk_update_public=visibility.bulk_update_public)

    def get_auth_functions(self):
        return actions.get_auth_functions()

    # IBlueprint
    def get_blueprint(self):
        return [validation]

    # ITemplateHelpers
    def get_helpers(self):
        return {"jena_validation": store.load, "jena_validation_label": labels.status_label,
                "jena_validation_message": messages.explain, "jena_error_title": labels.error_title,
                "jena_error_description": labels.error_description,
                "jena_error_message": labels.error_message}
