"""The validation report page of a resource and adopting an inferred schema."""
import json

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.jena import visitor

from . import errortext, schema_table

validation = Blueprint("jena_validation", __name__)

# Python's codec names as people know them from their editors' "save as"
ENCODINGS = {"cp1252": "Windows-1252", "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf8": "UTF-8",
             "latin-1": "ISO-8859-1", "latin1": "ISO-8859-1", "iso8859-1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1",
             "iso8859-15": "ISO-8859-15", "cp850": "DOS (CP850)", "ascii": "ASCII"}


@validation.route("/dataset/<id>/resource/<resource_id>/validation")
def report(id, resource_id):
    with visitor.refusals(tk._("No validation report for this resource"),
                          tk._("Not authorized to see this resource")):
        pkg = visitor.act("package_show", id=id)
        res = visitor.act("resource_show", id=resource_id)
        result = visitor.act("resource_validation_show", resource_id=resource_id)
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
    with visitor.refusals(None, tk._("Not authorized to edit this resource")):
        result = visitor.act("resource_validation_show", resource_id=resource_id)
        if not result.get("inferred_schema"):
            return tk.abort(400, tk._("There is no inferred schema to adopt"))
        visitor.act("resource_patch", id=resource_id,
                    table_schema=json.dumps(result["inferred_schema"], ensure_ascii=False))
    tk.h.flash_success(tk._("The inferred schema is now the resource's Table Schema."))
    return tk.redirect_to("jena_validation.report", id=id, resource_id=resource_id)


@validation.route("/dataset/<id>/resource/<resource_id>/validation/run", methods=["POST"])
def rerun(id, resource_id):
    with visitor.refusals(None, tk._("Not authorized to edit this resource")):
        visitor.act("resource_validation_run", resource_id=resource_id)
    return tk.redirect_to("jena_validation.report", id=id, resource_id=resource_id)
