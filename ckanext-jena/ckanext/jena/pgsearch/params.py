"""The Solr parameters of a search (as CKAN sends them to pysolr), checked
and read into one request.

Whatever a caller may put into a parameter ends here or in sql.py as a
QueryTranslationError naming the parameter — CKAN's API answers it with a
409 and the message, never a 500 (issue 12).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from .translate import QueryTranslationError, check_mm

# Solr parameters we answer; the scoring-only ones (tie, bf, boost, qf) are
# checked and approximated by the weighted tsvector.
KNOWN = {"wt", "tie", "bf", "boost", "qf", "extras", "fq_list", "q.op", "df",
         "defType", "mm", "facet", "facet.field", "facet.limit", "facet.mincount",
         "fl", "sort", "rows", "start", "q", "fq"}
IGNORED_PREFIXES = ("hl", "spellcheck")
PARSERS = ("lucene", "dismax", "edismax")
DEFAULT_MM = "2<-1 5<80%"
# Solr reads rows, start and facet counts as Java ints.
MAX_INT = 2 ** 31 - 1
_FIELD = re.compile(r"^[A-Za-z_][\w.\-]*$")
_QF = re.compile(r"^[A-Za-z_][\w.\-]*(\^\d+(\.\d+)?)?$")
_BOOLEANS = {"true": True, "on": True, "yes": True, "false": False, "off": False, "no": False}


@dataclass
class SearchRequest:
    q: str
    def_type: str
    mm: str
    q_op: str
    df: str
    fq: list[str]
    sort: Optional[str]
    rows: int
    start: int
    fields: list[str]
    facet: bool
    facet_fields: list[str]
    facet_limit: int
    facet_mincount: int

    @property
    def wants_all_fields(self) -> bool:
        return "*" in self.fields


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                return [str(v) for v in json.loads(value)]
            except ValueError:
                pass
        return [value] if value else []
    return [str(v) for v in value]


def _error(param: str, message: str) -> QueryTranslationError:
    return QueryTranslationError(f"parameter {param!r}: {message}")


def _text(params: dict[str, Any], name: str, default: Optional[str]) -> Optional[str]:
    value = params.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if "\x00" in value:
        raise _error(name, "must not contain a NUL character")
    return value


def _int(params: dict[str, Any], name: str, default: int, minimum: Optional[int] = 0) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise _error(name, f"must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise _error(name, f"must be at least {minimum}, got {value}")
    if abs(value) > MAX_INT:
        raise _error(name, f"must be at most {MAX_INT}, got {value}")
    return value


def _bool(params: dict[str, Any], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    value = _BOOLEANS.get(str(raw).strip().lower())
    if value is None:
        raise _error(name, f"must be true or false, got {raw!r}")
    return value


def read(q: Optional[str], params: dict[str, Any]) -> SearchRequest:
    unsupported = sorted(k for k in params if k not in KNOWN
                         and not k.startswith(IGNORED_PREFIXES))
    if unsupported:
        raise QueryTranslationError(
            f"parameters not supported by the PostgreSQL search backend: {unsupported}")
    q = _text({"q": q}, "q", None)
    def_type = _text(params, "defType", "lucene")
    if def_type not in PARSERS:
        raise _error("defType", f"query parser {def_type!r} is not supported "
                                f"(supported: {', '.join(PARSERS)})")
    mm = _text(params, "mm", DEFAULT_MM)
    try:
        check_mm(mm)
    except QueryTranslationError as e:
        raise e.about("mm") from None
    q_op = (_text(params, "q.op", "AND") or "AND").upper()
    if q_op not in ("AND", "OR"):
        raise _error("q.op", f"must be AND or OR, got {q_op!r}")
    df = _text(params, "df", "text") or "text"
    if not _FIELD.match(df):
        raise _error("df", f"not a field name: {df!r}")
    tie = _text(params, "tie", None)
    if tie is not None and tie.strip():
        try:
            float(tie)
        except ValueError:
            raise _error("tie", f"must be a number, got {tie!r}") from None
    for field in (_text(params, "qf", "") or "").split():
        if not _QF.match(field):
            raise _error("qf", f"use 'field' or 'field^boost', got {field!r}")
    for name in ("bf", "boost", "wt"):
        _text(params, name, None)
    fq = []
    for value in as_list(params.get("fq")):
        if "\x00" in value:
            raise _error("fq", "must not contain a NUL character")
        fq.append(value)
    facet_fields = as_list(params.get("facet.field"))
    for field in facet_fields:
        if not _FIELD.match(field):
            raise _error("facet.field", f"not a field name: {field!r}")
    return SearchRequest(
        q=(q or "*:*").strip() or "*:*",
        def_type=def_type,
        mm=mm,
        q_op=q_op,
        df=df,
        fq=fq,
        sort=_text(params, "sort", None),
        rows=_int(params, "rows", 10),
        start=_int(params, "start", 0),
        fields=[f for f in re.split(r"[\s,]+", _text(params, "fl", "*") or "*") if f],
        facet=_bool(params, "facet", False),
        facet_fields=facet_fields,
        # Solr: a negative limit means no limit.
        facet_limit=_int(params, "facet.limit", 100, minimum=None),
        facet_mincount=_int(params, "facet.mincount", 0),
    )
