"""GIS layers from an OGC API – Features service (`kind: ogcapi_features`):
one dataset per collection, the successor of WFS (ldproxy, pygeoapi,
QGIS Server's /wfs3, MapServer's /ogcapi, GeoServer's module).

units: the landing page → its `data` link (/collections) → the wanted
collections (include/exclude patterns); extract: the collection's
description and its items page by page (lazy) with `limit`, following the
`next` links through fetch.next_page (same origin, no loops, max_pages);
transform: the same LayerWriter as ogc_service (geometries checked,
repaired, every page proven against the advertised extent) into GeoJSON +
a CSV of the attributes, its Table Schema from the collection's queryables
where offered, else from the values seen; plan: title, description,
keywords, extent and licence links of the collection into our schema, a
link to the collection as a service. Vanished collections are withdrawn by
the runner (many_units).

CRS: RFC 7946 / Part 1 answers are CRS84. A configured `crs` is asked for
(Part 2 `crs=`) only where the collection lists it (by code: QGIS Server
lists versioned URIs, …/EPSG/9.6.2/25832, and is asked with its own URI);
a page's `Content-Crs` header (Part 2) says what it is in and is believed
over what was asked; every page of a collection must say the same. The
writer's extent check proves what came back either way (a server that
ignores `crs=` answers CRS84, and that reading is the one that lands in the
extent).
"""
from __future__ import annotations

import itertools
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from etl import features
from etl.reproject import authority_yx, crs_code

from ..fetch import MAX_PAGES, SourceError, get_json, next_page
from ..ogc import with_params
from ..plan import Plan
from .base import Build, Output, Unit
from .config import ConfigError
from .layers import LayerKind, LayersConfig, Overrides, keyword_tags, layer_files, layer_licence, layer_plan, \
    layer_slug, write_features

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
QUERYABLES_RELS = ("http://www.opengis.net/def/rel/ogc/1.0/queryables", "queryables")
# JSON Schema (queryables) → Table Schema types.
SCHEMA_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean"}
STRING_FORMATS = {"date": "date", "date-time": "datetime", "time": "time"}
XSD_NAMES = {"number": "double"}  # features.table_schema reads XSD type names


@dataclass(frozen=True, kw_only=True)
class FeaturesConfig(LayersConfig):  # include/exclude: shell patterns on collection ids
    url: str                            # the landing page
    collections: dict[str, Overrides] = field(default_factory=dict)
    crs: Optional[str] = None           # e.g. EPSG:25832, asked for where offered; default CRS84
    limit: int = 1000                   # items per page (servers cap it: MapServer at 10,000)
    max_pages: int = MAX_PAGES
    at_least_one = ("limit", "max_pages")

    def overrides(self, name: str) -> Overrides:
        return self.collections.get(name, Overrides())

    def check(self, source: str) -> None:
        super().check(source)
        if self.crs:
            try:
                crs_code(self.crs)
            except ValueError as e:
                raise ConfigError(f"source {source}: crs: {e}")


@dataclass(frozen=True)
class Collection:
    """A unit's context: the collection as /collections describes it, and the service."""
    id: str
    meta: dict[str, Any]
    url: str                 # the collection's own document
    items: str               # its items endpoint
    service: dict[str, Any]  # the landing page


@dataclass
class Extracted:
    fields: dict[str, str]          # property → Table Schema type ("" = from the values seen)
    crs: str                        # as the first page's Content-Crs says, else as asked (CRS84 or EPSG:n)
    bbox: Optional[list[float]]
    matched: Optional[int] = None   # numberMatched of the first page
    pages: Optional[Iterator[list]] = None
    first: list = field(default_factory=list)
    crs_not_offered: Optional[str] = None  # the configured crs, where the collection does not list it
    asked: Optional[str] = None     # the crs asked for, where the Content-Crs header says another


def content_crs(who: str, url: str, headers: dict) -> Optional[str]:
    """The CRS code a page's Content-Crs header names (`<URI>`), None where it sends none."""
    value = (headers.get("content-crs") or "").strip()
    if not value:
        return None
    try:
        return crs_code(value.strip("<> "))
    except ValueError:
        raise SourceError(f"{who}: {url} names an unknown coordinate reference system in its Content-Crs "
                          f"header: {value[:200]!r}")


def _link(doc: dict, *rels: str, base: str, types: tuple[str, ...] = ("json",)) -> Optional[str]:
    """The href of the doc's first link with one of these rels (JSON preferred), absolute."""
    links = [ln for ln in doc.get("links") or [] if isinstance(ln, dict) and ln.get("rel") in rels and ln.get("href")]
    # JSON first; of the `data` links the one to /collections (some servers mark more as data)
    links.sort(key=lambda ln: (not any(t in (ln.get("type") or "") for t in types),
                               "/collections" not in ln["href"]))
    return urllib.parse.urljoin(base, links[0]["href"]) if links else None


def _json_url(url: str, **params: str) -> str:
    return with_params(url, f="json", **params)


def _bbox(meta: dict) -> Optional[list[float]]:
    """The collection's spatial extent in WGS 84 (Part 1: the first bbox, CRS84)."""
    spatial = (meta.get("extent") or {}).get("spatial") or {}
    boxes = spatial.get("bbox") or []
    if not boxes or (spatial.get("crs") or CRS84) != CRS84:
        return None
    box = boxes[0]
    try:
        return [float(box[0]), float(box[1]), float(box[3]), float(box[4])] if len(box) == 6 else \
            [float(v) for v in box[:4]]
    except (TypeError, ValueError, IndexError):
        return None


def _keywords(meta: dict) -> list[str]:
    return keyword_tags((k.get("keyword") if isinstance(k, dict) else k) or "" for k in meta.get("keywords") or [])


def _licence_texts(*docs: dict) -> list[str]:
    """What the `license` links say (title and href), collection first."""
    return [f"{ln.get('title') or ''} {ln.get('href') or ''}" for doc in docs for ln in doc.get("links") or []
            if isinstance(ln, dict) and ln.get("rel") == "license"]


def _schema_fields(doc: dict) -> dict[str, str]:
    """Properties and their Table Schema types from a queryables/schema document."""
    out = {}
    for name, spec in (doc.get("properties") or {}).items():
        if not isinstance(spec, dict):
            continue
        fmt, ref = str(spec.get("format") or ""), str(spec.get("$ref") or "")
        if fmt.startswith("geometry") or "geojson" in ref.lower() or spec.get("x-ogc-role") == "primary-geometry":
            continue
        kind = spec.get("type")
        kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
        out[name] = SCHEMA_TYPES.get(kind) or (STRING_FORMATS.get(fmt, "string") if kind == "string" else "string")
    return out


def _value_type(value: Any) -> Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _widen(old: Optional[str], new: Optional[str]) -> Optional[str]:
    if old is None or old == new:
        return new or old
    if new is None:
        return old
    return "number" if {old, new} == {"integer", "number"} else "string"


class OgcApiFeatures(LayerKind):  # one dataset per collection
    name = "ogcapi_features"
    Config = FeaturesConfig

    def source_system(self, config: FeaturesConfig) -> str:
        return config.source_system or config.url

    def units(self, source: str, config: FeaturesConfig) -> list[Unit]:
        """One unit per wanted collection of the landing page's `data` link."""
        landing_url = _json_url(config.url)
        landing = self._document(source, landing_url, config, "landing page")
        listing = _link(landing, "data", base=landing_url) or urllib.parse.urljoin(
            config.url.split("?")[0].rstrip("/") + "/", "collections")
        listing = _json_url(listing)
        doc = self._document(source, listing, config, "collections")
        if not isinstance(doc.get("collections"), list):
            raise SourceError(f"{source}: {listing} lists no collections (no 'collections' array)")
        units = []
        for meta in doc["collections"]:
            cid = meta.get("id") if isinstance(meta, dict) else None
            if not cid or not config.wanted(cid):
                continue
            own = _link(meta, "self", base=listing) or urllib.parse.urljoin(
                listing.split("?")[0].rstrip("/") + "/", urllib.parse.quote(cid))
            items = _link(meta, "items", base=listing, types=("geo+json", "json")) or \
                own.split("?")[0].rstrip("/") + "/items"
            units.append(self.unit(source, cid, config, Collection(cid, meta, own, items, landing)))
        return units

    @staticmethod
    def _document(source: str, url: str, config: Any, what: str) -> dict:
        doc = get_json(source, url, config)
        if not isinstance(doc, dict):
            raise SourceError(f"{source}: the {what} {url} is not a JSON object")
        return doc

    def extract(self, unit: Unit, build: Build) -> Extracted:
        coll: Collection = unit.context
        config: FeaturesConfig = unit.config
        who = f"{unit.source}: collection {coll.id}"
        fields: dict[str, str] = {}
        queryables = _link(coll.meta, *QUERYABLES_RELS, base=coll.url, types=("schema+json", "json"))
        if queryables:
            fields = _schema_fields(self._document(who, queryables, config, "queryables"))
        # Part 2: only what the collection lists, asked by the collection's own URI for it
        offered = {_known_crs(c): str(c) for c in coll.meta.get("crs") or [] if _known_crs(c)}
        crs, params = "OGC:CRS84", {"limit": str(config.limit)}
        if config.crs and crs_code(config.crs) != "OGC:CRS84" and crs_code(config.crs) in offered:
            crs, params["crs"] = crs_code(config.crs), offered[crs_code(config.crs)]
        not_offered = config.crs if config.crs and crs == "OGC:CRS84" and crs_code(config.crs) != crs else None
        pages = self._pages(who, _json_url(coll.items, **params), config, params.get("crs"))
        first = next(pages, None)
        if first is None:
            raise SourceError(f"{who}: no items page")
        doc, page, said = first
        asked = None
        if said and said != crs:  # the server tells what it sent: that, not what was asked
            asked, crs = crs, said
        matched = doc.get("numberMatched")
        return Extracted(fields, crs, _bbox(coll.meta), matched if isinstance(matched, int) else None,
                         self._same_crs(who, pages, said), page, not_offered, asked)

    @staticmethod
    def _same_crs(who: str, pages: Iterator[tuple[dict, list, Optional[str]]],
                  first: Optional[str]) -> Iterator[list]:
        # One collection, one CRS: a page that says another would be misplaced by the writer.
        for number, (_, page, said) in enumerate(pages, start=2):
            if said != first:
                raise SourceError(f"{who}: page {number} is in {said or 'an unnamed CRS'} (Content-Crs), page 1 "
                                  f"in {first or 'an unnamed CRS'}; not published")
            yield page

    @staticmethod
    def _pages(who: str, url: str, config: FeaturesConfig,
               crs: Optional[str] = None) -> Iterator[tuple[dict, list, Optional[str]]]:
        """(document, [(id, properties, geometry)], Content-Crs code) per page, along the `next` links
        (with the `crs` asked for kept in them)."""
        seen: set = set()
        while url:
            headers: dict = {}
            doc = get_json(who, url, config, headers=headers)
            said = content_crs(who, url, headers)
            feats = doc.get("features") if isinstance(doc, dict) else None
            if not isinstance(feats, list) or doc.get("type") != "FeatureCollection":
                raise SourceError(f"{who}: {url} is not a GeoJSON FeatureCollection")
            try:
                page = [(f.get("id"), f.get("properties") or {}, f.get("geometry")) for f in feats]
            except AttributeError:
                raise SourceError(f"{who}: {url} has features that are not GeoJSON objects")
            yield doc, page, said
            if not feats:  # some servers send a next link after the last item
                return
            url = next_page(who, url, _link(doc, "next", base=url, types=("geo+json", "json")), seen,
                            config.max_pages)
            if url and crs and _param(url, "crs") != crs:
                # QGIS Server 3.22 garbles the crs URI in its next links ("%3A%2F%2F" becomes "7A7F7F")
                # and answers them HTTP 400: the page asked for is the same one in the CRS we asked.
                url = with_params(url, crs=crs)

    def transform(self, unit: Unit, extracted: Extracted, build: Build) -> Output:
        coll: Collection = unit.context
        who = f"{unit.source}: collection {coll.id}"
        name = layer_slug(coll.id)
        # Columns: the queryables', else the properties of the first page in their order.
        columns = list(extracted.fields) or list(dict.fromkeys(k for _, p, _ in extracted.first for k in p))
        seen_types: dict[str, Optional[str]] = {c: None for c in columns}
        yx = extracted.crs != "OGC:CRS84" and bool(authority_yx(extracted.crs))  # EPSG URIs: the CRS's own order
        writer = features.LayerWriter(build.directory, name, columns, extracted.crs, yx, extracted.bbox)
        extra_keys: set[str] = set()

        def ids(page):
            # LAYER.id, as a WFS's gml:id reads: the same feature_id whichever service it came from.
            for fid, props, geom in page:
                for key, value in props.items():
                    if key in seen_types:
                        seen_types[key] = _widen(seen_types[key], _value_type(value))
                    else:
                        extra_keys.add(key)
                yield (f"{coll.id}.{fid}" if fid not in (None, "") else None), props, geom

        pages = (list(ids(page)) for page in itertools.chain([extracted.first], extracted.pages))
        rows, warnings = write_features(writer, pages, who, new_each_page=True)
        if extracted.matched is not None and rows < extracted.matched:
            raise SourceError(f"{who}: the pages gave {rows} distinct features of the {extracted.matched} the "
                              "server counts (numberMatched); paging is incomplete, not published")
        warnings.update(crs=extracted.crs, axis="y/x" if writer.yx else "x/y", pages=writer.pages)
        if extracted.crs_not_offered:
            warnings["crs_not_offered"] = extracted.crs_not_offered  # read in CRS84 instead
        if extracted.asked:
            warnings["content_crs_not_asked"] = extracted.asked  # the header said extracted.crs
        if extra_keys:
            warnings["properties_not_in_table"] = sorted(extra_keys)
        types = {c: extracted.fields.get(c) or seen_types[c] or "string" for c in columns}
        schema = features.table_schema({c: XSD_NAMES.get(v, v) for c, v in types.items()})
        schema["fields"][0]["description"] = "Kennung des Objekts im Dienst (Sammlung.id)"
        licence = self._licence(unit)
        return Output(coll.meta.get("title") or coll.id, layer_files(name, schema, rows),
                      [{"title": coll.service.get("title") or unit.source, "path": self.source_system(unit.config)}],
                      None if licence == "notspecified" else licence, rows, warnings, context=extracted)

    @staticmethod
    def _licence(unit: Unit) -> str:
        coll: Collection = unit.context
        return layer_licence(unit.config.overrides(coll.id), unit.config, _licence_texts(coll.meta, coll.service))

    def plan(self, unit: Unit, output: Output) -> Plan:
        coll: Collection = unit.context
        config: FeaturesConfig = unit.config
        extracted: Extracted = output.context
        said = "; ".join(t.strip() for t in _licence_texts(coll.meta, coll.service)) or "keine Angabe"
        service_title = coll.service.get("title") or unit.source
        crs = ", ".join(crs_code(c) for c in coll.meta.get("crs") or [] if _known_crs(c)) or "CRS84"
        link = {"name": "OGC API – Features", "format": "JSON", "url": _json_url(coll.url),
                "description": f"OGC API – Features, Sammlung {coll.id} (Objekte: {coll.items.split('?')[0]}); "
                               f"Koordinatensysteme: {crs}.",
                "mimetype": "application/json", "resource_type": "service"}
        return layer_plan(
            unit, output, config.overrides(coll.id), [link],
            notes=coll.meta.get("description") or f"Sammlung „{coll.id}“ des Dienstes {service_title}.",
            keywords=_keywords(coll.meta), licence=self._licence(unit), licence_said=("Lizenz-Links", said),
            source_system=self.source_system(config), extent=extracted.bbox, contact=config.contact)


def _param(url: str, name: str) -> Optional[str]:
    query = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    return next((v for k, v in query if k.lower() == name), None)


def _known_crs(uri: Any) -> Optional[str]:
    """The code of a CRS URI, None where we do not know it."""
    try:
        return crs_code(str(uri))
    except ValueError:
        return None


KIND = OgcApiFeatures()
