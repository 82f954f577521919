"""SHACL validation of our DCAT-AP output against "DCAT-AP 3.0.de – Deutsche Spezifikation".

A dataset is validated on its own subgraph (what /dataset/NAME.ttl serves, with the
configured ckanext-dcat profiles), with the vocabulary facts of the values it uses added,
never the whole catalogue; that keeps a change's check well under a second.

`compliance(package_id)` is what the quality score reads: True (no violations), False, or
None before the first finished validation. While a change is being checked it stays the
last finished result (the score does not flicker on every edit); the job reindexes the
dataset when the outcome changes.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any, Optional

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.rdfutil.stringify import stringify_blank_node
from rdflib import Graph, URIRef

from . import results, shapes, store



class _Parameters(list):
    """pyshacl looks up each predicate of each shape in its list of constraint
    parameters (a list scan, a third of a dataset's time); the same list with a
    set's lookup. copy() still gives pyshacl a plain list for its advanced mode."""
    def __init__(self, items):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item):
        return item in self._members


def _speed_up_pyshacl() -> None:
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    # pyshacl caches this pair on its module at the first validation; we seed it.
    if getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None) is None:
        pyshacl.shape.CONSTRAINT_PARAMS = (_Parameters(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


_speed_up_pyshacl()
OPTIONS = {"inference": "none", "allow_warnings": True, "allow_infos": True, "inplace": True,
           "advanced": False}


def _with_vocabularies(data: Graph) -> Graph:
    graph = Graph()
    for prefix, namespace in data.namespaces():
        graph.bind(prefix, namespace, override=True)
    graph += data
    known = shapes.term_triples()
    for node in set(data.objects()):
        if isinstance(node, URIRef) and node in known:
            for triple in known[node]:
                graph.add(triple)
    for triple in shapes.class_hierarchy():
        graph.add(triple)
    return graph


def validate_graph(data: Graph) -> dict[str, Any]:
    """Validate an RDF graph; the report as data (see results.extract)."""
    started = time.perf_counter()
    graph = _with_vocabularies(data)
    shapes_graph = shapes.shapes_graph()
    validator = Validator(DataGraph.from_rdflib(graph), shacl_graph=shapes_graph, options=dict(OPTIONS))
    # The shapes parsed once per process, not on every dataset (a third of the time).
    validator.shacl_graph = shapes.parsed_shapes()
    _, report, _ = validator.run()
    # pyshacl keeps the text of every blank node it reported, per graph, for ever.
    stringify_blank_node.dict_cache.clear()
    found = results.extract(report, shapes_graph, graph)
    counts = {severity: sum(1 for r in found if r["severity"] == severity)
              for severity in ("violation", "warning", "info")}
    return {
        "profile": shapes.PROFILE,
        "conforms": counts["violation"] == 0,
        "violations": counts["violation"],
        "warnings": counts["warning"],
        "infos": counts["info"],
        "results": found,
        "triples": len(data),
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "checked": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def dataset_graph(pkg_dict: dict[str, Any]) -> Graph:
    """The dataset's own graph as the portal serves it (ckanext.dcat.rdf.profiles)."""
    from ckanext.dcat.processors import RDFSerializer
    serializer = RDFSerializer()
    serializer.graph_from_dataset(pkg_dict)
    return serializer.g


def validate_dataset(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    report = validate_graph(dataset_graph(pkg_dict))
    report["package_id"] = pkg_dict["id"]
    return report


def result(package_id: str) -> Optional[dict[str, Any]]:
    """The stored result of a dataset (status pending, done or error), or None."""
    return store.load(package_id)


def compliance(package_id: str) -> Optional[bool]:
    """DCAT-AP.de compliance for the quality score: True when the last finished
    validation found no violations, False when it found some, None when the
    dataset has not been validated yet."""
    stored = store.load(package_id)
    return None if stored is None else stored["conforms"]
