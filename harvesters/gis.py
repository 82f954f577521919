"""GIS layers from OGC services (WFS/WMS): one dataset per layer.

extract (capabilities, paged GetFeature) → transform (geometries checked,
repaired, reprojected to EPSG:4326) → package and validate (GeoJSON, CSV of
the attributes with a Table Schema from DescribeFeatureType,
datapackage.json) → publish (the runner). A layer only in the WMS becomes a
dataset with a map link and a preview; a layer in both gets the WMS on its
WFS dataset. Layers that leave the capabilities are withdrawn by the runner.
"""
from __future__ import annotations

import fnmatch
import os
import re
from typing import Any, Optional

from etl import features, package, validate
from etl.reproject import authority_yx, crs_code

from . import publish
from .fetch import SourceError
from .ogc import WFS, WMS, with_params
from .publish import EU

REQUIRED = ("organization",)
MANY_UNITS = True  # one dataset per layer; layers come and go
# Access constraints as services write them → our licence ids.
LICENCES = [
    (r"dl-de/by-2[-.]0|datenlizenz deutschland\W+namensnennung\W+(version )?2\.0", "dl-by-de/2.0"),
    (r"dl-de/zero-2[-.]0|datenlizenz deutschland\W+zero", "dl-zero-de/2.0"),
    (r"cc[- ]by[- ]sa[- ]4\.0|creative commons.*weitergabe", "cc-by-sa/4.0"),
    (r"cc[- ]by[- ]4\.0|creative commons namensnennung 4\.0|creative commons attribution 4\.0", "cc-by/4.0"),
    (r"cc0|cc[- ]zero|public domain", "cc-zero"),
    (r"odbl|open database license", "odbl"),
]


def recognise_licence(text: str) -> Optional[str]:
    low = (text or "").lower()
    return next((lid for pattern, lid in LICENCES if re.search(pattern, low)), None)


def slug(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[^a-z0-9_-]+", "-", text).strip("-")[:90]


def _wanted(layer: str, config: dict) -> bool:
    include = config.get("include") or ["*"]
    return any(fnmatch.fnmatchcase(layer, p) for p in include) and \
        not any(fnmatch.fnmatchcase(layer, p) for p in config.get("exclude") or [])


def units(source: str, config: dict) -> list[tuple[str, dict]]:
    """One unit per wanted layer of the service's WFS and WMS capabilities."""
    if not (config.get("wfs") or config.get("wms")):
        raise SourceError(f"{source}: neither wfs nor wms is configured")
    wfs = WFS(source, config["wfs"], config) if config.get("wfs") else None
    wms = WMS(source, config["wms"], config) if config.get("wms") else None
    names = sorted(set(wfs.layers if wfs else []) | set(wms.layers if wms else []))
    out = []
    for layer in names:
        if _wanted(layer, config):
            out.append((f"{source}-{slug(layer)}", dict(config, source=source, layer=layer, _wfs=wfs, _wms=wms)))
    return out


def dataset_name(unit: str, config: dict) -> str:
    return slug(unit)


def source_system(config: dict) -> str:
    """The service a dataset comes from (its WFS, else its WMS)."""
    return config.get("wfs") or config.get("wms")


def _overrides(config: dict) -> dict[str, Any]:
    """The configuration's `layers:` entry for this unit's layer."""
    return (config.get("layers") or {}).get(config["layer"], {})


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


def _keywords(meta) -> list[str]:
    out = []
    for k in getattr(meta, "keywords", None) or []:
        tag = re.sub(r"[^\w \-.]", " ", str(k)).strip()[:100]
        if len(tag) >= 2 and tag not in out:
            out.append(tag)
    return out


def _metadata(unit: str, config: dict, meta, info: dict, bbox: Optional[list[float]],
              limitations: list[str]) -> dict[str, Any]:
    layer = config["layer"]
    over = _overrides(config)
    licence = over.get("licence") or recognise_licence(info["access"]) or config.get("licence") or "notspecified"
    if licence == "notspecified":
        limitations.append(f"Lizenz aus den Zugriffsbedingungen des Dienstes nicht erkennbar: "
                           f"„{info['access'] or 'keine Angabe'}“. Bitte klären.")
    theme = over.get("theme") or config.get("theme")
    frequency = over.get("frequency") or config.get("frequency")
    return {
        "name": dataset_name(unit, config),
        "title": over.get("title") or getattr(meta, "title", None) or layer,
        "notes": over.get("description") or getattr(meta, "abstract", None) or
        f"Ebene „{layer}“ des Dienstes {info['title'] or config['source']}.",
        "license_id": licence,
        "license_attribution": config.get("attribution", ""),
        "tag_string": ",".join(_keywords(meta) + ["Geodaten"]),
        "theme": [EU + "data-theme/" + theme] if theme else [],
        "frequency": EU + "frequency/" + frequency if frequency else "",
        "spatial": publish.extent_polygon(bbox) if bbox else None,
        "source_system": source_system(config),
        "update_method": "harvested",
        "contact": [info["contact"]] if info["contact"] else ([config["contact"]] if config.get("contact") else []),
        "known_limitations": "\n\n".join(limitations),
    }


def _feature_id(layer: str, fid, id_value) -> Optional[str]:
    """The server's id, else LAYER.<id field> as gml:id reads (GeoJSON from some
    servers has no ids), else none (the writer numbers the feature)."""
    if fid not in (None, ""):
        return fid
    return f"{layer}.{id_value}" if id_value not in (None, "") else None


def _features(unit: str, config: dict, wfs: WFS, directory: str) -> tuple[dict, dict[str, Any]]:
    """The layer's features into GeoJSON + CSV; its resources for datapackage.json."""
    layer = config["layer"]
    meta = wfs.layers[layer]
    properties = wfs.schema(layer)
    over = _overrides(config)
    offered = _crs_list(meta)
    srs = over.get("srs") or config.get("srs") or (offered[0] if offered else "EPSG:4326")
    try:
        code = crs_code(srs)
    except ValueError as e:
        raise SourceError(f"{config['source']}: layer {layer}: {e}")
    kind, fmt = wfs.output_format()
    # GML of WFS 1.1/2.0 follows the CRS definition's axis order (lat/lon for
    # EPSG:4326, northing first for EPSG:3044); GeoJSON and WFS 1.0 are x/y.
    yx = kind == "gml" and not wfs.version.startswith("1.0") and code != "OGC:CRS84" and authority_yx(code)
    name = slug(layer)
    id_field = config.get("id_field")
    writer = features.LayerWriter(directory, name, list(properties), code, yx, _bbox(meta))
    try:
        for page in wfs.pages(layer, srs, kind, fmt):
            if id_field:
                page = [(_feature_id(layer, fid, p.get(id_field)), p, g) for fid, p, g in page]
            writer.add(page)
    except BaseException:
        writer.abort()
        raise
    counts = writer.close()
    schema = features.table_schema(properties)
    csv_name, geo_name = f"{name}.csv", f"{name}.geojson"
    resources = [
        package.file_resource(directory, csv_name, name, "csv", "text/csv", encoding="utf-8", schema=schema,
                              rows=counts.get("features", 0)),
        package.file_resource(directory, geo_name, f"{name}-geojson", "geojson", "application/geo+json",
                              features=counts.get("features", 0)),
    ]
    counts.update(srs=srs, output=kind, axis=("y/x" if writer.yx else "x/y"))
    return counts, {"resources": resources, "files": [
        {"name": csv_name, "format": "CSV", "mimetype": "text/csv",
         "description": "Sachdaten aller Objekte (UTF-8, Komma-getrennt); Schema in datapackage.json."},
        {"name": geo_name, "format": "GEOJSON", "mimetype": "application/geo+json",
         "description": "Alle Objekte mit Geometrie (WGS 84)."}]}


def build(unit: str, config: dict, directory: str, version: str) -> dict[str, Any]:
    layer, wfs, wms = config["layer"], config.get("_wfs"), config.get("_wms")
    os.makedirs(directory, exist_ok=True)
    in_wfs = wfs is not None and layer in wfs.layers
    in_wms = wms is not None and layer in wms.layers
    meta = wfs.layers[layer] if in_wfs else wms.layers[layer]
    info = (wfs if in_wfs else wms).info()
    bbox = _bbox(meta) or (_bbox(wms.layers[layer]) if in_wms else None)
    facts: dict[str, Any] = {"rows": 0, "warnings": {}, "valid": True, "errors": [], "error_count": 0}
    resources, files, links, limitations, notes = [], [], [], [], []
    if in_wfs:
        counts, produced = _features(unit, config, wfs, directory)
        resources += produced["resources"]
        files += produced["files"]
        facts["rows"] = counts.get("features", 0)
        facts["warnings"] = {k: v for k, v in counts.items() if k not in ("features",)}
        if counts.get("repaired"):
            limitations.append(f"{counts['repaired']} ungültige Geometrien wurden beim Abgleich repariert (make_valid).")
            notes.append(f"{counts['repaired']} Geometrien repariert.")
        if counts.get("without_geometry"):
            limitations.append(f"{counts['without_geometry']} Objekte ohne Geometrie.")
        links.append({"name": "WFS-Dienst", "format": "WFS_SRVC", "url": with_params(
            config["wfs"], SERVICE="WFS", REQUEST="GetCapabilities", VERSION=wfs.version),
            "description": f"OGC Web Feature Service {wfs.version}, Objektart {meta.id}; "
                           f"Koordinatensysteme: {', '.join(_crs_list(meta)) or 'keine Angabe'}.",
            "mimetype": "application/xml"})
    if in_wms:
        links.append({"name": "Karte (WMS)", "format": "WMS_SRVC", "url": wms.getmap_url(layer, bbox or [-180, -90, 180, 90]),
                      "description": f"GetMap-Aufruf der Ebene {layer} (WMS {wms.version}, WGS 84).",
                      "mimetype": "image/png"})
        links.append({"name": "WMS-Dienst", "format": "WMS_SRVC", "url": with_params(
            config["wms"], SERVICE="WMS", REQUEST="GetCapabilities", VERSION=wms.version),
            "description": f"OGC Web Map Service {wms.version}.", "mimetype": "application/xml"})
        if bbox:
            try:
                with open(os.path.join(directory, "vorschau.png"), "wb") as f:
                    f.write(wms.preview(layer, bbox))
                files.append({"name": "vorschau.png", "format": "PNG", "mimetype": "image/png",
                              "description": "Vorschau der Ebene (WMS GetMap)."})
                resources.append(package.file_resource(directory, "vorschau.png", "vorschau", "png", "image/png"))
            except SourceError as e:  # a missing preview does not stop the layer
                facts["warnings"]["preview"] = str(e)
    dataset = _metadata(unit, config, meta, info, bbox, limitations)
    package.write_descriptor(
        directory, dataset_name(unit, config), getattr(meta, "title", None) or layer, version,
        None if dataset["license_id"] == "notspecified" else dataset["license_id"],
        [{"title": info["title"] or config["source"], "path": source_system(config)}], resources)
    if in_wfs:
        report = validate.validate(directory, slug(layer))
        facts.update(valid=report["valid"], errors=report["errors"][:20], error_count=len(report["errors"]))
    files.append({"name": "datapackage.json", "format": "JSON", "mimetype": "application/json",
                  "description": "Frictionless Data Package: Schema, Lizenz, Quelle, Prüfsummen."})
    publish.write_plan(directory, dataset, config["organization"], files, links, note=" ".join(notes))
    facts["resources"] = [r["path"] for r in resources]
    return facts
