"""A tree register that is an ArcGIS layer's query URL (`format: geojson`,
url `…/FeatureServer/<id>/query?where=…&outFields=…&f=geojson`: Konstanz,
Karlsruhe, Chemnitz). One answer holds at most the layer's maxRecordCount
trees and says exceededTransferLimit when more follow, so the URL is read
as the ArcGIS kind reads a layer (arcgis_feature_service.open_layer: page
by page by resultOffset, ordered by the objectIdField, in WGS 84), keeping
the URL's own where and outFields. Date fields (epoch milliseconds) become
ISO dates, which the planting and felling options read."""
from __future__ import annotations

import urllib.parse

import polars as pl

from etl import tree_formats

from ..fetch import SourceError
from .arcgis_feature_service import iso, open_layer
from .tree_wfs import point_xy

def is_query(url: str) -> bool:
    """Whether `url` is an ArcGIS REST layer query (…/FeatureServer|MapServer/<id>/query)."""
    parts = urllib.parse.urlsplit(url).path.rstrip("/").split("/")
    return len(parts) >= 3 and parts[-1].lower() == "query" and parts[-2].isdigit() \
        and parts[-3].lower() in ("featureserver", "mapserver")


def read(source: str, config) -> pl.DataFrame:
    """Every tree the query selects, as a table of text columns (see tree_formats.read_points)."""
    if config.crs.upper() not in ("EPSG:4326", "OGC:CRS84"):
        raise SourceError(f"{source}: an ArcGIS query is read in WGS 84 (outSR=4326): set crs: EPSG:4326, "
                          f"not {config.crs}")
    parts = urllib.parse.urlsplit(config.url)
    asked = dict(urllib.parse.parse_qsl(parts.query))
    layer_url = urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/")[:-len("/query")], query=""))
    layer = open_layer(source, layer_url, config, where=asked.get("where") or "1=1",
                       out_fields=asked.get("outFields") or "*")
    dates = {c.name for c in layer.columns if c.type in ("date", "datetime")}  # as the ArcGIS kind types them

    def records():
        got = 0
        for page in layer.pages:
            for _, props, geometry in page:
                got += 1
                yield ({k: iso(v, "date") if k in dates else v for k, v in props.items()}, *point_xy(geometry))
        if layer.count is not None and got < layer.count:  # a service that lost rows between pages
            raise SourceError(f"{source}: the layer counts {layer.count} trees, its pages gave {got}; not published")
    return tree_formats.read_points(records())
