"""What is wrong with a GeoJSON geometry a steward typed, in words for them.

shapely builds a shape from almost anything (it closes open rings, takes
empty coordinates, any numbers) and its errors are GEOS, JSON parser or
numpy text. So the structure is checked here first (RFC 7946: positions of
two or three numbers, lines of two positions, closed rings of four), each
position must be longitude/latitude in WGS 84, and only then shapely judges
the geometry (self-intersections and the like).

Messages are English msgids with their arguments, translated where raised.
"""
from __future__ import annotations

import json
import math
from typing import Any

# How deep the positions lie in "coordinates", per type.
DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
         "Polygon": 2, "MultiPolygon": 3}
TYPES = (*DEPTH, "GeometryCollection")


def _(message: str) -> str:
    """Marks a msgid for extraction; the validator translates it."""
    return message


class GeometryProblem(Exception):
    def __init__(self, message: str, **args: Any):
        super().__init__(message)
        self.message, self.args_ = message, args


def _fmt(position: list) -> str:
    return "(" + ", ".join(f"{v:.10g}" for v in position) + ")"


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _position(p: Any) -> None:
    if not isinstance(p, list) or not 2 <= len(p) <= 3 or not all(_number(v) for v in p):
        raise GeometryProblem(_("A position must be two numbers, longitude and latitude, "
                                "e.g. [11.59, 50.93]"))
    lon, lat = p[0], p[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        # Typically metres of a projected system (UTM 32N: 681234, 5644321).
        raise GeometryProblem(_("{position} is not longitude and latitude in WGS 84 (EPSG:4326); "
                                "projected coordinates such as UTM metres must be converted"),
                              position=_fmt(p))


def _positions(coords: Any, depth: int) -> None:
    if depth == 0:
        _position(coords)
        return
    if not isinstance(coords, list):
        raise GeometryProblem(_("The coordinates are not nested as the geometry type needs"))
    for c in coords:
        _positions(c, depth - 1)


def _line(line: list) -> None:
    if len(line) < 2:
        raise GeometryProblem(_("A line needs at least two positions"))


def _ring(ring: list) -> None:
    if len(ring) < 4:
        raise GeometryProblem(_("A polygon ring needs at least four positions, "
                                "the last the same as the first"))
    if ring[0] != ring[-1]:
        raise GeometryProblem(_("The polygon ring is not closed: its last position {last} must be "
                                "the same as its first {first}"),
                              first=_fmt(ring[0]), last=_fmt(ring[-1]))


def _check_structure(geometry: Any) -> None:
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise GeometryProblem(_('A GeoJSON geometry is an object with "type" and "coordinates"'))
    kind = geometry["type"]
    if kind in ("Feature", "FeatureCollection"):
        raise GeometryProblem(_('Give the geometry itself (the "geometry" of a Feature), '
                                'not a {type}'), type=kind)
    if kind not in TYPES:
        raise GeometryProblem(_('Unknown geometry type "{type}"; allowed are {allowed}'),
                              type=str(kind)[:40], allowed=", ".join(TYPES))
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        if not isinstance(parts, list) or not parts:
            raise GeometryProblem(_("The geometry has no coordinates"))
        for part in parts:
            _check_structure(part)
        return
    coords = geometry.get("coordinates")
    if coords is None or coords == []:
        raise GeometryProblem(_("The geometry has no coordinates"))
    _positions(coords, DEPTH[kind])
    lines = [coords] if kind == "LineString" else coords if kind == "MultiLineString" else []
    for line in lines:
        _line(line)
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for polygon in polygons:
        if not polygon:
            raise GeometryProblem(_("The geometry has no coordinates"))
        for ring in polygon:
            _ring(ring)


def _validity(geometry: dict) -> None:
    from shapely.geometry import shape
    from shapely.validation import explain_validity
    geom = shape(geometry)
    if geom.is_valid:
        return
    reason = explain_validity(geom)  # "Self-intersection[11.5 50.9]"
    where = reason[reason.find("[") + 1:reason.rfind("]")] if "[" in reason else ""
    where = "(" + ", ".join(where.split()) + ")" if where else ""
    if "self-intersection" in reason.lower():
        raise GeometryProblem(_("The geometry crosses itself at {position}"), position=where)
    raise GeometryProblem(_("The geometry is not valid at {position}: rings must not overlap "
                            "and holes must lie inside their polygon"), position=where)


def parse(value: Any) -> dict:
    """The geometry of a form text or an API value, or GeometryProblem."""
    if isinstance(value, dict):
        geometry = value
    else:
        try:
            geometry = json.loads(value)
        except ValueError as e:
            line, column = getattr(e, "lineno", None), getattr(e, "colno", None)
            raise GeometryProblem(_("This is not GeoJSON: check brackets, commas and quotation "
                                    "marks (line {line}, column {column})"),
                                  line=line or 1, column=column or 1)
    _check_structure(geometry)
    _validity(geometry)
    return geometry
