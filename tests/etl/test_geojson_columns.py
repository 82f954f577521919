"""A page of GeoJSON geometries read as columns (etl.geojson_columns) gives
exactly the geometries GEOS's GeoJSON reader gives, and every page the
column reader cannot take whole is read by GEOS as before."""
import json
import random

import numpy as np
import pytest
import shapely

from etl import geojson_columns

SIMPLE = [
    '{"type": "Point", "coordinates": [681458.46, 5644225.03]}',
    '{"type":"Point","coordinates":[11,50]}',                                   # integers
    '{ "type": "LineString", "coordinates": [ [ 1.5, 2 ], [3e2, -4.25E-1] ] }',  # exponents
    '{"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], '
    '[[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]]}',                               # a courtyard
    '{"coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]], "type": "Polygon"}',  # members in any order
    '{"type": "MultiPoint", "coordinates": [[1, 2], [3, 4], [5, 6]]}',
    '{"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[2, 2], [3, 3], [4, 5]]]}',
    '{"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], '
    '[[[5, 5], [9, 5], [9, 9], [5, 9], [5, 5]], [[6, 6], [6, 7], [7, 7], [6, 6]]]]}',
    '{"type": "Polygon", "bbox": [0, 0, 3, 3], "coordinates": [[[0, 0], [3, 0], [3, 3], [0, 0]]]}',
    'null',
    '{"type":\n"Polygon",\t"coordinates":\r\n[[[0,0],[0,1],[1,1],[1,0],[0,0]]]}',  # self-crossing? no: a square
    '{"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}',  # a bow tie: read, invalid
]

# Pages the column reader hands to GEOS whole: what GEOS makes of them is the answer.
OTHER = [
    '{"type": "Point", "coordinates": [1, 2, 3]}',                              # z
    '{"type": "LineString", "coordinates": [[1, 2, 3], [4, 5, 6]]}',
    '{"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}]}',
    '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}',   # ring not closed
    '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}',           # three positions
    '{"type": "LineString", "coordinates": [[0, 0]]}',                          # one position
    '{"type": "Polygon", "coordinates": []}',                                   # empty
    '{"type": "MultiPolygon", "coordinates": [[]]}',
    '{"type": "Point", "coordinates": []}',
    '{"type": "polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}',   # no such type
    '{"type": "Point", "coordinates": "[1, 2]"}',                               # not numbers
    '{"type": "Point", "coordinates": [true, 2]}',
    '{"type": "Point"}',
    '{"type": "LineString", "coordinates": [[1, 2], [3]]}',
    '[1, 2]',
    'not json',
]


def _wkb(geoms):
    return [None if g is None else shapely.to_wkb(g, hex=True) for g in geoms]


def _reference(texts):
    return _wkb(shapely.from_geojson([t.decode() if isinstance(t, bytes) else t for t in texts],
                                     on_invalid="ignore"))


def test_simple_geometries_are_read_as_columns_exactly_as_geos_reads_them():
    texts = [t.encode() for t in SIMPLE]
    columns = geojson_columns._columns(texts)  # no hand-over: it would raise
    assert _wkb(columns) == _reference(texts)
    assert columns[SIMPLE.index("null")] is None
    assert not shapely.is_valid(columns[-1])  # read as it is; the writer repairs it


@pytest.mark.parametrize("other", OTHER)
def test_a_page_with_anything_else_is_read_by_geos_whole(other):
    texts = [t.encode() for t in SIMPLE[:4]] + [other.encode()] + [t.encode() for t in SIMPLE[4:]]
    with pytest.raises(Exception):
        geojson_columns._columns(texts)
    assert _wkb(geojson_columns.read(texts)) == _reference(texts)


def test_random_pages_of_every_simple_type():
    rng = random.Random(19)

    def ring(cx, cy, r, n):
        points = [[round(cx + r * np.cos(a), rng.choice([0, 2, 7, 12])), round(cy + r * np.sin(a), 3)]
                  for a in sorted(rng.uniform(0, 2 * np.pi) for _ in range(n))]
        return points + [points[0]]

    def geometry():
        kind = rng.choice(["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"])
        x, y = rng.uniform(-1e6, 1e6), rng.uniform(-1e6, 1e6)
        line = [[x + rng.uniform(-50, 50), y + rng.uniform(-50, 50)] for _ in range(rng.randint(2, 9))]
        polygon = [ring(x, y, 100, rng.randint(3, 12))] + [ring(x, y, 10, 3) for _ in range(rng.randint(0, 2))]
        coordinates = {"Point": [x, y], "LineString": line, "Polygon": polygon,
                       "MultiPoint": line, "MultiLineString": [line, line[::-1]],
                       "MultiPolygon": [polygon, [ring(x + 500, y, 50, 5)]]}[kind]
        return json.dumps({"type": kind, "coordinates": coordinates}, indent=rng.choice([None, 1]))

    for _ in range(30):
        texts = [geometry().encode() if rng.random() > 0.05 else b"null" for _ in range(rng.randint(1, 60))]
        assert _wkb(geojson_columns._columns(texts)) == _reference(texts)


def test_dicts_and_strings_are_read_by_geos():
    # GML pages hand over dicts (as JSON text) and other readers strings: GEOS reads them.
    texts = ['{"type": "Point", "coordinates": [1, 2]}', "null"]
    assert _wkb(geojson_columns.read(texts)) == _reference(texts)
