"""The ext_bbox search parameter (ckanext-spatial's API) as a query clause."""
from __future__ import annotations

from ckan.lib.search.common import SearchError


def bbox_filter(value: str) -> str:
    """'minx,miny,maxx,maxy' (WGS 84) -> spatial_geom:"Intersects(ENVELOPE(...))"."""
    try:
        minx, miny, maxx, maxy = (float(v) for v in str(value).split(","))
    except ValueError:
        raise SearchError(
            f"ext_bbox must be four numbers minx,miny,maxx,maxy, got {value!r}")
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise SearchError(
            f"ext_bbox {value!r} is not a box in longitude/latitude (minx<=maxx, miny<=maxy)")
    return f'spatial_geom:"Intersects(ENVELOPE({minx}, {maxx}, {maxy}, {miny}))"'
