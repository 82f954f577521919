"""Tree registers: extract → transform → package and validate.

Publishing is the runner's job; this module turns one configured source
into a validated data package folder.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from etl import columnar, crosswalk, package, validate

from .fetch import SourceError, download

log = logging.getLogger(__name__)


def extract(source: str, config: dict):
    """The source's table, every column as text (a polars DataFrame)."""
    raw = download(source, config["url"], config.get("format", "csv"),
                   timeout=config.get("timeout", 30), attempts=config.get("attempts", 3),
                   backoff=config.get("backoff", 2.0))
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
        {"name": config.get("licence", ""), "path": f"http://dcat-ap.de/def/licenses/{config.get('licence', '')}",
         "title": config.get("attribution", "")},
        [{"title": config.get("title", source), "path": config["url"]}], version)
    report = validate.validate(directory, "baeume")
    return {"rows": trees.height, "warnings": dict(warnings), "valid": report["valid"],
            "errors": report["errors"][:20], "error_count": len(report["errors"]),
            "resources": [r["path"] for r in descriptor["resources"]]}
