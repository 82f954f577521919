"""The "neu laden" button of the resource page (a POST with CKAN's CSRF token)."""
from flask import Blueprint

import ckan.plugins.toolkit as tk

datastore = Blueprint("jena_datastore", __name__)


@datastore.route("/dataset/<id>/resource/<resource_id>/datastore/load", methods=["POST"])
def reload(id, resource_id):
    context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
    try:
        tk.get_action("jena_datastore_load")(context, {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to edit this resource"))
    tk.h.flash_success(tk._("The table will be loaded into the DataStore again."))
    return tk.redirect_to("resource.read", id=id, resource_id=resource_id)
