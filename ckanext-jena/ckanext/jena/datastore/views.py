"""The API page for consumers (/daten-api) and the "neu laden" button of the
resource page (a POST with CKAN's CSRF token).

CKAN exempts extensions' blueprints from its CSRF check unless
ckan.csrf_protection.ignore_extensions is false, so this view checks the
token itself whenever CSRF protection is on.
"""
from flask import Blueprint, current_app

import ckan.plugins.toolkit as tk

from ckanext.jena import visitor

datastore = Blueprint("jena_datastore", __name__)


@datastore.route("/dataset/<id>/resource/<resource_id>/datastore/load", methods=["POST"])
def reload(id, resource_id):
    if current_app.config.get("WTF_CSRF_ENABLED") and not tk.g.get("login_via_auth_header"):
        from ckan.config.middleware.flask_app import csrf
        csrf.protect()  # 400 without a valid token
    with visitor.refusals(tk._("Resource not found"), tk._("Not authorized to edit this resource")):
        visitor.act("jena_datastore_load", resource_id=resource_id, force=True)
    tk.h.flash_success(tk._("The table will be loaded into the DataStore again."))
    return tk.redirect_to("resource.read", id=id, resource_id=resource_id)


@datastore.route("/daten-api")
def api_page():
    from . import examples
    return tk.render("jena/daten_api.html", {"examples": examples.find()})
