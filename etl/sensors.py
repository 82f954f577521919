"""Sensor readings → hourly and daily aggregates with quality flags, station
metadata and daily heat anomalies, on whole columns (polars).

Readings: one row per value with station_id (the sensor), location_id (the
place: sensors of one device share it), source, phenomenon, value, time
(UTC), latitude, longitude, sensor_type. Per value: out of the
phenomenon's physical range or a spike (far from both neighbours, in the
same direction) → left out of the aggregates and counted. Per hour: mean,
min, max, count, coverage (count against the sensor's own median interval),
flags (range, spike, stuck, low_coverage, pm_humidity). Days are local days
(Europe/Berlin, 23 or 25 hours at the clock changes); a day's figures come
from its hours, so late readings only recompute the hours they touch.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl

BERLIN = ZoneInfo("Europe/Berlin")
# phenomenon: unit, physical range, spike threshold (jump against both neighbours)
PHENOMENA = {
    "temperature": ("°C", -40.0, 60.0, 5.0),
    "humidity": ("%", 0.0, 100.0, 25.0),
    "pressure": ("hPa", 850.0, 1100.0, 10.0),
    "pm10": ("µg/m³", 0.0, 1000.0, 250.0),
    "pm2_5": ("µg/m³", 0.0, 1000.0, 250.0),
}
LOW_COVERAGE = 75.0        # % of the expected readings in an hour / of the hours in a day
PM_HUMIDITY = 70.0         # % relative humidity: optical PM sensors read too high above it
STUCK_MIN = 4              # readings in an hour, all equal → stuck
KEY = ["station_id", "phenomenon"]
READINGS = {"station_id": pl.String, "location_id": pl.String, "source": pl.String, "sensor_type": pl.String,
            "phenomenon": pl.String, "value": pl.Float64, "time": pl.Datetime("us", "UTC"),
            "latitude": pl.Float64, "longitude": pl.Float64}


def _round(figure: pl.Expr, decimals: int) -> pl.Expr:
    """Half away from zero, as people round (and SQL does; polars' default
    rounds half to even: a coverage of 38.25 % would show as 38.2)."""
    return figure.round(decimals, mode="half_away_from_zero")


def empty_readings() -> pl.DataFrame:
    return pl.DataFrame(schema=READINGS)


PHENOMENON = pl.Enum(list(PHENOMENA))
BAD = pl.Enum(["range", "spike"])
_HOUR_US = 3_600_000_000
_KEY_BITS = 64     # series and time packed into one sort key if they fit


def _per_phenomenon(index: int, dtype) -> pl.Expr:
    """A column of PHENOMENA by the phenomenon's code: a gather from five
    values, much cheaper than looking text up in every row."""
    return pl.lit(pl.Series([v[index] for v in PHENOMENA.values()], dtype=dtype)) \
        .gather(pl.col("phenomenon").to_physical())


def _bits(n: int) -> int:
    return max(int(n), 0).bit_length()


def clean(readings: pl.LazyFrame | pl.DataFrame, now: dt.datetime | None = None,
          skew: dt.timedelta = dt.timedelta(minutes=10)) -> pl.LazyFrame:
    """Sorted by series and time; duplicates (the first received kept),
    readings from the future (clock skew) and readings without sensor or
    time dropped; each value marked `bad`: "range", "spike" or null.
    Phenomenon as an enum of PHENOMENA, ids as categoricals (hourly() gives
    text back), and `series` and `slot`: whole numbers for (station,
    phenomenon) and (station, phenomenon, hour), both ascending, which
    hourly() groups by.

    The sort is the costly step, so it sorts one integer column: series and
    time packed into 64 bits (3 M readings: 1.5 s → 0.25 s against sorting
    by station_id, phenomenon and time); neighbours are whole-column shifts
    checked against the series, not windows per series; per-phenomenon
    limits gathered by the enum's code, not looked up as text in every row
    (bench/sensors_bench.py)."""
    lf = readings.lazy() if isinstance(readings, pl.DataFrame) else readings
    lf = lf.select(pl.col("station_id", "location_id", "source").cast(pl.Categorical),
                   "phenomenon", "value", "time", "latitude", "longitude") \
        .filter(pl.col("value").is_not_null() & pl.col("value").is_finite()
                & pl.col("phenomenon").is_in(list(PHENOMENA))
                & pl.col("station_id").is_not_null() & pl.col("time").is_not_null())
    if now is not None:
        lf = lf.filter(pl.col("time") <= pl.lit(now + skew).cast(pl.Datetime("us", "UTC")))
    frame = lf.with_columns(pl.col("phenomenon").cast(PHENOMENON)).collect()
    # series = station code × 8 + phenomenon code; time in µs from the hour
    # of the first reading. Their ranges decide how they pack.
    station, us = pl.col("station_id").to_physical().cast(pl.UInt64), pl.col("time").dt.epoch("us")
    ranges = frame.select(s_min=station.min(), s_max=station.max(), t_min=us.min(), t_max=us.max()).row(0)
    s_min, s_max, t_min, t_max = (v or 0 for v in ranges)
    h_min = t_min // _HOUR_US * _HOUR_US
    series_bits, time_bits = _bits((s_max - s_min) * 8 + 7), _bits(t_max - h_min)
    hour_bits = _bits((t_max - h_min) // _HOUR_US)
    if series_bits + hour_bits > 64:
        raise ValueError(f"sensor readings over {(t_max - t_min) // _HOUR_US} hours of {s_max - s_min + 1} "
                         "stations: too many hours to number")
    series = (station - s_min) * 8 + pl.col("phenomenon").to_physical().cast(pl.UInt64)
    since = (us - h_min).cast(pl.UInt64)
    # time is not carried through the sort (one column less to move): it is
    # the key's (or since's) µs again afterwards.
    if series_bits + time_bits <= _KEY_BITS:
        frame = frame.select(pl.exclude("time"), key=series * pl.lit(1 << time_bits, pl.UInt64) + since) \
            .sort("key", maintain_order=True)
        key = pl.col("key")
        series, since = key // pl.lit(1 << time_bits, pl.UInt64), key % pl.lit(1 << time_bits, pl.UInt64)
        duplicate = key == key.shift(1)
    else:  # a span of centuries, or millions of sensors: two columns to sort
        frame = frame.select(pl.exclude("time"), series=series, since=since) \
            .sort("series", "since", maintain_order=True)
        series, since = pl.col("series"), pl.col("since")
        duplicate = (series == series.shift(1)) & (since == since.shift(1))
    lf = frame.lazy().filter(~duplicate.fill_null(False)) \
        .with_columns(series=series, slot=since // _HOUR_US,
                      time=(since.cast(pl.Int64) + h_min).cast(pl.Datetime("us", "UTC"))) \
        .with_columns(slot=pl.col("series") * pl.lit(1 << hour_bits, pl.UInt64) + pl.col("slot"),
                      same_prev=(pl.col("series") == pl.col("series").shift(1)).fill_null(False))
    lf = lf.with_columns(same_next=pl.col("same_prev").shift(-1).fill_null(False))
    value, low, high, jump = (pl.col("value"), _per_phenomenon(1, pl.Float64), _per_phenomenon(2, pl.Float64),
                              _per_phenomenon(3, pl.Float64))
    prev = pl.when(pl.col("same_prev")).then(value.shift(1))
    nxt = pl.when(pl.col("same_next")).then(value.shift(-1))
    spike = (((value - prev) > jump) & ((value - nxt) > jump)) | (((prev - value) > jump) & ((nxt - value) > jump))
    return lf.with_columns(
        bad=pl.when(~((value >= low) & (value <= high))).then(pl.lit("range", BAD))
        .when(spike.fill_null(False)).then(pl.lit("spike", BAD)).otherwise(pl.lit(None, BAD)),
        series=pl.col("series").set_sorted(), slot=pl.col("slot").set_sorted()) \
        .drop("same_prev", "same_next", "key", "since", strict=False)


def hourly(cleaned: pl.LazyFrame, default_interval_s: float = 150.0) -> pl.DataFrame:
    """Per series and hour from clean()'s readings: mean, min, max, count,
    coverage and flags; hours with no good reading left out."""
    # Materialised once: three aggregations read it, and polars would otherwise
    # compute it once for each (bench/sensors_bench.py).
    cleaned = cleaned.collect().lazy()
    good = cleaned.filter(pl.col("bad").is_null())  # still sorted by series and time
    interval = (good.select("series", step=pl.when(pl.col("series") == pl.col("series").shift(1))
                            .then(pl.col("time").diff().dt.total_seconds()))
                .filter(pl.col("step") > 0).group_by("series").agg(interval=pl.col("step").median()))
    stats = good.group_by("slot").agg(
        series=pl.col("series").first(), station_id=pl.col("station_id").first(),
        phenomenon=pl.col("phenomenon").first(), hour=pl.col("time").first().dt.truncate("1h"),
        location_id=pl.col("location_id").last(), source=pl.col("source").first(),
        mean=pl.col("value").mean(), min=pl.col("value").min(), max=pl.col("value").max(), count=pl.len(),
        latitude=pl.col("latitude").mean(), longitude=pl.col("longitude").mean())
    bad = cleaned.filter(pl.col("bad").is_not_null()).group_by("slot").agg(
        n_range=(pl.col("bad") == "range").sum(), n_spike=(pl.col("bad") == "spike").sum())
    out = (stats.join(bad, on="slot", how="left")
           .join(interval, on="series", how="left")
           .with_columns(unit=_per_phenomenon(0, pl.String), phenomenon=pl.col("phenomenon").cast(pl.String))
           .with_columns(pl.col("n_range", "n_spike").fill_null(0),
                         coverage_pct=_round((pl.col("count") * pl.col("interval").fill_null(default_interval_s)
                                              / 36.0).clip(0, 100), 1)))
    humid = (out.filter(pl.col("phenomenon") == "humidity")
             .select(pl.col("location_id"), pl.col("hour"), humidity=pl.col("mean")))
    out = out.join(humid, on=["location_id", "hour"], how="left")
    flags = pl.concat_list([
        pl.when(pl.col("n_range") > 0).then(pl.lit("range")),
        pl.when(pl.col("n_spike") > 0).then(pl.lit("spike")),
        pl.when((pl.col("count") >= STUCK_MIN) & (pl.col("max") == pl.col("min"))).then(pl.lit("stuck")),
        pl.when(pl.col("coverage_pct") < LOW_COVERAGE).then(pl.lit("low_coverage")),
        pl.when(pl.col("phenomenon").str.starts_with("pm") & (pl.col("humidity") > PM_HUMIDITY))
        .then(pl.lit("pm_humidity")),
    ]).list.drop_nulls().list.join(" ")
    return (out.with_columns(flags=flags, mean=_round(pl.col("mean"), 3), min=_round(pl.col("min"), 3),
                             max=_round(pl.col("max"), 3))
            .select("station_id", "location_id", "source", "phenomenon", "unit",
                    pl.col("hour").alias("hour_start_utc"), "mean", "min", "max", "count", "coverage_pct",
                    "flags", _round(pl.col("latitude"), 6), _round(pl.col("longitude"), 6))
            .collect()
            .with_columns(pl.col("station_id", "location_id", "source").cast(pl.String))
            .sort(KEY + ["hour_start_utc"]))


def merge_hours(previous: pl.DataFrame, recomputed: pl.DataFrame) -> pl.DataFrame:
    """Previous hours, with the recomputed ones replaced or added."""
    if previous.is_empty():
        return recomputed
    keep = previous.join(recomputed.select(KEY + ["hour_start_utc"]), on=KEY + ["hour_start_utc"], how="anti")
    return pl.concat([keep, recomputed.select(previous.columns)]).sort(KEY + ["hour_start_utc"])


def local_hours(frame: pl.DataFrame) -> pl.DataFrame:
    """hour_start_local (ISO with offset) and the local date for users."""
    local = pl.col("hour_start_utc").dt.convert_time_zone("Europe/Berlin")
    return frame.with_columns(hour_start_local=local.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"), date=local.dt.date())


def _words(text: pl.Expr) -> pl.Expr:
    """Space-separated words → the distinct words, sorted, space-separated."""
    return text.str.split(" ").list.eval(pl.element().filter(pl.element() != "")).list.unique() \
        .list.sort().list.join(" ")


def _hours_in_day(day: dt.date) -> int:
    start = dt.datetime.combine(day, dt.time(), BERLIN)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BERLIN)
    return round((end.astimezone(dt.timezone.utc) - start.astimezone(dt.timezone.utc)).total_seconds() / 3600)


def daily(hours: pl.DataFrame) -> pl.DataFrame:
    """Local days from the hours: mean weighted by count, coverage = hours with
    data / hours of that day (23, 24 or 25)."""
    h = local_hours(hours)
    days = h.group_by(KEY + ["date"]).agg(
        location_id=pl.col("location_id").last(), source=pl.col("source").first(), unit=pl.col("unit").first(),
        mean=_round((pl.col("mean") * pl.col("count")).sum() / pl.col("count").sum(), 3),
        min=pl.col("min").min(), max=pl.col("max").max(), count=pl.col("count").sum(), hours=pl.len(),
        flags=pl.col("flags").str.join(" "),
        latitude=_round(pl.col("latitude").mean(), 6), longitude=_round(pl.col("longitude").mean(), 6))
    lengths = pl.DataFrame({"date": days["date"].unique()}).with_columns(
        day_hours=pl.col("date").map_elements(_hours_in_day, return_dtype=pl.Int64))
    days = days.with_columns(flags=_words(pl.col("flags")))
    days = days.join(lengths, on="date").with_columns(
        coverage_pct=_round((pl.col("hours") / pl.col("day_hours") * 100).clip(0, 100), 1))
    days = days.with_columns(flags=pl.when(pl.col("coverage_pct") < LOW_COVERAGE)
                             .then(pl.concat_str([pl.col("flags"), pl.lit(" low_coverage")]).str.strip_chars())
                             .otherwise(pl.col("flags").str.replace_all("low_coverage", "").str.strip_chars()
                                        .str.replace_all("  ", " ")))
    return days.select("station_id", "location_id", "source", "phenomenon", "unit", "date", "mean", "min", "max",
                       "count", "hours", "day_hours", "coverage_pct", "flags", "latitude", "longitude") \
        .sort(KEY + ["date"])


def hotspots(days: pl.DataFrame, threshold_k: float = 1.5, min_stations: int = 3) -> pl.DataFrame:
    """Per local day, each station's mean temperature against the network
    median of that day (stations with good coverage and not stuck only)."""
    t = days.filter((pl.col("phenomenon") == "temperature") & (pl.col("coverage_pct") >= LOW_COVERAGE)
                    & ~pl.col("flags").str.contains("stuck"))
    t = t.with_columns(network_median=_round(pl.col("mean").median().over("date"), 3),
                       stations=pl.len().over("date"))
    t = t.filter(pl.col("stations") >= min_stations).with_columns(
        anomaly_k=_round(pl.col("mean") - pl.col("network_median"), 2))
    return t.select("date", "station_id", "latitude", "longitude", pl.col("mean").alias("temperature_mean"),
                    "network_median", "anomaly_k", "stations",
                    hotspot=pl.col("anomaly_k") >= threshold_k).sort(["date", "anomaly_k"], descending=[False, True])


def stations(readings: pl.DataFrame, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per sensor: last location, type, phenomena, first/last seen, how many
    distinct positions (a sensor that moved has more than one)."""
    now = readings.group_by("station_id").agg(
        location_id=pl.col("location_id").sort_by("time").last(), source=pl.col("source").first(),
        sensor_type=pl.col("sensor_type").first(),
        phenomena=pl.col("phenomenon").unique().sort().str.join(" "),
        first_seen=pl.col("time").min(), last_seen=pl.col("time").max(),
        latitude=pl.col("latitude").sort_by("time").last(), longitude=pl.col("longitude").sort_by("time").last(),
        positions=pl.struct((pl.col("latitude") * 2000).round(0), (pl.col("longitude") * 2000).round(0)).n_unique())
    if previous is None or previous.is_empty():
        return now.sort("station_id")
    both = pl.concat([previous.select(now.columns), now])
    return both.sort("last_seen").group_by("station_id").agg(
        location_id=pl.col("location_id").last(), source=pl.col("source").last(),
        sensor_type=pl.col("sensor_type").last(),
        phenomena=_words(pl.col("phenomena").str.join(" ")),
        first_seen=pl.col("first_seen").min(), last_seen=pl.col("last_seen").max(),
        latitude=pl.col("latitude").last(), longitude=pl.col("longitude").last(),
        positions=pl.col("positions").max()
        + (pl.struct((pl.col("latitude") * 2000).round(0), (pl.col("longitude") * 2000).round(0)).n_unique() - 1),
    ).sort("station_id")
