"""Defect reports (Open311 requests) made fit to publish, and their evaluation.

What citizens wrote never leaves this module: description, status notes,
photos (media_url), address, address id and postcode are not even read.
The exact position becomes the district (point in polygon, shapely) and a
cell of the European reference grid (INSPIRE, ETRS89-LAEA EPSG:3035, 500 m
by default) with its centre: a report is mostly made in front of the
reporter's home or workplace, and a point plus a time can name them.

The evaluation the city asked for: per month (local, Europe/Berlin, of the
report), category and district the number reported, closed and still open
and the median and 90th percentile of the days to close. GeoReport v2 has
no closing time: for a closed request it is `updated_datetime`, the last
change, which is the closing for the systems we know (Mark-a-Spot,
Klarschiff close a request last).

On whole columns (polars); a value is parsed once per distinct value.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Sequence
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import shapely
from pyproj import Transformer

from .errors import SourceError

UTC = dt.timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
TIME = pl.Datetime("us", "UTC")
# What is read of a request; everything else (free text, media, address) is not.
FIELDS = ["service_request_id", "status", "service_code", "service_name", "agency_responsible",
          "requested_datetime", "updated_datetime", "expected_datetime", "lat", "long"]
REQUIRED = ["service_request_id", "requested_datetime", "status", "service_code"]
NOT_PUBLISHED = ["description", "status_notes", "media_url", "address", "address_id", "zipcode", "service_notice"]
NO_PLACE = "ohne Ortsangabe"             # no (usable) coordinates
OUTSIDE = "außerhalb der Stadtteile"     # coordinates outside every district
REQUEST_COLUMNS = ["service_request_id", "service_code", "service_name", "agency_responsible", "status",
                   "requested_datetime", "updated_datetime", "expected_datetime", "month", "days_to_close",
                   "district", "grid_cell", "cell_longitude", "cell_latitude"]
EVALUATION_COLUMNS = ["month", "service_code", "service_name", "district", "reported", "closed", "open",
                      "median_days_to_close", "p90_days_to_close"]
_TO_LAEA = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
_FROM_LAEA = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time as servers write it (offset, Z, fractions, a space
    for the T, or no zone: read as local time in Jena), in UTC."""
    value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    if value.tzinfo is None:
        value = value.replace(tzinfo=BERLIN)
    return value.astimezone(UTC)


def _times(column: pl.Series) -> pl.Series:
    """parse_time on a whole column: the usual forms vectorised (an offset
    or Z; no zone: Jena's time, the earlier of an hour that repeats), the
    rest (a space for the T, an hour that does not exist, a date) once per
    distinct value in Python."""
    text = column.str.strip_chars().str.replace(r"Z$", "+00:00").str.replace(" ", "T", literal=True, n=1)
    aware = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_zone="UTC", time_unit="us")
    text = pl.select(pl.when(aware.is_null()).then(text)).to_series()  # only what is left is parsed again
    local = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us") \
        .dt.replace_time_zone("Europe/Berlin", ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    out = aware.fill_null(local)
    left = column.filter(out.is_null() & column.is_not_null()).unique()
    if left.len() == 0:
        return out
    parsed = []
    for value in left.to_list():
        try:
            parsed.append(parse_time(value))
        except ValueError:
            parsed.append(None)
    return out.fill_null(column.replace_strict(left, pl.Series(parsed, dtype=TIME), default=None, return_dtype=TIME))


def _check(share_of: int, bad: int, what: str, where: str, max_unreadable: float, seen: Sequence[str]) -> None:
    if share_of and bad == share_of:
        raise SourceError(f"{where}: none of the {share_of} requests has a readable {what} "
                          f"(a renamed field? fields sent: {', '.join(sorted(seen)) or 'none'})")
    if share_of and bad / share_of > max_unreadable:
        raise SourceError(f"{where}: {bad} of {share_of} requests have no readable {what} "
                          f"(more than {max_unreadable:.0%}); a changed format is not published")


def normalise(raw: pl.DataFrame, where: str, max_unreadable: float = 0.5,
              seen: Sequence[str] = ()) -> tuple[pl.DataFrame, Counter]:
    """Typed, deduplicated requests; unusable ones skipped and counted. A
    field that (nearly) every request lacks is a SourceError: a renamed field
    is never published as an empty column. `seen`: the field names the
    server sent (for the message)."""
    counts: Counter = Counter(received=raw.height)
    n = raw.height
    for name in REQUIRED:
        _check(n, raw[name].null_count(), name, where, max_unreadable, seen)
    df = raw.with_columns(
        pl.col("status").str.to_lowercase().str.strip_chars(),
        *[_times(raw[c]).alias(c) for c in ("requested_datetime", "updated_datetime", "expected_datetime")],
        *[pl.col(c).str.replace(",", ".", literal=True).cast(pl.Float64, strict=False).alias(c)
          for c in ("lat", "long")])
    unreadable = df["requested_datetime"].null_count() - raw["requested_datetime"].null_count()
    _check(n, df["requested_datetime"].null_count(), "requested_datetime", where, max_unreadable, seen)
    if unreadable:
        counts["unreadable_requested_datetime"] = unreadable
    for name in ("updated_datetime", "expected_datetime"):
        bad = df[name].null_count() - raw[name].null_count()
        if bad:
            counts[f"unreadable_{name}"] = bad
    usable = pl.all_horizontal(pl.col(c).is_not_null() for c in REQUIRED)
    skipped = n - df.filter(usable).height
    if skipped:
        counts["skipped_incomplete"] = skipped
    df = df.filter(usable)
    unknown = df.filter(~pl.col("status").is_in(["open", "closed"]))
    for status, count in unknown["status"].value_counts().iter_rows():
        counts[f"status_read_as_open:{status}"] = count
    df = df.with_columns(pl.when(pl.col("status") == "closed").then(pl.lit("closed")).otherwise(pl.lit("open"))
                         .alias("status"))
    # Windows share their bounds (start_date and end_date are inclusive): one row per request, its last state.
    before = df.height
    if df["service_request_id"].n_unique() < before:  # a hash count is cheaper than the sort
        df = df.sort(["service_request_id", "updated_datetime"], descending=[False, True], nulls_last=True) \
            .unique(subset="service_request_id", keep="first", maintain_order=True)
        counts["duplicates_dropped"] = before - df.height
    # Mark-a-Spot sends 0/0 for a report without a position.
    located = (pl.col("lat").is_between(-90, 90) & pl.col("long").is_between(-180, 180)
               & ~((pl.col("lat") == 0) & (pl.col("long") == 0)))
    df = df.with_columns(pl.when(located).then(pl.col("lat")).alias("lat"),
                         pl.when(located).then(pl.col("long")).alias("long"))
    no_place = df["lat"].null_count()
    _check(df.height, no_place, "position (lat/long)", where, max_unreadable, seen)
    if no_place:
        counts["no_position"] = no_place
    return df, counts


def _cells(lon: np.ndarray, lat: np.ndarray, size: int) -> tuple[pl.Series, np.ndarray, np.ndarray]:
    x, y = _TO_LAEA.transform(lon, lat)
    east, north = np.floor(np.asarray(x) / size) * size, np.floor(np.asarray(y) / size) * size
    codes = pl.DataFrame({"n": north.astype(np.int64), "e": east.astype(np.int64)}).select(
        pl.format(f"CRS3035RES{size}mN{{}}E{{}}", "n", "e"))[:, 0]
    clon, clat = _FROM_LAEA.transform(east + size / 2, north + size / 2)
    return codes, np.round(np.asarray(clon), 5), np.round(np.asarray(clat), 5)


def coarsen(df: pl.DataFrame, districts: Sequence[tuple[str, object]], grid_m: int = 500) -> pl.DataFrame:
    """lat/long replaced by the district (`districts`: (name, shapely
    geometry in WGS 84)) and the grid cell with its centre."""
    n = df.height
    lon, lat = df["long"].to_numpy(), df["lat"].to_numpy()
    has = ~(np.isnan(lon) | np.isnan(lat)) if n else np.zeros(0, bool)
    labels = [name for name, _ in districts] + [NO_PLACE, OUTSIDE]  # districts as numbers meanwhile
    district = np.full(n, len(labels) - 2, dtype=np.int64)
    cells = pl.Series("grid_cell", [None] * n, dtype=pl.String)
    clon, clat = np.full(n, np.nan), np.full(n, np.nan)
    if has.any():
        rows = np.flatnonzero(has)
        x, y = lon[rows], lat[rows]
        found = np.full(rows.size, len(labels) - 1, dtype=np.int64)
        free = np.ones(rows.size, dtype=bool)
        # Each point against the districts whose box holds it, from the coordinates (no point
        # geometries made); on a shared border the first district takes it.
        for number, (_, geom) in enumerate(districts):
            shapely.prepare(geom)
            west, south, east, north = geom.bounds
            candidates = np.flatnonzero(free & (x >= west) & (x <= east) & (y >= south) & (y <= north))
            if candidates.size:
                hit = candidates[shapely.intersects_xy(geom, x[candidates], y[candidates])]
                found[hit], free[hit] = number, False
        district[rows] = found
        codes, cx, cy = _cells(lon[rows], lat[rows], grid_m)
        cells = cells.scatter(rows, codes)
        clon[rows], clat[rows] = cx, cy
    return df.drop("lat", "long").with_columns(
        pl.Series("district", labels, dtype=pl.String).gather(district),
        cells,
        pl.Series("cell_longitude", clon).fill_nan(None),
        pl.Series("cell_latitude", clat).fill_nan(None))


def service_names(df: pl.DataFrame, services: Sequence[dict]) -> tuple[pl.DataFrame, int]:
    """Each request's category name from the services list (the operator's
    names), else the name most requests of that code carry. Returns how many
    requests name a code the list does not have."""
    listed = {s["service_code"]: s.get("service_name") or s["service_code"] for s in services
              if s.get("service_code")}
    own = df.group_by("service_code").agg(pl.col("service_name").drop_nulls().mode().sort().first().alias("own"))
    lookup = pl.DataFrame({"service_code": list(listed), "listed": list(listed.values())},
                          schema={"service_code": pl.String, "listed": pl.String})
    names = own.join(lookup, on="service_code", how="left").with_columns(
        pl.coalesce("listed", "own", "service_code").alias("name"))
    unknown = df.filter(~pl.col("service_code").is_in(list(listed))).height if listed else 0
    return df.drop("service_name").join(names.select("service_code", pl.col("name").alias("service_name")),
                                        on="service_code", how="left"), unknown


def with_durations(df: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """month (local) and days_to_close; a closing before the report is no
    duration (counted)."""
    days = (pl.col("updated_datetime") - pl.col("requested_datetime")).dt.total_seconds() / 86400
    closed = (pl.col("status") == "closed") & pl.col("updated_datetime").is_not_null()
    backwards = df.filter(closed & (pl.col("updated_datetime") < pl.col("requested_datetime"))).height
    out = df.with_columns(
        pl.col("requested_datetime").dt.convert_time_zone("Europe/Berlin").dt.strftime("%Y-%m").alias("month"),
        pl.when(closed & (days >= 0)).then(days.round(3)).alias("days_to_close"))
    return out, backwards


def evaluation(requests: pl.DataFrame) -> pl.DataFrame:
    """Per month, category and district: reported, closed, open, median and
    90th percentile of days to close (linear interpolation, as DuckDB's
    quantile_cont)."""
    closed = pl.col("status") == "closed"
    return requests.group_by("month", "service_code", "district").agg(
        pl.col("service_name").first(),
        pl.len().cast(pl.Int64).alias("reported"),
        closed.sum().cast(pl.Int64).alias("closed"),
        (~closed).sum().cast(pl.Int64).alias("open"),
        pl.col("days_to_close").median().round(2).alias("median_days_to_close"),
        pl.col("days_to_close").quantile(0.9, interpolation="linear").round(2).alias("p90_days_to_close"),
    ).sort("month", "service_code", "district").select(EVALUATION_COLUMNS)


def publishable(raw: pl.DataFrame, services: Sequence[dict], districts: Sequence[tuple[str, object]],
                where: str, grid_m: int = 500, max_unreadable: float = 0.5,
                seen: Sequence[str] = ()) -> tuple[pl.DataFrame, pl.DataFrame, Counter]:
    """(requests table, evaluation table, counts) from the server's answers
    (text columns FIELDS, as etl.georeport.requests_table reads them)."""
    df, counts = normalise(raw, where, max_unreadable, seen)
    df = coarsen(df, districts, grid_m)
    df, unknown = service_names(df, services)
    if unknown:
        counts["service_code_not_in_services"] = unknown
    df, backwards = with_durations(df)
    if backwards:
        counts["closed_before_reported"] = backwards
    counts["outside_districts"] = df.filter(pl.col("district") == OUTSIDE).height
    requests = df.sort("service_request_id").select(REQUEST_COLUMNS)
    return requests, evaluation(requests), +counts


def text_times(df: pl.DataFrame) -> pl.DataFrame:
    """Datetimes as the Table Schemas read them (UTC, Z)."""
    return df.with_columns([pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ") for c, t in df.schema.items() if t == TIME])


def district_shapes(geojson: dict, name_field: str, where: str) -> list[tuple[str, object]]:
    """The districts of a GeoJSON FeatureCollection (WGS 84, or the old
    `crs` member's CRS, reprojected) as (name, shapely geometry)."""
    features = geojson.get("features") if isinstance(geojson, dict) else None
    if not isinstance(features, list) or not features:
        raise SourceError(f"{where} is not a GeoJSON FeatureCollection of districts")
    crs = ((geojson.get("crs") or {}).get("properties") or {}).get("name")
    out = []
    for feature in features:
        name = (feature.get("properties") or {}).get(name_field)
        if not name or not feature.get("geometry"):
            raise SourceError(f"{where}: a district without {name_field} or geometry")
        geom = shapely.geometry.shape(feature["geometry"])
        out.append((str(name), geom))
    if crs and not crs.endswith(("CRS84", "4326")):
        to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        out = [(name, shapely.transform(geom, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))))
               for name, geom in out]
    return [(name, shapely.make_valid(geom)) for name, geom in out]
