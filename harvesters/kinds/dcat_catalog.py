"""DCAT-AP catalogues (`kind: dcat_catalog`): one dataset per dcat:Dataset.

units: the catalogue read over HTTP (Turtle, RDF/XML or JSON-LD), page by
page along Hydra's `hydra:next`/`nextPage` as ckanext-dcat and piveau serve
it, parsed with ckanext-dcat's RDF parser and our DCAT-AP.de profile;
extract: the dataset's own record (its subgraph); transform: that record as
canonical, sorted N-Triples (valid Turtle) — the package's one file, so an
unchanged record is an unchanged package and nothing is written; plan: our
schema's fields from the record (vocabulary values by URI; values outside
our vocabularies are kept and listed on the dataset), the distributions as
links. Datasets that leave the catalogue are withdrawn by the runner, and a
dataset of the same name that this source did not create is never touched.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterator, Literal, Optional

from etl import safexml
from etl.names import slug

from ..fetch import SourceError, get, next_page
from ..plan import Plan
from .base import Build, File, Output, Unit
from .config import ConfigError, SourceConfig

RECORD = "dcat-datensatz.ttl"
DCAT = "http://www.w3.org/ns/dcat#"
DCAT_DATASET = DCAT + "Dataset"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS = {"turtle": "turtle", "xml": "xml", "json-ld": "json-ld"}
# Our schema's fields a record fills; everything else a steward may add stays.
PROFILES = ["euro_dcat_ap_3", "dcat_ap_de"]


@dataclass(frozen=True, kw_only=True)
class CatalogConfig(SourceConfig):
    url: str                                   # the catalogue (its first page)
    format: Optional[Literal["turtle", "xml", "json-ld"]] = None  # default: told by the content
    max_pages: int = 200
    max_datasets: int = 10000
    at_least_one = ("max_pages", "max_datasets")

    def check(self, source: str) -> None:
        super().check(source)
        if not self.url.startswith(("http://", "https://", "file:")):
            raise ConfigError(f"source {source}: url must be an http(s) URL of the catalogue")


@dataclass(frozen=True)
class Record:
    """One dcat:Dataset of the catalogue: its URI, what the profile parsed, its triples."""
    uri: str
    parsed: dict[str, Any]
    triples: str      # canonical N-Triples, sorted (valid Turtle)
    page: str         # the catalogue page it came from


def _syntax(config: CatalogConfig, body: bytes) -> str:
    if config.format:
        return FORMATS[config.format]
    head = body[:2048].lstrip().lstrip(b"\xef\xbb\xbf")
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith(b"<") and not head.startswith(b"<http"):  # RDF/XML, not a Turtle IRI
        return "xml"
    return "turtle"


def _remote_contexts(value: Any) -> bool:
    """Does a JSON-LD document name a @context by URL? (rdflib would fetch it,
    past the outbound guard.)"""
    if isinstance(value, dict):
        ctx = value.get("@context")
        if isinstance(ctx, str) or (isinstance(ctx, list) and any(isinstance(c, str) for c in ctx)):
            return True
        return any(_remote_contexts(v) for v in value.values())
    if isinstance(value, list):
        return any(_remote_contexts(v) for v in value)
    return False


def _check_safe(source: str, url: str, syntax: str, body: bytes) -> None:
    if syntax == "xml":
        try:
            safexml.check(body)
        except safexml.UnsafeXML as e:
            raise SourceError(f"{source}: {url}: {e}")
    elif syntax == "json-ld":
        try:
            document = json.loads(body)
        except ValueError as e:
            raise SourceError(f"{source}: {url} is not valid JSON-LD ({e})")
        if _remote_contexts(document):
            raise SourceError(f"{source}: {url} names a remote JSON-LD @context; contexts are never "
                              "fetched — embed it in the document, or serve Turtle or RDF/XML")


def _subgraph(graph, node):
    """The dataset's description: its triples, and those of the blank nodes and
    distributions it points to (a concise bounded description, one hop into
    distributions and contact points)."""
    from rdflib import BNode, Graph, URIRef
    out, todo, seen = Graph(), [node], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for s, p, o in graph.triples((subject, None, None)):
            out.add((s, p, o))
            if isinstance(o, BNode) or (isinstance(o, URIRef) and subject == node and str(p).startswith(DCAT)
                                        and (o, None, None) in graph and o != node):
                todo.append(o)
    return out


def _canonical(graph) -> str:
    from rdflib.compare import to_canonical_graph
    lines = to_canonical_graph(graph).serialize(format="nt").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def read_catalog(source: str, config: CatalogConfig) -> Iterator[Record]:
    """Every dataset of the catalogue, page by page."""
    from ckanext.dcat.processors import RDFParser
    from rdflib import URIRef

    url: Optional[str] = config.url
    seen: set = set()
    count = 0
    while url:
        body = get(source, url, "rdf", config)
        syntax = _syntax(config, body)
        _check_safe(source, url, syntax, body)
        parser = RDFParser(profiles=PROFILES)
        try:
            parser.parse(body, _format=syntax)
        except Exception as e:  # rdflib's parsers raise many kinds; each is the source's fault
            raise SourceError(f"{source}: {url} is not readable as {syntax} ({str(e)[:300]})")
        graph = parser.g
        for ref in sorted(set(graph.subjects(URIRef(RDF_TYPE), URIRef(DCAT_DATASET))), key=str):
            count += 1
            if count > config.max_datasets:
                raise SourceError(f"{source}: more than {config.max_datasets} datasets; stopped "
                                  "(raise max_datasets if the catalogue is that big)")
            yield Record(str(ref), _parse_one(parser, ref), _canonical(_subgraph(graph, ref)), url)
        following = parser.next_page()
        if following in (None, url) or not url.startswith("http"):
            break
        url = next_page(source, url, following, seen, config.max_pages)


def _parse_one(parser, ref) -> dict[str, Any]:
    """The profiles' dict of one dataset, as ckanext-dcat's parser.datasets()
    builds it, for that node only."""
    dataset: dict[str, Any] = {}
    for profile_class in parser._profiles:
        profile = profile_class(parser.g, dataset_type="dataset", compatibility_mode=False)
        # Cron runs this without CKAN, tests inside it, where the profiles
        # would switch to scheming's field layout: one layout, the plain one.
        profile._dataset_schema = None
        profile.parse_dataset(dataset, ref)
    return dataset


class DcatCatalog:
    name = "dcat_catalog"
    Config = CatalogConfig
    many_units = True

    def dataset_name(self, unit: str) -> str:
        return unit

    def source_system(self, config: CatalogConfig) -> str:
        return config.source_system or config.url

    def units(self, source: str, config: CatalogConfig) -> list[Unit]:
        prefix = self.dataset_name(source)  # the runner lists this source's datasets by it
        units, names = [], set()
        for record in read_catalog(source, config):
            title = record.parsed.get("title") or ""
            key = hashlib.sha1(record.uri.encode()).hexdigest()[:8]
            # No `_`, and the capitals of compatibility forms (№, ™) dropped: the rule of
            # the first imports (a renamed dataset is a new one).
            title_part = slug(title, keep="", compat_capitals=False, max_length=60) or "datensatz"
            name = f"{prefix}-{title_part}-{key}"[:100]
            if name in names:  # the same dataset on two pages
                continue
            names.add(name)
            units.append(Unit(source, name, name, config, record))
        return units

    def extract(self, unit: Unit, build: Build) -> Record:
        return unit.context

    def transform(self, unit: Unit, record: Record, build: Build) -> Output:
        if not record.parsed.get("title"):
            raise SourceError(f"{unit.source}: the dataset {record.uri} has no dct:title; not imported")
        with open(f"{build.directory}/{RECORD}", "w", encoding="utf-8") as f:
            f.write(record.triples)
        title = record.parsed["title"]
        return Output(title, [File(RECORD, "dcat-datensatz", "rdf_turtle", "text/turtle",
                                   f"Der Metadatensatz, wie ihn die Quelle veröffentlicht (DCAT-AP, aus {record.page}).",
                                   resource_type="documentation")],
                      [{"title": unit.source, "path": record.uri}], None, 0, context=record)

    def plan(self, unit: Unit, output: Output) -> Plan:
        from .dcat_mapping import dataset_fields, links
        record: Record = output.context
        dataset, notes = dataset_fields(unit.dataset, record.parsed, record.uri, self.source_system(unit.config),
                                        unit.config)
        return Plan(dataset, unit.config.organization, links(record.parsed), note=notes, exclusive=True)


KIND = DcatCatalog()
