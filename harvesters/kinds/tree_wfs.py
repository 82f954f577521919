"""A tree register published as a WFS layer (`format: wfs`, Berlin): every
page of the feature type `layer` read through the GIS harvester's WFS class
(harvesters/ogc.py: capabilities, paging, CountDefault, exception reports),
in the source's CRS; each point's coordinates become the table's x and y,
its properties text columns, as the file formats give them."""
from __future__ import annotations

from typing import Any, Iterator, Optional

import msgspec
import polars as pl

from etl import tree_formats
from etl.reproject import authority_yx, crs_code

from ..fetch import SourceError
from ..ogc import WFS


def point_xy(geometry: Any, yx: bool = False) -> tuple[Optional[float], Optional[float]]:
    """A Point's (or a MultiPoint's first point's) x and y; else none (counted
    as a tree without a position by the kind, like GeoJSON files)."""
    if isinstance(geometry, (bytes, str)):
        try:
            geometry = msgspec.json.decode(geometry)
        except msgspec.DecodeError:
            return None, None
    if not isinstance(geometry, dict):
        return None, None
    coords = geometry.get("coordinates")
    if geometry.get("type") == "MultiPoint" and coords:
        coords = coords[0]
    elif geometry.get("type") != "Point":
        return None, None
    if not (isinstance(coords, list) and len(coords) >= 2):
        return None, None
    return (coords[1], coords[0]) if yx else (coords[0], coords[1])


def _records(source: str, layer: str, wanted: str, yx_asked: bool, pages: Iterator
             ) -> Iterator[tuple[dict, Any, Any]]:
    for page in pages:
        # A page that says it is in another CRS than asked for would put every
        # tree elsewhere: refused (GeoJSON without a crs member says nothing).
        said = page.crs if page.crs not in (None, "OGC:CRS84") else None
        if said and said != wanted:
            raise SourceError(f"{source}: the WFS answered layer {layer} in {said}, not the configured crs {wanted}")
        for _, props, geometry in page:
            # GML says its axis order with its srsName; one that says nothing is in the asked CRS's.
            yield (props or {}, *point_xy(geometry, page.yx if said else yx_asked))


def read(source: str, config) -> pl.DataFrame:
    """The layer's trees as a table of text columns (see tree_formats.read_points)."""
    settings = config.as_dict()
    try:
        wanted = crs_code(config.crs)
    except ValueError as e:
        raise SourceError(f"{source}: crs {config.crs}: {e}")
    wfs = WFS(source, config.url, settings)
    if config.layer not in wfs.layers:
        raise SourceError(f"{source}: the WFS has no feature type {config.layer} "
                          f"(it offers: {', '.join(sorted(wfs.layers)) or 'none'})")
    kind, fmt = wfs.output_format()
    # GML of WFS 1.1/2.0 follows the CRS's definition (northing first for EPSG:3044); GeoJSON is x/y.
    yx_asked = kind == "gml" and not wfs.version.startswith("1.0") and authority_yx(wanted)
    pages = wfs.pages(config.layer, config.crs, kind, fmt)
    return tree_formats.read_points(_records(source, config.layer, wanted, bool(yx_asked), pages))
