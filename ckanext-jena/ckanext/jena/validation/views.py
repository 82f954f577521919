"""The validation report page of a resource and adopting an inferred schema."""
import json

from flask import Blueprint

import ckan.plugins.toolkit as tk

from . import errortext, schema_table

validation = Blueprint("jena_validation", __name__)

# Python's codec names as people know them from their editors' "save as"
ENCODINGS = {"cp1252": "Windows-1252", "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf8": "UTF-8",
             "latin-1": "ISO-8859-1", "latin1": "ISO-8859-1", "iso8859-1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1",
             "iso8859-15": "ISO-8859-15", "cp850": "DOS (CP850)", "ascii": "ASCII"}


def _context():
    return {"user": tk.g.user, "auth_user_obj": tk.g.userobj}


@validation.route("/dataset/<id>/resource/<resource_id>/validation")
def report(id, resource_id):
    try:
        pkg = tk.get_action("package_show")(_context(), {"id": id})
        res = tk.get_action("resource_show")(_context(), {"id": resource_id})
        result = tk.get_action("resource_validation_show")(_context(), {"resource_id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("No validation report for this resource"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this resource"))
    can_edit = tk.h.check_access("resource_update", {"id": resource_id})
    inferred = result.get("inferred_schema")
    schema = inferred or (schema_table.declared(res) if result.get("schema_origin") == "resource" else None)
    return tk.render("jena/validation_report.html", {
        "pkg": pkg, "res": res, "report": result, "can_edit": can_edit,
        "groups": errortext.present(result), "schema_inferred": bool(inferred),
        "encoding": ENCODINGS.get((result.get("source") or {}).get("encoding") or "",
                                  (result.get("source") or {}).get("encoding") or ""),
        "schema_fields": schema_table.describe(schema),
        "schema_json": json.dumps(schema, ensure_ascii=False, indent=2) if schema else None})


@validation.route("/dataset/<id>/resource/<resource_id>/validation/adopt-schema", methods=["POST"])
def adopt_schema(id, resource_id):
    """Store the inferred Table Schema on the resource (which validates it again)."""
    try:
        result = tk.get_action("resource_validation_show")(_context(), {"resource_id": resource_id})
        if not result.get("inferred_schema"):
            return tk.abort(400, tk._("There is no inferred schema to adopt"))
        tk.get_action("resource_patch")(_context(), {
            "id": resource_id, "table_schema": json.dumps(result["inferred_schema"], ensure_ascii=False)})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to edit this resource"))
    tk.h.flash_success(tk._("The inferred schema is now the resource's Table Schema."))
    return tk.redirect_to("jena_validation.report", id=id, resource_id=resource_id)


@validation.route("/dataset/<id>/resource/<resource_id>/validation/run", methods=["POST"])
def rerun(id, resource_id):
    try:
        tk.get_action("resource_validation_run")(_context(), {"resource_id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to edit this resource"))
    return tk.redirect_to("jena_validation.report", id=id, resource_id=resource_id)
