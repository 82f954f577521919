"""The DCAT-AP.de check of a dataset, for its steward: /dataset/NAME/dcat-ap."""
from flask import Blueprint

import ckan.plugins.toolkit as tk

dcat_ap = Blueprint("jena_dcat", __name__)


def _context():
    return {"user": tk.g.user, "auth_user_obj": tk.g.userobj}


@dcat_ap.route("/dataset/<id>/dcat-ap")
def report(id):
    try:
        pkg = tk.get_action("package_show")(_context(), {"id": id})
        result = tk.get_action("jena_shacl_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("This dataset has not been checked against DCAT-AP.de yet"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this dataset"))
    results = result.get("results") or []
    return tk.render("jena/shacl_report.html", {
        "pkg": pkg, "report": result,
        "violations": [r for r in results if r["severity"] == "violation"],
        "warnings": [r for r in results if r["severity"] != "violation"]})
