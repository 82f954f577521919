"""OGC API – Features (`kind: ogcapi_features`) against Debian's MapServer 8.0
on loopback (its /ogcapi of the sample map, the same layers the WFS tests
harvest), and faults and Part 2 CRSs from a loopback server shaped like the
standard's responses."""
import copy
import csv
import json
import math
import os
import urllib.parse

import pytest
from pyproj import Transformer

from ckan.tests import helpers

from harvesters import runner
from harvesters.samples import mapserver_cgi

from ..loopback import serve
from .test_gis import published, service as wfs_service, source_lonlat, write_changing

GIS = mapserver_cgi.GIS
LAYERS = {"gruenflaechen": 30, "haltestellen": 300, "radwege": 40, "spielplaetze": 120, "stadtteile": 20}
SOURCE = "geodaten-jena-ogcapi"


@pytest.fixture(scope="module")
def mapserver(tmp_path_factory):
    """The sample maps, plus `changing` (a copy a test may rewrite), all with MapServer's OGC API."""
    changing = tmp_path_factory.mktemp("maps") / "changing.map"
    write_api_changing(changing)
    with mapserver_cgi.serve(dict(mapserver_cgi.SAMPLES, changing=str(changing))) as base:
        yield base, changing


def write_api_changing(path, drop=None):
    write_changing(path, drop=drop)
    path.write_text(path.read_text(encoding="utf-8").replace("/ows/jena/ogcapi", "/ows/changing/ogcapi"),
                    encoding="utf-8")


def api(base, name="jena", **extra):
    config = copy.deepcopy(runner.load_config()[SOURCE])
    config.update(url=f"{base}/ows/{name}/ogcapi", timeout=5, attempts=2, backoff=0.01)
    config.update(extra)
    return config


def harvest(config, out, ckan=None, name=SOURCE):
    return {r["source"]: r for r in runner.run([name], {name: config}, str(out), ckan)}


def folder(out, layer, source=SOURCE):
    return out / f"{source}-{layer}" / "current"


def rows(out, layer, source=SOURCE):
    with open(folder(out, layer, source) / f"{layer}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def geo(out, layer):
    return {f["id"]: f for f in json.loads((folder(out, layer) / f"{layer}.geojson").read_text())["features"]}


def test_every_collection_becomes_a_valid_package_paged_completely(mapserver, tmp_path):
    base, _ = mapserver
    results = harvest(api(base, limit=7, crs="EPSG:25832"), tmp_path)  # MapServer 8.0 lists no crs: CRS84
    assert {k: (r["status"], r["rows"]) for k, r in results.items()} == {
        f"{SOURCE}-{n}": ("ok", count) for n, count in LAYERS.items()}  # the internal layer excluded
    for layer, count in LAYERS.items():
        warnings = results[f"{SOURCE}-{layer}"]["warnings"]
        # every page walked along the next links (limit 7), no feature twice
        assert warnings["pages"] == math.ceil(count / 7) and "duplicates_dropped" not in warnings
        assert warnings["crs"] == "OGC:CRS84" and warnings["crs_not_offered"] == "EPSG:25832"
        ids = [r["feature_id"] for r in rows(tmp_path, layer)]
        assert len(ids) == len(set(ids)) == count
    # Every feature where the source has it (MapServer rounds up to 6 decimals).
    got = geo(tmp_path, "spielplaetze")
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        assert got[fid]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=2e-6)
    plan = json.loads((folder(tmp_path, "spielplaetze") / "publish.json").read_text())
    dataset = plan["dataset"]
    assert dataset["title"] == "Spielplätze" and dataset["license_id"] == "dl-by-de/2.0"
    assert dataset["notes"] == "Öffentliche Spielplätze mit Anzahl der Spielgeräte und Altersgruppe."
    assert set(dataset["tag_string"].split(",")) == {"Spielplätze", "Freizeit", "Kinder", "Geodaten"}
    assert dataset["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]
    (w, s), _, (e, n), *_ = json.loads(dataset["spatial"])["coordinates"][0]
    assert 11.4 < w < e < 11.8 and 50.8 < s < n < 51.1
    for f in got.values():
        lon, lat = f["geometry"]["coordinates"]
        assert w <= lon <= e and s <= lat <= n
    [link] = plan["links"]
    assert link["resource_type"] == "service"
    assert link["url"].endswith("/ows/jena/ogcapi/collections/spielplaetze?f=json")
    assert "Sammlung spielplaetze" in link["description"]
    grass = json.loads((folder(tmp_path, "gruenflaechen") / "publish.json").read_text())["dataset"]
    assert grass["title"] == "Grünflächen in städtischer Pflege"  # the configuration's override
    assert results[f"{SOURCE}-gruenflaechen"]["warnings"]["repaired"] == 3


def test_the_attribute_table_equals_the_wfs_harvest_of_the_same_layer(mapserver, tmp_path):
    base, _ = mapserver
    via_api = harvest(api(base), tmp_path / "api")
    via_wfs = {r["source"]: r for r in runner.run(["geodaten-jena"], {"geodaten-jena": wfs_service(base, wms=None)},
                                                   str(tmp_path / "wfs"))}
    for layer in LAYERS:
        assert via_api[f"{SOURCE}-{layer}"]["status"] == via_wfs[f"geodaten-jena-{layer}"]["status"] == "ok"
        api_rows = {r["feature_id"]: r for r in rows(tmp_path / "api", layer)}
        wfs_rows = {r["feature_id"]: r for r in rows(tmp_path / "wfs", layer, "geodaten-jena")}
        assert api_rows == wfs_rows, layer
        schemas = []
        for out, source in ((tmp_path / "api", SOURCE), (tmp_path / "wfs", "geodaten-jena")):
            descriptor = json.loads((folder(out, layer, source) / "datapackage.json").read_text())
            schemas.append({f["name"]: f["type"] for f in descriptor["resources"][0]["schema"]["fields"]})
        assert schemas[0] == schemas[1], layer


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_vanished_collection_is_withdrawn(mapserver, tmp_path, harvester_ckan):
    base, changing = mapserver
    write_api_changing(changing)
    config = api(base, "changing", include=["spielplaetze", "stadtteile"])
    pkg, formats = published(harvest(config, tmp_path, harvester_ckan), f"{SOURCE}-spielplaetze")
    assert formats == {
        "spielplaetze.csv": "CSV", "spielplaetze.geojson": "GEOJSON", "datapackage.json": "JSON",
        "OGC API – Features": "JSON"}
    assert pkg["harvest_status"] == "ok"

    write_api_changing(changing, drop="spielplaetze")
    second = harvest(config, tmp_path, harvester_ckan)
    assert second[f"{SOURCE}-spielplaetze"]["status"] == "withdrawn"
    pkg = helpers.call_action("package_show", id=f"{SOURCE}-spielplaetze")
    assert pkg["harvest_status"] == "withdrawn" and f"nicht mehr in der Quelle {SOURCE}" in pkg["harvest_message"]
    assert helpers.call_action("package_show", id=f"{SOURCE}-stadtteile")["harvest_status"] == "ok"


# A loopback service shaped like OGC API – Features Part 1 and 2 responses
# (landing page, /collections, queryables, items with limit/offset and next links).

def _sample(layer):
    with open(os.path.join(GIS, f"{layer}.geojson"), encoding="utf-8") as f:
        return json.load(f)["features"]


class Service:
    EPSG25832 = "http://www.opengis.net/def/crs/EPSG/0/25832"
    CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

    def __init__(self, base, layer="spielplaetze"):
        self.base, self.layer, self.asked = base, layer, []
        self.next_link = None          # a function (offset, limit) -> href, to send other links
        self.items_answer = None       # (body, type) instead of the items
        self.last_page_early = False   # stop sending next links after the first page
        self.answer_in = None          # function (offset) -> EPSG code the page is sent in (Content-Crs says it)
        self.licence = ("https://www.govdata.de/dl-de/by-2-0", "Datenlizenz Deutschland – Namensnennung – Version 2.0")
        to_lonlat = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
        self.features = _sample(layer)
        self.lonlat = [to_lonlat.transform(*f["geometry"]["coordinates"]) for f in self.features]
        lons, lats = zip(*self.lonlat)
        self.extent = [min(lons), min(lats), max(lons), max(lats)]

    def __call__(self, path):
        parts = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        self.asked.append(path)
        root = self.base + "/oapi"
        route = parts.path[len("/oapi"):]
        if route in ("", "/"):
            return self._json({"title": "Geodatendienst (Loopback)", "links": [
                {"rel": "self", "href": root + "?f=json", "type": "application/json"},
                {"rel": "data", "href": root + "/collections?f=json", "type": "application/json"},
                {"rel": "data", "href": root + "/collections?f=html", "type": "text/html"}]})
        coll = f"{root}/collections/{self.layer}"
        if route == "/collections":
            return self._json({"collections": [{
                "id": self.layer, "title": "Spielplätze (Loopback)", "description": "Spielplätze der Stadt.",
                "keywords": ["Spielplätze", {"keyword": "Freizeit"}],
                "extent": {"spatial": {"bbox": [self.extent], "crs": self.CRS84}},
                "crs": [self.CRS84, self.EPSG25832], "storageCrs": self.EPSG25832, "itemType": "feature",
                "links": [{"rel": "self", "href": coll + "?f=json", "type": "application/json"},
                          {"rel": "items", "href": coll + "/items?f=html", "type": "text/html"},
                          {"rel": "items", "href": coll + "/items?f=json", "type": "application/geo+json"},
                          {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "href": coll + "/queryables",
                           "type": "application/schema+json"},
                          {"rel": "license", "href": self.licence[0], "title": self.licence[1]}]}]})
        if route == f"/collections/{self.layer}/queryables":
            return self._json({"type": "object", "properties": {
                "geometry": {"format": "geometry-point"}, "nummer": {"type": "integer"},
                "name": {"type": "string"}, "spielgeraete": {"type": "integer"},
                "altersgruppe": {"type": "string"}, "baujahr": {"type": "integer"}}}, "application/schema+json")
        if route == f"/collections/{self.layer}/items":
            if self.items_answer:
                return self.items_answer
            return self._items(coll, query)
        return None, None

    def _items(self, coll, query):
        limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
        native = query.get("crs") == self.EPSG25832
        other = self.answer_in(offset) if self.answer_in else None
        to_other = other and Transformer.from_crs("EPSG:4326", other)  # the CRS's own axis order
        page = []
        for f, lonlat in list(zip(self.features, self.lonlat))[offset:offset + limit]:
            coords = f["geometry"]["coordinates"] if native else list(lonlat)
            if other:
                coords = list(to_other.transform(lonlat[1], lonlat[0]))
            page.append({"type": "Feature", "id": f["properties"]["nummer"], "properties": f["properties"],
                         "geometry": {"type": "Point", "coordinates": coords}})
        doc = {"type": "FeatureCollection", "numberMatched": len(self.features), "numberReturned": len(page),
               "features": page, "links": []}
        more = offset + limit < len(self.features) and not (self.last_page_early and offset)
        if more:
            params = dict(query, offset=str(offset + limit))
            href = self.next_link(offset, limit) if self.next_link else \
                f"{coll}/items?{urllib.parse.urlencode(params)}"
            doc["links"].append({"rel": "next", "href": href, "type": "application/geo+json"})
        headers = {"Content-Crs": f"<{self.EPSG25832 if native else self.CRS84}>"}
        if other:
            headers["Content-Crs"] = f"<http://www.opengis.net/def/crs/EPSG/0/{other.split(':')[1]}>"
        return json.dumps(doc).encode(), "application/geo+json", 0, 200, headers

    @staticmethod
    def _json(doc, ctype="application/json"):
        return json.dumps(doc).encode(), ctype


@pytest.fixture
def service_on_loopback():
    routes = {}
    with serve(routes) as base:
        svc = Service(base)
        routes["/oapi*"] = svc
        yield svc


def loopback_config(svc, **extra):
    return api(svc.base, url=svc.base + "/oapi", include=["*"], exclude=[], licence=None, limit=50, **extra)


def test_part_2_crs_queryables_and_licence_links(service_on_loopback, tmp_path):
    svc = service_on_loopback
    result = harvest(loopback_config(svc, crs="EPSG:25832"), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "ok" and result["rows"] == 120, result
    assert result["warnings"]["crs"] == "EPSG:25832" and result["warnings"]["pages"] == 3
    items = [p for p in svc.asked if "/items" in p]
    assert len(items) == 3 and all("crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F25832" in p
                                   for p in items)
    got = geo(tmp_path, "spielplaetze")
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        assert got[fid]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    descriptor = json.loads((folder(tmp_path, "spielplaetze") / "datapackage.json").read_text())
    # the queryables' order and types, not the order of the JSON members
    assert [(f["name"], f["type"]) for f in descriptor["resources"][0]["schema"]["fields"]] == [
        ("feature_id", "string"), ("nummer", "integer"), ("name", "string"), ("spielgeraete", "integer"),
        ("altersgruppe", "string"), ("baujahr", "integer")]
    plan = json.loads((folder(tmp_path, "spielplaetze") / "publish.json").read_text())
    assert plan["dataset"]["license_id"] == "dl-by-de/2.0"  # from the collection's license link
    assert "Koordinatensysteme: OGC:CRS84, EPSG:25832" in plan["links"][0]["description"]


def test_without_a_configured_crs_the_items_are_asked_in_crs84(service_on_loopback, tmp_path):
    svc = service_on_loopback
    svc.licence = ("https://geoportal.example.org/nutzung", "Nutzung nach Absprache")
    result = harvest(loopback_config(svc), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "ok" and result["warnings"]["crs"] == "OGC:CRS84"
    assert not any("crs=" in p for p in svc.asked if "/items" in p)
    # never a licence the service did not give
    dataset = json.loads((folder(tmp_path, "spielplaetze") / "publish.json").read_text())["dataset"]
    assert dataset["license_id"] == "notspecified"
    assert ("Lizenz aus den Lizenz-Links des Dienstes nicht erkennbar: „Nutzung nach Absprache "
            "https://geoportal.example.org/nutzung“") in dataset["known_limitations"]


def test_a_next_link_to_another_host_is_refused(service_on_loopback, tmp_path):
    svc = service_on_loopback
    svc.next_link = lambda offset, limit: f"http://tiles.example.org/items?offset={offset + limit}"
    result = harvest(loopback_config(svc), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert result["message"].startswith(f"{SOURCE}: collection spielplaetze: the next-page link "
                                        "'http://tiles.example.org/items?offset=50' leaves "), result["message"]
    assert "for another host; not followed" in result["message"]
    assert not folder(tmp_path, "spielplaetze").exists()


def test_a_next_link_loop_and_a_short_walk_are_errors(service_on_loopback, tmp_path):
    svc = service_on_loopback
    svc.next_link = lambda offset, limit: f"{svc.base}/oapi/collections/spielplaetze/items?f=json&limit=50"
    result = harvest(loopback_config(svc), tmp_path / "a")[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed" and "was already followed (a loop)" in result["message"], result
    svc.next_link, svc.last_page_early = None, True  # the server stops linking after page 2
    result = harvest(loopback_config(svc), tmp_path / "b")[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert "the pages gave 100 distinct features of the 120 the server counts" in result["message"], result


def test_a_server_that_ignores_its_own_paging_is_stopped(service_on_loopback, tmp_path):
    svc = service_on_loopback
    # next links the server does not understand: every page is page 1 again
    svc.next_link = lambda offset, limit: f"{svc.base}/oapi/collections/spielplaetze/items?f=json&limit=50&p={offset}"
    result = harvest(loopback_config(svc), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert "collection spielplaetze: page 2 repeats features already read" in result["message"], result
    assert len([p for p in svc.asked if "/items" in p]) == 2


def test_html_instead_of_json_is_a_clear_error(service_on_loopback, tmp_path):
    svc = service_on_loopback
    svc.items_answer = (b"<!DOCTYPE html><html><body>Anmeldung erforderlich</body></html>", "text/html")
    result = harvest(loopback_config(svc), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert result["message"].startswith(f"{SOURCE}: collection spielplaetze: {svc.base}/oapi/collections/"
                                        "spielplaetze/items?f=json"), result["message"]
    assert result["message"].endswith("returned an HTML page instead of JSON")
    assert not folder(tmp_path, "spielplaetze").exists()


def test_features_outside_the_collection_extent_fail_it(service_on_loopback, tmp_path):
    svc = service_on_loopback
    # A server that says CRS84 but sends its storage CRS's metres (a real misconfiguration).
    svc.lonlat = [tuple(f["geometry"]["coordinates"]) for f in svc.features]
    result = harvest(loopback_config(svc), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed" and "not published" in result["message"], result
    assert "collection spielplaetze" in result["message"]


def test_the_content_crs_header_is_believed_over_what_was_asked(service_on_loopback, tmp_path):
    svc = service_on_loopback
    # Asked for EPSG:25832, the server sends EPSG:3044 (northing first) and says so.
    svc.answer_in = lambda offset: "EPSG:3044"
    result = harvest(loopback_config(svc, crs="EPSG:25832"), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "ok", result
    assert result["warnings"]["crs"] == "EPSG:3044" and result["warnings"]["axis"] == "y/x"
    assert result["warnings"]["content_crs_not_asked"] == "EPSG:25832"
    got = geo(tmp_path, "spielplaetze")
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        assert got[fid]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)


def test_a_page_in_another_content_crs_fails_the_collection(service_on_loopback, tmp_path):
    svc = service_on_loopback
    svc.answer_in = lambda offset: "EPSG:3044" if offset else None  # page 1 in 25832, page 2 in 3044
    result = harvest(loopback_config(svc, crs="EPSG:25832"), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert result["message"] == (f"{SOURCE}: collection spielplaetze: page 2 is in EPSG:3044 (Content-Crs), "
                                 "page 1 in EPSG:25832; not published"), result["message"]
    assert not folder(tmp_path, "spielplaetze").exists()
