"""Solr local parameters at the start of a q or fq: {!lucene q.op=OR}text,
{!bool must=a should=b}, {!type=bool must=a}.

CKAN lets them through only for the parsers named in
ckan.search.solr_allowed_query_parsers; sql.py answers `lucene` (with q.op,
df, v) and `bool` (must, should, must_not, filter) and refuses any other
parser or key by name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .translate import QueryTranslationError

SUPPORTED = {
    "lucene": {"q.op", "df", "v"},
    "bool": {"must", "should", "must_not", "filter"},
}
_KEY = re.compile(r"[A-Za-z_][\w.]*")


@dataclass
class LocalParams:
    parser: str
    pairs: list[tuple[str, str]] = field(default_factory=list)

    def all(self, key: str) -> list[str]:
        return [v for k, v in self.pairs if k == key]

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        values = self.all(key)
        return values[-1] if values else default


def _value(text: str, i: int) -> tuple[str, int]:
    if i < len(text) and text[i] in "'\"":
        quote, out, i = text[i], [], i + 1
        while i < len(text) and text[i] != quote:
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            out.append(text[i])
            i += 1
        if i >= len(text):
            raise QueryTranslationError("unterminated quote in local parameters")
        return "".join(out), i + 1
    start = i
    while i < len(text) and not text[i].isspace() and text[i] != "}":
        i += 1
    return text[start:i], i


def split_local_params(text: str) -> tuple[Optional[LocalParams], str]:
    """(local parameters, the rest of the query), or (None, text)."""
    stripped = text.lstrip()
    if not stripped.startswith("{!"):
        return None, text
    i, parser, pairs = 2, None, []
    while True:
        while i < len(stripped) and stripped[i].isspace():
            i += 1
        if i >= len(stripped):
            raise QueryTranslationError("local parameters are not closed with '}'")
        if stripped[i] == "}":
            break
        m = _KEY.match(stripped, i)
        if not m:
            raise QueryTranslationError(f"cannot read local parameters at {stripped[i:]!r}")
        key, i = m.group(0), m.end()
        if i < len(stripped) and stripped[i] == "=":
            value, i = _value(stripped, i + 1)
            if value.startswith("$"):
                raise QueryTranslationError(
                    f"parameter references ({key}={value}) are not supported")
            if key == "type":
                parser = value
            else:
                pairs.append((key, value))
        elif parser is None and not pairs:
            parser = key  # {!lucene …}: the parser's name first
        else:
            raise QueryTranslationError(f"local parameter {key!r} has no value")
    if parser is None:
        raise QueryTranslationError("local parameters name no query parser")
    if parser not in SUPPORTED:
        raise QueryTranslationError(
            f"query parser {parser!r} is not supported by the PostgreSQL search backend "
            f"(supported: {', '.join(sorted(SUPPORTED))})")
    unknown = sorted({k for k, _ in pairs} - SUPPORTED[parser])
    if unknown:
        raise QueryTranslationError(
            f"local parameters {unknown} of the {parser} parser are not supported")
    return LocalParams(parser, pairs), stripped[i + 1:]
