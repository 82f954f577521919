"""The validation profile "DCAT-AP 3.0.de – Deutsche Spezifikation", from local files.

GovData's validator (validator-config.properties, type v30_de_spec) builds it from the
DCAT-AP 3.0.0 shapes of SEMIC and five DCAT-AP.de 3.0 files; the `owl:imports` of
dcat-ap-de-imports.ttl (EU authority tables, dcat-ap.de lists, SPDX, ADMS, FOAF/vCard/ORG)
are replaced here by our vocabulary files and the vendored ontologies (schemas/shacl/,
provenance in its README), so a validation never goes to the network.
"""
from __future__ import annotations

import functools
import os
from collections import defaultdict

import yaml
from rdflib import Graph, Literal, URIRef

from ckanext.jena.vocabularies import vocabulary

from .namespaces import RDF, RDFS, SKOS

PROFILE = "DCAT-AP 3.0.de – Deutsche Spezifikation"
DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas", "shacl")
SHAPE_FILES = (
    "dcat-ap-3.0.0-SHACL.ttl",
    "dcat-ap-de-3.0/dcat-ap-de-imports.ttl",
    "dcat-ap-de-3.0/dcat-ap-SHACL-DE.ttl",
    "dcat-ap-de-3.0/dcat-ap-de-deprecated.ttl",
    "dcat-ap-de-3.0/dcat-ap-spec-german-additions.ttl",
    "dcat-ap-de-3.0/dcat-ap-de-controlledvocabularies.ttl",
)
# Of the imported ontologies only the class hierarchy matters to the shapes (a
# vcard:Organization is a vcard:Kind, a foaf:Person a foaf:Agent for sh:class).
ONTOLOGY_FILES = ("mirror/foaf_0_1.rdf", "mirror/vcard.ttl", "mirror/org.ttl")
# Vocabularies with no file in schemas/vocabularies, stated as RDF.
VOCABULARY_FILES = ("vocabularies/spdx-checksum-algorithms.ttl",
                    "vocabularies/adms-publisher-types.ttl",
                    "vocabularies/eu-authority-tables.ttl")


def _path(name: str) -> str:
    return os.path.join(DIRECTORY, name)


@functools.lru_cache(maxsize=None)
def shapes_graph() -> Graph:
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(_path(name))
    return graph


@functools.lru_cache(maxsize=None)
def parsed_shapes():
    """pyshacl's shapes of the profile, harvested once: they hold no state of a
    validation (the data graph is passed to every check)."""
    from pyshacl.shapes_graph import ShapesGraph
    parsed = ShapesGraph(shapes_graph())
    parsed.shapes  # noqa: B018 - the property harvests and caches the shapes
    return parsed


@functools.lru_cache(maxsize=None)
def class_hierarchy() -> tuple:
    graph = Graph()
    for name in ONTOLOGY_FILES:
        graph.parse(_path(name))
    return tuple((s, RDFS.subClassOf, o) for s, o in graph.subject_objects(RDFS.subClassOf)
                 if isinstance(s, URIRef) and isinstance(o, URIRef))


@functools.lru_cache(maxsize=None)
def term_triples() -> dict[URIRef, tuple]:
    """What the vocabularies say about each controlled value, by its URI: its
    scheme, classes and labels. Only the values a graph uses are added to it."""
    by_term: dict[URIRef, list] = defaultdict(list)
    with open(_path("vocabularies/schemes.yaml"), encoding="utf-8") as f:
        schemes = yaml.safe_load(f)
    for name, spec in schemes.items():
        scheme = URIRef(spec["scheme"]) if spec.get("scheme") else None
        for term in vocabulary(name).terms:
            if not term.uri:
                continue
            uri = URIRef(term.uri)
            if scheme is not None:
                by_term[uri].append((uri, SKOS.inScheme, scheme))
            by_term[uri] += [(uri, RDF.type, URIRef(c)) for c in spec.get("classes", [])]
            by_term[uri] += [(uri, SKOS.prefLabel, Literal(text, lang=lang))
                             for lang, text in term.label.items() if text]
    extra = Graph()
    for name in VOCABULARY_FILES:
        extra.parse(_path(name))
    for s, p, o in extra:
        if isinstance(s, URIRef):
            by_term[s].append((s, p, o))
    return {uri: tuple(triples) for uri, triples in by_term.items()}


def warm() -> None:
    """Parse everything once (a worker or the CLI before its first dataset)."""
    parsed_shapes()
    class_hierarchy()
    term_triples()
