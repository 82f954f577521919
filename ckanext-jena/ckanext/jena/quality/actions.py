"""API actions: jena_quality_show and jena_quality_summary."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.jena.auth import same_as

from . import mqa, score, store


@tk.side_effect_free
def jena_quality_show(context, data_dict) -> dict[str, Any]:
    """The metadata quality of one dataset, per indicator.

    :param id: the dataset's id or name
    :returns: score, max (405), rating, dimensions and indicators (points,
        max, met, the DCAT-AP property read, a hint how to fix it)
    """
    pkg_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("jena_quality_show", context, {"id": pkg_id})
    return score.quality_of(tk.get_action("package_show")(dict(context), {"id": pkg_id}))


@tk.side_effect_free
def jena_quality_summary(context, data_dict) -> dict[str, Any]:
    """The portal's metadata quality: ratings, averages per organisation
    and per dimension, over public active datasets."""
    tk.check_access("jena_quality_summary", context, data_dict)
    return dict(store.summary(), max=mqa.MAX_POINTS,
                bands={name: lower for name, lower in mqa.RATINGS})


def _(message: str) -> str:
    """Marks a message for extraction; tk._ translates it when shown."""
    return message


NOT_AUTHORIZED = _("Not authorized to see this dataset")


def get_actions():
    return {"jena_quality_show": jena_quality_show, "jena_quality_summary": jena_quality_summary}


@tk.auth_allow_anonymous_access
def quality_summary_auth(context, data_dict):
    return {"success": True}


def get_auth_functions():
    # Whoever may see the dataset may see its quality.
    show = tk.auth_allow_anonymous_access(
        same_as("package_show", message=NOT_AUTHORIZED))
    return {"jena_quality_show": show, "jena_quality_summary": quality_summary_auth}
