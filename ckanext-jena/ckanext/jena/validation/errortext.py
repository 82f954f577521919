"""Every error of a validation report as stewards read it, in their language.

The report (etl.validation) keeps frictionless's errors as data: type, row,
field, cell and the note. Here, where the report is shown, each error type
gets a title, what it means, and one sentence naming the row, the column and
the value. No English text of frictionless reaches a German page: a type or
a note we do not know gets a sentence of ours, never the original message.

The catalogue covers what the core can produce: frictionless's baseline check
(file, table, header, label, row and cell errors), the reading errors that
etl.validation.table reports (encoding, format, source, schema …) and the
core's own row-count, hash-count, geometry-error and descriptor-error.
"""
from __future__ import annotations

import ast
import re
from typing import Any

import ckan.plugins.toolkit as tk


def _catalogue() -> dict[str, tuple[str, str]]:
    """(title, what it means) per error type; msgids are the English texts."""
    _ = tk._
    return {
        # cells
        "type-error": (_("Wrong data type"), _("A value does not match the type of its column, e.g. text in a number column.")),
        "constraint-error": (_("Constraint violated"), _("A value breaks a rule of the Table Schema (required, minimum, maximum, pattern, allowed values).")),
        "unique-error": (_("Value not unique"), _("A value that must be unique occurs more than once.")),
        "missing-cell": (_("Missing cell"), _("A row has fewer cells than there are columns.")),
        "extra-cell": (_("Extra cell"), _("A row has more cells than there are columns.")),
        "truncated-value": (_("Truncated value"), _("A value seems cut off at a length limit.")),
        "forbidden-value": (_("Forbidden value"), _("A value that the checks forbid.")),
        "sequential-value": (_("Value out of sequence"), _("A value that should continue a sequence does not.")),
        "ascii-value": (_("Non-ASCII characters"), _("A value holds characters outside ASCII.")),
        # rows
        "blank-row": (_("Blank row"), _("A row is empty.")),
        "primary-key": (_("Duplicate key"), _("A primary key value occurs more than once.")),
        "foreign-key": (_("Reference not found"), _("A value of a foreign key is missing in the table it refers to.")),
        "duplicate-row": (_("Duplicate row"), _("A row occurs more than once.")),
        "row-constraint": (_("Row rule violated"), _("A row breaks a rule that combines several columns.")),
        # header and column names
        "blank-header": (_("Blank header"), _("The header row is empty.")),
        "blank-label": (_("Blank column name"), _("A column has no name.")),
        "duplicate-label": (_("Duplicate column name"), _("Two columns have the same name.")),
        "incorrect-label": (_("Unexpected column name"), _("A column name differs from the Table Schema.")),
        "missing-label": (_("Missing column"), _("A column of the Table Schema is missing.")),
        "extra-label": (_("Extra column"), _("The file has a column the Table Schema does not know.")),
        # the table and the file as a whole
        "row-count": (_("Row count differs"), _("The file has a different number of rows than its data package says.")),
        "field-count": (_("Column count differs"), _("The file has a different number of columns than expected.")),
        "hash-count": (_("Checksum differs"), _("The file is not the file its data package describes (its SHA-256 differs).")),
        "byte-count": (_("File size differs"), _("The file has a different size than its data package says.")),
        "table-dimensions": (_("Table size differs"), _("The table has fewer or more rows or columns than required.")),
        "deviated-value": (_("Unusual value"), _("A value deviates strongly from the others of its column.")),
        "deviated-cell": (_("Unusual cell"), _("A cell is much larger than the others of its column.")),
        "required-value": (_("Required value missing"), _("A value that must occur in a column does not.")),
        # reading the file
        "encoding-error": (_("Encoding error"), _("The file could not be decoded; save it as UTF-8.")),
        "format-error": (_("Format error"), _("The file cannot be read in its format.")),
        "source-error": (_("File not readable"), _("The file is empty or cannot be opened.")),
        "scheme-error": (_("File not reachable"), _("The file could not be opened at its address.")),
        "compression-error": (_("Compression error"), _("The compressed file could not be unpacked.")),
        "resource-error": (_("Resource description error"), _("The description of the file (format, encoding, dialect) is not valid.")),
        "dialect-error": (_("CSV dialect error"), _("The CSV settings (delimiter, quote character …) are not valid.")),
        "control-error": (_("CSV dialect error"), _("The CSV settings (delimiter, quote character …) are not valid.")),
        "schema-error": (_("Table Schema error"), _("The Table Schema itself is not valid.")),
        "field-error": (_("Table Schema error"), _("A field of the Table Schema is not valid.")),
        "error": (_("Reading error"), _("The file could not be read.")),
        # the portal's own checks
        "geometry-error": (_("Invalid geometry"), _("A feature's geometry is missing or invalid.")),
        "descriptor-error": (_("Data package description"), _("The datapackage.json does not follow the Data Package specification, or names something the portal does not follow.")),
    }


def known_types() -> set[str]:
    return set(_catalogue())


def error_title(error_type: str, default: str = "") -> str:
    """The title of an error type; an unknown type gets 'Other error' (never
    frictionless's English title, `default` is kept for old callers)."""
    entry = _catalogue().get(error_type)
    return entry[0] if entry else tk._("Other error")


def error_description(error_type: str, default: str = "") -> str:
    entry = _catalogue().get(error_type)
    return entry[1] if entry else tk._("The validation found a problem of a kind the portal has no description for.")


# --- the parts of frictionless's notes and messages we read -------------------
# The report keeps the note, row, field and cell; a column's position and a
# header's label are only in frictionless's message (its fixed templates).
TYPE = re.compile(r'type is "(\w+)(?:/(.*))?"')
CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)
POSITION = re.compile(r'position "?(\d+)"?')
ROW_FIRST = re.compile(r'^Row at position "?\d+"? ')  # the row's position, before the column's
LABEL = re.compile(r'[Ll]abel "(.*?)" in')
SAME_ROW = re.compile(r'row at position "?(\d+)"?')
FOREIGN = re.compile(r'for "(.*?)": values "(.*?)" not found in the lookup table "(.*?)" as "(.*?)"')
EXPECTED = re.compile(r'expected is "(.*?)" and actual is "(.*?)"')
ROWS_SAID = re.compile(r"has (\S+) rows, datapackage.json says (\d+)")


def _types() -> dict[str, str]:
    _ = tk._
    return {"integer": _("a whole number"), "number": _("a number"), "date": _("a date"),
            "datetime": _("a date and time"), "time": _("a time"), "year": _("a year"),
            "yearmonth": _("a year and month"), "duration": _("a duration"),
            "boolean": _("true or false"), "geopoint": _("a coordinate pair"), "geojson": _("a GeoJSON geometry"),
            "string": _("text"), "object": _("a JSON object"), "array": _("a JSON list"), "any": _("any value")}


def _string_formats() -> dict[str, str]:
    _ = tk._
    return {"email": _("an email address"), "uri": _("a web address (URI)"), "uuid": _("a UUID"),
            "binary": _("base64 data")}


def date_pattern(pattern: str) -> str:
    """A strftime pattern as people write it (%d.%m.%Y → TT.MM.JJJJ in German)."""
    _ = tk._
    parts = {"%d": _("DD"), "%m": _("MM"), "%Y": _("YYYY"), "%y": _("YY"), "%H": _("hh"), "%M": _("mm"),
             "%S": _("ss"), "%b": _("Mon"), "%B": _("Month"), "%f": "ffffff", "%z": "±hhmm", "%%": "%"}
    return re.sub(r"%[a-zA-Z%]", lambda m: parts.get(m.group(0), m.group(0)), pattern)


def _expected_kind(note: str) -> str:
    match = TYPE.search(note)
    if not match:
        return tk._("a value of the column's type")
    kind, fmt = match.group(1), (match.group(2) or "default")
    text = _types().get(kind, kind)
    if kind == "string" and fmt in _string_formats():
        return _string_formats()[fmt]
    if kind in ("date", "datetime", "time") and fmt not in ("default", "any"):
        return tk._("{kind} in the form {pattern}").format(kind=text, pattern=date_pattern(fmt))
    return text


def _quoted_list(value: str) -> str:
    """frictionless writes an enum as a Python list: „a“, „b“ for people."""
    try:
        values = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
    if not isinstance(values, (list, tuple)):
        return value
    return ", ".join(tk._("“{value}”").format(value=v) for v in values)


def _constraint_rule(name: str, value: str) -> str:
    _ = tk._
    rules = {"minimum": _("at least {value}"), "maximum": _("at most {value}"),
             "exclusiveMinimum": _("more than {value}"), "exclusiveMaximum": _("less than {value}"),
             "minLength": _("at least {value} characters"), "maxLength": _("at most {value} characters"),
             "pattern": _("the pattern {value}"), "enum": _("one of the allowed values {value}"),
             "jsonSchema": _("the JSON Schema of the column"), "unique": _("unique")}
    if name == "enum":
        value = _quoted_list(value)
    return rules.get(name, _("the rule {name}")).format(value=value, name=name)


def _column(error: dict[str, Any]) -> str:
    """The column by its name, or by its position where it has none."""
    field = error.get("field") or ""
    if field:
        return tk._("column “{field}”").format(field=field)
    position = POSITION.search(ROW_FIRST.sub("", error.get("message") or ""))
    return tk._("column {number}").format(number=position.group(1)) if position else tk._("a column")


def _position(error: dict[str, Any]) -> str:
    match = POSITION.search(ROW_FIRST.sub("", error.get("message") or ""))
    return match.group(1) if match else "?"


def _label(error: dict[str, Any]) -> str:
    match = LABEL.search(error.get("message") or "")
    return match.group(1) if match else ""


def _earlier_row(note: str) -> str:
    match = SAME_ROW.search(note)
    return match.group(1) if match else ""


def _cells(error_type: str, error: dict[str, Any], value: str, field: str, note: str) -> str | None:
    _ = tk._
    if error_type == "type-error":
        return _("“{value}” is not {kind} (column “{field}”).").format(
            value=value, kind=_expected_kind(note), field=field)
    if error_type == "constraint-error":
        match = CONSTRAINT.search(note)
        if match and match.group(1) == "required":
            return _("Column “{field}” needs a value here.").format(field=field)
        if match:
            return _("“{value}” breaks the rule of column “{field}”: {rule}.").format(
                value=value, field=field, rule=_constraint_rule(match.group(1), match.group(2)))
        return _("“{value}” breaks a rule of column “{field}”.").format(value=value, field=field)
    if error_type == "unique-error":
        row = _earlier_row(note)
        if row:
            return _("“{value}” in column “{field}” occurs in row {row} already.").format(
                value=value, field=field, row=row)
        return _("“{value}” in column “{field}” occurs in an earlier row already.").format(value=value, field=field)
    if error_type == "missing-cell":
        return _("The cell of column “{field}” is missing.").format(field=field)
    if error_type == "extra-cell":
        return _("The row has a cell more than there are columns (“{value}”, {column}).").format(
            value=value, column=_column(error))
    if error_type in ("truncated-value", "forbidden-value", "sequential-value", "ascii-value"):
        return _("“{value}” in {column}: {problem}.").format(
            value=value, column=_column(error), problem=error_title(error_type))
    return None


def _rows(error_type: str, error: dict[str, Any], note: str) -> str | None:
    _ = tk._
    if error_type == "blank-row":
        return _("The row is empty.")
    if error_type == "primary-key":
        if 'all "None"' in note:
            return _("The key columns are empty.")
        row = _earlier_row(note)
        if row:
            return _("The key of this row occurs in row {row} already.").format(row=row)
        return _("The value occurs in an earlier row already.")
    if error_type == "foreign-key":
        match = FOREIGN.search(note)
        if match:
            return _("The value “{value}” of column “{field}” is not in the column “{target}” it refers to.").format(
                value=match.group(2), field=match.group(1), target=match.group(4))
        return _("The row refers to a value that does not exist.")
    if error_type in ("duplicate-row", "row-constraint"):
        return _("The row breaks a rule: {problem}.").format(problem=error_title(error_type))
    return None


def _labels(error_type: str, error: dict[str, Any], field: str, note: str) -> str | None:
    _ = tk._
    position, label = _position(error), _label(error)
    if error_type == "blank-header":
        return _("The header row is empty.")
    if error_type == "blank-label":
        return _("Column {number} has no name (the Table Schema calls it “{field}”).").format(
            number=position, field=field) if field else _("Column {number} has no name.").format(number=position)
    if error_type == "duplicate-label":
        other = POSITION.search(note)
        return _("Column {number} is named “{label}” like column {other}.").format(
            number=position, label=label, other=other.group(1) if other else "?")
    if error_type == "incorrect-label":
        return _("Column {number} is named “{label}”; the Table Schema expects “{field}”.").format(
            number=position, label=label, field=field)
    if error_type == "missing-label":
        return _("The column “{field}” of the Table Schema (column {number}) is missing from the file.").format(
            field=field, number=position)
    if error_type == "extra-label":
        if label:
            return _("Column {number} “{label}” is not in the Table Schema.").format(number=position, label=label)
        return _("Column {number} has no name and is not in the Table Schema.").format(number=position)
    return None


def _file(error_type: str, error: dict[str, Any], note: str) -> str | None:
    _ = tk._
    message = error.get("message") or ""
    if error_type == "row-count":
        ours, theirs = ROWS_SAID.search(message), EXPECTED.search(note)  # the core's, frictionless's
        found, expected = (ours.group(1), ours.group(2)) if ours else (theirs.group(2), theirs.group(1)) \
            if theirs else (None, None)
        if expected is not None:
            return _("The file has {found} rows; its data package says {expected}.").format(
                found="0" if found == "None" else found, expected=expected)
        return _("The file has a different number of rows than its data package says.")
    if error_type == "hash-count":
        return _("The file's checksum is not the one in its data package: the file was changed or is another file.")
    if error_type in ("byte-count", "field-count"):
        match = EXPECTED.search(note)
        if match:
            return _("Expected {expected}, found {found}.").format(expected=match.group(1), found=match.group(2))
    if error_type in _READING:
        return error_description(error_type)
    return None


_READING = {"encoding-error", "format-error", "source-error", "scheme-error", "compression-error",
            "resource-error", "dialect-error", "control-error", "schema-error", "field-error", "error",
            "table-dimensions", "deviated-value", "deviated-cell", "required-value", "field-count", "byte-count"}


def _geometry(message: str) -> str:
    _ = tk._
    problem = message.split(": ", 1)[-1]
    known = {"no geometry": _("no geometry"), "empty coordinates": _("empty coordinates"),
             "coordinates outside WGS 84 longitude/latitude (projected metres?)":
                 _("coordinates outside WGS 84 longitude/latitude (projected metres?)")}
    if problem in known:
        return known[problem]
    # GEOS's reasons (shapely's explain_validity): "Self-intersection[11.5 50.9]"
    geos = {"Self-intersection": _("the outline crosses itself"),
            "Ring Self-intersection": _("a ring touches itself"),
            "Too few points in geometry component": _("too few points"),
            "Hole lies outside shell": _("a hole lies outside the outline"),
            "Holes are nested": _("holes lie inside holes"),
            "Interior is disconnected": _("the area falls apart"),
            "Nested shells": _("outlines lie inside each other"),
            "Duplicate Rings": _("a ring occurs twice"),
            "Invalid Coordinate": _("an invalid coordinate"),
            "Ring is not closed": _("a ring is not closed")}
    name, _sep, where = problem.partition("[")
    if name.strip() in geos:
        where = where.rstrip("]").strip()
        return geos[name.strip()] + (_(" at {point}").format(point=where) if where else "")
    return _("invalid geometry")


DESCRIPTOR = [
    (re.compile(r"custom profile (.*) is not followed"),
     lambda m: tk._("The custom profile {value} is not followed.").format(value=m.group(1))),
    (re.compile(r"(\w+) must be embedded; (.*) is not followed"),
     lambda m: tk._("“{key}” must be written into the description; {value} is not fetched.").format(
         key=m.group(1), value=m.group(2))),
    (re.compile(r"path (.*) points outside the package"),
     lambda m: tk._("The path {value} points outside the package.").format(value=m.group(1))),
    (re.compile(r"the descriptor cannot be checked"),
     lambda m: tk._("The description cannot be checked; it is not a valid data package.")),
    (re.compile(r"'(.*)' is a required property"),
     lambda m: tk._("The property “{name}” is missing.").format(name=m.group(1))),
    (re.compile(r"(.*) is not of type '(\w+)'"),
     lambda m: tk._("{value} has the wrong type (expected: {type}).").format(value=m.group(1), type=m.group(2))),
    (re.compile(r"(.*) does not match '(.*)'"),
     lambda m: tk._("{value} does not match the pattern {pattern}.").format(value=m.group(1), pattern=m.group(2))),
    (re.compile(r"(.*) is not one of (.*)"),
     lambda m: tk._("{value} is not one of the allowed values {allowed}.").format(
         value=m.group(1), allowed=m.group(2))),
]
AT_PROPERTY = re.compile(r"^(.*) at property '(.*)'$", re.S)


def _descriptor(error: dict[str, Any]) -> str:
    message = error.get("message") or ""
    where = error.get("field") or ""
    at = AT_PROPERTY.match(message)
    if at:
        message, where = at.group(1), where or at.group(2)
    for pattern, sentence in DESCRIPTOR:
        match = pattern.search(message)
        if match:
            text = sentence(match)
            break
    else:  # a rule of the Data Package profile we have no wording for
        text = tk._("The description does not follow the Data Package specification here.")
    return tk._("{text} (at “{where}”)").format(text=text, where=where) if where else text


def error_message(error_type: str, error: dict[str, Any]) -> str:
    """One error as a sentence naming column and value (the row is shown beside it)."""
    cell, note = error.get("cell"), error.get("note") or ""
    value = "" if cell is None else str(cell)
    field = error.get("field") or ""
    if error_type == "geometry-error":
        return _geometry(error.get("message") or "")
    if error_type == "descriptor-error":
        return _descriptor(error)
    for sentence in (_cells(error_type, error, value, field, note), _rows(error_type, error, note),
                     _labels(error_type, error, field, note), _file(error_type, error, note)):
        if sentence is not None:
            return sentence
    # a type outside the catalogue: ours, with what the report says of where
    if field:
        return tk._("A problem in {column}.").format(column=_column(error))
    return error_description(error_type)


def schema_problem(detail: str) -> str:
    """Why a Table Schema was refused (frictionless's schema and field errors)."""
    match = re.search(r'field type "(.*?)" is not supported', detail)
    if match:
        return tk._("The field type “{type}” is not supported.").format(type=match.group(1))
    match = re.search(r'"(\w+)" is a required property', detail) or re.search(r"'(\w+)' is a required property",
                                                                                detail)
    if match:
        return tk._("The property “{name}” is missing.").format(name=match.group(1))
    return tk._("The Table Schema does not follow the Table Schema specification.")


def present(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's error groups as the page shows them: every title and
    sentence made here, once, in the reader's language."""
    groups = []
    for group in report.get("errors_by_type") or []:
        kind = group.get("type") or ""
        groups.append({"type": kind, "count": group.get("count", 0), "title": error_title(kind),
                       "description": error_description(kind),
                       "errors": [{"row": e.get("row"), "field": e.get("field") or "", "cell": e.get("cell"),
                                   "text": error_message(kind, e)} for e in group.get("errors") or []]})
    return groups
