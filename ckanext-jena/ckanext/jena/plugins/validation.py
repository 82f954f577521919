"""jena_validation: every tabular resource validated with frictionless.

On create and update a background job (CKAN jobs on Redis) validates the
resource against its Table Schema or an inferred one, through the one
validation core (etl.validation), stores the report and updates the
dataset's validation status (and with it the quality score).
"""
from __future__ import annotations

import ckan.plugins as p

from ckanext.jena.plugins.blankets import parts
from ckanext.jena.validation import actions, job, labels, messages, store, visibility
from ckanext.jena.validation.views import validation


def _actions() -> dict:
    # block_invalid: the actions that can make a dataset public (visibility.py)
    return dict(actions.get_actions(), package_update=visibility.package_update,
                bulk_update_public=visibility.bulk_update_public)


@parts("validation", actions=_actions, auth=actions.get_auth_functions, blueprints=[validation],
       helpers={"jena_validation": store.load, "jena_validation_label": labels.status_label,
                "jena_validation_message": messages.explain, "jena_error_title": labels.error_title,
                "jena_error_description": labels.error_description,
                "jena_error_message": labels.error_message})
class ValidationPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

    # IPackageController: new and changed resources are validated (the job's
    # own updates of the dataset carry jena_system and change no resource)
    def after_dataset_create(self, context, pkg_dict):
        job.dataset_changed(pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        if not context.get("jena_system"):
            job.dataset_changed(pkg_dict)

