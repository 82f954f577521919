"""The one validation core: harvesters (etl.validate) and the portal's job
(ckanext.jena.validation) both validate a local file through check_file and
get the same Report.

What the file is decides how it is read: a table (CSV/TSV streamed, in parts
on every core when it is big; XLSX, XLS, ODS and JSON read whole, in a child
process with a memory limit and a deadline), GeoJSON (feature by feature), or
a data package descriptor (checked as metadata, nothing it names is read).
Archives are refused before any parser opens them when their central
directory promises too much.
"""
from __future__ import annotations

import os
from typing import Any, Optional

from . import child, columns, descriptor, formats, geojson, parts, table
from .guard import Limits, Refused, check_archive
from .report import Finding, Report

__all__ = ["check_file", "Limits", "Report", "Finding"]


def check_file(path: str, fmt: str, schema: Optional[dict] = None, *, max_errors: int = 1000,
               limits: Limits = Limits(), encoding: Optional[str] = None, dialect: Optional[dict] = None,
               expect: Optional[dict] = None, workers: int = 1, scratch: Optional[str] = None) -> Report:
    """Validate the local file `path` read as `fmt` (a name of formats.table_format).

    `schema`: the Table Schema (a dict) or None to infer one; `expect`: what a
    package descriptor says of the file (rows, hash); `workers` > 1 validates
    a CSV in that many parts (written to `scratch`, by default beside the file)."""
    try:
        check_archive(path, limits)  # whatever the file claims to be
        if fmt == "geojson":
            return geojson.check(path, max_errors)
        if fmt in formats.TEXT and formats.is_binary(path):
            return Report.failed("binary", f"binary content, not a {fmt.upper()} text file", format=fmt.upper())
        if schema is not None and not isinstance(schema, dict):
            return Report.failed("schema-refused", "the Table Schema is not a JSON object")
        if fmt in formats.TEXT:
            encoding = encoding or formats.detect_encoding(path)
        if fmt == "json":
            first = formats.first_char(path, encoding)
            if first == "{":
                return descriptor.check_file(path, encoding, max_errors)
            if first != "[":
                return Report.failed("not-a-table", "JSON, but not a list of rows", format="JSON")
        if fmt == "csv" and not dialect:
            delimiter = formats.sniff_delimiter(path, encoding)
            if delimiter and delimiter != ",":
                dialect = {"csv": {"delimiter": delimiter}}
        if fmt in formats.STREAMED:
            return _streamed(path, fmt, schema, encoding, dialect, max_errors, workers, expect, scratch)
        return Report.from_dict(child.run({"kind": "table", "path": path, "fmt": fmt, "schema": schema,
                                           "max_errors": max_errors, "encoding": encoding, "dialect": dialect,
                                           "expect": expect},
                                          memory_bytes=limits.memory_bytes, deadline=limits.deadline))
    except Refused as e:
        return Report.failed(e.reason, e.message, **e.params)
    except child.ChildFailed as e:
        return Report.failed(e.reason, e.message)


def _streamed(path: str, fmt: str, schema: Optional[dict], encoding: str, dialect: Optional[dict],
              max_errors: int, workers: int, expect: Optional[dict], scratch: Optional[str]) -> Report:
    if fmt == "csv":
        fast = _columns(path, schema, dialect, encoding, max_errors, expect)
        if fast is not None:  # None: columns cannot decide, frictionless does (columns.supported)
            return fast
    if workers <= 1 or fmt != "csv":
        return table.read(path, fmt, schema, max_errors, encoding, dialect, expect)
    probe = _inferred(path, encoding, dialect)
    if probe is None:
        return table.read(path, fmt, schema, max_errors, encoding, dialect, expect)  # says what is wrong
    dialect = dialect or probe.dialect.to_descriptor()
    inferred = table.inferred_schema(probe) if schema is None else None
    schema = inferred if schema is None else schema
    findings, rows, facts = parts.validate(path, schema, dialect, encoding, max_errors, workers, expect, scratch)
    return Report.verdict(findings, max_errors, row_count=rows, parts=facts,
                          source={"format": fmt, "encoding": encoding, "dialect": dialect},
                          schema_origin="inferred" if inferred else "resource", inferred_schema=inferred)


def _columns(path: str, schema: Optional[dict], dialect: Optional[dict], encoding: str, max_errors: int,
             expect: Optional[dict]) -> Optional[Report]:
    """The column checker's Report, or None to hand over. Without a schema, the schema is the one
    table.read infers (table.inferred_schema), so the Report is the one table.read gives."""
    inferred = None
    if schema is None:
        probe = _inferred(path, encoding, dialect)
        if probe is None:
            return None  # table.read words what is wrong
        inferred = schema = table.inferred_schema(probe)
    fast = columns.check(path, schema, dialect, encoding, max_errors, expect)
    if fast is not None and inferred is not None:
        fast.schema_origin, fast.inferred_schema = "inferred", inferred
    return fast


def _inferred(path: str, encoding: str, dialect: Optional[dict]):
    """The CSV as a frictionless resource after infer(), or None where frictionless cannot read it."""
    from frictionless import FrictionlessException
    probe = table.table_resource(path, "csv", encoding, dialect=dialect)
    try:
        probe.infer()
    except FrictionlessException:
        return None
    return probe


def cores() -> int:
    return min(os.cpu_count() or 1, 8)
