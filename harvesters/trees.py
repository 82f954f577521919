"""Tree registers: extract → transform → package and validate.

Publishing is the runner's job; this module turns one configured source
into a validated data package folder.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from etl import columnar, crosswalk, package, validate

from . import publish
from .fetch import SourceError, get

log = logging.getLogger(__name__)
REQUIRED = ("url", "crs", "columns")
FILES = [
    {"name": "baeume.csv", "format": "CSV", "mimetype": "text/csv",
     "description": "Alle Bäume als Tabelle (UTF-8, Komma-getrennt)."},
    {"name": "baeume.geojson", "format": "GEOJSON", "mimetype": "application/geo+json",
     "description": "Alle Bäume als Punkte (WGS 84)."},
    {"name": "datapackage.json", "format": "JSON", "mimetype": "application/json",
     "description": "Frictionless Data Package: Schema, Lizenz, Quellen, Prüfsummen."},
    {"name": "aenderungen.csv", "format": "CSV", "mimetype": "text/csv",
     "description": "Änderungen gegenüber dem vorigen Abgleich: neu, entfernt, geändert."},
]


def units(source: str, config: dict) -> list[tuple[str, dict]]:
    """A register is one dataset."""
    return [(source, config)]


def dataset_name(source: str, config: dict) -> str:
    return f"baumkataster-{source}"


def metadata(source: str, config: dict) -> dict[str, Any]:
    return publish.harvested_metadata(
        source, config, dataset_name(source, config),
        f"Bäume im öffentlichen Raum aus dem Baumkataster ({config.get('title', source)}): "
        "Art, Pflanzjahr, Höhe, Stammumfang, Kronendurchmesser, Vitalität und Lage. "
        "Automatisch abgeglichen und mit Frictionless geprüft.",
        ["Bäume", "Baumkataster", "Stadtgrün", "Umwelt"], ["ENVI", "REGI"], "dl-by-de/2.0", "MONTHLY")


def extract(source: str, config: dict):
    """The source's table, every column as text (a polars DataFrame)."""
    raw = get(source, config["url"], config.get("format", "csv"), config)
    try:
        text = raw.decode(config.get("encoding", "utf-8"))
    except UnicodeDecodeError as e:
        raise SourceError(f"{source}: the file is not {config.get('encoding', 'utf-8')} "
                          f"(byte {e.start}); has the source changed its encoding?")
    text = text.lstrip("\ufeff")
    try:
        frame = columnar.read_text_table(text, config.get("delimiter", ","))
    except Exception as e:
        raise SourceError(f"{source}: not a readable table ({type(e).__name__}: {str(e)[:200]})")
    if frame.width < 2:
        raise SourceError(f"{source}: no table found (header {frame.columns!r}); "
                          "wrong delimiter or not a CSV?")
    return frame


def transform(source: str, config: dict, frame) -> tuple[Any, Counter]:
    try:
        crosswalk.check_columns(source, config, frame.columns)
    except crosswalk.CrosswalkError as e:
        raise SourceError(str(e))
    return columnar.trees(source, config, frame)


def build(source: str, config: dict, directory: str, version: str) -> dict[str, Any]:
    """The whole pipeline for one source into `directory`; returns the run facts."""
    trees, warnings = transform(source, config, extract(source, config))
    schema = package.table_schema("trees", config.get("extent"))
    descriptor = package.write_trees(
        directory, f"baumkataster-{source}", config.get("title", source), trees, schema,
        config.get("licence"), config.get("attribution", ""),
        [{"title": config.get("title", source), "path": config["url"]}], version)
    rows = trees.height
    del trees  # the validation processes need the memory more than this frame
    report = validate.validate(directory, "baeume")
    publish.write_plan(directory, metadata(source, config), config["organization"], FILES,
                       changes={"table": "baeume.csv", "key": "id", "file": "aenderungen.csv"})
    return {"rows": rows, "warnings": dict(warnings), "valid": report["valid"],
            "errors": report["errors"][:20], "error_count": len(report["errors"]),
            "resources": [r["path"] for r in descriptor["resources"]]}
