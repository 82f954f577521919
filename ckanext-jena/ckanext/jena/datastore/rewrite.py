"""Files COPY cannot read as they are (spreadsheets, JSON tables, CSV with
several header rows or comment lines): frictionless reads them with their
Table Schema, as validation did, and they are written again as plain UTF-8
CSV of PostgreSQL-readable values. Row by row, so memory stays flat."""
from __future__ import annotations

import csv
import datetime
import decimal
import json
import os
import tempfile
from typing import Any

from .columns import Column


class _Invalid(Exception):
    pass


def _text(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if column.type == "geopoint" and isinstance(value, tuple):
        return f"{value[0]}, {value[1]}"
    if column.type == "yearmonth" and isinstance(value, tuple):
        return f"{int(value[0]):04d}-{int(value[1]):02d}"
    if column.type == "duration":
        try:
            import isodate
            return isodate.duration_isoformat(value)
        except Exception:
            return str(value)
    return str(value)


def rewrite(source, cols: list[Column]) -> str:
    """Path of a temporary CSV (with a header row) of the typed values;
    the caller deletes it. Raises LoadError on a row frictionless finds
    invalid: an invalid file is never loaded."""
    from frictionless import Dialect, Resource, Schema, system

    from .loader import LoadError
    fd, path = tempfile.mkstemp(prefix="jena-load-", suffix=".csv",
                                dir=os.path.dirname(source.path) or None)
    options: dict[str, Any] = {"format": source.format, "schema": Schema.from_descriptor(source.schema)}
    if source.encoding:
        options["encoding"] = source.encoding
    if source.dialect:
        options["dialect"] = Dialect.from_descriptor(source.dialect)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, \
                system.use_context(trusted=True), Resource(source.path, **options) as resource:
            writer = csv.writer(out)
            writer.writerow([c.name for c in cols])
            for row in resource.row_stream:
                if not row.valid:
                    raise LoadError("invalid", f"row {row.row_number} is not valid: "
                                    f"{row.errors[0].message}", line=row.row_number)
                cells = row.to_list()
                writer.writerow([_text(v, c) for v, c in zip(cells, cols)])
    except LoadError:
        os.unlink(path)
        raise
    except Exception as e:
        os.unlink(path)
        raise LoadError("unreadable", f"the file could not be read: {e}", detail=str(e)) from e
    return path
