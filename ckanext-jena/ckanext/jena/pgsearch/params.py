"""The Solr parameters of a search (as CKAN sends them to pysolr), read into
one checked request."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from .translate import QueryTranslationError

# Solr parameters we answer; the scoring-only ones (tie, bf, boost, qf) are
# accepted and approximated by the weighted tsvector.
KNOWN = {"wt", "tie", "bf", "boost", "qf", "extras", "fq_list", "q.op", "df",
         "defType", "mm", "facet", "facet.field", "facet.limit", "facet.mincount",
         "fl", "sort", "rows", "start", "q", "fq"}
IGNORED_PREFIXES = ("hl", "spellcheck")
DEFAULT_MM = "2<-1 5<80%"


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


def read(q: Optional[str], params: dict[str, Any]) -> SearchRequest:
    unsupported = sorted(k for k in params if k not in KNOWN
                         and not k.startswith(IGNORED_PREFIXES))
    if unsupported:
        raise QueryTranslationError(
            f"parameters not supported by the PostgreSQL search backend: {unsupported}")
    rows = int(params.get("rows", 10) or 0)
    start = int(params.get("start", 0) or 0)
    if rows < 0 or start < 0:
        raise QueryTranslationError("rows and start must not be negative")
    return SearchRequest(
        q=(q or "*:*").strip() or "*:*",
        def_type=params.get("defType", "lucene"),
        mm=params.get("mm", DEFAULT_MM),
        q_op=params.get("q.op", "AND"),
        df=params.get("df", "text"),
        fq=as_list(params.get("fq")),
        sort=params.get("sort"),
        rows=rows,
        start=start,
        fields=[f for f in re.split(r"[\s,]+", params.get("fl") or "*") if f],
        facet=str(params.get("facet", "false")).lower() == "true",
        facet_fields=as_list(params.get("facet.field")),
        facet_limit=int(params.get("facet.limit", 50) or 50),
        facet_mincount=int(params.get("facet.mincount", 0) or 0),
    )
