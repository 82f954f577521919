"""The Open311 harvester (kind open311) against GeoReport v2 servers on
loopback, shaped like the spec and Mark-a-Spot's answers (the sample
generator's `answer`: start_date/end_date, a cap, newest first, `page`
where the server pages): windows below the cap, XML and JSON, paging and a
server that ignores it, what is left out for privacy, the evaluation, the
faults, and publishing into the test CKAN, where the portal's validation
says valid."""
import copy
import csv
import datetime as dt
import hashlib
import io
import json
import statistics
import time
import urllib.parse

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import helpers

from harvesters import kinds, runner
from harvesters.samples.open311.generate import _utc, answer, requests, services, to_xml

SOURCE = "jena-open311"
API = "/georeport/v2"


class Server:
    """A GeoReport v2 server over `records`; `asked` holds the queries it got."""

    def __init__(self, routes, records, fmt="json", cap=1000, paging=False, page_size=None, ignore_page=False):
        self.records, self.fmt, self.cap = records, fmt, cap
        self.paging, self.page_size, self.ignore_page = paging, page_size, ignore_page
        self.asked = []
        routes.clear()
        routes[f"{API}/services.{fmt}"] = self.encode(services(), "services")
        routes[f"{API}/requests.{fmt}*"] = self.requests

    def encode(self, items, what="requests"):
        if self.fmt == "xml":
            return to_xml(items, what), "text/xml; charset=utf-8"
        return json.dumps(items, ensure_ascii=False).encode(), "application/json"

    def requests(self, path):
        query = path.split("?", 1)[1] if "?" in path else ""
        self.asked.append(dict(urllib.parse.parse_qsl(query)))
        paging = self.paging and not self.ignore_page
        return self.encode(answer(self.records, query, self.cap, paging, self.page_size))


def config(base, **extra):
    entry = copy.deepcopy(runner.load_config()[SOURCE])
    entry.update(url=base + API, since="2025-07-01T00:00:00Z", until="2026-07-01T00:00:00Z", timeout=2,
                 attempts=1, backoff=0.01)
    entry.update(extra)
    return entry


def harvest(entry, out, ckan=None):
    return runner.run([SOURCE], {SOURCE: entry}, str(out), ckan)[0]


def rows(out, name):
    with open(out / SOURCE / "current" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_windows_below_the_cap_give_every_request_once_without_what_citizens_wrote(loopback, tmp_path):
    routes, base = loopback
    records = requests(600)
    server = Server(routes, records, cap=40)
    result = harvest(config(base, max_requests=40), tmp_path)
    assert result["status"] == "ok", result["message"]
    published = rows(tmp_path, "meldungen.csv")
    assert sorted(r["service_request_id"] for r in published) == sorted(str(r["service_request_id"]) for r in records)
    assert result["warnings"]["windows_split"] >= 1 and "duplicates_dropped" not in result["warnings"]
    for query in server.asked:  # no window longer than the servers' 90 days
        assert _utc(query["end_date"]) - _utc(query["start_date"]) <= dt.timedelta(days=90)
    # A full answer (40, the cap) was split; every answer the walk kept was shorter.
    sizes = [len(answer(records, urllib.parse.urlencode(q), 40)) for q in server.asked]
    assert 40 in sizes and sum(s for s in sizes if s < 40) >= 600
    # No free text, photos, addresses or exact positions.
    text = (tmp_path / SOURCE / "current" / "meldungen.csv").read_text(encoding="utf-8")
    for leak in ("Nachbarin", "Kolonne", "J-AB", "maengelmelder.jena.example/media", "07743", "Löbdergraben",
                 "A0040"):
        assert leak not in text, leak
    exact = {str(r["lat"]) for r in records if "lat" in r}
    assert not exact & {r["cell_latitude"] for r in published}
    assert set(published[0]) == {"service_request_id", "service_code", "service_name", "agency_responsible", "status",
                                 "requested_datetime", "updated_datetime", "expected_datetime", "month",
                                 "days_to_close", "district", "grid_cell", "cell_longitude", "cell_latitude"}
    districts = {r["district"] for r in published}
    assert {"Zentrum", "Lobeda-West", "ohne Ortsangabe", "außerhalb der Stadtteile"} <= districts
    assert all(r["grid_cell"].startswith("CRS3035RES500mN") for r in published if r["cell_latitude"])

    # The evaluation against the raw records, computed here without the harvester's code.
    evaluation = rows(tmp_path, "auswertung.csv")
    assert sum(int(r["reported"]) for r in evaluation) == 600
    closed = [r for r in records if r["status"].lower() == "closed"]
    assert sum(int(r["closed"]) for r in evaluation) == len(closed)
    assert sum(int(r["open"]) for r in evaluation) == 600 - len(closed)
    by_id = {r["service_request_id"]: r for r in published}
    biggest = max(evaluation, key=lambda r: int(r["closed"]))
    days = [(_utc(r["updated_datetime"]) - _utc(r["requested_datetime"])).total_seconds() / 86400 for r in closed
            if (by_id[str(r["service_request_id"])]["month"], r["service_code"],
                by_id[str(r["service_request_id"])]["district"]) ==
            (biggest["month"], biggest["service_code"], biggest["district"])]
    assert len(days) == int(biggest["closed"]) >= 2
    assert float(biggest["median_days_to_close"]) == pytest.approx(statistics.median(days), abs=0.006)
    assert float(biggest["p90_days_to_close"]) == pytest.approx(
        statistics.quantiles(days, n=10, method="inclusive")[-1], abs=0.006)
    categories = rows(tmp_path, "kategorien.csv")
    assert {r["service_code"] for r in categories} == {s["service_code"] for s in services()}
    png = (tmp_path / SOURCE / "current" / "auswertung.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_xml_with_paging_gives_the_same_tables_as_json(loopback, tmp_path):
    routes, base = loopback
    records = requests(300, seed=5)
    Server(routes, records)
    assert harvest(config(base), tmp_path / "json")["status"] == "ok"
    server = Server(routes, records, fmt="xml", paging=True, page_size=25)
    result = harvest(config(base, format="xml", paging=True, page_size=25), tmp_path / "xml")
    assert result["status"] == "ok", result["message"]
    assert result["warnings"]["pages"] > len({(q["start_date"], q["end_date"]) for q in server.asked})
    assert {q.get("page") for q in server.asked} >= {"1", "2"}
    for name in ("meldungen.csv", "auswertung.csv", "kategorien.csv"):
        assert (tmp_path / "xml" / SOURCE / "current" / name).read_bytes() == \
            (tmp_path / "json" / SOURCE / "current" / name).read_bytes(), name


def test_a_server_that_ignores_page_is_walked_in_smaller_windows(loopback, tmp_path):
    routes, base = loopback
    records = requests(600, seed=9)
    Server(routes, records, cap=40, paging=True, ignore_page=True)
    result = harvest(config(base, max_requests=40, paging=True), tmp_path)
    assert result["status"] == "ok", result["message"]
    assert result["warnings"]["pages_repeated"] >= 1 and result["warnings"]["windows_split"] >= 1
    assert len(rows(tmp_path, "meldungen.csv")) == 600


def _record(rid, requested, status="closed", updated=None, **extra):
    return dict({"service_request_id": rid, "status": status, "service_code": "STR", "service_name": "Straßenschaden",
                 "requested_datetime": requested, "updated_datetime": updated or requested,
                 "lat": 50.927, "long": 11.586, "description": "Herr X meldet", "media_url": "http://x/1.jpg"},
                **extra)


def test_months_are_local_and_the_last_state_of_a_request_counts(loopback, tmp_path):
    routes, base = loopback
    records = [
        _record("A", "2026-02-28T23:30:00Z", updated="2026-03-02T23:30:00Z"),       # 00:30 on 1 March in Jena
        _record("A", "2026-02-28T23:30:00Z", status="open", updated="2026-03-01T08:00:00Z"),  # an older state
        _record("B", "2026-03-10T10:00:00", status="open", lat="50,927", long="11,586"),  # local time, German comma
        _record("C", "2026-03-11T10:00:00+01:00", status="in_process"),
        _record("D", "2026-03-12T10:00:00+01:00", updated="2026-03-11T10:00:00+01:00"),  # closed before reported
        _record("E", "2026-03-13T10:00:00.250+01:00", status="CLOSED", updated="2026-03-17T10:00:00.250+01:00"),
    ]
    Server(routes, records)
    result = harvest(config(base), tmp_path)
    assert result["status"] == "ok", result["message"]
    w = result["warnings"]
    assert (w["duplicates_dropped"], w["status_read_as_open:in_process"], w["closed_before_reported"]) == (1, 1, 1)
    published = {r["service_request_id"]: r for r in rows(tmp_path, "meldungen.csv")}
    assert (published["A"]["month"], published["A"]["status"], published["A"]["days_to_close"]) == \
        ("2026-03", "closed", "2.0")
    assert published["B"]["requested_datetime"] == "2026-03-10T09:00:00Z" and published["B"]["district"] != \
        "ohne Ortsangabe"
    assert published["D"]["days_to_close"] == "" and published["E"]["days_to_close"] == "4.0"
    [group] = rows(tmp_path, "auswertung.csv")
    assert (group["month"], group["reported"], group["closed"], group["open"]) == ("2026-03", "5", "3", "2")
    assert (group["median_days_to_close"], group["p90_days_to_close"]) == ("3.0", "3.8")  # of 2 and 4 days


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def _renamed(records, old, new):
    out = copy.deepcopy(records)
    for r in out:
        if old in r:
            r[new] = r.pop(old)
    return out


@pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")
def test_published_valid_unchanged_run_writes_nothing_and_faults_keep_the_last_good(
        loopback, tmp_path, harvester_portal, app):
    routes, base = loopback
    ckan, _ = harvester_portal("stadt-jena")
    records = requests(200, seed=3)
    Server(routes, records, cap=1000)
    entry = config(base)
    first = harvest(entry, tmp_path, ckan)
    assert first["status"] == "ok", first["message"]
    name = f"maengelmelder-{SOURCE}"
    pkg = helpers.call_action("package_show", id=name)
    assert {r["name"]: r["format"] for r in pkg["resources"]} == {
        "meldungen.csv": "CSV", "auswertung.csv": "CSV", "kategorien.csv": "CSV", "auswertung.png": "PNG",
        "datapackage.json": "JSON"}
    assert pkg["organization"]["name"] == "stadt-jena" and pkg["harvest_status"] == "ok"
    assert "200 Meldungen (2025-0" in pkg["harvest_message"] and " erledigt." in pkg["harvest_message"]
    assert "Stadtteil und 500-m-Gitterzelle" in pkg["known_limitations"]

    # The portal validates every table with the Table Schema it was built with.
    Worker().work(burst=True)
    reports = {r["name"]: helpers.call_action("resource_validation_show", resource_id=r["id"])
               for r in pkg["resources"] if r["format"] != "PNG"}
    assert {n: r["status"] for n, r in reports.items()} == {n: "valid" for n in reports}, \
        {n: (r["status"], r.get("reason"), r["errors"][:3]) for n, r in reports.items()}
    assert reports["meldungen.csv"]["schema_origin"] == "resource" and reports["meldungen.csv"]["row_count"] == 200
    # and loads it into the DataStore with the schema's types (columns named open, group, type included)
    loads = {r["name"]: helpers.call_action("jena_datastore_status", resource_id=r["id"])
             for r in pkg["resources"] if r["format"] == "CSV"}
    assert {n: s["status"] for n, s in loads.items()} == {n: "loaded" for n in loads}, loads
    assert loads["meldungen.csv"]["rows"] == 200
    table = next(r for r in pkg["resources"] if r["name"] == "auswertung.csv")
    page = app.get(f"/dataset/{name}/resource/{table['id']}").body
    assert "Validierung: gültig" in " ".join(page.split())
    # The chart on the dataset page (the portal's own PNG upload, marked as documentation).
    chart = next(r for r in pkg["resources"] if r["name"] == "auswertung.png")
    assert chart["resource_type"] == "documentation" and chart["url_type"] == "upload"
    page = app.get(f"/dataset/{name}").body
    assert f'<img src="{chart["url"]}" alt="Grafik: Meldungen je Monat' in page

    # Nothing changed at the source: nothing is written.
    activities = helpers.call_action("package_activity_list", id=name)
    second = harvest(entry, tmp_path, ckan)
    assert second["status"] == "ok" and second["published"]["changed"] is False, second
    assert helpers.call_action("package_activity_list", id=name) == activities

    kept = _digests(tmp_path / SOURCE / "current")
    published = {r["name"]: r["hash"] for r in helpers.call_action("package_show", id=name)["resources"]}
    answers = [
        (None, "answered HTTP 404"),
        ((b"Service Unavailable", "text/plain", 0, 503), "answered HTTP 503"),
        ((b"<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>", "text/html"),
         "returned an HTML page instead of JSON"),
        ((b'[{"service_request_id": "1", "status": "op', "application/json"), "did not return valid JSON"),
        ((b'[{"code": 403, "description": "Invalid api_key"}]', "application/json"),
         "answered with GeoReport errors: 403 Invalid api_key"),
        ((json.dumps(_renamed(records, "requested_datetime", "requested_date")).encode(), "application/json"),
         "requests has a readable requested_datetime (a renamed field? fields sent: address"),
        ((json.dumps(_renamed(_renamed(records, "lat", "latitude"), "long", "longitude")).encode(),
          "application/json"), "readable position (lat/long)"),
        ((b"Too Many Requests", "text/plain", 0, 429, {"Retry-After": "0"}), "too many requests"),
    ]
    for route, expected in answers:
        routes.pop(f"{API}/requests.json*", None)
        if route:
            routes[f"{API}/requests.json*"] = route
        result = harvest(entry, tmp_path, ckan)
        assert result["status"] == "failed" and expected in result["message"], (expected, result["message"])
        assert result["message"].startswith(f"{SOURCE}: ")
        assert _digests(tmp_path / SOURCE / "current") == kept
        pkg = helpers.call_action("package_show", id=name)
        assert pkg["harvest_status"] == "failed" and expected in pkg["harvest_message"]
        assert {r["name"]: r["hash"] for r in pkg["resources"]} == published

    # A window that is still full at the smallest size: stopped, not published with requests missing.
    burst = [_record(f"X{i}", "2026-05-05T10:00:00Z", status="open") for i in range(60)]
    Server(routes, records + burst, cap=40)
    result = harvest(dict(entry, max_requests=40), tmp_path, ckan)
    assert result["status"] == "failed" and "the rest would be missing" in result["message"], result["message"]
    assert _digests(tmp_path / SOURCE / "current") == kept


def test_broken_xml_and_entities_are_refused(loopback, tmp_path):
    routes, base = loopback
    Server(routes, requests(50), fmt="xml")
    for body, expected in [(b"<service_requests><request><status>open</request>", "did not return valid XML"),
                           (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                            b"<service_requests>&x;</service_requests>", "declares entities"),
                           (b"<feed><entry/></feed>", "is not a GeoReport v2 list of requests (root element <feed>)")]:
        routes[f"{API}/requests.xml*"] = (body, "text/xml")
        result = harvest(config(base, format="xml"), tmp_path)
        assert result["status"] == "failed" and expected in result["message"], result["message"]


def test_http_429_waits_as_retry_after_says(loopback, tmp_path):
    routes, base = loopback
    server = Server(routes, requests(50))
    calls = []

    def limited(path):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return (b"Too Many Requests", "text/plain", 0, 429, {"Retry-After": "1"})
        return server.requests(path)
    routes[f"{API}/requests.json*"] = limited
    result = harvest(config(base, attempts=2, window_days=90, since="2026-04-02T00:00:00Z"), tmp_path)
    assert result["status"] == "ok", result["message"]
    assert calls[1] - calls[0] >= 0.95  # waited as told, not the 0.01 s backoff


@pytest.mark.parametrize("change, message", [
    ({"window_days": 120}, "window_days must be above 0 and at most 90"),
    ({"grid_m": 10}, "grid_m must be at least 100"),
    ({"since": "letzte Woche"}, "since must be an ISO 8601 date or time"),
    ({"format": "csv"}, "format must be one of json, xml"),
    ({"max_requests": 0}, "max_requests and max_pages and max_windows must be at least 1"),
])
def test_the_configuration_is_checked(change, message):
    entry = dict(runner.load_config()[SOURCE], **change)
    with pytest.raises(kinds.ConfigError, match=message):
        kinds.configure(SOURCE, entry)


def test_the_bundled_sample_becomes_a_valid_package(tmp_path):
    result = harvest(runner.load_config()[SOURCE], tmp_path)
    assert result["status"] == "ok" and result["rows"] == 1000, result["message"]
    report = json.loads((tmp_path / SOURCE / "current" / "validation-report.json").read_text())
    assert report["valid"] and set(report["tables"]) == {"meldungen", "auswertung", "kategorien"}
    assert io.BytesIO((tmp_path / SOURCE / "current" / "auswertung.png").read_bytes()).read(4) == b"\x89PNG"


def test_a_wrapped_list_is_read_and_an_error_object_or_errors_element_is_the_servers_words(loopback, tmp_path):
    routes, base = loopback
    records = requests(40, seed=8)
    Server(routes, records)
    routes[f"{API}/requests.json*"] = (json.dumps({"service_requests": records}).encode(), "application/json")
    result = harvest(config(base, window_days=90, since="2026-04-02T00:00:00Z"), tmp_path)
    assert result["status"] == "ok" and result["rows"] == 40, result  # one window, the whole (static) list
    routes[f"{API}/requests.json*"] = (b'{"code": 400, "description": "start_date invalid"}', "application/json")
    result = harvest(config(base), tmp_path)
    assert result["status"] == "failed" and "GeoReport errors: 400 start_date invalid" in result["message"]
    Server(routes, records, fmt="xml")
    routes[f"{API}/requests.xml*"] = (b"<errors><error><code>404</code><description>keine Meldungen</description>"
                                      b"</error></errors>", "text/xml")
    result = harvest(config(base, format="xml"), tmp_path)
    assert result["status"] == "failed" and "GeoReport errors: 404 keine Meldungen" in result["message"]
