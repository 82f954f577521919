"""Validate a table of a data package the harvester has just written.

The harvesters' entry to the one validation core (etl.validation): the
resource is looked up in the package's own datapackage.json, its path must
stay inside the package, and the file is validated as data with the
resource's schema, format and encoding — the descriptor is never handed to
frictionless, so nothing in it can name another file. Tables of
PARALLEL_ROWS rows or more are validated in parts on every core. The report
(etl.validation.Report as a dict: valid, status, errors as a flat list of
{type, row, field, cell, message}, errors_by_type, parts) is also written
beside the package.
"""
from __future__ import annotations

import json
import os
from typing import Any

from . import validation
from .validation.guard import Refused, safe_member

PARALLEL_ROWS = 200_000


def validate(directory: str, resource_name: str, max_errors: int = 1000,
             report_name: str = "validation-report.json") -> dict[str, Any]:
    with open(os.path.join(directory, "datapackage.json"), encoding="utf-8") as f:
        descriptor = json.load(f)
    resource = next(r for r in descriptor["resources"] if r["name"] == resource_name)
    try:
        path = safe_member(directory, resource.get("path"))
    except Refused as e:
        report = validation.Report.failed(e.reason, e.message)
    else:
        fmt = resource.get("format") or validation.formats.table_format("", path) or "csv"
        workers = min(os.cpu_count() or 1, 8)
        parallel = workers > 1 and (resource.get("rows") or 0) >= PARALLEL_ROWS
        report = validation.check_file(
            path, fmt, resource.get("schema"), max_errors=max_errors, encoding=resource.get("encoding"),
            dialect=resource.get("dialect"), expect={"rows": resource.get("rows"), "hash": resource.get("hash")},
            workers=workers if parallel else 1)
    summary = report.to_dict()
    with open(os.path.join(directory, report_name), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2, default=str)
    return summary
