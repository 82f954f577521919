"""A Table Schema as a table of its fields, in the reader's language.

Stewards read an inferred or declared schema on the report page as rows of
name, title, type, format and constraints; the JSON stays one click away.
"""
from __future__ import annotations

import json
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from .errortext import date_pattern


def _type_labels() -> dict[str, str]:
    _ = tk._
    # msgids of our own (not CKAN's "Integer", "Boolean"): a catalogue entry
    # of ours would change CKAN's pages too
    return {"string": _("Text"), "integer": _("Whole number"), "number": _("Decimal number"),
            "boolean": _("True/false"), "date": _("Date"), "datetime": _("Date and time"),
            "time": _("Time of day"), "year": _("Year"), "yearmonth": _("Year and month"),
            "duration": _("Time span"), "geopoint": _("Coordinate pair"), "geojson": _("GeoJSON geometry"),
            "object": _("JSON object"), "array": _("JSON list"), "list": _("List of values"),
            "any": _("Any value")}


def _format_label(field: dict[str, Any]) -> str:
    _ = tk._
    fmt, kind = field.get("format") or "default", field.get("type") or "any"
    parts = []
    if fmt not in ("default", "any") and kind in ("date", "datetime", "time"):
        parts.append(date_pattern(fmt))
    elif fmt != "default":
        parts.append({"email": _("email address"), "uri": _("web address (URI)"), "uuid": _("UUID"),
                      "binary": _("base64"), "any": _("any form"), "array": _("list of numbers"),
                      "object": _("object with lon and lat")}.get(fmt, fmt))
    if kind in ("number", "integer"):
        if field.get("decimalChar") == ",":
            parts.append(_("decimal comma"))
        if field.get("groupChar"):
            parts.append(_("thousands separator “{char}”").format(char=field["groupChar"]))
    if kind == "boolean" and (field.get("trueValues") or field.get("falseValues")):
        parts.append(_("true: {true}; false: {false}").format(
            true=", ".join(map(str, field.get("trueValues") or [])),
            false=", ".join(map(str, field.get("falseValues") or []))))
    return ", ".join(parts)


def _constraint_labels(field: dict[str, Any], primary_key: list[str]) -> list[str]:
    _ = tk._
    c = field.get("constraints") or {}
    found = []
    if field.get("name") in primary_key:
        found.append(_("primary key"))
    if c.get("required"):
        found.append(_("required"))
    if c.get("unique"):
        found.append(_("unique"))
    for key, text in (("minimum", _("at least {value}")), ("maximum", _("at most {value}")),
                      ("exclusiveMinimum", _("more than {value}")), ("exclusiveMaximum", _("less than {value}")),
                      ("minLength", _("at least {value} characters")),
                      ("maxLength", _("at most {value} characters"))):
        if c.get(key) is not None:
            found.append(text.format(value=c[key]))
    if c.get("enum"):
        found.append(_("one of: {values}").format(
            values=", ".join(_("“{value}”").format(value=v) for v in c["enum"])))
    if c.get("pattern"):
        found.append(_("pattern: {pattern}").format(pattern=c["pattern"]))
    return found


def describe(schema: Optional[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per field: name, title, type (label), format, constraints."""
    if not isinstance(schema, dict):
        return []
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    rows = []
    for field in schema.get("fields") or []:
        if not isinstance(field, dict):
            continue
        kind = field.get("type") or "any"
        rows.append({"name": field.get("name") or "", "title": field.get("title") or "",
                     "type": _type_labels().get(kind, kind), "type_id": kind, "format": _format_label(field),
                     "constraints": _constraint_labels(field, key)})
    return rows


def declared(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The resource's own Table Schema as a dict (it is stored as JSON text)."""
    value = resource.get("table_schema")
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None
