"""The ext_bbox clause answers exactly as ST_Intersects with the box, also for
geometries a float4 rounding away from its edges: its shortcut (a
geometry inside the box intersects it, translate.py) compares float4 boxes."""
import itertools

import numpy
import sqlalchemy as sa

import ckan.model as model
from ckanext.jena.pgsearch.translate import Params, Translator

BOXES = [(11.55, 50.88, 11.65, 50.95), (11.5, 50.8, 11.7, 51.0), (0.1, 0.1, 0.1, 0.1),
         (-180.0, -90.0, 180.0, 90.0), (13.3777, 52.5163, 13.3777001, 52.5163001)]


def _near(value):
    """value and numbers a float4 or double rounding away on either side."""
    f = numpy.float32(value)
    out = {value, float(f), float(numpy.nextafter(f, numpy.float32(numpy.inf))),
           float(numpy.nextafter(f, numpy.float32(-numpy.inf)))}
    for eps in (1e-12, 1e-9, 1e-7, 1e-5):
        out |= {value - eps, value + eps}
    return sorted(out)


def _geometries(box):
    minx, miny, maxx, maxy = box
    mid = ((minx + maxx) / 2, (miny + maxy) / 2)
    xs, ys = _near(minx) + _near(maxx) + [mid[0]], _near(miny) + _near(maxy) + [mid[1]]
    out = [f"POINT({x!r} {y!r})" for x, y in itertools.product(xs, ys)]
    # Lines and polygons across an edge, around the box, just outside it.
    out += [f"LINESTRING({minx - 1} {mid[1]!r}, {maxx + 1} {mid[1]!r})",
            f"LINESTRING({maxx + 1e-9!r} {miny - 1}, {maxx + 1e-9!r} {maxy + 1})",
            f"POLYGON(({minx - 1} {miny - 1}, {maxx + 1} {miny - 1}, {maxx + 1} {maxy + 1}, "
            f"{minx - 1} {maxy + 1}, {minx - 1} {miny - 1}))",
            f"POLYGON(({minx!r} {miny!r}, {mid[0]!r} {miny!r}, {mid[0]!r} {mid[1]!r}, "
            f"{minx!r} {mid[1]!r}, {minx!r} {miny!r}))",
            f"MULTIPOINT(({maxx + 1e-9!r} {mid[1]!r}), ({mid[0]!r} {mid[1]!r}))",
            "GEOMETRYCOLLECTION EMPTY"]
    return out


def test_the_bbox_clause_is_st_intersects_with_the_box():
    shortcut_taken = 0
    with model.meta.engine.connect() as conn:
        for box in BOXES:
            params = Params()
            clause = Translator(params, "simple")._spatial(
                f"Intersects(ENVELOPE({box[0]!r}, {box[2]!r}, {box[3]!r}, {box[1]!r}))")
            wkts = _geometries(box)
            rows = conn.execute(sa.text(
                f"SELECT w, {clause}, ST_Intersects(d.geom, ST_MakeEnvelope("
                f":_x0, :_y0, :_x1, :_y1, 4326)), d.geom @ ST_MakeEnvelope("
                f":_x0, :_y0, :_x1, :_y1, 4326) "
                f"FROM unnest(CAST(:_w AS text[])) w, "
                f"LATERAL (SELECT ST_GeomFromText(w, 4326) AS geom) d"),
                dict(params.values, _w=wkts, _x0=box[0], _y0=box[1], _x1=box[2], _y1=box[3]))
            for wkt, ours, reference, inside in rows:
                assert ours == reference, (box, wkt)
                shortcut_taken += bool(inside)
    assert shortcut_taken > 50
