"""Features out of a GML feature collection (GML 2, 3.1.1, 3.2), streamed.

For WFS services without GeoJSON output. Yields (gml:id, properties,
GeoJSON-like geometry) per feature with coordinates in the order the
document has them; the caller decides about axis order (etl/features.py).
Simple features only: Point, LineString, Polygon, their Multi* forms and
GML 3's Curve/Surface with linear segments.
"""
from __future__ import annotations

from typing import IO, Any, Iterator, Optional

from lxml import etree

from . import safexml
from .reproject import authority_yx, crs_code

MEMBERS = {"featureMember", "member", "featureMembers"}
GML_NS = ("http://www.opengis.net/gml", "http://www.opengis.net/gml/3.2")


MULTI = {"MultiPoint": "MultiPoint", "MultiLineString": "MultiLineString", "MultiCurve": "MultiLineString",
         "MultiPolygon": "MultiPolygon", "MultiSurface": "MultiPolygon"}
MULTI_MEMBERS = {"pointMember", "pointMembers", "curveMember", "curveMembers", "lineStringMember",
                 "surfaceMember", "surfaceMembers", "polygonMember"}


class GMLError(ValueError):
    pass


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _is_gml(el) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith("{") and el.tag[1:].partition("}")[0] in GML_NS


def _numbers(el, dim: int) -> list[list[float]]:
    name = _local(el.tag)
    text = (el.text or "").split()
    if name == "coordinates":  # GML 2: "x,y x,y"
        return [[float(v) for v in pair.split(",")[:2]] for pair in text]
    values = [float(v) for v in text]
    return [values[i:i + 2] for i in range(0, len(values) - dim + 1, dim)]


def _dim(el) -> int:
    return int(el.get("srsDimension") or el.get("dimension") or 2)


def _points(el) -> list[list[float]]:
    """The coordinates under a geometry element, in document order."""
    out: list[list[float]] = []
    for child in el.iter():
        name = _local(child.tag)
        if name in ("posList", "coordinates"):
            out += _numbers(child, _dim(child))
        elif name == "pos":
            out += _numbers(child, _dim(child))[:1]
        elif name == "coord":  # GML 2 <coord><X/><Y/></coord>
            out.append([float(child.findtext("{*}X")), float(child.findtext("{*}Y"))])
    return out


def _rings(polygon) -> list[list[list[float]]]:
    rings = []
    for child in polygon:
        if _local(child.tag) in ("exterior", "outerBoundaryIs", "interior", "innerBoundaryIs"):
            rings.append(_points(child))
    return rings


def geometry(el) -> dict[str, Any]:
    name = _local(el.tag)
    if name == "Point":
        return {"type": "Point", "coordinates": _points(el)[0]}
    if name in ("LineString", "Curve", "LinearRing"):
        return {"type": "LineString", "coordinates": _points(el)}
    if name in ("Polygon", "Surface"):
        polygons = [p for p in el.iter() if _local(p.tag) in ("Polygon", "PolygonPatch")]
        return {"type": "Polygon", "coordinates": _rings(polygons[0] if name == "Surface" else el)}
    if name in MULTI:
        parts = [g for member in el if _local(member.tag) in MULTI_MEMBERS for g in member if _is_gml(g)]
        return {"type": MULTI[name], "coordinates": [geometry(p)["coordinates"] for p in parts]}
    raise GMLError(f"unsupported GML geometry {name}")


def _feature(el) -> tuple[Optional[str], dict[str, Any], Optional[dict]]:
    fid = el.get("{http://www.opengis.net/gml/3.2}id") or el.get("{http://www.opengis.net/gml}id") or el.get("fid")
    props: dict[str, Any] = {}
    geom = None
    for child in el:
        if not isinstance(child.tag, str) or _is_gml(child):
            continue  # gml:boundedBy, gml:name, …
        inner = [c for c in child if _is_gml(c)]
        if inner:
            geom = geometry(inner[0])
        elif child.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true":
            props[_local(child.tag)] = None
        else:
            props[_local(child.tag)] = child.text
    return fid, props, geom


def reading(srs_name: Optional[str], version: str) -> tuple[Optional[str], bool]:
    """(code, y before x) of an srsName in a WFS `version` answer; (None, False)
    where it names none we know. URNs and http://www.opengis.net/def/crs URIs
    follow the CRS's definition; the old …/gml/srs/epsg.xml#n form is always
    x/y; a bare EPSG:n is x/y in WFS 1.0 and the definition's order after it."""
    if not srs_name:
        return None, False
    try:
        code = crs_code(srs_name.replace("epsg.xml#", "epsg.xml/"))  # …/gml/srs/epsg.xml#4326
    except ValueError:
        return None, False
    if code == "OGC:CRS84" or "epsg.xml#" in srs_name or \
            (srs_name.upper().startswith("EPSG:") and version.startswith("1.0")):
        return code, False
    return code, authority_yx(code)


def features(stream: IO[bytes], about: Optional[dict] = None
             ) -> Iterator[tuple[Optional[str], dict[str, Any], Optional[dict]]]:
    """The features of a collection; `about` gets what it says of itself:
    the srsName of its first geometry (or envelope) and its numberMatched."""
    about = {} if about is None else about
    try:
        for _, el in safexml.iterparse(stream, events=("end",), huge_tree=True):
            if "srsName" not in about:  # the collection's envelope or the first geometry ends early
                if "numberMatched" not in about:
                    matched = el.getroottree().getroot().get("numberMatched") or ""
                    about["numberMatched"] = int(matched) if matched.isdigit() else None
                if el.get("srsName"):
                    about["srsName"] = el.get("srsName")
            parent = el.getparent()
            if parent is not None and _local(parent.tag) in MEMBERS and not _is_gml(el):
                yield _feature(el)
                el.clear()  # streamed: a parsed feature is dropped at once
                if _local(parent.tag) != "featureMembers":
                    while parent.getprevious() is not None:
                        del parent.getparent()[0]
    except etree.XMLSyntaxError as e:
        raise GMLError(f"not well-formed GML: {e}")
