"""Validate a package's table with frictionless, on every core for big tables.

frictionless validates on one core: 1,000,000 trees took 12 s, about half of
the whole tree pipeline (bench/trees_bench.py). Above PARALLEL_ROWS the CSV
is cut at row boundaries and each piece is validated by frictionless in its
own process against the same schema; what only the whole file can show (the
primary key across pieces, the row count, the hash) is checked here. Row
numbers in the report are the whole file's.

Worker processes are started as `python -m etl.validate` rather than through
multiprocessing: spawn would re-import the caller's __main__, and fork would
copy polars' thread pool.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Optional

from frictionless import Dialect, Package, Resource, Schema, system

from .package import sha256_file

PARALLEL_ROWS = 200_000


def _error(e) -> dict[str, Any]:
    return {"type": e.type, "row": getattr(e, "row_number", None),
            "field": getattr(e, "field_name", None), "message": e.message}


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


def validate_part(path: str, start: int, end: int, schema: dict, dialect: Optional[dict],
                  max_errors: int, tmpdir: str) -> dict[str, Any]:
    """The header plus rows start..end of `path` through frictionless."""
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
        with system.use_context(trusted=True):
            options = {"dialect": Dialect.from_descriptor(dialect)} if dialect else {}
            report = Resource(part, format="csv", encoding="utf-8", schema=Schema.from_descriptor(schema),
                              **options) \
                .validate(limit_errors=max_errors)
        task = report.tasks[0]
        return {"rows": task.stats.get("rows") or 0, "errors": [_error(e) for e in task.errors]}
    finally:
        os.unlink(part)


def duplicate_keys(path: str, key: list[str], max_errors: int) -> list[dict[str, Any]]:
    """Rows whose primary key an earlier row has. Streamed with the csv module,
    keeping only the keys: reading the column with polars took 389 MB for
    1,000,000 trees (it maps the whole file), this about a third."""
    import csv
    seen: set = set()
    errors: list[dict[str, Any]] = []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        columns = [header.index(k) for k in key]
        for number, row in enumerate(reader, start=2):
            try:
                values = tuple(row[c] for c in columns) if len(columns) > 1 else row[columns[0]]
            except IndexError:
                continue  # a short row: frictionless reports it in its part
            if values in seen:
                if len(errors) < max_errors:
                    shown = values if isinstance(values, tuple) else (values,)
                    errors.append({"type": "primary-key", "row": number, "field": None,
                                   "message": f'Row at position "{number}" violates the primary key: '
                                              f'{", ".join(f"{k}={v}" for k, v in zip(key, shown))} is already '
                                              "in an earlier row"})
            else:
                seen.add(values)
    return errors


def _parallel(path: str, resource: dict, max_errors: int, workers: int) -> tuple[list[dict[str, Any]], list[dict]]:
    schema = dict(resource["schema"])
    key = schema.pop("primaryKey", None)
    key = [key] if isinstance(key, str) else key
    with open(path, "rb") as f:
        header_end = len(f.readline())
    bounds = [header_end] + split_points(path, workers) + [os.path.getsize(path)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))

    def start(job: dict) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "etl.validate"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        proc.stdin.write(json.dumps(job))
        proc.stdin.close()
        proc.stdin = None  # so that communicate() below does not flush it again
        return proc

    def result(proc: subprocess.Popen) -> dict:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"validating {os.path.basename(path)} failed in a worker: {err.strip()[-500:]}")
        return json.loads(out)

    with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as tmp:
        # The primary key across the whole file, in its own process too: its
        # memory grows with the rows and should not add to the harvester's.
        keys = start({"keys": key, "path": path, "max_errors": max_errors}) if key else None
        procs = [start({"path": path, "start": a, "end": b, "schema": schema, "dialect": resource.get("dialect"),
                        "max_errors": max_errors, "tmpdir": tmp}) for a, b in zip(bounds, bounds[1:])]
        # The hash while the workers run (this process would only wait).
        same_hash = "hash" not in resource or "sha256:" + sha256_file(path) == resource["hash"]
        errors: list[dict[str, Any]] = []
        offset, facts = 0, []
        for proc in procs:  # in file order: row numbers become the whole file's
            part = result(proc)
            errors += [dict(e, row=e["row"] + offset if e["row"] else e["row"]) for e in part["errors"]]
            offset += part["rows"]
            facts.append({"rows": part["rows"], "peak_mb": part["peak_mb"]})
        if keys:
            checked = result(keys)
            errors += checked["errors"]
            facts.append({"primary_key": key, "peak_mb": checked["peak_mb"]})
    if "rows" in resource and offset != resource["rows"]:
        errors.append({"type": "row-count", "row": None, "field": None,
                       "message": f"The file has {offset} rows, datapackage.json says {resource['rows']}"})
    if not same_hash:
        errors.append({"type": "hash-count", "row": None, "field": None,
                       "message": "The file's sha256 is not the hash in datapackage.json"})
    errors.sort(key=lambda e: (e["row"] is None, e["row"] or 0))
    return errors[:max_errors], facts


def validate(directory: str, resource_name: str, max_errors: int = 1000,
             report_name: str = "validation-report.json") -> dict[str, Any]:
    """frictionless on one table of the package; the report is also written beside it."""
    with open(os.path.join(directory, "datapackage.json"), encoding="utf-8") as f:
        descriptor = json.load(f)
    resource = next(r for r in descriptor["resources"] if r["name"] == resource_name)
    workers = min(os.cpu_count() or 1, 8)
    if workers > 1 and (resource.get("rows") or 0) >= PARALLEL_ROWS:
        errors, parts = _parallel(os.path.join(directory, resource["path"]), resource, max_errors, workers)
    else:
        parts = []
        with system.use_context(trusted=True):
            report = Package(os.path.join(directory, "datapackage.json")).get_resource(resource_name) \
                .validate(limit_errors=max_errors)
        errors = [_error(e) for e in report.tasks[0].errors]
    summary = {"valid": not errors, "errors": errors, "parts": parts}
    with open(os.path.join(directory, report_name), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2)
    return summary


def _peak_mb() -> int:
    """This process's own peak memory since exec (VmHWM; ru_maxrss would include
    the parent's pages from before exec)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


if __name__ == "__main__":  # one worker: a job as JSON on stdin, the result as JSON on stdout
    job = json.load(sys.stdin)
    result = {"errors": duplicate_keys(job["path"], job["keys"], job["max_errors"])} if "keys" in job \
        else validate_part(**job)
    json.dump(dict(result, peak_mb=_peak_mb()), sys.stdout)
