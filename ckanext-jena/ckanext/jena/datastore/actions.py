"""jena_datastore_status / jena_datastore_load and their auth."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.jena.auth import same_as

from . import jobs, labels, status


@tk.side_effect_free
def jena_datastore_status(context, data_dict):
    """The DataStore load of a resource.

    :param resource_id: the resource's id
    :returns: status (none, pending, loading, loaded, failed), rows,
        columns (id and PostgreSQL type), loaded_at and seconds of the data
        that is queryable now, active (whether a table is there: after a
        failed reload the previous data stays), reason (a stable code),
        message and, in the reader's language, label and explanation
    """
    resource_id = tk.get_or_bust(data_dict, "resource_id")
    tk.check_access("jena_datastore_status", context, {"resource_id": resource_id})
    resource = tk.get_action("resource_show")(dict(context, ignore_auth=True), {"id": resource_id})  # 404 if none
    return describe(resource)


def describe(resource: dict) -> dict:
    """The load record as the API and the page show it. A table without a
    record yet is waiting for its validation (pending, reason validation)
    or was not loaded because validation found it invalid (none, reason
    not-valid): a steward who just uploaded a file sees it coming."""
    record = status.public(status.get(resource["id"]), resource["id"])
    if record["status"] == "none" and jobs.is_table(resource):
        verdict = _validation(resource["id"])
        if verdict in ("pending", ""):
            record.update(status="pending", reason="validation")
        elif verdict in ("invalid", "error"):
            record.update(reason="not-valid", params={"validation": verdict})
    record["label"] = labels.status_label(record)
    record["explanation"] = labels.reason_text(record) if record.get("reason") else ""
    return record


def _validation(resource_id: str):
    """Validation's verdict ('' before its first; None without jena_validation)."""
    try:
        report = tk.get_action("resource_validation_show")({"ignore_auth": True}, {"resource_id": resource_id})
    except tk.ObjectNotFound:
        return ""
    except Exception:
        return None
    return report.get("status") or ""


def jena_datastore_load(context, data_dict):
    """Load a resource into the DataStore again, in the background.

    :param resource_id: the resource's id
    :param force: load even if the file has not changed (default true)
    :returns: the status (pending)
    """
    resource_id = tk.get_or_bust(data_dict, "resource_id")
    tk.check_access("jena_datastore_load", context, {"resource_id": resource_id})
    tk.get_action("resource_show")(dict(context), {"id": resource_id})
    jobs.enqueue_load(resource_id, force=tk.asbool(data_dict.get("force", True)))
    return tk.get_action("jena_datastore_status")(dict(context), {"resource_id": resource_id})


def get_actions():
    return {"jena_datastore_status": jena_datastore_status, "jena_datastore_load": jena_datastore_load}


def get_auth_functions():
    # Who may see the resource sees its load; who may edit it reloads.
    return {"jena_datastore_status": tk.auth_allow_anonymous_access(same_as("resource_show", "resource_id")),
            "jena_datastore_load": same_as("resource_update", "resource_id")}
