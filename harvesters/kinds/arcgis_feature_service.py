"""GIS layers from an ArcGIS feature service (`kind: arcgis_feature_service`):
one dataset per layer of a FeatureServer or MapServer REST endpoint
(ArcGIS Server, ArcGIS Online, ArcGIS Enterprise portals of cities and Länder).

units: the service root `?f=json` → its `layers` (include/exclude patterns
on the layer names); extract: the layer's own description (`/<id>?f=json`:
fields with their esriFieldTypes and coded-value domains, extent with its
spatialReference, maxRecordCount, pagination, query formats, objectIdField),
its count (`returnCountOnly`), then `query` page by page (lazy) with
`where=1=1&outFields=*&f=geojson&outSR=4326`, `resultOffset` /
`resultRecordCount` (at most the layer's maxRecordCount) and
`orderByFields=<objectIdField>` so that pages do not shift between requests,
until a page no longer says `exceededTransferLimit`; transform: the same
LayerWriter as the OGC kinds (geometries checked, repaired, every page proven
against the layer's extent), the attributes typed from the layer's fields.

GeoJSON (RFC 7946) is WGS 84, so outSR=4326 is asked whatever the layer's
own spatial reference; the writer's extent proof checks what came back.
A layer without geoJSON in its supportedQueryFormats (ArcGIS Server before
10.4) is asked for f=json, also with outSR=4326, and its Esri geometries
turned into GeoJSON here (esri_json.py): points, multipoints, paths, rings
(outer rings clockwise, holes counter-clockwise, each hole to the outer ring
that holds it).

Quirks of ArcGIS services handled:
- errors come as HTTP 200 with {"error": {"code", "message"}}: the unit
  fails with the service's message;
- esriFieldTypeDate values are epoch milliseconds: written as ISO 8601
  UTC datetimes (Table Schema datetime), DateOnly as dates;
- coded-value domains: the column holds the code's name (what a reader
  understands), and a column FIELD_code keeps the code itself (nothing lost,
  joins with the service's own data still possible).
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from etl import features
from etl.reproject import crs_code, transformer

from ..fetch import MAX_PAGES, SourceError, get_json
from ..ogc import with_params
from ..plan import Plan
from . import esri_json
from .base import Build, Output, Unit
from .layers import LayerKind, LayersConfig, Overrides, layer_files, layer_licence, layer_plan, layer_slug, \
    write_features

# esriFieldType → Table Schema type; types not listed (geometry, blob, raster, XML) are no columns.
FIELD_TYPES = {
    "esriFieldTypeOID": "integer", "esriFieldTypeSmallInteger": "integer", "esriFieldTypeInteger": "integer",
    "esriFieldTypeBigInteger": "integer", "esriFieldTypeSingle": "number", "esriFieldTypeDouble": "number",
    "esriFieldTypeString": "string", "esriFieldTypeGUID": "string", "esriFieldTypeGlobalID": "string",
    "esriFieldTypeDate": "datetime", "esriFieldTypeDateOnly": "date", "esriFieldTypeTimeOnly": "time",
    "esriFieldTypeTimestampOffset": "datetime",
}
XSD_NAMES = {"number": "double"}  # features.table_schema reads XSD type names
WEB_MERCATOR = {102100, 102113, 900913}  # Esri's old ids of EPSG:3857
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True, kw_only=True)
class ArcGISConfig(LayersConfig):  # include/exclude: shell patterns on layer names
    url: str                            # the service root, …/FeatureServer or …/MapServer
    layers: dict[str, Overrides] = field(default_factory=dict)
    page_size: int = 1000               # features per query; never more than the layer's maxRecordCount
    max_pages: int = MAX_PAGES
    at_least_one = ("page_size", "max_pages")

    def overrides(self, name: str) -> Overrides:
        return self.layers.get(name, Overrides())


@dataclass(frozen=True)
class Layer:
    """A unit's context: the layer as the service root lists it, and the service."""
    id: int
    name: str
    url: str                 # …/FeatureServer/<id>
    service: dict[str, Any]  # the service root's document


@dataclass
class Column:
    name: str
    type: str                              # Table Schema type
    esri: str
    domain: Optional[dict[Any, str]] = None  # code → name of a coded-value domain


@dataclass
class Extracted:
    meta: dict[str, Any]
    columns: list[Column]
    bbox: Optional[list[float]]
    count: Optional[int]
    pages: Iterator[list]
    format: str = "geojson"   # what the query was asked for: geojson, else (Esri) json


def answer(who: str, url: str, config: Any) -> dict:
    """A JSON object from the service; its {"error": …} (sent with HTTP 200) is a SourceError with its message."""
    doc = get_json(who, url, config)
    if not isinstance(doc, dict):
        raise SourceError(f"{who}: {url} is not a JSON object")
    error = doc.get("error")
    if error is not None:
        error = error if isinstance(error, dict) else {"message": error}
        details = "; ".join(str(d) for d in error.get("details") or [] if d)
        raise SourceError(f"{who}: the service answered {url.split('?')[0]} with error {error.get('code', '?')}: "
                          f"{error.get('message') or 'no message'}" + (f" ({details})" if details else ""))
    return doc


def _wkid(spatial_reference: Any) -> Optional[str]:
    if not isinstance(spatial_reference, dict):
        return None
    wkid = spatial_reference.get("latestWkid") or spatial_reference.get("wkid")
    if not isinstance(wkid, int):
        return None
    return "EPSG:3857" if wkid in WEB_MERCATOR else f"EPSG:{wkid}"


def extent_lonlat(extent: Any) -> Optional[list[float]]:
    """The layer's extent (in its spatialReference) as a WGS 84 box; None where it gives none we can read."""
    try:
        xmin, ymin, xmax, ymax = (float(extent[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
        code = crs_code(_wkid(extent.get("spatialReference")) or "EPSG:4326")
    except (TypeError, KeyError, ValueError):
        return None  # an empty layer says "NaN" or nothing
    if code in ("EPSG:4326", "OGC:CRS84"):
        return [xmin, ymin, xmax, ymax]
    # the edges, not only the corners: a projected box is curved in lon/lat
    xs = [xmin + (xmax - xmin) * i / 4 for i in range(5)]
    ys = [ymin + (ymax - ymin) * i / 4 for i in range(5)]
    px = xs + xs + [xmin] * 5 + [xmax] * 5
    py = [ymin] * 5 + [ymax] * 5 + ys + ys
    lon, lat = transformer(code).transform(px, py)
    return [min(lon), min(lat), max(lon), max(lat)]


def columns(meta: dict) -> list[Column]:
    out = []
    for f in meta.get("fields") or []:
        if not isinstance(f, dict) or not f.get("name") or f.get("type") not in FIELD_TYPES:
            continue
        domain = f.get("domain") if isinstance(f.get("domain"), dict) else {}
        coded = {c.get("code"): str(c.get("name")) for c in domain.get("codedValues") or []
                 if isinstance(c, dict) and "code" in c} if domain.get("type") == "codedValue" else None
        out.append(Column(f["name"], FIELD_TYPES[f["type"]], f["type"], coded or None))
    return out


def iso(ms: Any, kind: str) -> Any:
    """Epoch milliseconds (ArcGIS's dates) as ISO 8601: a UTC datetime, or a date for DateOnly."""
    if not isinstance(ms, (int, float)) or isinstance(ms, bool):
        return ms  # DateOnly/TimestampOffset already come as text
    when = EPOCH + dt.timedelta(milliseconds=ms)
    return when.date().isoformat() if kind == "date" else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def open_layer(who: str, layer_url: str, config: Any, where: str = "1=1", out_fields: str = "*") -> Extracted:
    """A layer (…/FeatureServer/<id>) to read: its description, columns,
    extent, count and its query's pages (lazy), WGS 84, ordered by the
    objectIdField; `where` and `out_fields` select as the query's own do.
    `config`: the source's settings (page_size and max_pages, else defaults)."""
    meta = answer(who, with_params(layer_url, f="json"), config)
    formats = [f.strip().lower() for f in str(meta.get("supportedQueryFormats") or "json").split(",")]
    answer_format = "geojson" if "geojson" in formats else "json"
    oid = meta.get("objectIdField") or next(
        (f.get("name") for f in meta.get("fields") or [] if f.get("type") == "esriFieldTypeOID"), None)
    if not oid:
        raise SourceError(f"{who}: the layer names no objectIdField; its pages cannot be ordered, not published")
    limit = meta.get("maxRecordCount")
    page_size = getattr(config, "page_size", 1000)
    size = min(page_size, limit) if isinstance(limit, int) and limit > 0 else page_size
    paging = (meta.get("advancedQueryCapabilities") or {}).get("supportsPagination",
                                                                meta.get("supportsPagination"))
    query = f"{layer_url}/query"
    counted = answer(who, with_params(query, where=where, returnCountOnly="true", f="json"), config).get("count")
    count = counted if isinstance(counted, int) else None
    params = dict(where=where, outFields=out_fields, outSR="4326", orderByFields=f"{oid} ASC", f=answer_format)
    return Extracted(meta, columns(meta), extent_lonlat(meta.get("extent")), count,
                     _pages(who, query, params, size, paging is not False, getattr(config, "max_pages", MAX_PAGES),
                            config, oid), answer_format)


def _pages(who: str, query: str, params: dict, size: int, paging: bool, max_pages: int, config: Any,
           oid: str) -> Iterator[list]:
    """[(objectid, properties, geometry)] per page, by resultOffset, until the service no longer
    says exceededTransferLimit (a page shorter than asked while it says so is still not the last)."""
    offset = 0
    for number in itertools.count(1):
        url = with_params(query, **params, **({"resultOffset": str(offset), "resultRecordCount": str(size)}
                                              if paging else {}))
        doc = answer(who, url, config)
        feats = doc.get("features")
        if params["f"] == "json":
            if not isinstance(feats, list):
                raise SourceError(f"{who}: {url} is not an Esri feature set (no 'features' array)")
            page = esri_json.records(who, url, feats, oid)
        else:
            if doc.get("type") != "FeatureCollection" or not isinstance(feats, list):
                raise SourceError(f"{who}: {url} is not a GeoJSON FeatureCollection")
            try:
                page = [(f.get("id"), f.get("properties") or {}, f.get("geometry")) for f in feats]
            except AttributeError:
                raise SourceError(f"{who}: {url} has features that are not GeoJSON objects")
        yield page
        # ArcGIS puts the flag in the collection's "properties" (GeoJSON), older ones at the top
        more = (doc.get("properties") or {}).get("exceededTransferLimit", doc.get("exceededTransferLimit"))
        if not more or not feats:
            return
        if not paging:
            raise SourceError(f"{who}: the layer has more features than one answer gives (maxRecordCount) "
                              "and does not support pagination; not published")
        if number >= max_pages:
            raise SourceError(f"{who}: more than {max_pages} pages; stopped (raise max_pages if the "
                              "layer is that big), not published")
        offset += len(feats)


class ArcGISFeatureService(LayerKind):  # one dataset per layer
    name = "arcgis_feature_service"
    Config = ArcGISConfig

    def source_system(self, config: ArcGISConfig) -> str:
        return config.source_system or config.url

    def units(self, source: str, config: ArcGISConfig) -> list[Unit]:
        """One unit per wanted layer of the service root (its `tables` have no geometry: no unit)."""
        root = config.url.split("?")[0].rstrip("/")
        doc = answer(source, with_params(root, f="json"), config)
        if not isinstance(doc.get("layers"), list):
            raise SourceError(f"{source}: {root}?f=json lists no layers (no 'layers' array)")
        entries = [e for e in doc["layers"] if isinstance(e, dict) and isinstance(e.get("id"), int) and e.get("name")
                   and not e.get("subLayerIds")]  # a group layer: its sublayers are listed themselves
        # ArcGIS lets two layers (in different groups) share a name: those are told apart by their id
        twice = {n for n, c in Counter(layer_slug(e["name"]) for e in entries).items() if c > 1}
        units = []
        for entry in entries:
            if config.wanted(entry["name"]):
                key = f"{entry['name']}-{entry['id']}" if layer_slug(entry["name"]) in twice else entry["name"]
                units.append(self.unit(source, key, config,
                                       Layer(entry["id"], entry["name"], f"{root}/{entry['id']}", doc)))
        return units

    def extract(self, unit: Unit, build: Build) -> Extracted:
        layer: Layer = unit.context
        return open_layer(f"{unit.source}: layer {layer.name}", layer.url, unit.config)

    def transform(self, unit: Unit, extracted: Extracted, build: Build) -> Output:
        layer: Layer = unit.context
        who = f"{unit.source}: layer {layer.name}"
        name = layer_slug(layer.name)
        cols = extracted.columns
        names = [c.name for c in cols] + [f"{c.name}_code" for c in cols if c.domain]
        writer = features.LayerWriter(build.directory, name, names, "OGC:CRS84", False, extracted.bbox)
        unknown_codes: dict[str, int] = {}

        def typed(page):
            # LAYER.objectid, as the OGC kinds' LAYER.id: a feature_id stable across runs.
            for oid, props, geom in page:
                props = dict(props)
                for c in cols:
                    value = props.get(c.name)
                    if c.type in ("datetime", "date") and value is not None:
                        props[c.name] = iso(value, c.type)
                    elif c.domain and value is not None:
                        props[f"{c.name}_code"] = value
                        if value in c.domain:
                            props[c.name] = c.domain[value]
                        else:  # a code the domain does not know: kept as it is, counted
                            unknown_codes[c.name] = unknown_codes.get(c.name, 0) + 1
                yield (f"{name}.{oid}" if oid not in (None, "") else None), props, geom

        rows, warnings = write_features(writer, (list(typed(p)) for p in extracted.pages), who, new_each_page=True)
        if extracted.count is not None and rows < extracted.count:
            raise SourceError(f"{who}: the pages gave {rows} distinct features of the {extracted.count} the "
                              "service counts (returnCountOnly); paging is incomplete, not published")
        warnings.update(pages=writer.pages, format=extracted.format)
        if unknown_codes:
            warnings["codes_not_in_domain"] = unknown_codes
        types = {c.name: "string" if c.domain else c.type for c in cols}
        types.update({f"{c.name}_code": c.type for c in cols if c.domain})
        schema = features.table_schema({k: XSD_NAMES.get(v, v) for k, v in types.items()})
        schema["fields"][0]["description"] = "Kennung des Objekts im Dienst (Ebene.objectid)"
        for f in schema["fields"][1:]:
            col = next((c for c in cols if c.name == f["name"]), None)
            if col and col.domain:
                f["description"] = f"Bezeichnung aus der Werteliste des Dienstes; der Code steht in {col.name}_code."
        title = extracted.meta.get("name") or layer.name
        licence = self._licence(unit, extracted.meta)
        return Output(title, layer_files(name, schema, rows),
                      [{"title": self._service_title(unit), "path": self.source_system(unit.config)}],
                      None if licence == "notspecified" else licence, rows, warnings, context=extracted)

    @staticmethod
    def _service_title(unit: Unit) -> str:
        service = unit.context.service
        return (service.get("documentInfo") or {}).get("Title") or service.get("serviceDescription") or unit.source

    @staticmethod
    def _said(unit: Unit, meta: dict) -> list[str]:
        """Where an ArcGIS service says its terms: the layer's and the service's copyrightText."""
        return [t for t in (meta.get("copyrightText"), unit.context.service.get("copyrightText")) if t]

    def _licence(self, unit: Unit, meta: dict) -> str:
        layer: Layer = unit.context
        return layer_licence(unit.config.overrides(layer.name), unit.config, self._said(unit, meta))

    def plan(self, unit: Unit, output: Output) -> Plan:
        layer: Layer = unit.context
        config: ArcGISConfig = unit.config
        extracted: Extracted = output.context
        meta = extracted.meta
        link = {"name": "ArcGIS Feature Service", "format": "JSON", "url": with_params(layer.url, f="json"),
                "description": f"ArcGIS REST, Ebene {layer.id} „{layer.name}“ (Abfrage: {layer.url}/query).",
                "mimetype": "application/json", "resource_type": "service"}
        said = "; ".join(self._said(unit, meta)) or "keine Angabe"
        return layer_plan(
            unit, output, config.overrides(layer.name), [link],
            notes=meta.get("description") or f"Ebene „{layer.name}“ des Dienstes {self._service_title(unit)}.",
            keywords=[], licence=self._licence(unit, meta), licence_said=("Copyright-Angaben", said),
            source_system=self.source_system(config), extent=extracted.bbox, contact=config.contact)


KIND = ArcGISFeatureService()
