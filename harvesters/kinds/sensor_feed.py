"""Sensor feeds (`kind: sensor_feed`): extract (an adapter per API in
sensor_sources.py) → transform (etl/sensors.py: cleaning, hourly and daily
aggregates with quality flags, stations, heat anomalies).

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
from dataclasses import dataclass
from typing import Literal, Optional

import polars as pl

from etl import columnar, package, sensors

from ..folders import atomic_write
from ..plan import Plan
from ..sensor_sources import ADAPTERS
from .base import Build, File, OneDataset, Output, Unit, table
from .config import ConfigError, SourceConfig

TABLES = [  # (resource name, file, schema, description)
    ("stundenwerte", "stundenwerte.csv", "sensor_hourly",
     "Stundenwerte je Sensor und Messgröße: Mittel, Minimum, Maximum, Anzahl, Abdeckung, Qualitätsmerkmale."),
    ("tageswerte", "tageswerte.csv", "sensor_daily",
     "Tageswerte (Ortszeit) je Sensor und Messgröße, aus den Stundenwerten."),
    ("hitzeinseln", "hitzeinseln.csv", "sensor_hotspots",
     "Tägliche Temperaturabweichung jeder Station vom Median des Messnetzes (Hitzeinseln)."),
]


@dataclass(frozen=True, kw_only=True)
class SensorConfig(SourceConfig):
    api: Literal["sensor.community", "opensensemap", "sensorthings"]
    url: str
    urls: Optional[list[str]] = None     # sensor.community: several feeds instead of `url`
    now: Optional[str] = None            # ISO time to replay a window (and for tests)
    window_hours: float = 24
    keep_days: float = 3
    hotspot_k: float = 1.5               # K above the network median that makes a hotspot
    interval_s: float = 150.0            # the expected reading interval before a sensor's own is known
    chunk_hours: float = 24              # history asked for in pieces (APIs cap a query)
    page_size: int = 1000                # SensorThings $top
    max_pages: int = 10_000              # SensorThings: pages followed at most per collection
    observed_properties: Optional[dict[str, str]] = None  # SensorThings: the platform's names -> ours
    licence: Optional[str] = "odbl"
    frequency: Optional[str] = "HOURLY"

    def check(self, source: str) -> None:
        super().check(source)
        if self.api == "opensensemap" and not self.extent:
            raise ConfigError(f"source {source}: opensensemap needs an extent (its boxes are asked for by area)")
        if self.now:
            try:
                dt.datetime.fromisoformat(self.now)
            except ValueError:
                raise ConfigError(f"source {source}: now must be an ISO 8601 time, not {self.now!r}")


def _now(config: SensorConfig) -> dt.datetime:
    return dt.datetime.fromisoformat(config.now).astimezone(dt.timezone.utc) if config.now \
        else dt.datetime.now(dt.timezone.utc)


def _state(build: Build, name: str, empty: pl.DataFrame) -> pl.DataFrame:
    path = os.path.join(build.current, "state", f"{name}.parquet") if build.current else ""
    return pl.read_parquet(path) if path and os.path.exists(path) else empty


def _write_parquet(frame: pl.DataFrame, path: str) -> None:
    frame.write_parquet(path + ".tmp")
    os.replace(path + ".tmp", path)


def _csv(frame: Optional[pl.DataFrame], path: str, schema: dict) -> int:
    columns = [f["name"] for f in schema["fields"]]
    if frame is None or frame.is_empty():
        atomic_write(path, ",".join(columns) + "\n")
        return 0
    columnar.write_csv(frame.with_columns([pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ") for c in columns
                                           if frame.schema.get(c) == pl.Datetime("us", "UTC")]).select(columns), path)
    return frame.height


class SensorFeed(OneDataset):
    name = "sensor_feed"
    Config = SensorConfig
    prefix = "sensordaten-"

    def extract(self, unit: Unit, build: Build) -> tuple[pl.DataFrame, Counter]:
        """The readings of the window (SourceError: nothing is written)."""
        config = unit.config
        now = _now(config)
        end = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        start = end - dt.timedelta(hours=config.window_hours)
        skipped: Counter = Counter()
        return ADAPTERS[config.api](unit.source, config, start, end, skipped), skipped

    def transform(self, unit: Unit, extracted: tuple[pl.DataFrame, Counter], build: Build) -> Output:
        fetched, skipped = extracted
        config, directory, now = unit.config, build.directory, _now(unit.config)
        store = _state(build, "readings", sensors.empty_readings())
        hours_before = _state(build, "hourly", pl.DataFrame())
        stations_before = _state(build, "stations", pl.DataFrame())
        key = sensors.KEY + ["time"]
        unseen = fetched.unique(subset=key, keep="first").join(store.select(key), on=key, how="anti")
        new = unseen.filter(pl.col("time") <= now + dt.timedelta(minutes=10))
        counts = Counter(fetched=fetched.height, duplicates_dropped=fetched.height - unseen.height,
                         clock_skew_dropped=unseen.height - new.height, new_readings=new.height, **skipped)

        keep_from = now - dt.timedelta(days=config.keep_days)
        readings = pl.concat([store, new.select(store.columns)]).filter(pl.col("time") >= keep_from)
        if new.height:
            # Only the series (sensor, phenomenon) with new readings, and of them only the hours touched.
            touched = new.select(sensors.KEY + [pl.col("time").dt.truncate("1h").alias("hour_start_utc")]).unique()
            series = readings.join(touched.select(sensors.KEY).unique(), on=sensors.KEY, how="semi")
            recomputed = sensors.hourly(sensors.clean(series, now), config.interval_s)
            recomputed = recomputed.join(touched, on=sensors.KEY + ["hour_start_utc"], how="semi")
            hours = sensors.merge_hours(hours_before, recomputed)
            counts["hours_recomputed"] = recomputed.height
        else:
            hours = hours_before if not hours_before.is_empty() else \
                sensors.hourly(sensors.clean(sensors.empty_readings()))
        days = sensors.daily(hours) if hours.height else None
        hot = sensors.hotspots(days, config.hotspot_k) if days is not None else None
        station_table = sensors.stations(new, stations_before if not stations_before.is_empty() else None) \
            if new.height else stations_before

        os.makedirs(os.path.join(directory, "state"), exist_ok=True)
        _write_parquet(readings, os.path.join(directory, "state", "readings.parquet"))
        _write_parquet(hours, os.path.join(directory, "state", "hourly.parquet"))
        if not station_table.is_empty():
            _write_parquet(station_table, os.path.join(directory, "state", "stations.parquet"))

        frames = {"stundenwerte": sensors.local_hours(hours) if hours.height else None, "tageswerte": days,
                  "hitzeinseln": hot}
        files = []
        for name, filename, schema_name, text in TABLES:
            schema = package.table_schema(schema_name)
            rows = _csv(frames[name], os.path.join(directory, filename), schema)
            files.append(table(filename, name, text, schema, rows))
        columnar.write_geojson(station_table if not station_table.is_empty() else pl.DataFrame(
            schema={"station_id": pl.String, "latitude": pl.Float64, "longitude": pl.Float64}),
            os.path.join(directory, "stationen.geojson"),
            [c for c in ("station_id", "location_id", "source", "sensor_type", "phenomena", "first_seen",
                         "last_seen", "positions") if c in station_table.columns] or ["station_id"], id_column=None)
        files.append(File("stationen.geojson", "stationen-geojson", "geojson", "application/geo+json",
                          "Stationen: Lage, Sensortyp, Messgrößen, zuerst und zuletzt gesehen."))
        if hot is not None and hot.height:
            columnar.write_geojson(hot.filter(pl.col("date") == hot["date"].max()),
                                   os.path.join(directory, "hitzeinseln.geojson"),
                                   ["date", "station_id", "temperature_mean", "network_median", "anomaly_k",
                                    "hotspot"], id_column=None)
            files.append(File("hitzeinseln.geojson", "hitzeinseln-geojson", "geojson", "application/geo+json",
                              "Temperaturabweichung der Stationen am letzten Tag, für die Karte."))
        title = config.title or unit.source
        return Output(title, files, [{"title": title, "path": config.url}], config.licence, hours.height,
                      dict(counts), created=now)

    def plan(self, unit: Unit, output: Output) -> Plan:
        config, counts = unit.config, output.warnings
        dataset = self.metadata(
            unit, output, notes=(
                f"Stunden- und Tageswerte der Umweltsensoren ({output.title}) im Stadtgebiet: "
                "Temperatur, Luftfeuchte, Luftdruck und Feinstaub (PM10, PM2,5) mit Mittel, Minimum, Maximum, "
                "Abdeckung und Qualitätsmerkmalen je Wert; Stationen als GeoJSON; tägliche Hitzeinseln "
                "(Abweichung vom Median des Messnetzes). Zeiten in UTC und Ortszeit."),
            tags=["Umwelt", "Sensoren", "Temperatur", "Feinstaub", "Luftqualität", "Hitze"], themes=["ENVI"])
        note = (f"{counts['new_readings']} neue Messwerte, {counts.get('hours_recomputed', 0)} Stundenwerte "
                "neu berechnet." if counts["new_readings"] else "Keine neuen Messwerte im Zeitfenster.")
        return Plan(dataset, config.organization, note=note)


KIND = SensorFeed()
