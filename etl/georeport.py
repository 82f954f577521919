"""Open311 GeoReport v2 documents (services and requests lists, JSON or
XML) as plain records: a dict of text per service or request.

XML is what every server must speak, JSON is optional; both come from
servers we do not control, so XML goes through etl.safexml. The spec's
error answers (`[{"code": 403, "description": …}]`, `<errors>`) become a
SourceError with the server's words. Values stay text here (ids may be
numbers or strings, coordinates numbers or strings, depending on the
server); etl/defect_reports.py reads them.
"""
from __future__ import annotations

import io
import json
from typing import Any, Iterable, Optional

import polars as pl
from lxml import etree

from . import safexml
from .errors import SourceError

# root element, child element, the field every item has
LISTS = {"requests": ("service_requests", "request", "service_request_id"),
         "services": ("services", "service", "service_code")}


def _text(value: Any) -> Optional[str]:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def _errors(items: list) -> Optional[str]:
    """The server's error answer as one line, if that is what `items` is."""
    if items and all(isinstance(i, dict) and "description" in i and "code" in i for i in items):
        return "; ".join(f"{i.get('code')} {i.get('description')}" for i in items)
    return None


def _from_json(data: bytes, what: str, where: str, keep: Optional[set]) -> tuple[list[dict], set]:
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise SourceError(f"{where} did not return valid JSON ({e}; starts with {data[:60]!r})")
    root, _, key = LISTS[what]
    if isinstance(doc, dict):  # some servers wrap the list ({"service_requests": […]}), or send one error
        if "description" in doc and "code" in doc:
            doc = [doc]
        else:
            doc = next((doc[k] for k in (root, what) if isinstance(doc.get(k), list)), doc)
    if not isinstance(doc, list):
        raise SourceError(f"{where} is not a GeoReport v2 list of {what} (a JSON {type(doc).__name__})")
    errors = _errors(doc)
    if errors and not any(isinstance(i, dict) and key in i for i in doc):
        raise SourceError(f"{where} answered with GeoReport errors: {errors[:300]}")
    if not all(isinstance(i, dict) for i in doc):
        raise SourceError(f"{where} is not a GeoReport v2 list of {what} (items that are not objects)")
    seen = set().union(*(item.keys() for item in doc[:1000])) if doc else set()
    if keep is None:
        return [{k: _text(v) for k, v in item.items()} for item in doc], seen
    return [{k: _text(v) for k, v in item.items() if k in keep} for item in doc], seen


def _from_xml(data: bytes, what: str, where: str, keep: Optional[set]) -> tuple[list[dict], set]:
    root = safexml.source_root(data, where)
    tag = etree.QName(root).localname
    if tag == "errors":
        errors = [f"{e.findtext('code')} {e.findtext('description')}" for e in root]
        raise SourceError(f"{where} answered with GeoReport errors: {'; '.join(errors)[:300]}")
    want_root, want_item, _ = LISTS[what]
    if tag != want_root:
        raise SourceError(f"{where} is not a GeoReport v2 list of {what} (root element <{tag}>)")
    out, seen = [], set()
    for item in root:
        if not isinstance(item.tag, str) or etree.QName(item).localname != want_item:
            continue
        record: dict[str, Optional[str]] = {}
        for child in item:
            if isinstance(child.tag, str):
                name = etree.QName(child).localname
                seen.add(name)
                if keep is None or name in keep:
                    record[name] = _text(child.text)
        out.append(record)
    return out, seen


def parse(data: bytes, fmt: str, what: str, where: str,
          fields: Optional[Iterable[str]] = None) -> tuple[list[dict[str, Optional[str]]], set]:
    """The items of a `what` ("requests" or "services") document, each with
    only `fields` (default all), and the field names the server sent; `where`
    (the source and URL) starts every error message."""
    keep = set(fields) if fields is not None else None
    return _from_xml(data, what, where, keep) if fmt == "xml" else _from_json(data, what, where, keep)


def _first_keys(data: bytes) -> set:
    """The field names of a JSON list's first object, without reading the rest."""
    text = data.decode("utf-8", errors="replace")
    start = text.find("{")
    try:
        first, _ = json.JSONDecoder().raw_decode(text, start) if start >= 0 else ({}, 0)
    except ValueError:
        return set()
    return set(first) if isinstance(first, dict) else set()


def requests_table(data: bytes, fmt: str, where: str, fields: Iterable[str]) -> tuple[pl.DataFrame, set]:
    """A requests answer as text columns `fields` (stripped, empty as null),
    and the field names the server sent. A plain JSON list is read by
    polars' JSON reader; everything else (XML, a wrapped list, an error
    answer, broken JSON, values that are objects) by parse()."""
    fields = list(fields)
    schema = {f: pl.String for f in fields}
    if fmt == "json" and data.lstrip()[:1] == b"[":
        try:
            table = pl.read_json(io.BytesIO(data), schema=schema)
        except Exception:  # polars' errors name no source: parse() says what is wrong
            table = None
        key = LISTS["requests"][2]
        if table is not None and (table.height == 0 or table[key].null_count() < table.height):
            stripped = [pl.col(f).str.strip_chars() for f in fields]
            return table.with_columns(pl.when(c != "").then(c).alias(f) for c, f in zip(stripped, fields)), \
                _first_keys(data)
    items, seen = parse(data, fmt, "requests", where, fields)
    return pl.DataFrame({f: [r.get(f) for r in items] for f in fields}, schema=schema), seen
