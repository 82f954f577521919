"""resource_validation_show / resource_validation_run and their auth."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.jena.auth import same_as

from . import job, messages, store


@tk.side_effect_free
def resource_validation_show(context, data_dict):
    """The validation report of a resource.

    :param resource_id: the resource's id
    :returns: the report of etl.validation: status (pending, valid, invalid,
        error), error_count, row_count, errors_by_type (type, title, count,
        first errors with row, field, cell and message), errors (the same as
        a flat list), source (format, encoding, dialect), schema_origin
        (resource, inferred, profile, geojson), the inferred_schema where the
        resource has no Table Schema; for status error the reason (a stable
        code), its params and message (a sentence in the request's language)
    """
    resource_id = tk.get_or_bust(data_dict, "resource_id")
    tk.check_access("resource_validation_show", context, {"resource_id": resource_id})
    report = store.load(resource_id)
    if report is None:
        raise tk.ObjectNotFound(tk._("This resource has not been validated"))
    if report.get("status") == "error":
        report["message"] = messages.explain(report)
    return report


def resource_validation_run(context, data_dict):
    """Validate a resource again (in the background); returns the pending status."""
    resource_id = tk.get_or_bust(data_dict, "resource_id")
    tk.check_access("resource_validation_run", context, {"resource_id": resource_id})
    resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    job.enqueue(resource)
    return store.load(resource_id)


def get_actions():
    return {"resource_validation_show": resource_validation_show,
            "resource_validation_run": resource_validation_run}


def get_auth_functions():
    # Who can see the resource reads the report; who can edit it re-runs.
    show = tk.auth_allow_anonymous_access(same_as("resource_show", "resource_id"))
    return {"resource_validation_show": show,
            "resource_validation_run": same_as("resource_update", "resource_id")}
