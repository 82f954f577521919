"""What the loader gets for a CKAN resource: the file, its Table Schema and
how to read it — all as validation settled them.

The schema is the resource's `table_schema` or, without one, the schema
validation inferred (German decimals already marked); format, encoding and
CSV dialect come from the stored validation report, so the loader reads the
file exactly as the validator did. Only a valid file is ever handed on.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Optional
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk

from .loader import LoadError, Source

MB = 1 << 20
# Bumped when the loader would build a different table from the same file.
LOADER_VERSION = "1"


def report_of(resource_id: str) -> Optional[dict[str, Any]]:
    from ckanext.jena.validation import store
    return store.load(resource_id)


def schema_of(resource: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    declared = resource.get("table_schema")
    if declared:
        try:
            return json.loads(declared) if isinstance(declared, str) else dict(declared)
        except ValueError:
            raise LoadError("no-schema", "the resource's Table Schema is not JSON")
    if report.get("inferred_schema"):
        return report["inferred_schema"]
    raise LoadError("no-schema", "the resource has no Table Schema and validation inferred none")


def local_file(resource: dict[str, Any], directory: str) -> str:
    """The stored upload, or the linked file downloaded through the portal's
    outbound client (its guard and limits)."""
    limit = tk.config.get("ckanext.jena.datastore.max_size_mb") * MB
    if resource.get("url_type") == "upload":
        from ckan.lib.uploader import get_resource_uploader
        path = get_resource_uploader(resource).get_path(resource["id"])
        if not os.path.exists(path):
            raise LoadError("no-file", "the uploaded file is missing from the storage")
        if os.path.getsize(path) > limit:
            raise LoadError("too-large", "the file is larger than the limit",
                            mb=tk.config.get("ckanext.jena.datastore.max_size_mb"))
        return path
    url = resource.get("url") or ""
    if urlparse(url).scheme not in ("http", "https"):
        raise LoadError("no-file", f"no file at {url or '-'}")
    from etl.http import OutboundError
    from ckanext.jena.outbound import client, limits
    target = os.path.join(directory, os.path.basename(urlparse(url).path) or "download")
    try:
        resp = client().get(url, limits=limits(max_bytes=limit), stream_to=target)
    except OutboundError as e:
        raise LoadError("download", f"the file could not be downloaded: {e}", why=e.reason)
    if resp.status >= 400:
        raise LoadError("download", f"the link answers HTTP {resp.status}", status=resp.status)
    return target


def _detected(path: str, fmt: str, encoding: Optional[str]) -> tuple[Optional[str], dict[str, Any]]:
    """Encoding and dialect for a report that lacks them, found the way
    validation finds them."""
    if fmt not in ("csv", "tsv"):
        return encoding, {}
    if not encoding:
        from etl.validation import formats
        encoding = formats.detect_encoding(path)
    from frictionless import Resource, system
    with system.use_context(trusted=True):
        probe = Resource(path, format=fmt, encoding=encoding)
        probe.infer()
        return encoding, probe.dialect.to_descriptor()


def source_of(resource: dict[str, Any], report: dict[str, Any], path: str) -> Source:
    src = report.get("source") or {}
    fmt = (src.get("format") or "").lower()
    if not fmt:
        from etl.validation import formats
        fmt = formats.table_format(resource.get("format") or "", resource.get("url") or path) or ""
    if fmt in ("", "geojson"):
        raise LoadError("not-a-table", f"a {fmt or 'file without format'} is not loaded as a table",
                        format=fmt)
    encoding, dialect = src.get("encoding"), src.get("dialect")
    if fmt in ("csv", "tsv") and (not encoding or dialect is None):
        encoding, dialect = _detected(path, fmt, encoding)
    return Source(path=path, format=fmt, schema=schema_of(resource, report), encoding=encoding,
                  dialect=dialect or {})


def fingerprint(sha256: str, source: Source) -> str:
    """Same file, schema, reading and loader: the same table."""
    what = json.dumps([LOADER_VERSION, sha256, source.schema, source.format, source.encoding,
                       source.dialect], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(what.encode("utf-8")).hexdigest()
