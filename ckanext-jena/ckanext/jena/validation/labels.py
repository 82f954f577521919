"""Validation statuses and errors as stewards read them."""
import re

import ckan.plugins.toolkit as tk


def status_label(status: str) -> str:
    return {"pending": tk._("validation pending"), "valid": tk._("valid"),
            "invalid": tk._("invalid"), "error": tk._("could not be validated"),
            "": tk._("not yet validated")}.get(status or "", status)


def _errors():
    # (title, what it means) for the error types stewards meet most.
    return {
        "type-error": (tk._("Wrong data type"), tk._("A value does not match the type of its column, e.g. text in a number column.")),
        "constraint-error": (tk._("Constraint violated"), tk._("A value breaks a rule of the Table Schema (required, minimum, maximum, pattern, allowed values).")),
        "missing-cell": (tk._("Missing cell"), tk._("A row has fewer cells than there are columns.")),
        "extra-cell": (tk._("Extra cell"), tk._("A row has more cells than there are columns.")),
        "blank-row": (tk._("Blank row"), tk._("A row is empty.")),
        "blank-label": (tk._("Blank column name"), tk._("A column has no name.")),
        "duplicate-label": (tk._("Duplicate column name"), tk._("Two columns have the same name.")),
        "incorrect-label": (tk._("Unexpected column name"), tk._("A column name differs from the Table Schema.")),
        "missing-label": (tk._("Missing column"), tk._("A column of the Table Schema is missing.")),
        "extra-label": (tk._("Extra column"), tk._("The file has a column the Table Schema does not know.")),
        "primary-key": (tk._("Duplicate key"), tk._("A primary key value occurs more than once.")),
        "unique-error": (tk._("Value not unique"), tk._("A value that must be unique occurs more than once.")),
        "encoding-error": (tk._("Encoding error"), tk._("The file could not be decoded; save it as UTF-8.")),
        "geometry-error": (tk._("Invalid geometry"), tk._("A feature's geometry is missing or invalid.")),
        "descriptor-error": (tk._("Data package description"), tk._("The datapackage.json does not follow the Data Package specification, or names something the portal does not follow.")),
        "row-count": (tk._("Row count differs"), tk._("The file has a different number of rows than its data package says.")),
        "hash-count": (tk._("Checksum differs"), tk._("The file is not the file its data package describes (its SHA-256 differs).")),
        "format-error": (tk._("Format error"), tk._("The file cannot be read in its format.")),
        "source-error": (tk._("File not readable"), tk._("The file is empty or cannot be opened.")),
        "schema-error": (tk._("Table Schema error"), tk._("The Table Schema itself is not valid.")),
    }


def error_title(error_type: str, default: str) -> str:
    return _errors().get(error_type, (default, ""))[0]


def error_description(error_type: str, default: str) -> str:
    return _errors().get(error_type, ("", default))[1] or default


TYPE = re.compile(r'type is "(\w+)')
CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"')


def _types():
    return {"integer": tk._("a whole number"), "number": tk._("a number"), "date": tk._("a date"),
            "datetime": tk._("a date and time"), "time": tk._("a time"), "year": tk._("a year"),
            "boolean": tk._("true or false"), "geopoint": tk._("a coordinate pair"),
            "string": tk._("text"), "object": tk._("a JSON object"), "array": tk._("a JSON list")}


def _constraints():
    return {"required": tk._("a value is required"), "minimum": tk._("at least {value}"),
            "maximum": tk._("at most {value}"), "minLength": tk._("at least {value} characters"),
            "maxLength": tk._("at most {value} characters"), "pattern": tk._("the pattern {value}"),
            "enum": tk._("one of the allowed values {value}"), "unique": tk._("unique")}


def _geometry(message: str) -> str:
    problem = message.split(": ", 1)[-1]
    known = {"no geometry": tk._("no geometry"), "empty coordinates": tk._("empty coordinates"),
             "coordinates outside WGS 84 longitude/latitude (projected metres?)":
                 tk._("coordinates outside WGS 84 longitude/latitude (projected metres?)")}
    return known.get(problem) or tk._("invalid geometry ({detail})").format(detail=problem)


def error_message(error_type: str, error: dict) -> str:
    """One error as a sentence for stewards; the English original where we
    have no wording of our own."""
    cell, field, note = error.get("cell"), error.get("field") or "", error.get("note") or ""
    value = "" if cell is None else str(cell)
    if error_type == "type-error":
        match = TYPE.search(note)
        kind = _types().get(match.group(1), match.group(1)) if match else ""
        return tk._("“{value}” is not {kind} (column “{field}”).").format(value=value, kind=kind, field=field)
    if error_type == "constraint-error":
        match = CONSTRAINT.search(note)
        if match:
            rule = _constraints().get(match.group(1), match.group(1)).format(value=match.group(2))
            if match.group(1) == "required":
                return tk._("Column “{field}” needs a value here.").format(field=field)
            return tk._("“{value}” breaks the rule of column “{field}”: {rule}.").format(
                value=value, field=field, rule=rule)
    if error_type == "missing-cell":
        return tk._("The cell of column “{field}” is missing.").format(field=field)
    if error_type == "extra-cell":
        return tk._("The row has a cell more than there are columns (“{value}”).").format(value=value)
    if error_type == "blank-row":
        return tk._("The row is empty.")
    if error_type == "primary-key" and 'all "None"' in note:
        return tk._("The key columns are empty.")
    if error_type in ("primary-key", "unique-error"):
        return tk._("The value occurs in an earlier row already.")
    if error_type == "geometry-error":
        return _geometry(error.get("message") or "")
    return error.get("message") or ""
