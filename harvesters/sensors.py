"""Sensor feeds: extract (an adapter in sensor_sources.py) → transform
(etl/sensors.py: cleaning, hourly and daily aggregates with quality flags,
stations, heat anomalies) → package and validate (Frictionless) → publish.

Incremental: the raw readings of the last `keep_days` days and every hourly
aggregate travel with the package (`state/`, not published). A run adds the
new readings, drops duplicates and recomputes only the hours of the series
the new readings touch (a late reading recomputes its hour); days come from
the hours. When a source is down the run fails before anything is written,
so the last good package, its state and the published data stay.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from typing import Any

import polars as pl

from etl import columnar, package, sensors, validate

from . import publish
from .sensor_sources import ADAPTERS

REQUIRED = ("url", "api", "organization")
TABLES = [  # (resource name, file, schema, description)
    ("stundenwerte", "stundenwerte.csv", "sensor_hourly",
     "Stundenwerte je Sensor und Messgröße: Mittel, Minimum, Maximum, Anzahl, Abdeckung, Qualitätsmerkmale."),
    ("tageswerte", "tageswerte.csv", "sensor_daily",
     "Tageswerte (Ortszeit) je Sensor und Messgröße, aus den Stundenwerten."),
    ("hitzeinseln", "hitzeinseln.csv", "sensor_hotspots",
     "Tägliche Temperaturabweichung jeder Station vom Median des Messnetzes (Hitzeinseln)."),
]


def units(source: str, config: dict) -> list[tuple[str, dict]]:
    return [(source, config)]


def dataset_name(source: str, config: dict) -> str:
    return f"sensordaten-{source}"


def _now(config: dict) -> dt.datetime:
    # `now` in the configuration: for replaying a window (and for tests)
    return dt.datetime.fromisoformat(config["now"]).astimezone(dt.timezone.utc) if config.get("now") \
        else dt.datetime.now(dt.timezone.utc)


def _previous(directory: str, name: str, empty: pl.DataFrame) -> pl.DataFrame:
    path = os.path.join(os.path.dirname(directory), "current", "state", f"{name}.parquet")
    return pl.read_parquet(path) if os.path.exists(path) else empty


def metadata(source: str, config: dict) -> dict[str, Any]:
    return publish.harvested_metadata(
        source, config, dataset_name(source, config),
        f"Stunden- und Tageswerte der Umweltsensoren ({config.get('title', source)}) im Stadtgebiet: "
        "Temperatur, Luftfeuchte, Luftdruck und Feinstaub (PM10, PM2,5) mit Mittel, Minimum, Maximum, "
        "Abdeckung und Qualitätsmerkmalen je Wert; Stationen als GeoJSON; tägliche Hitzeinseln "
        "(Abweichung vom Median des Messnetzes). Zeiten in UTC und Ortszeit.",
        ["Umwelt", "Sensoren", "Temperatur", "Feinstaub", "Luftqualität", "Hitze"], ["ENVI"], "odbl", "HOURLY")


def _csv(frame: pl.DataFrame, path: str, schema: dict) -> None:
    columns = [f["name"] for f in schema["fields"]]
    columnar.write_csv(frame.with_columns([pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ") for c in columns
                                           if frame.schema.get(c) == pl.Datetime("us", "UTC")]).select(columns), path)


def build(source: str, config: dict, directory: str, version: str) -> dict[str, Any]:
    now = _now(config)
    end = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=config.get("window_hours", 24))
    skipped: Counter = Counter()
    fetched = ADAPTERS[config["api"]](source, config, start, end, skipped)  # SourceError: nothing written

    store = _previous(directory, "readings", sensors.empty_readings())
    hours_before = _previous(directory, "hourly", pl.DataFrame())
    stations_before = _previous(directory, "stations", pl.DataFrame())
    key = sensors.KEY + ["time"]
    unseen = fetched.unique(subset=key, keep="first").join(store.select(key), on=key, how="anti")
    new = unseen.filter(pl.col("time") <= now + dt.timedelta(minutes=10))
    counts = Counter(fetched=fetched.height, duplicates_dropped=fetched.height - unseen.height,
                     clock_skew_dropped=unseen.height - new.height, new_readings=new.height, **skipped)

    keep_from = now - dt.timedelta(days=config.get("keep_days", 3))
    readings = pl.concat([store, new.select(store.columns)]).filter(pl.col("time") >= keep_from)
    if new.height:
        # Only the series (sensor, phenomenon) with new readings, and of them only the hours touched.
        touched = new.select(sensors.KEY + [pl.col("time").dt.truncate("1h").alias("hour_start_utc")]).unique()
        series = readings.join(touched.select(sensors.KEY).unique(), on=sensors.KEY, how="semi")
        recomputed = sensors.hourly(sensors.clean(series, now), config.get("interval_s", 150.0))
        recomputed = recomputed.join(touched, on=sensors.KEY + ["hour_start_utc"], how="semi")
        hours = sensors.merge_hours(hours_before, recomputed)
        counts["hours_recomputed"] = recomputed.height
    else:
        hours = hours_before if not hours_before.is_empty() else \
            sensors.hourly(sensors.clean(sensors.empty_readings()))
    days = sensors.daily(hours) if hours.height else None
    hot = sensors.hotspots(days, config.get("hotspot_k", 1.5)) if days is not None else None
    station_table = sensors.stations(new, stations_before if not stations_before.is_empty() else None) \
        if new.height else stations_before

    os.makedirs(os.path.join(directory, "state"), exist_ok=True)
    readings.write_parquet(os.path.join(directory, "state", "readings.parquet"))
    hours.write_parquet(os.path.join(directory, "state", "hourly.parquet"))
    if not station_table.is_empty():
        station_table.write_parquet(os.path.join(directory, "state", "stations.parquet"))

    frames = {"stundenwerte": sensors.local_hours(hours) if hours.height else None, "tageswerte": days,
              "hitzeinseln": hot}
    resources = []
    for name, filename, schema_name, _ in TABLES:
        schema = package.table_schema(schema_name)
        path = os.path.join(directory, filename)
        frame = frames[name]
        if frame is None or frame.is_empty():
            with open(path, "w", encoding="utf-8") as f:
                f.write(",".join(fd["name"] for fd in schema["fields"]) + "\n")
            rows = 0
        else:
            _csv(frame, path, schema)
            rows = frame.height
        resources.append(package.file_resource(directory, filename, name, "csv", "text/csv", encoding="utf-8",
                                               schema=schema, rows=rows))
    columnar.write_geojson(station_table if not station_table.is_empty() else pl.DataFrame(
        schema={"station_id": pl.String, "latitude": pl.Float64, "longitude": pl.Float64}),
        os.path.join(directory, "stationen.geojson"),
        [c for c in ("station_id", "location_id", "source", "sensor_type", "phenomena", "first_seen",
                     "last_seen", "positions") if c in station_table.columns] or ["station_id"], id_column=None)
    geo = ["stationen.geojson"]
    if hot is not None and hot.height:
        columnar.write_geojson(hot.filter(pl.col("date") == hot["date"].max()),
                               os.path.join(directory, "hitzeinseln.geojson"),
                               ["date", "station_id", "temperature_mean", "network_median", "anomaly_k", "hotspot"],
                               id_column=None)
        geo.append("hitzeinseln.geojson")
    resources += [package.file_resource(directory, filename, filename.replace(".geojson", "-geojson"), "geojson",
                                        "application/geo+json") for filename in geo]
    package.write_descriptor(directory, dataset_name(source, config), config.get("title", source), version,
                             config.get("licence", "odbl"),
                             [{"title": config.get("title", source), "path": config["url"]}], resources, created=now)
    errors = []
    for name, *_ in TABLES:
        errors += [dict(e, table=name) for e in
                   validate.validate(directory, name, report_name=f"validation-{name}.json")["errors"]]
    files = [{"name": filename, "format": "CSV", "mimetype": "text/csv", "description": text}
             for _, filename, _, text in TABLES]
    files += [{"name": "stationen.geojson", "format": "GEOJSON", "mimetype": "application/geo+json",
               "description": "Stationen: Lage, Sensortyp, Messgrößen, zuerst und zuletzt gesehen."}]
    if "hitzeinseln.geojson" in geo:
        files += [{"name": "hitzeinseln.geojson", "format": "GEOJSON", "mimetype": "application/geo+json",
                   "description": "Temperaturabweichung der Stationen am letzten Tag, für die Karte."}]
    files += [{"name": "datapackage.json", "format": "JSON", "mimetype": "application/json",
               "description": "Frictionless Data Package: Schemas, Lizenz, Quelle, Prüfsummen."}]
    note = (f"{counts['new_readings']} neue Messwerte, {counts.get('hours_recomputed', 0)} Stundenwerte "
            "neu berechnet." if counts["new_readings"] else "Keine neuen Messwerte im Zeitfenster.")
    publish.write_plan(directory, metadata(source, config), config["organization"], files, note=note)
    return {"rows": hours.height, "warnings": dict(counts), "valid": not errors, "errors": errors[:20],
            "error_count": len(errors), "resources": [r["path"] for r in resources]}
