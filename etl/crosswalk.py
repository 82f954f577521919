"""Apply a source's crosswalk (harvesters/sources.yaml) to its rows.

Input: rows as dicts of the source's columns. Output: rows of our common tree
schema and a Counter of warnings. Missing configured columns are a clear
error naming the source and the columns (a renamed column must not be read as
"all empty").
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any, Iterable

from .botany import split_name
from .numbers import parse_number
from .reproject import to_lonlat


class CrosswalkError(ValueError):
    pass


def check_columns(source: str, config: dict, header: Iterable[str]) -> None:
    have = set(header)
    missing = sorted(c for c in config["columns"].values() if c not in have)
    if missing:
        raise CrosswalkError(
            f"{source}: columns {', '.join(missing)} are missing from the source "
            f"(it has: {', '.join(sorted(have))}); was a column renamed?")


def trees(source: str, config: dict, rows: list[dict[str, Any]]) -> tuple[list[dict], Counter]:
    cols = config["columns"]
    warnings: Counter = Counter()
    get = lambda row, key: row.get(cols[key]) if key in cols else None  # noqa: E731
    xs = [parse_number(get(r, "x"), warnings, "x") for r in rows]
    ys = [parse_number(get(r, "y"), warnings, "y") for r in rows]
    lon, lat = to_lonlat(config["crs"], xs, ys)
    out = []
    for i, row in enumerate(rows):
        source_id = str(get(row, "source_id") or "").strip()
        name = split_name(get(row, "botanical_name"))
        circumference = parse_number(get(row, "trunk_circumference_cm"), warnings, "trunk_circumference_cm")
        if circumference is None and "trunk_diameter_cm" in cols:
            diameter = parse_number(get(row, "trunk_diameter_cm"), warnings, "trunk_diameter_cm")
            circumference = round(math.pi * diameter, 1) if diameter is not None else None
        year = parse_number(get(row, "planting_year"), warnings, "planting_year")
        out.append({
            "id": f"{source}:{source_id}" if source_id else "",
            "source": source, "source_id": source_id,
            "botanical_name": (get(row, "botanical_name") or "").strip() or None,
            "genus": name.genus, "species": name.species, "cultivar": name.cultivar,
            "german_name": (get(row, "german_name") or "").strip() or None,
            "planting_year": int(year) if year is not None else None,
            "height_m": parse_number(get(row, "height_m"), warnings, "height_m"),
            "trunk_circumference_cm": circumference,
            "crown_diameter_m": parse_number(get(row, "crown_diameter_m"), warnings, "crown_diameter_m"),
            "vitality": (get(row, "vitality") or "").strip() or None,
            "district": (get(row, "district") or "").strip() or None,
            "longitude": None if math.isnan(lon[i]) else round(float(lon[i]), 7),
            "latitude": None if math.isnan(lat[i]) else round(float(lat[i]), 7),
        })
    return out, warnings
