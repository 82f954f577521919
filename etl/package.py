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
LICENCES = "http://dcat-ap.de/def/licenses/"


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


def file_resource(directory: str, path: str, name: str, fmt: str, mediatype: str, **extra: Any) -> dict[str, Any]:
    """A datapackage.json resource for a file already in the package: its size and sha256 included."""
    full = os.path.join(directory, path)
    return {"name": name, "path": path, "format": fmt, "mediatype": mediatype, **extra,
            "hash": "sha256:" + sha256_file(full), "bytes": os.path.getsize(full)}


def write_descriptor(directory: str, name: str, title: str, version: str, licence: Optional[str],
                     sources: list[dict], resources: list[dict], created: Optional[dt.datetime] = None,
                     licence_title: str = "", extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """datapackage.json; `licence` is a DCAT-AP.de licence id (None: no licence known);
    `extra`: properties a profile adds (a Fiscal Data Package's `model`), never replacing ours."""
    licences = [{"name": licence, "path": LICENCES + licence, **({"title": licence_title} if licence_title else {})}] \
        if licence else []
    descriptor = {"name": name, "title": title, "version": version,
                  "created": (created or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
                  "licenses": licences, "sources": sources, "resources": resources}
    descriptor.update((k, v) for k, v in (extra or {}).items() if k not in descriptor)
    with open(os.path.join(directory, "datapackage.json"), "w", encoding="utf-8") as f:
        json.dump(descriptor, f, ensure_ascii=False, indent=2)
    return descriptor


def write_trees(directory: str, name: str, title: str, frame, schema: dict,
                licence: str, licence_title: str, sources: list[dict], version: str) -> dict[str, Any]:
    """`frame`: the trees as a polars DataFrame in the schema's column order."""
    from . import columnar
    os.makedirs(directory, exist_ok=True)
    columnar.write_csv(frame.select([f["name"] for f in schema["fields"]]), os.path.join(directory, "baeume.csv"))
    located = columnar.write_geojson(frame, os.path.join(directory, "baeume.geojson"))
    return write_descriptor(directory, name, title, version, licence, sources, [
        file_resource(directory, "baeume.csv", "baeume", "csv", "text/csv", encoding="utf-8", schema=schema,
                      rows=frame.height),
        file_resource(directory, "baeume.geojson", "baeume-geojson", "geojson", "application/geo+json",
                      features=located),
    ], licence_title=licence_title)
