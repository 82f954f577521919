"""The activity plugin's "changes between versions" pages answer a request
without its two version ids (or with unknown ones) with a 500 (issue 23):
they call activity_show with None and do not catch its errors. Wrapped
here so that the visitor gets a 400 or 404 page with a message."""
from __future__ import annotations

import functools

import ckan.plugins.toolkit as tk

ENDPOINTS = ("activity.package_changes_multiple", "activity.group_changes_multiple",
             "activity.organization_changes_multiple")


def _guarded(view):
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        ids = [tk.request.args.get(k, "").strip() for k in ("old_id", "new_id")]
        if not all(ids):
            return tk.abort(400, tk._("Choose two versions to compare (parameters old_id and new_id)"))
        try:
            return view(*args, **kwargs)
        except tk.ObjectNotFound:
            return tk.abort(404, tk._("One of the versions to compare does not exist"))
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Not authorized to see these versions"))
        except tk.ValidationError:
            return tk.abort(400, tk._("Choose two versions to compare (parameters old_id and new_id)"))
    return guarded


def guard(app) -> None:
    for endpoint in ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is not None and not getattr(view, "jena_guarded", False):
            app.view_functions[endpoint] = _guarded(view)
            app.view_functions[endpoint].jena_guarded = True
