"""frictionless on one local table file — data only, never a descriptor.

frictionless takes a JSON or YAML file for a descriptor when its content
looks like one, and a descriptor can name any path or URL ("path", "data",
"schema", "dialect", a custom "profile"). So a table is always built as a
TableResource from keyword arguments: the file's name relative to its folder
(frictionless refuses absolute paths unless told to trust), an explicit
format and encoding, and a schema and dialect that are dictionaries we hold.
JSON tables are parsed here and handed over as rows. No trusted context.
"""
from __future__ import annotations

import json
import os
from typing import Any, Optional

from . import formats
from .report import Finding, Report

UNREADABLE = {"encoding-error", "format-error", "scheme-error", "source-error", "resource-error",
              "dialect-error", "schema-error", "error"}


def table_resource(path: Optional[str], fmt: str, encoding: Optional[str] = None,
                   schema: Optional[dict] = None, dialect: Optional[dict] = None, data: Any = None):
    from frictionless import Dialect, Schema, resources
    options: dict[str, Any] = {}
    if schema is not None:
        options["schema"] = Schema.from_descriptor(_own(schema))
    if dialect:
        options["dialect"] = Dialect.from_descriptor(_own(dialect))
    if data is not None:
        return resources.TableResource(data=data, format="inline", **options)
    if encoding:
        options["encoding"] = encoding
    return resources.TableResource(path=os.path.basename(path), basepath=os.path.dirname(os.path.abspath(path)),
                                   format=fmt, **options)


def _own(descriptor: Any) -> dict:
    """A copy of a schema or dialect given as data: a string would be read as a path."""
    if not isinstance(descriptor, dict):
        raise TypeError("a Table Schema or dialect must be a JSON object")
    return json.loads(json.dumps(descriptor))


def json_rows(path: str, encoding: str) -> list[list[Any]]:
    """A JSON table: a list of rows (lists, header first) or of objects."""
    with open(path, encoding=encoding) as f:
        data = json.load(f)
    if not isinstance(data, list) or not data:
        raise ValueError("not a list of rows")
    if all(isinstance(r, dict) for r in data):
        header = list(dict.fromkeys(k for r in data for k in r))
        return [header] + [[r.get(k) for k in header] for r in data]
    if all(isinstance(r, list) for r in data):
        return data
    raise ValueError("rows are neither all lists nor all objects")


def inferred_schema(probe) -> dict:
    """The schema of an inferred (probe.infer()) table resource: frictionless's
    detector on its sample, then German numbers (formats.german_numbers)."""
    return formats.german_numbers(probe.schema.to_descriptor(), probe.labels or [], (probe.sample or [])[1:])


def read(path: str, fmt: str, schema: Optional[dict], max_errors: int, encoding: Optional[str] = None,
         dialect: Optional[dict] = None, expect: Optional[dict] = None) -> Report:
    """Validate the table in `path` against `schema` (or one inferred from it)."""
    from frictionless import FrictionlessException
    if encoding is None and fmt in formats.TEXT:
        encoding = formats.detect_encoding(path)
    source: dict[str, Any] = {"format": fmt, "encoding": encoding}
    data = None
    if fmt == "json":
        try:
            data = json_rows(path, encoding)
        except (ValueError, UnicodeDecodeError) as e:
            return Report.failed("not-a-table", f"JSON, but not a table: {e}", format="JSON")
    inferred = None
    try:
        if schema is None:
            probe = table_resource(path, fmt, encoding, dialect=dialect, data=data)
            probe.infer()
            inferred = schema = inferred_schema(probe)
        resource = table_resource(path, fmt, encoding, schema, dialect, data=data)
        report = resource.validate(limit_errors=max_errors)
        if data is None:
            source["dialect"] = resource.dialect.to_descriptor()
    except FrictionlessException as e:
        if isinstance(e.__cause__, MemoryError):  # frictionless words it as a format error
            return Report.failed("memory", "reading the file needed more memory than allowed")
        return _unreadable(e.error, source)
    except MemoryError:
        return Report.failed("memory", "reading the file needed more memory than allowed")
    task = report.tasks[0]
    findings = [Finding.of(e) for e in task.errors]
    rows = task.stats.get("rows")
    unreadable = [e for e in task.errors if e.type in UNREADABLE]
    if unreadable and not rows:  # nothing could be read: no table, not "invalid"
        return _unreadable(unreadable[0], source)
    findings += expected(expect, rows, task.stats.get("sha256"))
    return Report.verdict(findings, max_errors, row_count=rows, source=source,
                          schema_origin="inferred" if inferred else "resource", inferred_schema=inferred)


def expected(expect: Optional[dict], rows: Optional[int], sha256: Optional[str]) -> list[Finding]:
    """What a package descriptor says of the file (row count, hash) against what was read."""
    found = []
    if expect and expect.get("rows") is not None and (rows or 0) != expect["rows"]:  # a header only: None
        found.append(Finding("row-count", f"The file has {rows} rows, datapackage.json says {expect['rows']}"))
    if expect and expect.get("hash") and sha256 and "sha256:" + sha256 != expect["hash"]:
        found.append(Finding("hash-count", "The file's sha256 is not the hash in datapackage.json"))
    return found


def _unreadable(error: Any, source: dict) -> Report:
    message = f"{error.title}: {error.message}"
    if "Please install" in error.message:  # a frictionless plugin whose library is not installed
        report = Report.failed("unsupported-format", message, format=(source.get("format") or "").upper())
    else:
        report = Report.failed("unreadable", message, kind=error.type, detail=error.message)
    report.source = source
    return report
