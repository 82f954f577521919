"""What a file is, and what German open data files look like before
frictionless reads them.

frictionless guesses the encoding from a small sample and took a Windows-1252
file with umlauts for UTF-8; it infers "12,5" as text. So we settle the
encoding (BOM, strict UTF-8, else Windows-1252/Latin-1) and turn columns of
German decimal numbers (inferred as text or even as geopoints) into numbers
with decimalChar ",".
"""
from __future__ import annotations

import codecs
import os
import re
from typing import Any, Optional

SAMPLE_BYTES = 1 << 20
GERMAN_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
# Formats read as tables (by our vocabulary ids and by extension).
TABULAR = {"CSV": "csv", "TSV": "tsv", "XLSX": "xlsx", "XLS": "xls", "ODS": "ods", "JSON": "json"}
GEOJSON = {"GEOJSON"}
TEXT = {"csv", "tsv", "json"}
STREAMED = {"csv", "tsv"}  # read row by row; the others are read whole by their parsers
# Names frictionless itself takes for descriptors (settings.METADATA_TRAITS).
DESCRIPTOR_NAMES = ("datapackage.json", "package.json", "datapackage.yaml", "package.yaml")


def detect_encoding(path: str) -> str:
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if e.start >= len(head) - 3 and e.reason == "unexpected end of data":
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def is_binary(path: str) -> bool:
    """Text tables have no NUL bytes; images, PDFs and archives do."""
    with open(path, "rb") as f:
        return b"\x00" in f.read(SAMPLE_BYTES)


def first_char(path: str, encoding: str) -> str:
    """The first character that is not white space ('' for an empty file)."""
    with open(path, encoding=encoding, errors="replace") as f:
        while True:
            block = f.read(4096)
            if not block:
                return ""
            stripped = block.lstrip()
            if stripped:
                return stripped[0]


def table_format(resource_format: str, name: str) -> Optional[str]:
    """frictionless format name, 'geojson', or None for what is no table.
    `name` is a file name or URL; its extension counts when the format is not
    one we know."""
    fmt = (resource_format or "").upper()
    if fmt in GEOJSON:
        return "geojson"
    if fmt in TABULAR:
        return TABULAR[fmt]
    base = name.split("?", 1)[0].rsplit("/", 1)[-1]
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if ext == "geojson":
        return "geojson"
    if ext in ("csv", "tsv", "xlsx", "xls", "ods", "json"):
        return ext
    if not fmt:
        return "csv"  # unknown: try as text table; the check says if it is none
    return None


def is_descriptor_name(name: str) -> bool:
    base = os.path.basename(name.split("?", 1)[0]).lower()
    return base in DESCRIPTOR_NAMES or base.endswith((".package.json", ".datapackage.json"))


def german_numbers(schema: dict[str, Any], labels: list[str], rows: list[list[Any]],
                   confidence: float = 0.9) -> dict[str, Any]:
    """Mark inferred columns that hold German decimals as numbers. frictionless
    reads "12,5" as text, or as a geopoint ("lon,lat")."""
    for index, field in enumerate(schema.get("fields", [])):
        if field.get("type") not in ("string", "geopoint"):
            continue
        values = [str(r[index]).strip() for r in rows
                  if index < len(r) and r[index] not in (None, "")]
        if not values:
            continue
        matches = [v for v in values if GERMAN_NUMBER.match(v)]
        if len(matches) >= confidence * len(values) and any("," in v for v in matches):
            field.update(type="number", decimalChar=",", groupChar=".")
    return schema


DELIMITERS = (";", ",", "\t", "|")


def sniff_delimiter(path: str, encoding: str, lines: int = 100) -> Optional[str]:
    """The delimiter of a CSV: the candidate that splits the header into two
    or more fields and the most of the first rows into as many (csv's own
    Sniffer, which frictionless uses, takes "," in a ";" file with decimal
    commas as soon as one row is ragged). None: no candidate splits the header."""
    import csv
    import itertools
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        sample = list(itertools.islice(f, lines))
    if not sample:
        return None
    best, best_score = None, 0.0
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(sample, delimiter=delimiter) if r]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = sum(1 for r in rows[1:] if len(r) == width) / max(len(rows) - 1, 1)
        if score > best_score:  # ties: the earlier candidate (";" before ",": German files)
            best, best_score = delimiter, score
    return best
