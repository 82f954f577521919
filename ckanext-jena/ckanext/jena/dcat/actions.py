"""jena_shacl_show and its auth."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.jena.auth import same_as

from . import store


@tk.side_effect_free
def jena_shacl_show(context, data_dict):
    """The DCAT-AP.de SHACL result of a dataset.

    :param id: the dataset's id or name
    :returns: status (pending, done, error), conforms, violations, warnings,
        profile, checked, duration_ms and results (severity, where, path, value,
        component, params, messages by language); while pending the previous
        report's fields stay
    """
    ident = tk.get_or_bust(data_dict, "id")
    tk.check_access("jena_shacl_show", context, {"id": ident})
    pkg = tk.get_action("package_show")(dict(context, ignore_auth=True), {"id": ident})
    result = store.load(pkg["id"])
    if result is None:
        raise tk.ObjectNotFound(tk._("This dataset has not been checked against DCAT-AP.de yet"))
    return result


def get_actions():
    return {"jena_shacl_show": jena_shacl_show}


def get_auth_functions():
    # Who may see the dataset may see its result.
    return {"jena_shacl_show": tk.auth_allow_anonymous_access(same_as("package_show", "id"))}
