"""API actions: jena_quality_show and jena_quality_summary."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import mqa, store


@tk.side_effect_free
def jena_quality_show(context, data_dict) -> dict[str, Any]:
    """The metadata quality of one dataset, per indicator.

    :param id: the dataset's id or name
    :returns: score, max (405), rating, dimensions and indicators (points,
        max, met, the DCAT-AP property read, a hint how to fix it)
    """
    pkg_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("jena_quality_show", context, {"id": pkg_id})
    pkg = tk.get_action("package_show")(dict(context), {"id": pkg_id})
    result = store.load(pkg["id"])
    if result is None:
        # Not indexed yet (or computed before the plugin was enabled).
        from . import urlcheck
        result = mqa.assess(pkg, mqa.Context(store.url_status(urlcheck.dataset_urls(pkg))))
    return dict(result, id=pkg["id"], name=pkg["name"], max=mqa.MAX_POINTS)


@tk.side_effect_free
def jena_quality_summary(context, data_dict) -> dict[str, Any]:
    """The portal's metadata quality: ratings, averages per organisation
    and per dimension, over public active datasets."""
    tk.check_access("jena_quality_summary", context, data_dict)
    return dict(store.summary(), max=mqa.MAX_POINTS,
                bands={name: lower for name, lower in mqa.RATINGS})


def get_actions():
    return {"jena_quality_show": jena_quality_show, "jena_quality_summary": jena_quality_summary}


@tk.auth_allow_anonymous_access
def quality_show_auth(context, data_dict):
    # Whoever may see the dataset may see its quality.
    try:
        tk.check_access("package_show", context, data_dict)
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorized to see this dataset")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def quality_summary_auth(context, data_dict):
    return {"success": True}


def get_auth_functions():
    return {"jena_quality_show": quality_show_auth, "jena_quality_summary": quality_summary_auth}
