"""Validate one local file with frictionless into a structured report.

The report is data (status, counts, errors grouped by type with row, field
and message), capped so that a file with millions of errors stays small;
it is turned into text only where it is shown. frictionless reads rows as a
stream, so memory does not grow with the file.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from frictionless import FrictionlessException, Resource, Schema, system

from . import sniff

ERRORS_PER_TYPE = 50
UNREADABLE = {"encoding-error", "format-error", "scheme-error", "source-error", "resource-error",
              "dialect-error", "schema-error"}


def _result(status: str, message: str = "", **extra: Any) -> dict[str, Any]:
    return {"status": status, "message": message, "error_count": extra.pop("error_count", 0),
            "row_count": extra.pop("row_count", None), "errors_by_type": extra.pop("errors_by_type", []),
            **extra}


def _group(errors) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for e in errors:
        g = groups.setdefault(e.type, {"type": e.type, "title": e.title, "description": e.description,
                                       "count": 0, "errors": []})
        g["count"] += 1
        if len(g["errors"]) < ERRORS_PER_TYPE:
            g["errors"].append({"row": getattr(e, "row_number", None),
                                "field": getattr(e, "field_name", None),
                                "cell": getattr(e, "cell", None), "message": e.message})
    return sorted(groups.values(), key=lambda g: -g["count"])


def validate_table(path: str, fmt: str, schema: Optional[dict], max_errors: int) -> dict[str, Any]:
    if fmt in ("csv", "tsv", "json") and sniff.is_binary(path):
        return _result("error", f"not a table: binary content, not a {fmt.upper()} text file",
                       source={"format": fmt})
    encoding = sniff.detect_encoding(path) if fmt in ("csv", "tsv", "json") else None
    source: dict[str, Any] = {"format": fmt, "encoding": encoding}
    options = {"format": fmt}
    if encoding:
        options["encoding"] = encoding
    inferred = None
    try:
        if schema is None:
            probe = Resource(path, **options)
            probe.infer()
            inferred = sniff.german_numbers(probe.schema.to_descriptor(), probe.labels or [],
                                            (probe.sample or [])[1:])
            source["dialect"] = probe.dialect.to_descriptor()
            schema = inferred
        resource = Resource(path, schema=Schema.from_descriptor(schema), **options)
        report = resource.validate(limit_errors=max_errors)
    except FrictionlessException as e:
        return _result("error", f"{e.error.title}: {e.error.message}", source=source)
    task = report.tasks[0]
    errors = task.errors
    status = "valid" if report.valid else "invalid"
    unreadable = [e for e in errors if e.type in UNREADABLE]
    if unreadable and not task.stats.get("rows"):
        status = "error"  # nothing could be read: no table, not "invalid"
    return _result(status, f"{unreadable[0].title}: {unreadable[0].message}" if status == "error" else "",
                   error_count=len(errors), row_count=task.stats.get("rows"),
                   errors_by_type=_group(errors), truncated=len(errors) >= max_errors,
                   source=source, schema_origin="inferred" if inferred else "resource",
                   inferred_schema=inferred)


def validate_geojson(path: str, max_errors: int) -> dict[str, Any]:
    from shapely.geometry import shape
    from shapely.validation import explain_validity
    source = {"format": "geojson", "encoding": "utf-8"}
    try:
        with open(path, encoding="utf-8-sig") as f:
            data = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        return _result("error", f"not GeoJSON: {e}", source=source)
    features = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        return _result("error", "not a GeoJSON FeatureCollection", source=source)
    class E:  # the same shape as frictionless errors, for _group
        def __init__(self, row, message, kind="geometry-error", title="Geometry Error"):
            self.type, self.title, self.description = kind, title, "A feature's geometry is missing or invalid."
            self.row_number, self.field_name, self.cell, self.message = row, "geometry", None, message
    errors = []
    for number, feature in enumerate(features, start=1):
        try:
            geom = shape(feature["geometry"])
            if not geom.is_valid:
                errors.append(E(number, f"feature {number}: {explain_validity(geom)}"))
        except Exception as e:
            errors.append(E(number, f"feature {number}: no readable geometry ({e})"))
        if len(errors) >= max_errors:
            break
    return _result("invalid" if errors else "valid", error_count=len(errors), row_count=len(features),
                   errors_by_type=_group(errors), truncated=len(errors) >= max_errors, source=source,
                   schema_origin="geojson")


def validate_file(path: str, resource_format: str, schema: Optional[dict],
                  max_errors: int = 1000) -> dict[str, Any]:
    """`path` is a local file the job wrote or CKAN stores (trusted)."""
    with system.use_context(trusted=True):
        return _validate_file(path, resource_format, schema, max_errors)


def _validate_file(path, resource_format, schema, max_errors):
    fmt = sniff.table_format(resource_format, path)
    if fmt is None:
        return _result("error", f"not a table: format {resource_format!r} cannot be validated as one")
    if fmt == "geojson":
        return validate_geojson(path, max_errors)
    return validate_table(path, fmt, schema, max_errors)
