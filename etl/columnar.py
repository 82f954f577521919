"""The tree crosswalk on whole columns (polars), for registers of any size.

Row-by-row Python took 52 s and 2.4 GB for 1,000,000 trees (bench/). Here
each source column is read once as text; a value is parsed once per
*distinct* value with the same functions as everywhere else (numbers.py,
botany.py: same results, same warning counts), coordinates are converted
vectorised, and the output is written from columns.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from collections import Counter
from typing import Callable, Optional

import numpy as np
import polars as pl

from .botany import botanical_from_german, split_name
from .numbers import parse_measure, parse_number, parse_year
from .reproject import to_lonlat

GEOJSON_SLICE = 50_000
OUTPUT = ["id", "source", "source_id", "botanical_name", "genus", "species", "cultivar", "german_name",
          "planting_year", "height_m", "trunk_circumference_cm", "crown_diameter_m", "vitality",
          "district", "status", "felling_date", "longitude", "latitude"]


def read_text_table(text: str, delimiter: str) -> pl.DataFrame:
    """Every column as text; empty cells are null."""
    return pl.read_csv(io.BytesIO(text.encode("utf-8")), separator=delimiter, infer_schema=False,
                       quote_char='"')


def _per_distinct(column: pl.Series, parse: Callable, warnings: Counter, field: str,
                  dtype: pl.DataType) -> pl.Series:
    counts = column.value_counts()
    values = counts[column.name].to_list()
    mapping = {}
    for value, count in zip(values, counts["count"].to_list()):
        local: Counter = Counter()
        mapping[value] = parse(value, local, field)
        for key, n in local.items():
            warnings[key] += n * count
    return column.replace_strict(mapping, default=None, return_dtype=dtype)


def numbers(column: pl.Series, warnings: Counter, field: str) -> pl.Series:
    return _per_distinct(column, parse_number, warnings, field, pl.Float64)


_TO_M = {"m": 1.0, "cm": 0.01}


def lengths(column: pl.Series, warnings: Counter, field: str, bare: Optional[str] = None,
            zero_is_unknown: bool = False) -> pl.Series:
    """Lengths in the unit the field's name ends with (_m, _cm); a unit in the
    cell wins, a bare number is in `bare` (default the field's unit). With
    `zero_is_unknown` a 0 is "not measured" (Berlin): empty, counted."""
    unit = field.rpartition("_")[2]
    source_unit = bare or unit
    factor = _TO_M[source_unit] / _TO_M[unit]
    out = _per_distinct(column, lambda v, w, f: parse_measure(v, source_unit, w, f), warnings, field, pl.Float64)
    if factor != 1.0:
        out = (out * factor).round(2)
    if zero_is_unknown:
        zeros = int((out == 0).sum())
        if zeros:
            warnings[f"{field}: 0 read as unknown"] += zeros
            out = pl.select(pl.when(pl.lit(out) == 0).then(None).otherwise(pl.lit(out))).to_series()
    return out


def coordinates(column: pl.Series, warnings: Counter, field: str) -> np.ndarray:
    """Decimal commas or points, vectorised; anything else through parse_number."""
    fast = column.str.strip_chars().str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    odd = column.filter(fast.is_null() & column.is_not_null())
    if len(odd):
        fixed = numbers(odd, warnings, field)
        lookup = dict(zip(odd.to_list(), fixed.to_list()))
        fast = pl.Series(field, [lookup.get(raw) if val is None else val
                                 for raw, val in zip(column.to_list(), fast.to_list())], dtype=pl.Float64)
    return fast.fill_null(float("nan")).to_numpy()


_PAIR = r"^\s*([-+]?\d+(?:\.\d+)?)\s*[,; ]\s*([-+]?\d+(?:\.\d+)?)\s*$"
# Decimal commas ("50,927; 11,589", "50,927 11,589", "50,927, 11,589"): the two numbers then
# stand apart by a semicolon, a space or a comma with a space; "50,9,11,5" says nothing certain.
_PAIR_DECIMAL_COMMA = r"^\s*([-+]?\d+,\d+)\s*(?:;\s*|,\s+|\s+)([-+]?\d+,\d+)\s*$"
_WKT = r"^\s*(?i:POINT)\s*(?:(?i:Z|M|ZM)\s*)?\(\s*([-+]?[\d.eE+-]+)\s+([-+]?[\d.eE+-]+)(?:\s+[-+]?[\d.eE+-]+)*\s*\)\s*$"


def point_column(column: pl.Series, form: str, warnings: Counter) -> tuple[np.ndarray, np.ndarray]:
    """x and y from one column: "lat, lon" (latlon), "lon, lat" (lonlat) or
    WKT POINT(x y); vectorised. A filled cell of another shape is counted
    ("coordinates: not a number", the same plausibility as x and y)."""
    pattern = _WKT if form == "wkt" else _PAIR
    parts = column.str.extract_groups(pattern)
    first = parts.struct.field("1").cast(pl.Float64, strict=False)
    second = parts.struct.field("2").cast(pl.Float64, strict=False)
    if form != "wkt":
        commas = column.str.extract_groups(_PAIR_DECIMAL_COMMA)
        first = first.fill_null(commas.struct.field("1").str.replace(",", ".", literal=True)
                                .cast(pl.Float64, strict=False))
        second = second.fill_null(commas.struct.field("2").str.replace(",", ".", literal=True)
                                  .cast(pl.Float64, strict=False))
    filled = column.str.strip_chars().str.len_chars().fill_null(0) > 0
    bad = int((filled & (first.is_null() | second.is_null())).sum())
    if bad:
        warnings["coordinates: not a number"] += bad
    x, y = (second, first) if form == "latlon" else (first, second)
    return x.fill_null(float("nan")).to_numpy(), y.fill_null(float("nan")).to_numpy()


_TWO_DIGIT = re.compile(r"^\s*((?:\d{1,2}\.\d{1,2}\.)?)(\d{2})\s*$")


def full_year(value: Optional[str], pivot: int) -> Optional[str]:
    """A two-digit year ("81", "01.06.81") with four digits: up to `pivot` in
    the 2000s, above it in the 1900s. Other values unchanged. (Called once
    per distinct value, like the parse after it.)"""
    m = _TWO_DIGIT.match(value) if value is not None else None
    if not m:
        return value
    return f"{m.group(1)}{'20' if int(m.group(2)) <= pivot else '19'}{m.group(2)}"


STATUS_CODES = ("felled", "planned", "replaced")


def statuses(column: pl.Series, values: dict, warnings: Counter) -> pl.Series:
    """The status codes (felled, planned, replaced) from the source's values
    (`status_values`, compared without case); a code itself is read as such.
    Other filled values: empty, counted ("status: unknown value")."""
    mapping = {code: code for code in STATUS_CODES}
    for code, said in (values or {}).items():
        for value in ([said] if isinstance(said, str) else said):
            mapping[str(value).strip().lower()] = code
    text = _text(column)
    out = text.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.String)
    bad = int((text.is_not_null() & out.is_null()).sum())
    if bad:
        warnings["status: unknown value"] += bad
    return out


def dates(column: pl.Series, warnings: Counter, field: str) -> pl.Series:
    """ISO dates from DD.MM.YYYY or ISO (with a time) cells; others empty, counted."""
    text = _text(column)
    out = pl.select(pl.coalesce(
        pl.lit(text).str.to_date("%d.%m.%Y", strict=False),
        pl.lit(text).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))).to_series()
    bad = int((text.is_not_null() & out.is_null()).sum())
    if bad:
        warnings[f"{field}: not a date"] += bad
    return out.dt.to_string("%Y-%m-%d")


def _text(column: pl.Series) -> pl.Series:
    """Stripped text; empty is null (unknown)."""
    stripped = column.str.strip_chars()
    return pl.select(pl.when(pl.lit(stripped) == "").then(None).otherwise(pl.lit(stripped))).to_series()


def _names(config: dict, botanical: pl.Series, german: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Botanical and German names; from one combined column ("Tilia cordata,
    Winter-Linde") when both name the same column, split at `name_separator`
    in the order `name_order` says (botanical first unless told otherwise)."""
    cols, separator = config["columns"], config.get("name_separator")
    if not separator or cols.get("botanical_name") != cols.get("german_name"):
        return botanical, german
    first_botanical = (config.get("name_order") or "botanical_german") == "botanical_german"
    parts = {}
    for value in botanical.unique().to_list():
        if value is None:
            continue
        a, _, b = value.partition(separator)
        a, b = a.strip() or None, b.strip() or None
        parts[value] = (a, b) if first_botanical else (b, a)
    return (botanical.replace_strict({k: v[0] for k, v in parts.items()}, default=None, return_dtype=pl.String),
            botanical.replace_strict({k: v[1] for k, v in parts.items()}, default=None, return_dtype=pl.String))


def _from_german(german: pl.Series, warnings: Counter) -> pl.Series:
    """Botanical names from the shipped German lookup; unknown names stay German only, counted."""
    mapping = {name: botanical_from_german(name) for name in german.unique().to_list() if name is not None}
    botanical = german.replace_strict(mapping, default=None, return_dtype=pl.String)
    unknown = int((german.is_not_null() & botanical.is_null()).sum())
    if unknown:
        warnings["german_name: not in the species lookup, no botanical name"] += unknown
    return botanical


def trees(source: str, config: dict, frame: pl.DataFrame) -> tuple[pl.DataFrame, Counter]:
    cols = config["columns"]
    warnings: Counter = Counter()
    n = frame.height
    nulls = pl.Series([None] * n, dtype=pl.String)
    col = lambda key: frame[cols[key]] if key in cols else nulls  # noqa: E731

    source_id = _text(col("source_id")).fill_null("")
    botanical, german = _names(config, _text(col("botanical_name")), _text(col("german_name")))
    if "german_name" in cols and "botanical_name" not in cols:
        botanical = _from_german(german, warnings)
    names = botanical.unique().to_list()
    split = {name: split_name(name) for name in names}
    genus = botanical.replace_strict({k: v.genus for k, v in split.items()}, default=None, return_dtype=pl.String)
    species = botanical.replace_strict({k: v.species for k, v in split.items()}, default=None, return_dtype=pl.String)
    cultivar = botanical.replace_strict({k: v.cultivar for k, v in split.items()}, default=None, return_dtype=pl.String)
    if "cultivar" in cols:  # a register with the cultivar in a column of its own
        cultivar = _text(col("cultivar")).str.strip_chars("'\"‘’ ").fill_null(cultivar)

    units, zero = config.get("units") or {}, set(config.get("zero_is_unknown") or ())
    length = lambda key, unit_key: lengths(col(key), warnings, key, units.get(unit_key),  # noqa: E731
                                           key in zero or unit_key in zero)
    circumference = length("trunk_circumference_cm", "trunk")
    if "trunk_diameter_cm" in cols:
        diameter = length("trunk_diameter_cm", "trunk")
        circumference = circumference.fill_null((diameter * math.pi).round(1))
    latest = dt.date.today().year + 1
    pivot = 30 if config.get("year_pivot") is None else config["year_pivot"]
    year = _per_distinct(col("planting_year"), lambda v, w, f: parse_year(full_year(v, pivot), w, f, latest),
                         warnings, "planting_year", pl.Float64).cast(pl.Int64, strict=False)
    if "coordinates" in cols and not {"x", "y"} <= set(cols):  # one column: "lat, lon" or WKT
        xs, ys = point_column(col("coordinates"), config.get("coordinates_form") or "latlon", warnings)
    else:
        xs = coordinates(col("x"), warnings, "x")
        ys = coordinates(col("y"), warnings, "y")
    lon, lat = to_lonlat(config["crs"], xs, ys)

    out = pl.DataFrame({
        "id": pl.select(pl.when(pl.lit(source_id) == "").then(pl.lit(""))
                        .otherwise(pl.lit(f"{source}:") + pl.lit(source_id))).to_series().alias("id"),
        "source": pl.Series([source] * n, dtype=pl.String),
        "source_id": source_id,
        "botanical_name": botanical, "genus": genus, "species": species, "cultivar": cultivar,
        "german_name": german,
        "planting_year": year,
        "height_m": length("height_m", "height_m"),
        "trunk_circumference_cm": circumference,
        "crown_diameter_m": length("crown_diameter_m", "crown_diameter_m"),
        "vitality": _text(col("vitality")),
        "district": _text(col("district")),
        # Empty unless configured (most registers have neither): no parse of n nulls.
        "status": statuses(col("status"), config.get("status_values"), warnings) if "status" in cols else nulls,
        "felling_date": dates(col("felling_date"), warnings, "felling_date") if "felling_date" in cols else nulls,
        "longitude": pl.Series(np.round(lon, 7)).fill_nan(None),
        "latitude": pl.Series(np.round(lat, 7)).fill_nan(None),
    })
    return out.select(OUTPUT), warnings


def outside_extent(trees: pl.DataFrame, extent) -> tuple[pl.DataFrame, int, int]:
    """The trees with the coordinates outside `extent` ([west, south, east,
    north], WGS 84) left empty; and how many were outside, of how many located."""
    located = int(trees["longitude"].is_not_null().sum())
    if not extent or not located:
        return trees, 0, located
    west, south, east, north = extent
    lon, lat = pl.col("longitude"), pl.col("latitude")
    outside = lon.is_not_null() & ~(lon.is_between(west, east) & lat.is_between(south, north))
    count = int(trees.select(outside.sum()).item())
    if not count:
        return trees, 0, located
    trees = trees.with_columns(pl.when(outside).then(None).otherwise(lon).alias("longitude"),
                               pl.when(outside).then(None).otherwise(lat).alias("latitude"))
    return trees, count, located


UNREADABLE = {"planting_year": ("not a year", "implausible year"), "x": ("not a number",),
              "y": ("not a number",), "status": ("unknown value",), "felling_date": ("not a date",)}


def unreadable(config: dict, frame: pl.DataFrame, warnings: Counter) -> list[tuple[str, str, int, int]]:
    """(field, source column, unreadable, filled) per configured column whose
    filled cells could not be read, worst first. A column unreadable in most
    rows is a changed format, not a few typing errors."""
    out = []
    for field, column in config["columns"].items():
        kinds = UNREADABLE.get(field, ("not a number",))
        bad = sum(warnings.get(f"{field}: {kind}", 0) for kind in kinds)
        if not bad or column not in frame.columns:
            continue
        filled = int(frame[column].str.strip_chars().str.len_chars().fill_null(0).gt(0).sum())
        out.append((field, column, bad, filled))
    return sorted(out, key=lambda t: t[2] / max(t[3], 1), reverse=True)


def write_csv(frame: pl.DataFrame, path: str) -> None:
    frame.write_csv(path, null_value="")


def write_geojson(frame: pl.DataFrame, path: str, properties: Optional[list[str]] = None,
                  id_column: Optional[str] = "id") -> int:
    """Point features (longitude, latitude) for the rows with coordinates;
    returns how many. `properties`: default every other column."""
    located = frame.filter(pl.col("longitude").is_not_null() & pl.col("latitude").is_not_null())
    props = properties if properties is not None else \
        [c for c in frame.columns if c not in ("longitude", "latitude")]
    feature = pl.concat_str([
        pl.lit('{"type": "Feature", '),
        *([pl.lit('"id": '), pl.col(id_column).map_elements(json.dumps, return_dtype=pl.String), pl.lit(", ")]
          if id_column else []),
        pl.lit('"properties": '), pl.struct(props).struct.json_encode(),
        pl.lit(', "geometry": {"type": "Point", "coordinates": ['),
        pl.col("longitude").cast(pl.String), pl.lit(", "), pl.col("latitude").cast(pl.String),
        pl.lit("]}}"),
    ])
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        # In slices, so that the text of all features is never in memory at once.
        for start in range(0, located.height, GEOJSON_SLICE):
            lines = located.slice(start, GEOJSON_SLICE).select(feature.alias("f"))["f"]
            f.write(("" if start == 0 else ",\n") + ",\n".join(lines.to_list()))
        f.write("\n]}\n")
    return located.height
