"""A big CSV validated in parts, one process per core.

frictionless validates on one core: 1,000,000 trees took 12 s, about half of
the whole tree pipeline (bench/trees_bench.py). The file is cut at row
boundaries and each piece is validated by frictionless in its own process
against the same schema and dialect; what only the whole file can show (the
primary key across pieces, the row count, the hash) is checked here. Row
numbers in the report are the whole file's.
"""
from __future__ import annotations

import csv
import os
import tempfile
from typing import Any, Optional

from . import child
from .report import Finding
from .table import expected, table_resource


def split_points(path: str, parts: int) -> list[int]:
    """Byte offsets of row starts that cut the file into about `parts` pieces.

    A newline ends a row when the bytes before it hold an even number of quote
    characters (RFC 4180 escapes a quote by doubling it), so a quoted value
    with a line break is never cut."""
    size = os.path.getsize(path)
    points: list[int] = []
    with open(path, "rb") as f:
        pos = len(f.readline())
        quotes = 0
        for k in range(1, parts):
            target = max(pos, size * k // parts)
            quotes += _count(f, pos, target)
            pos = target
            while True:
                f.seek(pos)
                rest = f.read(1 << 16)
                if not rest:
                    return points
                nl = rest.find(b"\n")
                if nl < 0:
                    quotes += rest.count(b'"')
                    pos += len(rest)
                    continue
                quotes += rest[:nl].count(b'"')
                pos += nl + 1
                if quotes % 2 == 0:
                    break
            if pos < size and (not points or pos > points[-1]):
                points.append(pos)
    return points


def _count(f, start: int, end: int) -> int:
    f.seek(start)
    n, left = 0, end - start
    while left > 0:
        block = f.read(min(left, 1 << 22))
        if not block:
            break
        n += block.count(b'"')
        left -= len(block)
    return n


def validate_part(path: str, start: int, end: int, schema: dict, dialect: Optional[dict], encoding: str,
                  max_errors: int, tmpdir: str) -> dict[str, Any]:
    """The header plus rows start..end of `path` through frictionless (in a child)."""
    part = os.path.join(tmpdir, f"part-{start}.csv")
    with open(path, "rb") as src, open(part, "wb") as dst:
        dst.write(src.readline())
        src.seek(start)
        left = end - start
        while left > 0:
            block = src.read(min(left, 1 << 22))
            if not block:
                break
            dst.write(block)
            left -= len(block)
    try:
        # A BOM belongs to the first part only.
        enc = "utf-8" if encoding == "utf-8-sig" and start > 0 else encoding
        task = table_resource(part, "csv", enc, schema, dialect).validate(limit_errors=max_errors).tasks[0]
        return {"rows": task.stats.get("rows") or 0, "errors": [Finding.of(e).to_dict() for e in task.errors]}
    finally:
        os.unlink(part)


def duplicate_keys(path: str, keys: list[str], max_errors: int, encoding: str = "utf-8",
                   delimiter: str = ",") -> list[dict[str, Any]]:
    """Rows whose primary key an earlier row has. Streamed with the csv module,
    keeping only the keys: reading the column with polars took 389 MB for
    1,000,000 trees (it maps the whole file), this about a third."""
    seen: set = set()
    errors: list[dict[str, Any]] = []
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader, [])
        columns = [header.index(k) for k in keys]
        for number, row in enumerate(reader, start=2):
            try:
                values = tuple(row[c] for c in columns) if len(columns) > 1 else row[columns[0]]
            except IndexError:
                continue  # a short row: frictionless reports it in its part
            if values in seen:
                if len(errors) < max_errors:
                    shown = values if isinstance(values, tuple) else (values,)
                    errors.append(Finding("primary-key", f'Row at position "{number}" violates the primary key: '
                                          f'{", ".join(f"{k}={v}" for k, v in zip(keys, shown))} is already '
                                          "in an earlier row", row=number, title="Primary Key Error",
                                          description="Values in the primary key fields should be unique "
                                                      "for every row").to_dict())
            else:
                seen.add(values)
    return errors


def validate(path: str, schema: dict, dialect: Optional[dict], encoding: str, max_errors: int, workers: int,
             expect: Optional[dict] = None, scratch: Optional[str] = None) -> tuple[list[Finding], int, list[dict]]:
    """(findings in row order, rows, facts per process)."""
    from .. import package
    schema = dict(schema)
    key = schema.pop("primaryKey", None)
    key = [key] if isinstance(key, str) else key
    if key and not all(k in [f.get("name") for f in schema.get("fields", [])] for k in key):
        schema["primaryKey"], key = key, None  # frictionless reports the bad key in every part
    delimiter = ((dialect or {}).get("csv") or {}).get("delimiter") or ","
    with open(path, "rb") as f:
        header_end = len(f.readline())
    bounds = [header_end] + split_points(path, workers) + [os.path.getsize(path)]
    with tempfile.TemporaryDirectory(dir=scratch or os.path.dirname(os.path.abspath(path))) as tmp:
        # The primary key across the whole file, in its own process too: its
        # memory grows with the rows and should not add to the caller's.
        keys = child.start({"kind": "keys", "keys": key, "path": path, "max_errors": max_errors,
                            "encoding": encoding, "delimiter": delimiter}) if key else None
        procs = [child.start({"kind": "part", "path": path, "start": a, "end": b, "schema": schema,
                              "dialect": dialect, "encoding": encoding, "max_errors": max_errors, "tmpdir": tmp})
                 for a, b in zip(bounds, bounds[1:])]
        # The hash while the workers run (this process would only wait).
        digest = package.sha256_file(path) if expect and expect.get("hash") else None
        findings: list[Finding] = []
        offset, facts = 0, []
        for proc in procs:  # in file order: row numbers become the whole file's
            part = child.result(proc)
            for e in part["errors"]:
                f = Finding.from_dict(e)
                f.row = f.row + offset if f.row else f.row
                findings.append(f)
            offset += part["rows"]
            facts.append({"rows": part["rows"], "peak_mb": part["peak_mb"]})
        if keys:
            checked = child.result(keys)
            findings += [Finding.from_dict(e) for e in checked["errors"]]
            facts.append({"primary_key": key, "peak_mb": checked["peak_mb"]})
    findings += expected(expect, offset, digest)
    findings.sort(key=lambda e: (e.row is None, e.row or 0))
    return findings[:max_errors], offset, facts
