"""block_invalid: a dataset with invalid resources is not made public.

Every action that can make a dataset public is covered: package_update (and
through it package_patch and package_revise) refuses, bulk_update_public
leaves such datasets private and says which. A dataset created public, or a
resource added to a public one, is made private by the validation job once
the file turns out invalid (job.update_dataset). The job's own updates carry
`jena_system`.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import store


def _on() -> bool:
    return bool(tk.config.get("ckanext.jena.validation.block_invalid"))


def has_invalid(package_id: str) -> bool:
    return any(status == "invalid" for status, _ in store.of_package(package_id).values())


def _message() -> str:
    return tk._("The dataset has resources that failed validation; fix them before publishing.")


@tk.chained_action
def package_update(original, context, data_dict):
    """Refuse an update that leaves the dataset public while it has invalid resources."""
    if _on() and not context.get("jena_system") and data_dict.get("id"):
        pkg = model.Package.get(data_dict["id"])
        if pkg is not None:
            # `private` left out of an update keeps the current visibility (CKAN's ignore_missing)
            private = tk.asbool(data_dict["private"]) if "private" in data_dict else pkg.private
            if not private and has_invalid(pkg.id):
                raise tk.ValidationError({"private": [_message()]})
    return original(context, data_dict)


@tk.chained_action
def bulk_update_public(original, context, data_dict) -> Any:
    """Make the others public; the blocked ones stay private and are named
    (in the result, and on the organisation's bulk page)."""
    if not _on():
        return original(context, data_dict)
    tk.check_access("bulk_update_public", context, data_dict)  # before anything is looked up
    datasets = list(data_dict.get("datasets") or [])
    blocked = [d for d in datasets if (pkg := model.Package.get(d)) is not None and has_invalid(pkg.id)]
    allowed = [d for d in datasets if d not in blocked]
    if allowed:
        original(context, dict(data_dict, datasets=allowed))
    if blocked:
        names = [model.Package.get(d).name for d in blocked]
        _flash(names)
        return {"blocked": names}
    return None


def _flash(names: list[str]) -> None:
    """On the web page that called the bulk action (not for API calls)."""
    from flask import has_request_context, request
    if has_request_context() and request.blueprint != "api":
        tk.h.flash_error(tk._("Not made public, because resources failed validation: {names}")
                         .format(names=", ".join(names)))
