"""Write a validated Frictionless data package: CSV, GeoJSON, datapackage.json.

The package is built in a new folder and validated with frictionless before
anything else sees it; an invalid package keeps its report beside it and is
never published.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from typing import Any, Optional



SCHEMAS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas", "tables")


def table_schema(name: str, extent: Optional[list[float]] = None) -> dict[str, Any]:
    with open(os.path.join(SCHEMAS, f"{name}.json"), encoding="utf-8") as f:
        schema = json.load(f)
    schema.pop("$comment", None)
    for field in schema["fields"]:
        if field["name"] == "planting_year":
            field["constraints"]["maximum"] = dt.date.today().year
        if extent and field["name"] in ("longitude", "latitude"):
            low, high = (extent[0], extent[2]) if field["name"] == "longitude" else (extent[1], extent[3])
            field["constraints"].update(minimum=low, maximum=high)
    return schema


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_trees(directory: str, name: str, title: str, frame, schema: dict,
                licence: dict, sources: list[dict], version: str) -> dict[str, Any]:
    """`frame`: the trees as a polars DataFrame in the schema's column order."""
    from . import columnar
    os.makedirs(directory, exist_ok=True)
    csv_path = os.path.join(directory, "baeume.csv")
    columnar.write_csv(frame.select([f["name"] for f in schema["fields"]]), csv_path)
    geo_path = os.path.join(directory, "baeume.geojson")
    located = columnar.write_geojson(frame, geo_path)
    descriptor = {
        "name": name, "title": title, "version": version,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "licenses": [licence], "sources": sources,
        "resources": [
            {"name": "baeume", "path": "baeume.csv", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "schema": schema, "hash": "sha256:" + sha256_file(csv_path),
             "bytes": os.path.getsize(csv_path), "rows": frame.height},
            {"name": "baeume-geojson", "path": "baeume.geojson", "format": "geojson",
             "mediatype": "application/geo+json", "hash": "sha256:" + sha256_file(geo_path),
             "bytes": os.path.getsize(geo_path), "features": located},
        ],
    }
    with open(os.path.join(directory, "datapackage.json"), "w", encoding="utf-8") as f:
        json.dump(descriptor, f, ensure_ascii=False, indent=2)
    return descriptor
