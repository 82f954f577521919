"""Write a vector layer as GeoJSON (EPSG:4326) and a CSV of its attributes,
page by page, checking and repairing geometries on the way.

Pages come from a WFS (GeoJSON or GML); nothing but the ids seen so far is
kept between pages, so memory does not grow with the layer. Per page the
geometries are checked with shapely (invalid ones repaired with make_valid
and counted), reprojected with pyproj in one call, and written.

Axis order: the caller says whether the page lists y before x (GML in WFS
1.1/2.0 follows the CRS's definition: lat/lon for EPSG:4326, northing first
for EPSG:3044). The coordinates are proven, not assumed: the first page
tells which reading lands in the layer's advertised WGS 84 bounding box — as
told, axes swapped (some servers write GeoJSON as [y, x]) or WGS 84
whatever was asked for (RFC 7946 GeoJSON) — and every page is checked
against that box; features elsewhere fail the layer (OutsideExtent).
"""
from __future__ import annotations

import csv
import json
import os
from collections import Counter
from typing import Any, Iterable, Optional

import numpy as np
import shapely

from .reproject import transformer

XSD_TYPES = {
    "integer": "integer", "int": "integer", "long": "integer", "short": "integer", "byte": "integer",
    "nonnegativeinteger": "integer", "positiveinteger": "integer", "unsignedint": "integer",
    "double": "number", "float": "number", "decimal": "number",
    "boolean": "boolean", "date": "date", "datetime": "datetime", "time": "time",
}


def table_schema(properties: dict[str, str], id_field: str = "feature_id") -> dict[str, Any]:
    """A Table Schema for the attribute CSV from DescribeFeatureType's types."""
    fields = [{"name": id_field, "type": "string", "constraints": {"required": True, "unique": True},
               "description": "Kennung des Objekts im Dienst (gml:id)"}]
    for name, xsd in properties.items():
        fields.append({"name": name, "type": XSD_TYPES.get(str(xsd).rpartition(":")[2].lower(), "string")})
    return {"fields": fields, "primaryKey": [id_field], "missingValues": [""]}


class OutsideExtent(ValueError):
    """A layer's features are not where its service says: never published."""


def _inside(lon: np.ndarray, lat: np.ndarray, bbox: list[float]) -> float:
    w, s, e, n = bbox
    mx, my = max((e - w) * 0.1, 0.01), max((n - s) * 0.1, 0.01)
    ok = (lon >= w - mx) & (lon <= e + mx) & (lat >= s - my) & (lat <= n + my)
    return float(ok.mean()) if len(ok) else 1.0


class LayerWriter:
    def __init__(self, directory: str, name: str, fields: list[str], crs: str, yx: bool,
                 bbox: Optional[list[float]] = None, id_field: str = "feature_id"):
        self.name, self.fields, self.crs, self.yx, self.bbox = name, fields, crs, yx, bbox
        self.counts: Counter = Counter()
        self.seen: set[str] = set()
        self.checked = bbox is None
        self.told_yx = yx
        self.pages = 0
        self.geojson_path = os.path.join(directory, f"{name}.geojson")
        self.csv_path = os.path.join(directory, f"{name}.csv")
        self._geo = open(self.geojson_path, "w", encoding="utf-8")
        self._geo.write('{"type": "FeatureCollection", "features": [\n')
        self._csvfile = open(self.csv_path, "w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._csvfile)
        self._csv.writerow([id_field] + fields)
        self._transform = None if crs == "OGC:CRS84" else transformer(crs)

    def _to_lonlat(self, coords: np.ndarray, yx: bool) -> np.ndarray:
        xy = coords[:, ::-1] if yx else coords
        if self._transform is None:
            return xy
        lon, lat = self._transform.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    def _axis_check(self, coords: np.ndarray) -> None:
        """Once, on the first page with geometries: which reading of the
        coordinates lands in the advertised box? As told; with the axes
        swapped (some servers write GeoJSON as [y, x]); or as WGS 84
        longitude/latitude whatever CRS was asked for (RFC 7946 GeoJSON, as
        QGIS Server answers). None: the layer fails, it is never published."""
        self.checked = True
        told = self._transform
        for yx, transform, count in ((self.yx, told, None), (not self.yx, told, "axis_order_corrected"),
                                     (False, None, "answered_in_wgs84"), (True, None, "answered_in_wgs84")):
            self._transform = transform
            lonlat = self._to_lonlat(coords, yx)
            if _inside(lonlat[:, 0], lonlat[:, 1], self.bbox) >= 0.5:
                self.yx = yx
                if count and (transform is not told or yx != self.told_yx):
                    self.counts[count] += 1
                return
        self._transform = told
        lon, lat = np.median(self._to_lonlat(coords, self.yx), axis=0)
        raise OutsideExtent(
            f"the features do not lie in the layer's advertised extent {self.bbox} (read as {self.crs}, they "
            f"lie around {lon:.4f}, {lat:.4f}); the answer's CRS or axis order is not what the service says")

    def _extent_check(self, lonlat: np.ndarray) -> None:
        """Every page: most of its coordinates inside the advertised box."""
        if self.bbox is None or not len(lonlat):
            return
        inside = _inside(lonlat[:, 0], lonlat[:, 1], self.bbox)
        if inside < 0.5:
            raise OutsideExtent(
                f"page {self.pages} lies outside the layer's advertised extent {self.bbox} "
                f"({100 * (1 - inside):.0f} % of its coordinates); the answer's CRS or axis order changed")
        if inside < 1:
            self.counts["coordinates_outside_extent"] += int(round((1 - inside) * len(lonlat)))

    def add(self, records: Iterable[tuple[Optional[str], dict[str, Any], Optional[dict]]]) -> int:
        """One page of (id, properties, GeoJSON geometry); returns how many were new."""
        ids, props, shapes = [], [], []
        for fid, properties, geometry in records:
            fid = str(fid) if fid not in (None, "") else f"{self.name}.{self.counts['features'] + len(ids) + 1}"
            if fid in self.seen:
                self.counts["duplicates_dropped"] += 1  # the same feature on two pages
                continue
            self.seen.add(fid)
            ids.append(fid)
            props.append(properties)
            shapes.append(geometry)
        if not ids:
            return 0
        geoms = shapely.from_geojson([json.dumps(g) if g else "null" for g in shapes], on_invalid="ignore") \
            if shapes else np.array([], dtype=object)
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        self.counts["without_geometry"] += int(missing.sum())
        invalid = ~missing & ~shapely.is_valid(geoms)
        if invalid.any():
            geoms[invalid] = shapely.make_valid(geoms[invalid])
            self.counts["repaired"] += int(invalid.sum())
        self.pages += 1
        present = geoms[~shapely.is_missing(geoms)]
        coords = shapely.get_coordinates(present) if len(present) else np.empty((0, 2))
        if not self.checked and len(coords):
            self._axis_check(coords)
        yx = self.yx
        geoms = shapely.transform(geoms, lambda c: np.round(self._to_lonlat(c, yx), 7))
        if len(coords):
            self._extent_check(shapely.get_coordinates(geoms[~shapely.is_missing(geoms)]))
        texts = shapely.to_geojson(geoms)
        out = []
        for fid, properties, text in zip(ids, props, texts):
            feature = json.dumps({"type": "Feature", "id": fid, "properties": properties},
                                 ensure_ascii=False, default=str)
            out.append(feature[:-1] + ', "geometry": ' + (text if text is not None else "null") + "}")
            self._csv.writerow([fid] + [_cell(properties.get(f)) for f in self.fields])
        self._geo.write(("" if self.counts["features"] == 0 else ",\n") + ",\n".join(out))
        self.counts["features"] += len(ids)
        return len(ids)

    def close(self) -> dict[str, Any]:
        self._geo.write("\n]}\n")
        self._geo.close()
        self._csvfile.close()
        return dict(self.counts)

    def abort(self) -> None:
        self._geo.close()
        self._csvfile.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
