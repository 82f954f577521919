"""GIS layers from OGC services (`kind: ogc_service`): one dataset per layer.

units: the layers of the WFS and WMS capabilities (include/exclude
patterns); extract: the layer's description and its features page by page
(lazy); transform: geometries checked, repaired, reprojected to EPSG:4326
into GeoJSON + a CSV of the attributes (Table Schema from
DescribeFeatureType), a WMS preview; plan: metadata from the capabilities
and the `layers:` overrides, WFS/WMS links. A layer only in the WMS becomes
a dataset with a map link and a preview; a layer in both gets the WMS on its
WFS dataset. Layers that leave the capabilities are withdrawn by the runner.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from etl import features
from etl.reproject import authority_yx, crs_code

from ..fetch import SourceError
from ..ogc import WFS, WMS, with_params
from ..plan import Plan
from .base import Build, File, Output, Unit
from .config import ConfigError
from .layers import LayerKind, LayersConfig, Overrides, keyword_tags, layer_files, layer_licence, layer_plan, \
    layer_slug, write_features


@dataclass(frozen=True, kw_only=True)
class LayerOverrides(Overrides):
    """A `layers:` entry: what the configuration says of one layer, over its capabilities."""
    srs: Optional[str] = None


@dataclass(frozen=True, kw_only=True)
class ServiceConfig(LayersConfig):
    wfs: Optional[str] = None
    wms: Optional[str] = None
    wfs_version: str = "2.0.0"
    wms_version: str = "1.3.0"
    layers: dict[str, LayerOverrides] = field(default_factory=dict)
    id_field: Optional[str] = None     # features without an id get LAYER.<this property>
    srs: Optional[str] = None          # default: the first CRS the layer offers
    page_size: int = 10_000
    max_features: int = 1_000_000
    concurrency: int = 3               # GetFeature requests in flight at once, all layers together (1: one after another)
    layers_at_once: int = 2            # layers built at the same time (the runner keeps and publishes them in order)
    at_least_one = ("page_size", "max_features", "concurrency", "layers_at_once")

    def check(self, source: str) -> None:
        super().check(source)
        if not (self.wfs or self.wms):
            raise ConfigError(f"source {source}: neither wfs nor wms is configured")

    def overrides(self, name: str) -> LayerOverrides:
        return self.layers.get(name, LayerOverrides())


@dataclass(frozen=True)
class Layer:
    """A unit's context: the layer and the services it was found in (read once per run)."""
    name: str
    wfs: Optional[WFS]
    wms: Optional[WMS]

    @property
    def in_wfs(self) -> bool:
        return self.wfs is not None and self.name in self.wfs.layers

    @property
    def in_wms(self) -> bool:
        return self.wms is not None and self.name in self.wms.layers

    @property
    def meta(self):
        return self.wfs.layers[self.name] if self.in_wfs else self.wms.layers[self.name]


@dataclass
class Extracted:
    info: dict[str, Any]
    bbox: Optional[list[float]]
    properties: dict[str, str] = field(default_factory=dict)
    srs: str = ""
    code: str = ""
    yx: bool = False
    output: str = ""                          # geojson or gml, as the server delivers the features
    pages: Optional[Iterator[list]] = None   # lazy: each page is fetched as transform asks for it


def _bbox(meta) -> Optional[list[float]]:
    box = getattr(meta, "boundingBoxWGS84", None)
    return [float(v) for v in box[:4]] if box else None


def _crs_list(meta) -> list[str]:
    """The CRSs a layer offers, as EPSG:n (for the description of its service link)."""
    out = []
    for c in getattr(meta, "crsOptions", None) or []:
        try:
            code = crs_code(c.getcode() if hasattr(c, "getcode") else str(c))
        except ValueError:
            continue
        if code not in out:
            out.append(code)
    return out


class OgcService(LayerKind):
    name = "ogc_service"
    Config = ServiceConfig

    def source_system(self, config: ServiceConfig) -> str:
        """The service a dataset comes from (its WFS, else its WMS)."""
        return config.wfs or config.wms

    def units_at_once(self, config: ServiceConfig) -> int:
        """Layers built in parallel: a small layer's time is mostly waiting on
        the service (DescribeFeatureType, one page, the preview); the requests
        of all of them share the service's `concurrency`."""
        return config.layers_at_once

    def units(self, source: str, config: ServiceConfig) -> list[Unit]:
        """One unit per wanted layer of the service's WFS and WMS capabilities."""
        settings = config.as_dict()
        wfs = WFS(source, config.wfs, settings) if config.wfs else None
        wms = WMS(source, config.wms, settings) if config.wms else None
        names = sorted(set(wfs.layers if wfs else []) | set(wms.layers if wms else []))
        return [self.unit(source, n, config, Layer(n, wfs, wms)) for n in names if config.wanted(n)]

    def extract(self, unit: Unit, build: Build) -> Extracted:
        layer: Layer = unit.context
        config, over = unit.config, unit.config.overrides(layer.name)
        info = (layer.wfs if layer.in_wfs else layer.wms).info()
        bbox = _bbox(layer.meta) or (_bbox(layer.wms.layers[layer.name]) if layer.in_wms else None)
        if not layer.in_wfs:
            return Extracted(info, bbox)
        wfs, meta = layer.wfs, layer.meta
        offered = _crs_list(meta)
        srs = over.srs or config.srs or (offered[0] if offered else "EPSG:4326")
        try:
            code = crs_code(srs)
        except ValueError as e:
            raise SourceError(f"{unit.source}: layer {layer.name}: {e}")
        properties = wfs.schema(layer.name)
        kind, fmt = wfs.output_format()
        # GML of WFS 1.1/2.0 follows the CRS definition's axis order (lat/lon for
        # EPSG:4326, northing first for EPSG:3044); GeoJSON and WFS 1.0 are x/y.
        yx = kind == "gml" and not wfs.version.startswith("1.0") and code != "OGC:CRS84" and authority_yx(code)
        pages = wfs.pages(layer.name, srs, kind, fmt, shapes=True)  # ids as id_field makes them, each page's CRS
        return Extracted(info, bbox, properties, srs, code, bool(yx), kind, pages)

    def transform(self, unit: Unit, extracted: Extracted, build: Build) -> Output:
        layer: Layer = unit.context
        files: list[File] = []
        warnings: dict[str, Any] = {}
        rows = 0
        if extracted.pages is not None:
            name = layer_slug(layer.name)
            writer = features.LayerWriter(build.directory, name, list(extracted.properties), extracted.code,
                                          extracted.yx, _bbox(layer.meta))
            rows, warnings = write_features(writer, extracted.pages, f"{unit.source}: layer {layer.name}")
            warnings.update(srs=extracted.srs, output=extracted.output, axis="y/x" if writer.yx else "x/y")
            if writer.read_crs not in (extracted.code, "OGC:CRS84" if extracted.code == "EPSG:4326" else None):
                warnings["read_as"] = writer.read_crs  # the answer said (or was proven) another CRS
            files += layer_files(name, features.table_schema(extracted.properties), rows)
        if layer.in_wms and extracted.bbox:
            try:
                data = layer.wms.preview(layer.name, extracted.bbox)
                with open(os.path.join(build.directory, "vorschau.png"), "wb") as f:
                    f.write(data)
                files.append(File("vorschau.png", "vorschau", "png", "image/png", "Vorschau der Ebene (WMS GetMap).",
                                  resource_type="documentation"))
            except SourceError as e:  # a missing preview does not stop the layer
                warnings["preview"] = str(e)
        title = getattr(layer.meta, "title", None) or layer.name
        licence = self._licence(unit, extracted.info)
        return Output(title, files, [{"title": extracted.info["title"] or unit.source,
                                      "path": self.source_system(unit.config)}],
                      None if licence == "notspecified" else licence, rows, warnings, context=extracted)

    @staticmethod
    def _licence(unit: Unit, info: dict[str, Any]) -> str:
        return layer_licence(unit.config.overrides(unit.context.name), unit.config, [info["access"]])

    def plan(self, unit: Unit, output: Output) -> Plan:
        layer: Layer = unit.context
        config, extracted, meta = unit.config, output.context, layer.meta
        info = extracted.info
        service = info["title"] or unit.source
        return layer_plan(
            unit, output, config.overrides(layer.name), self._links(layer, config, extracted.bbox),
            notes=getattr(meta, "abstract", None) or f"Ebene „{layer.name}“ des Dienstes {service}.",
            keywords=keyword_tags(getattr(meta, "keywords", None) or []), licence=self._licence(unit, info),
            licence_said=("Zugriffsbedingungen", info["access"] or "keine Angabe"),
            source_system=self.source_system(config), extent=extracted.bbox, contact=info["contact"] or config.contact)

    @staticmethod
    def _links(layer: Layer, config: ServiceConfig, bbox: Optional[list[float]]) -> list[dict[str, Any]]:
        links = []
        if layer.in_wfs:
            links.append({"name": "WFS-Dienst", "format": "WFS_SRVC", "url": with_params(
                config.wfs, SERVICE="WFS", REQUEST="GetCapabilities", VERSION=layer.wfs.version),
                "description": f"OGC Web Feature Service {layer.wfs.version}, Objektart {layer.meta.id}; "
                               f"Koordinatensysteme: {', '.join(_crs_list(layer.meta)) or 'keine Angabe'}.",
                "mimetype": "application/xml", "resource_type": "service"})
        if layer.in_wms:
            wms = layer.wms
            links.append({"name": "Karte (WMS)", "format": "WMS_SRVC",
                          "url": wms.getmap_url(layer.name, bbox or [-180, -90, 180, 90]),
                          "description": f"GetMap-Aufruf der Ebene {layer.name} (WMS {wms.version}, WGS 84).",
                          "mimetype": "image/png", "resource_type": "service"})
            links.append({"name": "WMS-Dienst", "format": "WMS_SRVC", "url": with_params(
                config.wms, SERVICE="WMS", REQUEST="GetCapabilities", VERSION=wms.version),
                "description": f"OGC Web Map Service {wms.version}.", "mimetype": "application/xml",
                "resource_type": "service"})
        return links


KIND = OgcService()
