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
A page may say in which CRS it is (a Page with `crs`: GML srsName, the
GeoJSON 2008 `crs` member, RFC 7946's CRS84 by default): that reading is
tried first, the requested CRS after it.

Geometries may come as GeoJSON text (bytes or str, as the GeoJSON reader
hands them on unparsed) or as GeoJSON-like dicts (GML): GEOS reads the text
of a whole page in one call, no Python object per coordinate.
"""
from __future__ import annotations

import csv
import json
import os
from collections import Counter
from typing import Any, Iterable, Optional

import msgspec
import numpy as np
import shapely

from . import geojson_columns
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


class Page(list):
    """One response's (id, properties, geometry) records and what the response
    says of itself: `crs` as a code (EPSG:n, OGC:CRS84) with `yx` its axis
    order, None where it does not say; `matched` its numberMatched.
    `shapes`: the records' geometries already read (read_shapes), in their
    order, or None (the writer reads them)."""

    def __init__(self, records: Iterable = (), crs: Optional[str] = None, yx: bool = False,
                 matched: Optional[int] = None):
        super().__init__(records)
        self.crs, self.yx, self.matched = crs, yx, matched
        self.shapes: Optional[np.ndarray] = None

    def read_shapes(self) -> "Page":
        """Its geometries read now (the WFS reader does it in the thread that
        fetched the page, beside the writer's work on the page before)."""
        self.shapes = _read([g for _, _, g in self])
        return self


class _Feature(msgspec.Struct, omit_defaults=False):
    """A written feature: its geometry is GEOS's GeoJSON text, put in as it is."""
    type: str
    id: str
    properties: dict
    geometry: msgspec.Raw


_encode = msgspec.json.Encoder(enc_hook=str).encode  # str(): what json.dumps(default=str) did


def _geojson_text(geometry: Any):
    if isinstance(geometry, (bytes, str)):
        return geometry
    return json.dumps(geometry) if geometry else "null"


def _read(geometries: list) -> np.ndarray:
    """shapely geometries of GeoJSON texts or dicts; texts as columns where they can be."""
    return geojson_columns.read([_geojson_text(g) for g in geometries])


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
        self.read_crs = crs          # the CRS the features were read in (the page's, if it said)
        self._said: Optional[tuple[str, bool]] = None

    def _to_lonlat(self, coords: np.ndarray, yx: bool) -> np.ndarray:
        xy = coords[:, ::-1] if yx else coords
        if self._transform is None:
            return xy
        lon, lat = self._transform.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    def _axis_check(self, coords: np.ndarray, said: Optional[tuple[str, bool]]) -> None:
        """On the first page with geometries (and again when a page says another
        CRS): which reading of the coordinates lands in the advertised box? The
        CRS the page says it is in, then as told; each with the axes swapped
        too (some servers write GeoJSON as [y, x]); or as WGS 84
        longitude/latitude whatever CRS was asked for (RFC 7946 GeoJSON, as
        QGIS Server answers). None: the layer fails, it is never published."""
        self.checked = True
        told = (self.crs, self.told_yx)
        readings = []
        for crs, yx in ([said] if said else []) + [told, ("OGC:CRS84", False)]:
            for reading in ((crs, yx), (crs, not yx)):
                if reading not in readings:
                    readings.append(reading)
        for crs, yx in readings:
            self._transform = None if crs == "OGC:CRS84" else transformer(crs)
            lonlat = self._to_lonlat(coords, yx)
            if _inside(lonlat[:, 0], lonlat[:, 1], self.bbox) >= 0.5:
                self.yx, self.read_crs = yx, crs
                base = said or told
                if crs == base[0] and yx != base[1]:
                    self.counts["axis_order_corrected"] += 1
                if crs == "OGC:CRS84" and self.crs not in ("OGC:CRS84", "EPSG:4326"):
                    self.counts["answered_in_wgs84"] += 1
                return
        crs, yx = said or told
        self._transform = None if crs == "OGC:CRS84" else transformer(crs)
        lon, lat = np.median(self._to_lonlat(coords, yx), axis=0)
        raise OutsideExtent(
            f"the features do not lie in the layer's advertised extent {self.bbox} (read as {crs}, they "
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

    def _fresh(self, records) -> tuple:
        """(ids, properties, geometries, positions) of a page whose features all
        have ids, none seen before nor twice on it (the usual page), in a few
        calls over whole lists; (None, …) for any other page (_dedup)."""
        given = [r[0] for r in records]
        if None in given or "" in given:
            return None, None, None, None
        ids = list(map(str, given))
        fresh = set(ids)
        if len(fresh) != len(ids) or not self.seen.isdisjoint(fresh):
            return None, None, None, None
        self.seen |= fresh
        return ids, [r[1] for r in records], [r[2] for r in records], range(len(ids))

    def _dedup(self, records) -> tuple:
        """As _fresh, one feature after another: an id missing (numbered
        here), seen before or twice on the page (dropped and counted)."""
        ids, props, shapes, kept = [], [], [], []
        seen, number = self.seen, self.counts["features"]
        for i, (fid, properties, geometry) in enumerate(records):
            fid = str(fid) if fid not in (None, "") else f"{self.name}.{number + len(ids) + 1}"
            if fid in seen:
                self.counts["duplicates_dropped"] += 1  # the same feature on two pages
                continue
            seen.add(fid)
            ids.append(fid)
            props.append(properties)
            shapes.append(geometry)
            kept.append(i)
        return ids, props, shapes, kept

    def add(self, records: Iterable[tuple[Optional[str], dict[str, Any], Any]]) -> int:
        """One page of (id, properties, geometry as GeoJSON text or dict);
        returns how many were new. A Page may say its CRS (see _axis_check)."""
        records = records if isinstance(records, list) else list(records)  # read twice below
        said = (records.crs, records.yx) if isinstance(records, Page) and records.crs else None
        read = records.shapes if isinstance(records, Page) else None
        ids, props, shapes, kept = self._fresh(records)
        if ids is None:
            ids, props, shapes, kept = self._dedup(records)
        if not ids:
            return 0
        if read is None:
            geoms = _read(shapes)
        else:
            geoms = read[list(kept)] if len(kept) < len(read) else read.copy()
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        self.counts["without_geometry"] += int(missing.sum())
        invalid = ~missing & ~shapely.is_valid(geoms)
        if invalid.any():
            geoms[invalid] = shapely.make_valid(geoms[invalid])
            self.counts["repaired"] += int(invalid.sum())
        self.pages += 1
        present = geoms[~shapely.is_missing(geoms)]
        coords = shapely.get_coordinates(present) if len(present) else np.empty((0, 2))
        if len(coords) and self.bbox is not None and (not self.checked or (said and said != self._said)):
            self._axis_check(coords, said)
            self._said = said
        elif said and self.bbox is None and said != self._said:  # no extent to prove it by: as the page says
            self.read_crs, self.yx = said
            self._transform = None if said[0] == "OGC:CRS84" else transformer(said[0])
            self._said = said
        yx = self.yx
        geoms = shapely.transform(geoms, lambda c: np.round(self._to_lonlat(c, yx), 7))
        if len(coords):
            self._extent_check(shapely.get_coordinates(geoms[~shapely.is_missing(geoms)]))
        texts = shapely.to_geojson(geoms)
        raw = msgspec.Raw
        out = b",\n".join(_encode(_Feature("Feature", fid, properties, raw(text if text is not None else "null")))
                          for fid, properties, text in zip(ids, props, texts))
        self._csv.writerows(zip(ids, *(_column([p.get(f) for p in props]) for f in self.fields)))
        self._geo.write(("" if self.counts["features"] == 0 else ",\n") + out.decode("utf-8"))
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


_AS_IS = {str, int, float, type(None)}  # what csv.writer writes as _cell would (None as "")


def _column(values: list) -> list:
    """A column's cells: as they are when the csv writer writes them as _cell
    does (strings, numbers, None), else each through _cell."""
    return values if set(map(type, values)) <= _AS_IS else [_cell(v) for v in values]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
