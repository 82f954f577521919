"""The DCAT-AP.de check of a dataset, for its steward: /dataset/NAME/dcat-ap."""
from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.jena import visitor

dcat_ap = Blueprint("jena_dcat", __name__)


@dcat_ap.route("/dataset/<id>/dcat-ap")
def report(id):
    with visitor.refusals(tk._("This dataset has not been checked against DCAT-AP.de yet"),
                          tk._("Not authorized to see this dataset")):
        pkg = visitor.act("package_show", id=id)
        result = visitor.act("jena_shacl_show", id=id)
    results = result.get("results") or []
    return tk.render("jena/shacl_report.html", {
        "pkg": pkg, "report": result,
        "violations": [r for r in results if r["severity"] == "violation"],
        "warnings": [r for r in results if r["severity"] != "violation"]})
