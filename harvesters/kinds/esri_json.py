"""Esri JSON features (an ArcGIS query with f=json) as the (id, properties,
GeoJSON geometry) records LayerWriter takes, for services that offer no
geoJSON format.

Esri geometries: {"x", "y"}, {"points"}, {"paths"}, {"rings"}. Rings do
not say which polygon they belong to: in Esri's convention outer rings run
clockwise and holes counter-clockwise; each hole belongs to the outer ring
that contains it. A ring in the wrong orientation with no outer ring around
it is taken as an outer ring (digitised data is not always tidy); the
writer checks and repairs what comes out.
"""
from __future__ import annotations

from typing import Any, Optional

import shapely

from ..fetch import SourceError


def _area2(ring: list) -> float:
    """Twice the signed area (shoelace): negative = clockwise in x/y."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:] + ring[:1]))


def _polygon(rings: list) -> Optional[dict]:
    outers: list[list] = []
    holes: list[list] = []
    for ring in rings:
        if len(ring) < 4:
            continue
        (outers if _area2(ring) <= 0 else holes).append(ring)
    polygons = [[outer] for outer in outers]
    shapes = [shapely.Polygon([p[:2] for p in outer]) for outer in outers]
    for hole in holes:
        point = shapely.Point(hole[0][:2])
        home = next((i for i, shape in enumerate(shapes) if shape.covers(point)), None)
        if home is None:  # no outer ring around it: an outer ring drawn the other way round
            polygons.append([hole])
            shapes.append(shapely.Polygon([p[:2] for p in hole]))
        else:
            polygons[home].append(hole)
    # GeoJSON (RFC 7946): outer rings counter-clockwise, holes clockwise
    polygons = [[ring[::-1] if (_area2(ring) < 0) == (i == 0) else ring for i, ring in enumerate(p)]
                for p in polygons]
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def geometry(esri: Any) -> Optional[dict]:
    """An Esri JSON geometry as a GeoJSON geometry dict; None for none (or an empty one)."""
    if not isinstance(esri, dict):
        return None
    if "x" in esri:
        if esri["x"] is None or esri["x"] == "NaN":
            return None
        return {"type": "Point", "coordinates": [esri["x"], esri["y"]]}
    if esri.get("points"):
        return {"type": "MultiPoint", "coordinates": esri["points"]}
    if esri.get("paths"):
        paths = esri["paths"]
        return {"type": "LineString", "coordinates": paths[0]} if len(paths) == 1 else \
            {"type": "MultiLineString", "coordinates": paths}
    if esri.get("rings"):
        return _polygon(esri["rings"])
    return None


def records(who: str, url: str, feats: list, oid: str) -> list[tuple[Any, dict, Optional[dict]]]:
    out = []
    for f in feats:
        attributes = f.get("attributes") if isinstance(f, dict) else None
        if not isinstance(attributes, dict):
            raise SourceError(f"{who}: {url} has features without 'attributes' (not an Esri feature set)")
        try:
            out.append((attributes.get(oid), attributes, geometry(f.get("geometry"))))
        except (TypeError, ValueError, IndexError) as e:
            raise SourceError(f"{who}: {url} has a feature ({oid} {attributes.get(oid)}) with a broken "
                              f"geometry ({e})")
    return out
