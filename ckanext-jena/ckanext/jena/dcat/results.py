"""pyshacl's validation report as structured results a steward can act on.

Each result says where (dataset, resource „x“, its contact, checksum …), which property,
which value, and the shape's own messages by language. The vocabulary shapes of
DCAT-AP.de test the *value* (its `skos:inScheme`), so their focus node is the value: such
a result is turned round to the resource that holds the value and the property it sits in.
"""
from __future__ import annotations

from typing import Any, Optional

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from .namespaces import DCAT, DCT, FOAF, RDF, RDFS, SH, VCARD, qname

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
ORDER = {"violation": 0, "warning": 1, "info": 2}
# Constraint parameters worth quoting in a message.
PARAMETERS = (SH.minCount, SH.maxCount, SH.nodeKind, SH.datatype, SH["class"], SH.hasValue,
              SH.pattern, SH["in"])
TOP_TYPES = {DCAT.Dataset: "dataset", DCAT.Distribution: "resource", DCAT.Catalog: "catalog",
             DCAT.DataService: "service", DCAT.DatasetSeries: "dataset"}


def path_text(shapes: Graph, path) -> str:
    """A property path as people read it: `dct:format`, `a | b`, `a/b`."""
    if isinstance(path, URIRef):
        return qname(path)
    if path is None:
        return ""
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(path_text(shapes, p) for p in Collection(shapes, alternatives))
    if shapes.value(path, RDF.first) is not None:
        return "/".join(path_text(shapes, p) for p in Collection(shapes, path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(shapes, inverse)
    return str(path)


def node_text(node) -> Optional[str]:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        return None  # an anonymous node has no name worth showing
    return str(node)


def _label(graph: Graph, node) -> Optional[str]:
    for predicate in (DCT.title, FOAF.name, VCARD.fn):
        value = graph.value(node, predicate)
        if value is not None:
            return str(value)
    return None


def where(graph: Graph, node, limit: int = 5) -> list[dict[str, Any]]:
    """The way from the top (dataset, resource, catalogue) down to `node`:
    [{"type": "resource", "label": "baeume.csv", "uri": …}, {"type": "property",
    "path": "spdx:checksum"}]."""
    trail: list[dict[str, Any]] = []
    seen = set()
    while node is not None and node not in seen and len(trail) < limit:
        seen.add(node)
        kind = next((TOP_TYPES[t] for t in graph.objects(node, RDF.type) if t in TOP_TYPES), None)
        if kind is not None:
            trail.append({"type": kind, "label": _label(graph, node), "uri": node_text(node)})
            break
        parents = [(s, p) for s, p in graph.subject_predicates(node) if p != RDF.type]
        if not parents:
            trail.append({"type": "node", "uri": node_text(node)})
            break
        # A node in several places (a publisher of dataset and service): the dataset's.
        parents.sort(key=lambda sp: 0 if (sp[0], RDF.type, DCAT.Dataset) in graph else 1)
        subject, predicate = parents[0]
        trail.append({"type": "property", "path": qname(predicate)})
        node = subject
    return list(reversed(trail))


def _instance_of(data: Graph, node, cls) -> bool:
    classes = set(data.objects(node, RDF.type))
    seen = set()
    while classes - seen:
        current = (classes - seen).pop()
        if current == cls:
            return True
        seen.add(current)
        classes |= set(data.objects(current, RDFS.subClassOf))
    return False


def _holders(shapes: Graph, data: Graph, outer, outer_path, value) -> list:
    """Who holds `value` under `outer_path`, among the targets of the node shape
    that owns the property shape `outer` (the Catalog's list shape must not
    report the language of a Distribution)."""
    if not isinstance(outer_path, URIRef):
        return []
    holders = list(data.subjects(outer_path, value))
    owner = shapes.value(predicate=SH.property, object=outer)
    target = shapes.value(owner, SH.targetClass) if owner is not None else None
    if target is not None:
        holders = [h for h in holders if _instance_of(data, h, target)]
    return holders


def _messages(shapes: Graph, shape) -> dict[str, str]:
    """The shape's sh:message by language. The untagged messages of this profile
    are all GovData's German ones (the SEMIC shapes carry none)."""
    out: dict[str, str] = {}
    for message in shapes.objects(shape, SH.message):
        lang = (getattr(message, "language", None) or "de").lower()
        out.setdefault(lang, str(message))
    return out


def _parameters(shapes: Graph, shape) -> dict[str, str]:
    params = {}
    for parameter in PARAMETERS:
        value = shapes.value(shape, parameter)
        if value is not None:
            params[qname(parameter).split(":", 1)[1]] = qname(value) if isinstance(value, URIRef) else str(value)
    return params


def extract(report: Graph, shapes: Graph, data: Graph) -> list[dict[str, Any]]:
    results = []
    seen = set()
    for result in report.objects(None, SH.result):
        shape = report.value(result, SH.sourceShape)
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        component = report.value(result, SH.sourceConstraintComponent)
        # pyshacl reports a value's vocabulary check once per holder of the value,
        # all alike (the holder is not in the result); one is enough.
        key = tuple(n.n3() if n is not None else "" for n in (shape, focus, path, value, component))
        if key in seen:
            continue
        seen.add(key)
        item = {
            "severity": SEVERITIES.get(report.value(result, SH.resultSeverity), "violation"),
            "component": qname(component).split(":", 1)[-1].replace("ConstraintComponent", ""),
            "shape": str(shape) if isinstance(shape, URIRef) else None,
            "messages": _messages(shapes, shape),
            "params": _parameters(shapes, shape),
        }
        outer = shapes.value(predicate=SH.property, object=shape)
        outer_path = shapes.value(outer, SH.path) if outer is not None else None
        holders = _holders(shapes, data, outer, outer_path, focus)
        if holders and (outer, RDF.type, SH.NodeShape) not in shapes:
            # A vocabulary check on the value: report it at the value's holders.
            for holder in holders:
                results.append(dict(item, path=qname(outer_path), value=node_text(focus),
                                    focus=node_text(holder), where=where(data, holder)))
            continue
        item.update(path=path_text(shapes, path) or path_text(shapes, shapes.value(shape, SH.path)),
                    value=node_text(value), focus=node_text(focus), where=where(data, focus))
        results.append(item)
    results.sort(key=lambda r: (ORDER[r["severity"]], r["path"], r["value"] or ""))
    return results
