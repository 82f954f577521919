"""Facet counts of recent searches, reused until the index changes.

Most searches of a portal are the same few: the bare /dataset page and its
sort orders and pages, an organisation's or a group's page. Their facet
counts cover every hit (100,000 at GovData's size, ~30 ms) although they
change only when the index does. Solr keeps such results per searcher and
drops them at a commit; here they are kept per process under the index's
generation (table.GENERATION), which moves on with every change of the
index: a trigger moves it inside the writing transaction and writes.py once
more after the commit, so counts computed from the state before a commit
are never served after it. A write that bypasses this backend (SQL of an
operator) moves the generation only inside its transaction: counts a search
computes in that moment from the state before its commit would stay, so no
count older than `max_age` seconds is reused.
"""
from __future__ import annotations

import copy
import json
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional

# Distinct searches kept per process; each entry is a few hundred values.
SIZE = 256

Facets = dict[str, list[Any]]


class FacetCache:
    def __init__(self, size: int = SIZE, clock: Callable[[], float] = time.monotonic):
        self._entries: OrderedDict[Hashable, tuple[float, Facets, Optional[int]]] = OrderedDict()
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: Hashable, max_age: float) -> Optional[tuple[Facets, Optional[int]]]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            made, facets, hits = entry
            if self._clock() - made > max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        # CKAN turns the lists into dicts in place (ckan.lib.search.query).
        return copy.deepcopy(facets), hits

    def put(self, key: Hashable, facets: Facets, hits: Optional[int]) -> None:
        with self._lock:
            self._entries[key] = (self._clock(), copy.deepcopy(facets), hits)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def key(generation: Hashable, where: str, values: dict[str, Any], fields: list[str],
        limit: int, mincount: int, patterns: tuple[str, ...]) -> Hashable:
    """Everything the counts of a search depend on: the index's generation,
    the WHERE with its bound values (permission labels included) and the
    facet parameters."""
    return (generation, where, json.dumps(values, sort_keys=True, default=str),
            tuple(fields), limit, mincount, patterns)


CACHE = FacetCache()
