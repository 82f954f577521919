"""A GeoJSON FeatureCollection checked feature by feature with shapely."""
from __future__ import annotations

import json
from typing import Any

from .report import Finding, Report

TITLE, DESCRIPTION = "Geometry Error", "A feature's geometry is missing or invalid."


def _outside_wgs84(geom) -> bool:
    """GeoJSON is WGS 84 (RFC 7946): metres of a projected CRS are out of range."""
    minx, miny, maxx, maxy = geom.bounds
    return minx < -180 or maxx > 180 or miny < -90 or maxy > 90


def _problem(geometry: Any) -> str:
    from shapely.geometry import shape
    from shapely.validation import explain_validity
    if not isinstance(geometry, dict) or not geometry.get("type"):
        return "no geometry"
    geom = shape(geometry)
    if geom.is_empty:
        return "empty coordinates"
    if _outside_wgs84(geom):
        return "coordinates outside WGS 84 longitude/latitude (projected metres?)"
    if not geom.is_valid:
        return explain_validity(geom)
    return ""


def check(path: str, max_errors: int) -> Report:
    source = {"format": "geojson", "encoding": "utf-8"}
    try:
        with open(path, encoding="utf-8-sig") as f:
            data = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        report = Report.failed("not-geojson", f"not GeoJSON: {e}")
        report.source = source
        return report
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(features, list):
        report = Report.failed("not-geojson", "not a GeoJSON FeatureCollection")
        report.source = source
        return report
    errors: list[Finding] = []
    for number, feature in enumerate(features, start=1):
        try:
            problem = _problem(feature.get("geometry") if isinstance(feature, dict) else None)
        except Exception as e:  # shapely refuses what is not a geometry at all
            problem = f"no readable geometry ({e})"
        if problem:
            errors.append(Finding("geometry-error", f"feature {number}: {problem}", row=number, field="geometry",
                                  title=TITLE, description=DESCRIPTION))
        if len(errors) >= max_errors:
            break
    return Report.verdict(errors, max_errors, row_count=len(features), source=source, schema_origin="geojson")
