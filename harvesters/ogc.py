"""OGC services through OWSLib: capabilities, paged GetFeature, feature
types' schemas, WMS previews. Every failure is a SourceError naming the
source, the layer and the problem.

Capabilities are downloaded by fetch.download (timeouts, retries, HTML
detection) and checked for an exception report before OWSLib parses them:
OWSLib would fail on one with an unrelated AttributeError.
"""
from __future__ import annotations

import concurrent.futures as cf
import json
import math
import threading
import urllib.parse
from typing import Any, Iterator, Optional

import msgspec
from lxml import etree

from etl import gml, safexml
from etl.features import Page
from etl.reproject import crs_code

from .fetch import SourceError, get


def with_params(url: str, **params: str) -> str:
    """`url` with these query parameters set (case-insensitively replacing any)."""
    parts = urllib.parse.urlsplit(url)
    keep = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in {p.lower() for p in params}]
    query = urllib.parse.urlencode(keep + list(params.items()))
    return urllib.parse.urlunsplit(parts._replace(query=query))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def exception_text(data: bytes) -> Optional[str]:
    """The message of an OGC exception report, or None if `data` is not one."""
    head = data[:400].lstrip()
    if not head.startswith(b"<") or b"Exception" not in data[:2000]:
        return None
    try:
        root = safexml.fromstring(data)
    except (etree.XMLSyntaxError, safexml.UnsafeXML):
        return None
    if "Exception" not in _local(root.tag):
        return None
    texts = [" ".join(t.split()) for t in root.itertext() if t.strip()]
    codes = [el.get("exceptionCode") or el.get("code") for el in root.iter() if isinstance(el.tag, str)
             and (el.get("exceptionCode") or el.get("code"))]
    return (f"[{codes[0]}] " if codes else "") + ("; ".join(texts)[:500] or "(no message)")


def capabilities(source: str, url: str, service: str, version: str, config: dict) -> tuple[bytes, str]:
    raw = get(source, with_params(url, SERVICE=service, REQUEST="GetCapabilities", VERSION=version), "xml", config)
    problem = exception_text(raw)
    if problem:
        raise SourceError(f"{source}: the {service} answered GetCapabilities with an exception: {problem}")
    # Checked here before OWSLib parses it with its own (entity-resolving) parser.
    root = safexml.source_root(raw, f"{source}: the {service} (GetCapabilities)")
    if "Capabilities" not in _local(root.tag):
        raise SourceError(f"{source}: the {service} answered with <{_local(root.tag)}>, not capabilities")
    return raw, root.get("version") or version


def _contact(provider) -> dict[str, str]:
    contact = getattr(provider, "contact", None)
    out = {"name": getattr(contact, "name", None) or getattr(contact, "organization", None)
           or getattr(provider, "name", None) or "", "email": getattr(contact, "email", None) or ""}
    return {k: v for k, v in out.items() if v}


def _info(service) -> dict[str, Any]:
    """What a WFS or WMS says of itself: contact, access constraints, fees, title."""
    ident = service.identification
    return {"contact": _contact(service.provider), "access": getattr(ident, "accessconstraints", None) or "",
            "fees": getattr(ident, "fees", None) or "", "title": getattr(ident, "title", None) or ""}


def _count_default(raw: bytes) -> Optional[int]:
    """OperationsMetadata's Constraint CountDefault (OWSLib drops DefaultValue)."""
    root = safexml.fromstring(raw)
    for el in root.iter("{*}Constraint"):
        if el.get("name") == "CountDefault":
            text = (el.findtext("{*}DefaultValue") or "").strip()
            return int(text) if text.isdigit() and int(text) > 0 else None
    return None


class WFS:
    def __init__(self, source: str, url: str, config: dict):
        from owslib.wfs import WebFeatureService
        self.source, self.url, self.config = source, url, config
        raw, self.version = capabilities(source, url, "WFS", config.get("wfs_version", "2.0.0"), config)
        try:
            self.service = WebFeatureService(url, version=self.version, xml=raw,
                                             timeout=config.get("timeout", 30))
        except Exception as e:
            raise SourceError(f"{source}: OWSLib cannot read the WFS {self.version} capabilities ({type(e).__name__}: {e})")
        try:
            formats = self.service.getOperationByName("GetFeature").parameters.get("outputFormat", {}).get("values", [])
        except (KeyError, AttributeError):
            formats = []
        self.formats = list(formats)
        self._count_default = _count_default(raw)
        # GetFeature requests in flight, whichever layer asks (layers may be harvested in parallel).
        self._slots = threading.BoundedSemaphore(max(1, int(config.get("concurrency", 3))))
        self.layers: dict[str, Any] = {}
        for typename, meta in self.service.contents.items():
            self.layers[typename.rpartition(":")[2]] = meta

    def info(self) -> dict[str, Any]:
        return _info(self.service)

    def schema(self, layer: str) -> dict[str, str]:
        """The layer's properties from DescribeFeatureType: downloaded by
        fetch.get like every other request (OWSLib's get_schema would fetch it
        itself, past the outbound guard), read with OWSLib's schema parser."""
        from owslib.feature import schema as owsschema
        meta = self.layers[layer]
        url = owsschema._get_describefeaturetype_url(self.url, self.version, meta.id)
        raw = get(self.source, url, "xml", self.config)
        problem = exception_text(raw)
        if problem:
            raise SourceError(f"{self.source}: DescribeFeatureType for layer {layer} answered with an "
                              f"exception: {problem}")
        try:
            root = safexml.fromstring(raw)
            element = root.find("./{%s}element" % owsschema.XS_NAMESPACE)
            if element is None:
                raise SourceError(f"{self.source}: DescribeFeatureType for layer {layer} gave no schema")
            complex_type = element.attrib["type"].split(":")[-1]
            described = owsschema._construct_schema(owsschema._get_elements(complex_type, root),
                                                    getattr(root, "nsmap", None))
        except SourceError:
            raise
        except Exception as e:
            raise SourceError(f"{self.source}: DescribeFeatureType for layer {layer} failed ({type(e).__name__}: {e})")
        if not described:
            raise SourceError(f"{self.source}: DescribeFeatureType for layer {layer} gave no schema")
        return dict(described.get("properties") or {})

    def output_format(self) -> tuple[str, str]:
        """("geojson"|"gml", the server's name of it): GeoJSON when offered."""
        for f in self.formats:
            if "json" in f.lower():
                return "geojson", f
        for wanted in ("gml/3.2", "version=3.2", "gml3", "gml/3.1"):
            for f in self.formats:
                if wanted in f.lower():
                    return "gml", f
        return "gml", ""  # the server's default (GML)

    def _get(self, layer: str, srs: str, fmt: str, start: Optional[int], count: int) -> bytes:
        """One GetFeature request (URL by OWSLib; timeouts, retries, 429 and HTML by fetch.get)."""
        url = self.service.getGETGetFeatureRequest(typename=[self.layers[layer].id], srsname=srs,
                                                   maxfeatures=count, outputFormat=fmt or None, startindex=start)
        with self._slots:
            return get(self.source, url, "json" if "json" in fmt.lower() else "xml", self.config)

    def _parse(self, layer: str, data: bytes, kind: str) -> Page:
        """One GetFeature answer as a Page: its records (ids as the
        configuration's id_field makes them) and the CRS it says it is in."""
        problem = exception_text(data)
        if problem:
            raise SourceError(f"{self.source}: the WFS answered GetFeature for layer {layer} with an exception: {problem}")
        if kind == "geojson":
            try:
                doc = _decode_collection(data)
            except (msgspec.DecodeError, msgspec.ValidationError) as e:
                raise SourceError(f"{self.source}: GetFeature for layer {layer} is not GeoJSON ({e})")
            crs = _geojson_crs(doc.crs)
            # Geometries stay GeoJSON text: GEOS reads a page of them in one call.
            records = [(f.id, f.properties or {}, bytes(f.geometry)) for f in doc.features]
            page = Page(records, crs or "OGC:CRS84", False,  # RFC 7946: CRS84 unless the 2008 `crs` says
                        doc.numberMatched if isinstance(doc.numberMatched, int) else None)
        else:
            import io
            about: dict = {}
            try:
                records = list(gml.features(io.BytesIO(data), about))
            except gml.GMLError as e:
                raise SourceError(f"{self.source}: GetFeature for layer {layer}: {e}")
            crs, yx = gml.reading(about.get("srsName"), self.version)
            page = Page(records, crs, yx, about.get("numberMatched"))
        id_field = self.config.get("id_field")
        if id_field:
            page[:] = [(_feature_id(layer, fid, p.get(id_field)), p, g) for fid, p, g in page]
        return page

    def page_limit(self) -> Optional[int]:
        """The server's CountDefault (WFS 2.0 capabilities): the most features
        it returns per request, whatever count asks for."""
        return self._count_default

    def _page(self, layer: str, srs: str, kind: str, fmt: str, start: Optional[int], size: int,
              shapes: bool) -> Page:
        page = self._parse(layer, self._get(layer, srs, fmt, start, size), kind)
        return page.read_shapes() if shapes else page  # here, in the page's thread, not in the writer's

    def pages(self, layer: str, srs: str, kind: str, fmt: str, shapes: bool = False) -> Iterator[Page]:
        """The layer's features, page by page in startIndex order. WFS 2.0 pages
        with count/startIndex: the first page on its own, then `concurrency`
        requests at a time (1: one after another; the WFS's requests of all
        layers together), the next ones sent before a page is handed on;
        never more features per page than the server's CountDefault; it stops
        at numberMatched, a short page or max_features. WFS 1.x is one
        request, refused above `max_features`. shapes: each page's geometries
        read (Page.read_shapes) in the thread that fetched it."""
        limit = int(self.config.get("max_features", 1_000_000))
        if not self.version.startswith("2"):
            page = self._page(layer, srs, kind, fmt, None, limit + 1, shapes)
            if len(page) > limit:
                raise SourceError(f"{self.source}: layer {layer} has more than {limit} features and WFS "
                                  f"{self.version} cannot page; raise max_features or use WFS 2.0")
            yield page
            return
        size = int(self.config.get("page_size", 10_000))
        if self._count_default:
            size = min(size, self._count_default)
        workers = max(1, int(self.config.get("concurrency", 3)))
        first_ids, matched = None, None
        pending: dict[int, cf.Future] = {}
        pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wfs-page")
        try:
            start = following = 0

            def top_up(ahead: int) -> None:
                # Up to `ahead` pages in flight, never past what the server counts.
                nonlocal following
                while len(pending) < ahead and (matched is None or following < matched) and following <= limit:
                    pending[following] = pool.submit(self._page, layer, srs, kind, fmt, following, size, shapes)
                    following += size

            top_up(1)  # the first page alone: most layers fit in one, and need no request past it
            while True:
                page = pending.pop(start).result()  # a failed page fails the layer with its message
                if matched is None and page.matched is not None:
                    matched = page.matched
                ids = [json.dumps(f, sort_keys=True, default=_plain) for f in page[:3]]
                if start and ids and ids == first_ids:
                    raise SourceError(f"{self.source}: the WFS ignores startIndex for layer {layer} (page 2 "
                                      "repeats page 1); set page_size above the layer's size")
                first_ids = first_ids if start else ids
                start += size
                done = len(page) < size or (matched is not None and start >= matched)
                if not done:
                    top_up(workers)  # the next pages are on their way while the writer takes this one
                yield page
                if done:
                    return
                if start >= limit:
                    raise SourceError(f"{self.source}: layer {layer} has more than {limit} features (max_features)")
        finally:
            for future in pending.values():
                future.cancel()
            pool.shutdown(wait=True)


class _Feature(msgspec.Struct):
    id: Any = None
    properties: Optional[dict] = None
    geometry: msgspec.Raw = msgspec.Raw(b"null")  # kept as text for GEOS


class _Collection(msgspec.Struct):
    features: list[_Feature]
    crs: Any = None
    numberMatched: Any = None


_decode_collection = msgspec.json.Decoder(_Collection).decode


def _plain(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _geojson_crs(member: Any) -> Optional[str]:
    """The CRS a GeoJSON 2008 `crs` member names (type name), as a code."""
    if not isinstance(member, dict) or member.get("type") != "name":
        return None
    name = (member.get("properties") or {}).get("name")
    try:
        return crs_code(str(name)) if name else None
    except ValueError:
        return None


def _feature_id(layer: str, fid, id_value) -> Optional[str]:
    """The server's id, else LAYER.<id field> as gml:id reads (GeoJSON from some
    servers has no ids), else none (the writer numbers the feature)."""
    if fid not in (None, ""):
        return fid
    return f"{layer}.{id_value}" if id_value not in (None, "") else None


class WMS:
    def __init__(self, source: str, url: str, config: dict):
        from owslib.wms import WebMapService
        self.source, self.url, self.config = source, url, config
        raw, self.version = capabilities(source, url, "WMS", config.get("wms_version", "1.3.0"), config)
        try:
            self.service = WebMapService(url, version=self.version, xml=raw, timeout=config.get("timeout", 30))
        except Exception as e:
            raise SourceError(f"{source}: OWSLib cannot read the WMS {self.version} capabilities ({type(e).__name__}: {e})")
        # Group layers (the map's root, themes) draw their children: no dataset of their own.
        self.layers = {name: meta for name, meta in self.service.contents.items()
                       if name and not getattr(meta, "children", None)}

    def info(self) -> dict[str, Any]:
        return _info(self.service)

    def getmap_url(self, layer: str, bbox: list[float], width: int = 800) -> str:
        """A GetMap link in WGS 84. WMS 1.3.0 with EPSG:4326 wants lat/lon in BBOX;
        CRS:84 keeps lon/lat, so the link is right in both versions."""
        w, s, e, n = bbox
        # Degrees of longitude are shorter than degrees of latitude by cos(latitude).
        ratio = (n - s) / ((e - w) * math.cos(math.radians((n + s) / 2))) if e > w else 1
        height = max(1, min(4 * width, round(width * ratio)))
        crs = {"CRS": "CRS:84"} if self.version.startswith("1.3") else {"SRS": "EPSG:4326"}
        return with_params(self.url, SERVICE="WMS", VERSION=self.version, REQUEST="GetMap", LAYERS=layer,
                           STYLES="", FORMAT="image/png", TRANSPARENT="TRUE", WIDTH=str(width),
                           HEIGHT=str(height), BBOX=f"{w},{s},{e},{n}", **crs)

    def preview(self, layer: str, bbox: list[float]) -> bytes:
        url = self.getmap_url(layer, bbox, 600)
        data = get(self.source, url, "png", self.config)
        if not data.startswith(b"\x89PNG"):
            problem = exception_text(data) or data[:120].decode("utf-8", "replace")
            raise SourceError(f"{self.source}: GetMap for layer {layer} gave no image: {problem}")
        return data
