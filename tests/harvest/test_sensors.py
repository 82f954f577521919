"""The sensor harvester against feeds shaped like sensor.community,
openSenseMap and OGC SensorThings, served on loopback: aggregates, flags,
hotspots, increments, faults, and publishing into the test CKAN."""
import copy
import datetime as dt
import hashlib
import json
import re
import time
import urllib.parse

import polars as pl
import pytest

from ckan.tests import helpers

from harvesters import runner
from harvesters.samples.sensors.generate import END, feed

from ..loopback import serve


NOW = END.replace(tzinfo=dt.timezone.utc)


@pytest.fixture
def source(loopback):
    routes, base = loopback
    routes.clear()
    config = copy.deepcopy(runner.load_config()["jena-luftdaten"])
    config.update(url=base + "/data.json", timeout=1, attempts=2, backoff=0.01, now=NOW.isoformat())
    return routes, base, config


def body(records):
    return (json.dumps(records).encode(), "application/json")


def harvest(config, out, ckan=None):
    return runner.run(["jena-luftdaten"], {"jena-luftdaten": config}, str(out), ckan)[0]


def table(out, name):
    return pl.read_csv(out / "jena-luftdaten" / "current" / name, infer_schema=False)


def test_the_sample_feed_becomes_a_valid_package(source, tmp_path):
    routes, base, config = source
    routes["/data.json"] = body(feed())
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    assert result["warnings"]["indoor"] == 2 * 104 and result["warnings"]["new_readings"] == 3120
    hours = table(tmp_path, "stundenwerte.csv")
    stations = set(hours["station_id"])
    assert "jena-luftdaten:60014" not in stations  # the indoor device
    assert "jena-luftdaten:60015" not in stations  # the device in Leipzig, outside the area
    assert len(stations) == 12
    flags = hours.group_by("station_id", "phenomenon").agg(pl.col("flags").str.join(" "))
    flagged = {(r[0], r[1]) for r in flags.filter(pl.col("flags").str.contains("stuck")).iter_rows()}
    assert flagged == {("jena-luftdaten:60005", "temperature")}
    humid = hours.filter(pl.col("flags").str.contains("pm_humidity"))
    assert set(humid["station_id"]) == {"jena-luftdaten:60006"} and set(humid["phenomenon"]) == {"pm10", "pm2_5"}
    spike = hours.filter(pl.col("flags").str.contains("spike"))
    assert spike["station_id"].to_list() == ["jena-luftdaten:60009"]
    pressure = hours.filter(pl.col("phenomenon") == "pressure")
    assert set(pressure["unit"]) == {"hPa"} and 1000 < pressure["mean"].cast(float).mean() < 1012
    hot = table(tmp_path, "hitzeinseln.csv")
    assert hot["station_id"][0] == "jena-luftdaten:60001" and hot["hotspot"][0] == "true"
    assert hot.filter(pl.col("hotspot") == "true").height == 1
    geo = json.loads((tmp_path / "jena-luftdaten" / "current" / "stationen.geojson").read_text())
    assert len(geo["features"]) == 12


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_increments_late_readings_and_duplicates(source, tmp_path):
    routes, base, config = source
    first = feed()
    routes["/data.json"] = body(first)
    assert harvest(config, tmp_path)["status"] == "ok"
    before = table(tmp_path, "stundenwerte.csv")

    def shifted(record, **delta):
        r = copy.deepcopy(record)
        when = dt.datetime.strptime(r["timestamp"], "%Y-%m-%d %H:%M:%S") + dt.timedelta(**delta)
        r["timestamp"] = when.strftime("%Y-%m-%d %H:%M:%S")
        return r

    bme = [r for r in first if r["sensor"]["id"] == 60003]
    late = shifted(bme[40], minutes=5)            # a late reading in an hour published before
    new = [shifted(r, hours=1) for r in bme[-4:]]  # the next hour
    routes["/data.json"] = body(bme[-10:] + [late] + new)   # and 10 records sent before
    config["now"] = (NOW + dt.timedelta(hours=1)).isoformat()
    second = harvest(config, tmp_path)
    assert second["status"] == "ok", second["message"]
    w = second["warnings"]
    assert (w["new_readings"], w["duplicates_dropped"]) == (5 * 3, 10 * 3)  # 3 values per BME280 record
    assert w["hours_recomputed"] == 3 + 3   # temperature/humidity/pressure: the late hour and the new hour
    after = table(tmp_path, "stundenwerte.csv")
    late_hour = (dt.datetime.strptime(late["timestamp"], "%Y-%m-%d %H:%M:%S").replace(minute=0, second=0)
                 .strftime("%Y-%m-%dT%H:%M:%SZ"))
    key = ["station_id", "phenomenon", "hour_start_utc"]
    changed = after.join(before, on=key, how="inner", suffix="_before").filter(
        pl.col("count") != pl.col("count_before"))
    assert set(changed["hour_start_utc"]) == {late_hour} and set(changed["station_id"]) == {"jena-luftdaten:60003"}
    assert after.height == before.height + 3
    # every other hour exactly as published before
    untouched = before.join(changed.select(key), on=key, how="anti")
    assert untouched.join(after, on=key, how="anti").height == 0
    assert after.join(untouched, on=list(before.columns), how="semi").height == untouched.height


def test_a_source_that_is_down_or_broken_loses_nothing(source, tmp_path):
    routes, base, config = source
    routes["/data.json"] = body(feed())
    assert harvest(config, tmp_path)["status"] == "ok"
    current = tmp_path / "jena-luftdaten" / "current"
    kept = {p.name: _digest(p) for p in current.rglob("*") if p.is_file()}
    for route, expected in [
        (None, "answered HTTP 404"),
        ((b'[{"id": 1, "timestamp": "2026-', "application/json"), "did not return valid JSON"),
        ((b"<!DOCTYPE html><html>Wartung</html>", "text/html"), "returned an HTML page instead of JSON"),
        ((b'{"error": "rate limited"}', "application/json"), "is not a sensor.community feed"),
    ]:
        routes.pop("/data.json", None)
        if route:
            routes["/data.json"] = route
        result = harvest(config, tmp_path)
        assert result["status"] == "failed" and expected in result["message"], result["message"]
        assert result["message"].startswith("jena-luftdaten: ")
        assert {p.name: _digest(p) for p in current.rglob("*") if p.is_file()} == kept


def test_http_429_waits_as_retry_after_says(source, tmp_path):
    routes, base, config = source
    calls = []

    def limited(path):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return (b"Too Many Requests", "text/plain", 0, 429, {"Retry-After": "1"})
        return body(feed()[:200])
    routes["/data.json"] = limited
    config.update(backoff=0.01)
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95  # waited as told, not the 0.01 s backoff


def test_clock_skew_and_an_empty_window(source, tmp_path):
    routes, base, config = source
    records = feed()[:40]
    ahead = copy.deepcopy(records[0])
    ahead["timestamp"] = (END + dt.timedelta(minutes=50)).strftime("%Y-%m-%d %H:%M:%S")
    routes["/data.json"] = body(records + [ahead])
    result = harvest(config, tmp_path)
    assert result["status"] == "ok" and result["warnings"]["clock_skew_dropped"] == 2  # P1 and P2
    routes["/data.json"] = body([])
    empty = harvest(config, tmp_path / "empty")
    assert empty["status"] == "ok" and empty["rows"] == 0
    plan = json.loads((tmp_path / "empty" / "jena-luftdaten" / "current" / "publish.json").read_text())
    assert plan["note"] == "Keine neuen Messwerte im Zeitfenster."


def _sta_routes(routes, base):
    """SensorThings (FROST/sensiNact style): string ids, short pages with nextLinks."""
    def loc(lon, lat):
        return [{"@iot.id": "L1", "location": {"type": "Point", "coordinates": [lon, lat]}}]

    def stream(sid, name, symbol):
        return {"@iot.id": sid, "name": sid, "unitOfMeasurement": {"symbol": symbol},
                "ObservedProperty": {"name": name}, "Sensor": {"name": "Dragino LSE01"}}
    routes["/sta/Things?$expand=Locations,Datastreams($expand=ObservedProperty,Sensor)"] = body({
        "value": [{"@iot.id": "K440", "Locations": loc(11.59, 50.93),
                   "Datastreams": [stream("K440~K1_1~temp", "air_temperature", "°C"),
                                   stream("K440~K1_1~batt", "BatV", "V")]}],
        "@iot.nextLink": base + "/sta/Things?page=2"})
    routes["/sta/Things?page=2"] = body({"value": [{"@iot.id": 7, "Locations": loc(11.60, 50.94),
                                                    "Datastreams": [stream(12, "Luftdruck", "Pa")]}]})
    windows = []

    def temperature(path):
        """Answers each time chunk of the window with the observations inside it."""
        ge, lt = re.search(r"phenomenonTime ge ([^ &]+) and phenomenonTime lt ([^ &]+)", urllib.parse.unquote(path)).groups()
        windows.append((ge, lt))
        if ge <= "2026-07-01T01:10:00Z" < lt:
            return body({"value": [{"result": 21.5, "phenomenonTime": "2026-07-01T01:10:00Z"},
                                   {"result": "21.7", "phenomenonTime": "2026-07-01T01:20:00.000Z"}],
                         "@iot.nextLink": base + "/sta/obs-next"})  # a short page that is not the last
        return body({"value": []})
    routes["/sta/Datastreams('K440~K1_1~temp')/Observations?*"] = temperature
    routes["/sta/obs-next"] = body({"value": [
        {"result": 21.9, "phenomenonTime": "2026-07-01T01:30:00Z/2026-07-01T01:40:00Z"}]})
    routes["/sta/Datastreams(12)/Observations?*"] = lambda path: body({"value": [
        {"result": 100600, "phenomenonTime": "2026-07-01T01:15:00+00:00"}]} if "lt 2026-07-01T03" in
        urllib.parse.unquote(path) else {"value": []})
    return windows


def test_sensorthings_paging_and_string_ids(source, tmp_path):
    routes, base, config = source
    windows = _sta_routes(routes, base)
    config.update(api="sensorthings", url=base + "/sta", chunk_hours=12)
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    hours = table(tmp_path, "stundenwerte.csv")
    rows = {r["station_id"]: r for r in hours.iter_rows(named=True)}
    temp = rows["jena-luftdaten:K440~K1_1~temp"]
    assert (temp["count"], temp["mean"], temp["location_id"]) == ("3", "21.7", "jena-luftdaten:K440")
    assert rows["jena-luftdaten:12"]["mean"] == "1006.0" and rows["jena-luftdaten:12"]["unit"] == "hPa"
    assert len(rows) == 2  # the battery voltage is no phenomenon of ours
    # the 27-hour window asked for in pieces of 12 hours (history queries are capped)
    assert windows == [("2026-06-30T00:00:00Z", "2026-06-30T12:00:00Z"),
                       ("2026-06-30T12:00:00Z", "2026-07-01T00:00:00Z"),
                       ("2026-07-01T00:00:00Z", "2026-07-01T03:00:00Z")]


def test_opensensemap_boxes_and_a_moving_sensor(source, tmp_path):
    routes, base, config = source
    config.update(api="opensensemap", url=base + "/osem")
    w, s, e, n = config["extent"]
    routes[f"/osem/boxes?bbox={w},{s},{e},{n}&exposure=outdoor,mobile"] = body([
        {"_id": "box1", "name": "Linie 5", "exposure": "mobile",
         "currentLocation": {"coordinates": [11.60, 50.95]},
         "sensors": [{"_id": "t1", "title": "Temperatur", "unit": "°C", "sensorType": "HDC1080"},
                     {"_id": "x1", "title": "Beleuchtungsstärke", "unit": "lx"}]},
        {"_id": "box2", "exposure": "indoor", "currentLocation": {"coordinates": [11.6, 50.9]}, "sensors": []}])
    routes["/osem/boxes/box1/data/t1?*"] = body([
        {"value": "24.1", "createdAt": "2026-07-01T01:05:00.000Z", "location": [11.58, 50.92]},
        {"value": "24.6", "createdAt": "2026-07-01T01:15:00.000Z", "location": [11.59, 50.93]},
        {"value": "25.0", "createdAt": "2026-07-01T01:25:00.000Z", "location": [11.60, 50.95]}])
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    assert result["warnings"]["indoor"] == 1
    stations = json.loads((tmp_path / "jena-luftdaten" / "current" / "stationen.geojson").read_text())["features"]
    assert len(stations) == 1
    bus = stations[0]
    assert bus["properties"]["positions"] == 3 and bus["geometry"]["coordinates"] == [11.60, 50.95]
    hour = table(tmp_path, "stundenwerte.csv").row(0, named=True)
    assert float(hour["latitude"]) == pytest.approx((50.92 + 50.93 + 50.95) / 3, abs=1e-6)


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_publish_and_an_unchanged_second_run(source, tmp_path, harvester_ckan):
    routes, base, config = source
    routes["/data.json"] = body(feed())
    first = harvest(config, tmp_path, harvester_ckan)
    assert first["status"] == "ok", first["message"]
    pkg = helpers.call_action("package_show", id="sensordaten-jena-luftdaten")
    assert {r["name"] for r in pkg["resources"]} == {
        "stundenwerte.csv", "tageswerte.csv", "hitzeinseln.csv", "stationen.geojson", "hitzeinseln.geojson",
        "datapackage.json"}
    assert pkg["harvest_message"].startswith("Erstveröffentlichung.")
    assert pkg["frequency"].endswith("/HOURLY") and pkg["license_id"] == "odbl"
    second = harvest(config, tmp_path, harvester_ckan)
    assert second["published"]["changed"] is False


def _things(next_link):
    return body({"value": [{"@iot.id": 1, "Locations": [{"location": {"type": "Point", "coordinates": [11.6, 50.9]}}],
                            "Datastreams": []}], "@iot.nextLink": next_link})


@pytest.mark.parametrize("where, problem", [
    ("file", "is not an http(s) URL; not followed"),
    ("elsewhere", "for another host; not followed"),
    ("itself", "was already followed (a loop); stopped"),
])
def test_sensorthings_next_links_cannot_lead_elsewhere_or_loop(source, tmp_path, where, problem):
    routes, base, config = source
    config.update(api="sensorthings", url=base + "/sta")
    things = "/sta/Things?$expand=Locations,Datastreams($expand=ObservedProperty,Sensor)"
    calls = []
    other = {"/sta/Things?page=2": lambda path: calls.append(path) or _things(None)}
    with serve(other) as elsewhere:  # another origin on loopback: allowed as a source, not as a next page
        link = {"file": "file:///etc/passwd", "elsewhere": elsewhere + "/sta/Things?page=2",
                "itself": base + urllib.parse.quote(things, safe="$=(),'&:/;?")}[where]

        def first(path):
            calls.append(path)
            return _things(link)
        routes[things] = first
        result = harvest(config, tmp_path)
    assert result["status"] == "failed" and result["message"].startswith("jena-luftdaten: ")
    assert problem in result["message"], result["message"]
    assert len(calls) == 1  # the first page only: nothing followed, no loop walked 10,000 times


def test_sensorthings_paging_stops_at_max_pages(source, tmp_path):
    routes, base, config = source
    config.update(api="sensorthings", url=base + "/sta", max_pages=5)
    pages = []

    def endless(path):
        pages.append(path)
        return _things(f"{base}/sta/Things?page={len(pages) + 1}")
    routes["/sta/Things*"] = endless
    result = harvest(config, tmp_path)
    assert result["status"] == "failed" and "more than 5 pages" in result["message"]
    assert len(pages) == 5
