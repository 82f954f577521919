"""Auth functions that defer to CKAN's own for the object they concern."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def same_as(action: str, id_key: str = "id", message: str = ""):
    """Allowed exactly when CKAN's `action` is allowed on data_dict[id_key]."""
    def auth(context, data_dict):
        try:
            tk.check_access(action, context, {"id": data_dict.get(id_key)})
        except tk.NotAuthorized:
            # Translated when asked, in the asker's language.
            return {"success": False, "msg": tk._(message)} if message else {"success": False}
        return {"success": True}
    return auth
