"""Field kinds of CKAN's Solr schema, read from the schema.xml CKAN ships.

The backend answers queries the way Solr with CKAN's own schema would, so the
schema file is the single source of truth for which field is an exact string,
a date, a number, analysed text or an n-gram field, and which fields feed the
catch-all `text` field.
"""
from __future__ import annotations

import fnmatch
import functools
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import ckan.config

STRING, TEXT, NGRAM, DATE, INT, FLOAT, BOOL = (
    "string", "text", "ngram", "date", "int", "float", "bool")

_CLASS_KINDS = {
    "solr.StrField": STRING,
    "solr.BoolField": BOOL,
    "solr.IntPointField": INT,
    "solr.LongPointField": INT,
    "solr.FloatPointField": FLOAT,
    "solr.DoublePointField": FLOAT,
    "solr.DatePointField": DATE,
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    multi: bool


class SolrSchema:
    def __init__(self, path: str):
        root = ET.parse(path).getroot()
        kinds: dict[str, str] = {}
        for ft in root.iter("fieldType"):
            cls = ft.get("class", "")
            if cls == "solr.TextField":
                kinds[ft.get("name")] = NGRAM if "ngram" in ft.get("name") else TEXT
            else:
                kinds[ft.get("name")] = _CLASS_KINDS.get(cls, STRING)
        self._fields = {
            f.get("name"): Field(f.get("name"), kinds[f.get("type")],
                                 f.get("multiValued") == "true")
            for f in root.iter("field")
        }
        # Solr matches dynamic fields longest pattern first.
        dyn = [(f.get("name"), kinds[f.get("type")], f.get("multiValued") == "true")
               for f in root.iter("dynamicField")]
        self._dynamic = sorted(dyn, key=lambda d: -len(d[0]))
        self._copies: dict[str, list[str]] = {}
        for c in root.iter("copyField"):
            self._copies.setdefault(c.get("dest"), []).append(c.get("source"))
        self.text_sources = tuple(self.copy_sources("text"))

    def copy_sources(self, dest: str) -> list[str]:
        """Source fields (patterns) copied into `dest`, followed transitively
        (url -> urls -> text)."""
        out: list[str] = []
        for src in self._copies.get(dest, []):
            if src == dest:
                continue
            out.append(src)
            out.extend(s for s in self.copy_sources(src) if s not in out)
        return out

    def field(self, name: str) -> Field:
        if name in self._fields:
            return self._fields[name]
        for pattern, kind, multi in self._dynamic:
            if fnmatch.fnmatchcase(name, pattern):
                return Field(name, kind, multi)
        return Field(name, STRING, False)

    def copies_into_text(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, src) for src in self.text_sources)


@functools.lru_cache(maxsize=1)
def solr_schema() -> SolrSchema:
    path = os.path.join(os.path.dirname(ckan.config.__file__), "solr", "schema.xml")
    return SolrSchema(path)
