"""Tree registers: extract → transform → package and validate.

Publishing is the runner's job; this module turns one configured source
into a validated data package folder.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from typing import Any

from etl import crosswalk, package

from .fetch import SourceError, download

log = logging.getLogger(__name__)


def extract(source: str, config: dict) -> tuple[list[str], list[dict[str, str]]]:
    raw = download(source, config["url"], config.get("format", "csv"),
                   timeout=config.get("timeout", 30), attempts=config.get("attempts", 3),
                   backoff=config.get("backoff", 2.0))
    try:
        text = raw.decode(config.get("encoding", "utf-8"))
    except UnicodeDecodeError as e:
        raise SourceError(f"{source}: the file is not {config.get('encoding', 'utf-8')} "
                          f"(byte {e.start}); has the source changed its encoding?")
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text), delimiter=config.get("delimiter", ","))
    header = reader.fieldnames or []
    if len(header) < 2:
        raise SourceError(f"{source}: no table found (header {header!r}); wrong delimiter or not a CSV?")
    return header, list(reader)


def transform(source: str, config: dict, header: list[str], rows: list[dict]) -> tuple[list[dict], Counter]:
    try:
        crosswalk.check_columns(source, config, header)
    except crosswalk.CrosswalkError as e:
        raise SourceError(str(e))
    return crosswalk.trees(source, config, rows)


def build(source: str, config: dict, directory: str, version: str) -> dict[str, Any]:
    """The whole pipeline for one source into `directory`; returns the run facts."""
    header, rows = extract(source, config)
    trees, warnings = transform(source, config, header, rows)
    schema = package.table_schema("trees", config.get("extent"))
    descriptor = package.write_trees(
        directory, f"baumkataster-{source}", config.get("title", source), trees, schema,
        {"name": config.get("licence", ""), "path": f"http://dcat-ap.de/def/licenses/{config.get('licence', '')}",
         "title": config.get("attribution", "")},
        [{"title": config.get("title", source), "path": config["url"]}], version)
    report = package.validate(directory)
    return {"rows": len(trees), "warnings": dict(warnings), "valid": report["valid"],
            "errors": report["errors"][:20], "error_count": len(report["errors"]),
            "resources": [r["path"] for r in descriptor["resources"]]}
