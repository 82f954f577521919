"""Sensor APIs behind one interface: `fetch(source, config, start, end)`
returns the readings of [start, end) inside the configured area as a polars
DataFrame with etl.sensors.READINGS's columns.

- sensor.community: the data.json / data.1h.json / data.24h.json feeds or the
  area filter (`/airrohr/v1/filter/area=LAT,LON,KM`); numbers come as strings,
  timestamps in UTC without a zone, pressure in Pa.
- openSenseMap: `/boxes?bbox=…` then `/boxes/BOX/data/SENSOR?from-date=…&to-date=…`.
- OGC SensorThings: Things with Locations and Datastreams, Observations with
  `$filter` on phenomenonTime, `$top`, following `@iot.nextLink` (pages may be
  short); ids may be numbers or strings.
A record that lacks what it needs is skipped and counted, never guessed.
"""
from __future__ import annotations

import datetime as dt
import math
import urllib.parse
from collections import Counter
from typing import Any, Callable, Optional

import polars as pl

from etl.sensors import READINGS

from .fetch import SourceError, get_json, next_page

SENSOR_COMMUNITY = {"P1": "pm10", "P2": "pm2_5", "temperature": "temperature", "humidity": "humidity",
                    "pressure": "pressure"}
# openSenseMap titles and SensorThings ObservedProperty names, lower case
NAMES = {"temperatur": "temperature", "temperature": "temperature", "lufttemperatur": "temperature",
         "air_temperature": "temperature", "air temperature": "temperature",
         "rel. luftfeuchte": "humidity", "luftfeuchte": "humidity", "luftfeuchtigkeit": "humidity",
         "humidity": "humidity", "relative_humidity": "humidity", "relative humidity": "humidity",
         "luftdruck": "pressure", "pressure": "pressure", "air_pressure": "pressure", "atmospheric pressure": "pressure",
         "pm10": "pm10", "pm2.5": "pm2_5", "pm2_5": "pm2_5", "pm25": "pm2_5"}


def _num(value: Any) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _time(value: Any) -> Optional[dt.datetime]:
    """ISO 8601 / RFC 3339 or sensor.community's "YYYY-MM-DD HH:MM:SS" (UTC)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if "/" in text:  # a SensorThings interval: its start
        text = text.split("/")[0]
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when.astimezone(dt.timezone.utc)


def _hpa(value: Optional[float], unit: str) -> Optional[float]:
    return value / 100.0 if value is not None and unit.strip().lower() == "pa" else value


def _frame(rows: list[dict], config: dict, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=READINGS) if rows else pl.DataFrame(schema=READINGS)
    # Only the window's start is applied here: readings after its end are a
    # clock running ahead, which the harvester counts and drops.
    frame = frame.filter(pl.col("time") >= start)
    if config.extent:
        w, s, e, n = config.extent
        frame = frame.filter(pl.col("longitude").is_between(w, e) & pl.col("latitude").is_between(s, n))
    return frame


def _row(source: str, station: str, location: str, sensor_type: str, phenomenon: str, value, when,
         lat, lon) -> dict:
    return {"station_id": f"{source}:{station}", "location_id": f"{source}:{location}", "source": source,
            "sensor_type": sensor_type, "phenomenon": phenomenon, "value": value, "time": when,
            "latitude": lat, "longitude": lon}


def sensor_community(source: str, config: dict, start: dt.datetime, end: dt.datetime,
                     skipped: Counter) -> pl.DataFrame:
    records = []
    for url in config.urls or [config.url]:
        data = get_json(source, url, config)
        if not isinstance(data, list):
            raise SourceError(f"{source}: {url} is not a sensor.community feed (a JSON list was expected, "
                              f"got {type(data).__name__})")
        records += data
    rows = []
    for rec in records:
        try:
            loc, sensor = rec["location"], rec["sensor"]
            when = _time(rec["timestamp"])
            lat, lon = _num(loc["latitude"]), _num(loc["longitude"])
            kind = (sensor.get("sensor_type") or {}).get("name") or ""
            values = rec["sensordatavalues"]
        except (KeyError, TypeError):
            skipped["malformed_record"] += 1
            continue
        if when is None or lat is None or lon is None:
            skipped["malformed_record"] += 1
            continue
        if str(loc.get("indoor", 0)) in ("1", "True", "true"):
            skipped["indoor"] += 1  # indoor sensors say nothing about the city's air
            continue
        for item in values or []:
            phenomenon = SENSOR_COMMUNITY.get((item or {}).get("value_type"))
            if not phenomenon:
                continue
            value = _num(item.get("value"))
            if value is None:
                skipped["unreadable_value"] += 1
                continue
            if phenomenon == "pressure":
                value /= 100.0  # Pa → hPa
            rows.append(_row(source, str(sensor.get("id")), str(loc.get("id")), kind, phenomenon, value, when,
                             lat, lon))
    return _frame(rows, config, start, end)


def chunks(start: dt.datetime, end: dt.datetime, hours: float) -> list[tuple[dt.datetime, dt.datetime]]:
    """The window in pieces of `hours`: history queries are capped (openSenseMap
    10,000 values per request, Jena's SensorThings 10,000 rows per query)."""
    out, step = [], dt.timedelta(hours=hours)
    while start < end:
        out.append((start, min(start + step, end)))
        start += step
    return out


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def opensensemap(source: str, config: dict, start: dt.datetime, end: dt.datetime,
                 skipped: Counter) -> pl.DataFrame:
    base = config.url.rstrip("/")
    w, s, e, n = config.extent
    boxes = get_json(source, f"{base}/boxes?bbox={w},{s},{e},{n}&exposure=outdoor,mobile", config)
    if not isinstance(boxes, list):
        raise SourceError(f"{source}: {base}/boxes did not return a list of boxes")
    rows = []
    for box in boxes:
        try:
            box_id = box["_id"]
            lon, lat = box["currentLocation"]["coordinates"][:2]
            sensors = box["sensors"]
        except (KeyError, TypeError, ValueError):
            skipped["malformed_record"] += 1
            continue
        if box.get("exposure") == "indoor":  # outdoor and mobile (a bus, a bike) are kept
            skipped["indoor"] += 1
            continue
        for sensor in sensors:
            phenomenon = NAMES.get(str(sensor.get("title", "")).strip().lower())
            if not phenomenon:
                continue
            measurements = []
            for a, b in chunks(start, end, config.chunk_hours):
                measurements += get_json(source, f"{base}/boxes/{box_id}/data/{sensor['_id']}?from-date={_iso(a)}"
                                                 f"&to-date={_iso(b)}&format=json", config) or []
            for m in measurements:
                try:
                    when, value = _time(m["createdAt"]), _num(m["value"])
                except (KeyError, TypeError):
                    skipped["malformed_record"] += 1
                    continue
                if when is None or value is None:
                    skipped["unreadable_value"] += 1
                    continue
                at = m.get("location") or [lon, lat]  # a mobile box reports where it was
                rows.append(_row(source, f"{box_id}:{sensor['_id']}", box_id, sensor.get("sensorType") or "",
                                 phenomenon, _hpa(value, sensor.get("unit", "")), when, _num(at[1]), _num(at[0])))
    return _frame(rows, config, start, end)


def _sta_id(value: Any) -> str:
    """SensorThings ids: numbers bare, strings quoted ('' escapes a quote)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _sta_pages(source: str, url: str, config) -> list[dict]:
    """Every entity of a collection, following @iot.nextLink (a short page is
    not the end; only a missing nextLink is). A nextLink is the source's word,
    not the operator's: followed only over http(s), to the same origin, never
    twice, and for at most `max_pages` pages (fetch.next_page)."""
    out: list[dict] = []
    seen: set[str] = set()
    while url:
        doc = get_json(source, url, config)
        if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
            raise SourceError(f"{source}: {url} is not a SensorThings collection (no \"value\" list)")
        out += doc["value"]
        url = next_page(source, url, doc.get("@iot.nextLink"), seen, config.max_pages)
    return out


def sensorthings(source: str, config: dict, start: dt.datetime, end: dt.datetime,
                 skipped: Counter) -> pl.DataFrame:
    base = config.url.rstrip("/")
    names = dict(NAMES, **{k.lower(): v for k, v in (config.observed_properties or {}).items()})
    quote = lambda q: urllib.parse.quote(q, safe="$=(),'&:/;")  # noqa: E731
    things = _sta_pages(source, base + "/Things?" + quote(
        "$expand=Locations,Datastreams($expand=ObservedProperty,Sensor)"), config)
    rows = []
    for thing in things:
        try:
            lon, lat = thing["Locations"][0]["location"]["coordinates"][:2]
        except (KeyError, IndexError, TypeError, ValueError):
            skipped["thing_without_location"] += 1
            continue
        for stream in thing.get("Datastreams") or []:
            prop = ((stream.get("ObservedProperty") or {}).get("name") or "").strip().lower()
            phenomenon = names.get(prop)
            if not phenomenon:
                continue
            unit = (stream.get("unitOfMeasurement") or {}).get("symbol") or ""
            observations = []
            for a, b in chunks(start, end, config.chunk_hours):
                query = (f"$filter=phenomenonTime ge {_iso(a)} and phenomenonTime lt {_iso(b)}"
                         f"&$orderby=phenomenonTime asc&$top={config.page_size}"
                         "&$select=result,phenomenonTime")
                url = f"{base}/Datastreams({_sta_id(stream['@iot.id'])})/Observations?" + quote(query)
                observations += _sta_pages(source, url, config)
            for obs in observations:
                when, value = _time(obs.get("phenomenonTime")), _num(obs.get("result"))
                if when is None or value is None:
                    skipped["unreadable_value"] += 1
                    continue
                rows.append(_row(source, str(stream["@iot.id"]), str(thing["@iot.id"]),
                                 (stream.get("Sensor") or {}).get("name") or "", phenomenon, _hpa(value, unit),
                                 when, _num(lat), _num(lon)))
    return _frame(rows, config, start, end)


ADAPTERS: dict[str, Callable[..., pl.DataFrame]] = {
    "sensor.community": sensor_community, "opensensemap": opensensemap, "sensorthings": sensorthings}
