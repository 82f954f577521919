"""The portal's call into the one validation core (etl.validation), with the
limits from the CKAN config. The report is etl.validation.Report as a dict,
the same shape the harvesters write."""
from __future__ import annotations

import os
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from etl import validation
from etl.validation import Limits, Report, formats

# A CSV this large is validated in parts, one process per core.
PARALLEL_BYTES = 64 << 20


def limits() -> Limits:
    return Limits(max_unpacked_bytes=tk.config.get("ckanext.jena.validation.max_unpacked_mb") << 20,
                  # a whole-file read in its child ends before the job's own limit does
                  deadline=max(10.0, 0.8 * tk.config.get("ckanext.jena.validation.job_timeout")))


def validate_file(path: str, resource_format: str, schema: Optional[dict],
                  max_errors: int = 1000, name: str = "", scratch: Optional[str] = None) -> dict[str, Any]:
    """`path`: a local file the job wrote or CKAN stores; `name`: its file name
    or URL, whose extension counts when the format is not one we know."""
    fmt = formats.table_format(resource_format, name or path)
    if fmt is None:
        return Report.failed("format-not-tabular", f"format {resource_format!r} cannot be validated as a table",
                             format=resource_format).to_dict()
    workers = validation.cores() if fmt == "csv" and os.path.getsize(path) >= PARALLEL_BYTES else 1
    return validation.check_file(path, fmt, schema, max_errors=max_errors, limits=limits(),
                                 workers=workers, scratch=scratch).to_dict()


def failed(reason: str, message: str, **params: Any) -> dict[str, Any]:
    return Report.failed(reason, message, **params).to_dict()
