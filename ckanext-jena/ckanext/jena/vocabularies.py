"""The controlled vocabularies in schemas/vocabularies, loaded once.

Each file lists values with their URI and German/English labels. A field
stores the term's URI, as DCAT-AP wants it (or, where CKAN shows the value
itself, its short id: licence, format, media type; `vocabulary_value: id`
in the schema). It may be given by id, URI, label or one of its `aliases`
(names clients commonly send, e.g. "WMS" or "ESRI Shapefile"); what a form
or harvester sends is normalised.
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from typing import Any, Optional

DIRECTORY = os.path.join(os.path.dirname(__file__), "schemas", "vocabularies")


@dataclass(frozen=True)
class Term:
    id: str
    uri: str
    label: dict[str, str]
    extra: dict[str, Any]


class Vocabulary:
    def __init__(self, name: str, title: str, terms: list[Term]):
        self.name = name
        self.title = title
        self.terms = terms
        self._lookup: dict[str, Term] = {}
        for term in terms:
            for key in (term.id, term.uri, *term.label.values(), *term.extra.get("aliases", ())):
                if key:  # a term without URI (licence "notspecified") is found by id and label
                    self._lookup.setdefault(key.casefold(), term)

    def find(self, value: Any) -> Optional[Term]:
        if not isinstance(value, str):
            return None
        return self._lookup.get(value.strip().casefold())

    def __contains__(self, value: Any) -> bool:
        return self.find(value) is not None

    def choices(self, value: str = "uri") -> list[dict[str, Any]]:
        """scheming choices: the URI (or id) as value, both labels."""
        return [{"value": getattr(t, value), "label": t.label} for t in self.terms]


@functools.lru_cache(maxsize=None)
def vocabulary(name: str) -> Vocabulary:
    path = os.path.join(DIRECTORY, f"{name}.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    terms = [Term(v["id"], v["uri"], v["label"],
                  {k: x for k, x in v.items() if k not in ("id", "uri", "label")})
             for v in data["values"]]
    return Vocabulary(data["name"], data["title"], terms)


def names() -> list[str]:
    return sorted(f[:-5] for f in os.listdir(DIRECTORY) if f.endswith(".json"))
