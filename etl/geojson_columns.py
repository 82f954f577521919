"""A page of GeoJSON geometries (their text, as a WFS answer holds them) read
into shapely geometries as columns: one flat array of coordinates and the
offsets of rings, parts and geometries, built with numpy from the brackets
of the text, instead of GEOS's GeoJSON reader parsing each geometry on its
own (about three times faster on a page of polygons; see bench/gis_bench.py).

Only what is plainly simple is read this way: Point, LineString, Polygon and
their Multi* forms in two dimensions, with no empty part, every line of two
positions or more and every ring closed with four or more. Anything else on
the page (GeometryCollection, z values, empty or unclosed parts, text that is
no geometry) sends the whole page to shapely.from_geojson as before, so the
result is always what from_geojson gives (tests/etl/test_geojson_columns.py).
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import msgspec
import numpy as np
import shapely
from shapely import GeometryType


class _Geometry(msgspec.Struct):
    type: str
    coordinates: msgspec.Raw = msgspec.Raw(b"null")


_decode = msgspec.json.Decoder(list[Optional[_Geometry]]).decode
_floats = msgspec.json.Decoder(list[float]).decode

# type: (nesting depth of its coordinates, shapely's type, depth of its rings or lines)
_TYPES = {
    "Point": (1, GeometryType.POINT, None),
    "LineString": (2, GeometryType.LINESTRING, ("line", 1)),
    "MultiPoint": (2, GeometryType.MULTIPOINT, None),
    "Polygon": (3, GeometryType.POLYGON, ("ring", 2)),
    "MultiLineString": (3, GeometryType.MULTILINESTRING, ("line", 2)),
    "MultiPolygon": (4, GeometryType.MULTIPOLYGON, ("ring", 3)),
}
_BRACKETS = bytes.maketrans(b"[]", b"  ")
_OPEN, _CLOSE, _COMMA = ord("["), ord("]"), ord(",")
_STEP = np.zeros(256, dtype=np.int16)
_STEP[_OPEN], _STEP[_CLOSE] = 1, -1


class _NotSimple(Exception):
    """Something on the page the column reader leaves to GEOS's GeoJSON reader."""


def read(texts: Sequence[Union[bytes, str]]) -> np.ndarray:
    """shapely geometries (None where a text is null or unreadable) of GeoJSON geometry texts."""
    if texts and all(isinstance(t, bytes) for t in texts):
        try:
            return _columns(texts)
        except (_NotSimple, msgspec.DecodeError, msgspec.ValidationError, ValueError):
            pass
    return shapely.from_geojson(list(texts), on_invalid="ignore")


def _columns(texts: Sequence[bytes]) -> np.ndarray:
    decoded = _decode(b"[" + b",".join(texts) + b"]")
    out = np.full(len(decoded), None, dtype=object)
    groups: dict[str, list[int]] = {}
    for i, g in enumerate(decoded):
        if g is not None:
            groups.setdefault(g.type, []).append(i)
    for name, where in groups.items():
        if name not in _TYPES:
            raise _NotSimple(name)
        out[where] = _group(name, [bytes(decoded[i].coordinates) for i in where])
    return out


def _group(name: str, raws: list[bytes]) -> np.ndarray:
    """The geometries of one type from their `coordinates` texts."""
    depth_of_positions, kind, parts = _TYPES[name]
    text = b",".join(raws)  # commas between geometries lie at depth 0: only the numbers see them
    chars = np.frombuffer(text, dtype=np.uint8)
    # Only the brackets and commas matter for the structure: about one in ten characters.
    marks = chars[np.flatnonzero((chars == _OPEN) | (chars == _CLOSE) | (chars == _COMMA))]
    opens = marks == _OPEN
    depth = np.cumsum(_STEP[marks], dtype=np.int16)
    if depth.min(initial=0) < 0 or (len(depth) and depth[-1] != 0):
        raise _NotSimple("brackets")
    # Each `[` at depth k (1 = the geometry's own array) opens an element of level k.
    levels = [np.flatnonzero(opens & (depth == k)) for k in range(1, depth_of_positions + 1)]
    if len(levels[0]) != len(raws) or np.any(opens & (depth > depth_of_positions)):
        raise _NotSimple("nesting")
    positions = levels[-1]
    # Two numbers per position: exactly one comma inside each innermost array.
    commas = np.flatnonzero((marks == _COMMA) & (depth == depth_of_positions))
    owner = np.searchsorted(positions, commas) - 1
    if len(commas) != len(positions) or np.any(np.bincount(owner, minlength=len(positions)) != 1):
        raise _NotSimple("not two numbers per position")
    numbers = _floats(b"[" + text.translate(_BRACKETS) + b"]")  # one flat JSON array of numbers
    coords = np.asarray(numbers, dtype=np.float64).reshape(-1, 2)
    if len(coords) != len(positions):
        raise _NotSimple("numbers")
    # offsets[k]: where each element of level k starts among those of level k + 1
    offsets = [np.append(np.searchsorted(inner, outer), len(inner)).astype(np.int64)
               for outer, inner in zip(levels[:-1], levels[1:])]
    if any(np.any(np.diff(o) < 1) for o in offsets):
        raise _NotSimple("an empty part")
    if parts:
        what, level = parts
        starts = offsets[level - 1]
        counts = np.diff(starts)
        if what == "line" and np.any(counts < 2):
            raise _NotSimple("a line of one position")
        if what == "ring" and (np.any(counts < 4) or
                               np.any(coords[starts[:-1]] != coords[starts[1:] - 1])):
            raise _NotSimple("a ring not closed")
    if kind == GeometryType.POINT:
        return shapely.points(coords)
    return shapely.from_ragged_array(kind, coords, tuple(reversed(offsets)))
