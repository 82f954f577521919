"""ArcGIS feature services (`kind: arcgis_feature_service`) against a loopback
FeatureServer shaped like the ArcGIS REST API (tests/harvest/arcgis_server.py)
serving the Jena sample layers."""
import csv
import json
import math
import urllib.parse

import pytest
import shapely.geometry

from ckan.tests import helpers

from harvesters import runner

from ..loopback import serve
from .arcgis_server import GIS, FeatureServer, inspected
from .test_gis import published, source_lonlat

SOURCE = "geodaten-jena-arcgis"
LAYERS = {"gruenflaechen": 30, "haltestellen": 300, "radwege": 40, "spielplaetze": 120, "stadtteile": 20}


@pytest.fixture
def server():
    routes = {}
    with serve(routes) as base:
        svc = FeatureServer(base)
        routes["/arcgis/*"] = svc
        yield svc


def config(svc, **extra):
    return dict(kind="arcgis_feature_service", url=svc.base, organization="stadt-jena", attribution="Stadt Jena",
                exclude=["intern_*"], timeout=5, attempts=2, backoff=0.01,
                layers={"spielplaetze": {"theme": "SOCI", "title": "Spielplätze"}}, **extra)


def harvest(cfg, out, ckan=None):
    return {r["source"]: r for r in runner.run([SOURCE], {SOURCE: cfg}, str(out), ckan)}


def folder(out, layer):
    return out / f"{SOURCE}-{layer}" / "current"


def rows(out, layer):
    with open(folder(out, layer) / f"{layer}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def schema(out, layer):
    descriptor = json.loads((folder(out, layer) / "datapackage.json").read_text())
    return {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}


def test_every_layer_is_paged_completely_in_its_extent(server, tmp_path):
    results = harvest(config(server, page_size=1000), tmp_path)  # the service's maxRecordCount 50 caps it
    assert {k: (r["status"], r["rows"]) for k, r in results.items()} == {
        f"{SOURCE}-{n}": ("ok", count) for n, count in LAYERS.items()}, results  # intern_* excluded
    queries = [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(p).query)) for p in server.asked
               if "/query" in p and "returnCountOnly" not in p]
    assert {(q["orderByFields"], q["resultRecordCount"], q["where"], q["outFields"], q["f"]) for q in queries} == {
        ("OBJECTID ASC", "50", "1=1", "*", "geojson")}
    offsets = [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(p).query))["resultOffset"] for p in server.asked
               if "/1/query" in p and "returnCountOnly" not in p]
    assert offsets == ["0", "50", "100"]  # the playgrounds (layer 1), one page after the other
    for layer, count in LAYERS.items():
        warnings = results[f"{SOURCE}-{layer}"]["warnings"]
        assert warnings["pages"] == math.ceil(count / 50) and "duplicates_dropped" not in warnings, layer
        ids = [r["feature_id"] for r in rows(tmp_path, layer)]
        assert len(ids) == len(set(ids)) == count
    # every playground where the source has it, in the layer's extent
    got = {f["properties"]["nummer"]: f for f in
           json.loads((folder(tmp_path, "spielplaetze") / "spielplaetze.geojson").read_text())["features"]}
    dataset = json.loads((folder(tmp_path, "spielplaetze") / "publish.json").read_text())["dataset"]
    (w, s), _, (e, n), *_ = json.loads(dataset["spatial"])["coordinates"][0]
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        x, y = got[int(fid.split(".")[1])]["geometry"]["coordinates"]
        assert (x, y) == pytest.approx((lon, lat), abs=1e-6)
        assert w <= x <= e and s <= y <= n
    assert 11.4 < w < e < 11.8 and 50.8 < s < n < 51.1
    assert dataset["title"] == "Spielplätze" and dataset["notes"] == "Ebene spielplaetze der Stadt Jena."
    assert dataset["license_id"] == "dl-by-de/2.0"  # from the copyrightText
    # the attribute table and its Table Schema from the layer's fields
    assert {k: v["type"] for k, v in schema(tmp_path, "stadtteile").items()} == {
        "feature_id": "string", "OBJECTID": "integer", "nummer": "integer", "name": "string",
        "flaeche_ha": "number", "einwohner": "integer"}
    first = rows(tmp_path, "stadtteile")[0]
    assert first == {"feature_id": "stadtteile.1", "OBJECTID": "1", "nummer": "1", "name": "Zentrum",
                     "flaeche_ha": "840.0", "einwohner": "1500"}
    plan = json.loads((folder(tmp_path, "stadtteile") / "publish.json").read_text())
    [link] = plan["links"]
    assert link["resource_type"] == "service" and link["url"] == f"{server.base}/0?f=json"


def test_epoch_milliseconds_become_iso_datetimes_and_codes_their_names(server, tmp_path):
    result = harvest(config(server), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "ok" and result["valid"], result
    fields = schema(tmp_path, "spielplaetze")
    assert fields["geprueft_am"]["type"] == "datetime"
    assert fields["altersgruppe"]["type"] == "string" and fields["altersgruppe_code"]["type"] == "integer"
    by_number = {r["nummer"]: r for r in rows(tmp_path, "spielplaetze")}
    with open(f"{GIS}/spielplaetze.geojson", encoding="utf-8") as f:
        source = {str(f_["properties"]["nummer"]): f_["properties"] for f_ in json.load(f)["features"]}
    for number, row in by_number.items():
        assert row["geprueft_am"] == inspected(int(number)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert row["altersgruppe"] == source[number]["altersgruppe"]  # the name, as the city wrote it
    assert {(r["altersgruppe"], r["altersgruppe_code"]) for r in by_number.values()} == {
        ("0-6 Jahre", "1"), ("6-12 Jahre", "2"), ("12-16 Jahre", "3"), ("alle", "4")}


def test_a_code_not_in_the_domain_is_kept_and_counted(server, tmp_path):
    server.data["spielplaetze"][0][0]["altersgruppe"] = 9
    result = harvest(config(server, include=["spielplaetze"]), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "ok" and result["warnings"]["codes_not_in_domain"] == {"altersgruppe": 1}
    row = rows(tmp_path, "spielplaetze")[0]
    assert (row["altersgruppe"], row["altersgruppe_code"]) == ("9", "9")


def test_an_error_object_with_http_200_fails_the_layer_with_the_services_message(server, tmp_path):
    server.error = ("/1/query", {"code": 500, "message": "Error performing query operation"})
    results = harvest(config(server), tmp_path)
    result = results[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert result["message"] == (f"{SOURCE}: layer spielplaetze: the service answered {server.base}/1/query "
                                 "with error 500: Error performing query operation"), result["message"]
    assert not folder(tmp_path, "spielplaetze").exists()
    assert results[f"{SOURCE}-stadtteile"]["status"] == "ok"  # the other layers are not touched
    # on the service root: the whole source fails, naming the message
    server.error = ("", {"code": 499, "message": "Token Required"})
    result = harvest(config(server), tmp_path / "b")[SOURCE]
    assert result["status"] == "failed" and "error 499: Token Required" in result["message"], result


def test_a_service_that_ignores_the_offset_is_stopped(server, tmp_path):
    server.ignore_offset = True
    result = harvest(config(server, include=["spielplaetze"]), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert "layer spielplaetze: page 2 repeats features already read" in result["message"], result


def test_paging_that_ends_before_the_count_fails_the_layer(server, tmp_path):
    server.stop_early = True  # the second page of 50 says no more follow: 100 of 120
    result = harvest(config(server, include=["spielplaetze"]), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert result["message"] == (f"{SOURCE}: layer spielplaetze: the pages gave 100 distinct features of the 120 "
                                 "the service counts (returnCountOnly); paging is incomplete, not published")
    assert not folder(tmp_path, "spielplaetze").exists()


def test_without_pagination_a_layer_fits_in_one_answer_or_fails(server, tmp_path):
    server.pagination = False  # maxRecordCount 50: the 20 districts fit, the 120 playgrounds do not
    results = harvest(config(server, include=["stadtteile", "spielplaetze"]), tmp_path)
    assert (results[f"{SOURCE}-stadtteile"]["status"], results[f"{SOURCE}-stadtteile"]["rows"]) == ("ok", 20)
    result = results[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed"
    assert result["message"] == (f"{SOURCE}: layer spielplaetze: the layer has more features than one answer gives "
                                 "(maxRecordCount) and does not support pagination; not published")


def test_two_layers_of_one_name_are_told_apart_by_their_ids(server, tmp_path):
    server.renamed = {"radwege": "Spielplätze", "spielplaetze": "Spielplätze"}  # e.g. in two groups
    results = harvest(config(server, include=["Spielplätze", "stadtteile"]), tmp_path)
    assert {k: (r["status"], r["rows"]) for k, r in results.items()} == {
        f"{SOURCE}-spielplaetze-1": ("ok", 120), f"{SOURCE}-spielplaetze-3": ("ok", 40), f"{SOURCE}-stadtteile": ("ok", 20)}


def test_features_outside_the_layer_extent_fail_it(server, tmp_path):
    server._lonlat = lambda geometry: geometry  # says outSR=4326 was done, sends the metres of EPSG:25832
    result = harvest(config(server, include=["spielplaetze"]), tmp_path)[f"{SOURCE}-spielplaetze"]
    assert result["status"] == "failed" and "advertised extent" in result["message"], result
    assert not folder(tmp_path, "spielplaetze").exists()


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_vanished_layer_is_withdrawn(server, tmp_path, harvester_ckan):
    cfg = config(server, include=["spielplaetze", "stadtteile"])
    pkg, formats = published(harvest(cfg, tmp_path, harvester_ckan), f"{SOURCE}-spielplaetze")
    assert formats == {"spielplaetze.csv": "CSV", "spielplaetze.geojson": "GEOJSON", "datapackage.json": "JSON",
                       "ArcGIS Feature Service": "JSON"}
    assert pkg["harvest_status"] == "ok"
    server.layers.remove("spielplaetze")
    second = harvest(cfg, tmp_path, harvester_ckan)
    assert second[f"{SOURCE}-spielplaetze"]["status"] == "withdrawn"
    pkg = helpers.call_action("package_show", id=f"{SOURCE}-spielplaetze")
    assert pkg["harvest_status"] == "withdrawn" and f"nicht mehr in der Quelle {SOURCE}" in pkg["harvest_message"]
    assert helpers.call_action("package_show", id=f"{SOURCE}-stadtteile")["harvest_status"] == "ok"


def test_a_service_without_geojson_is_read_as_esri_json_with_the_same_result(server, tmp_path):
    # a district with a courtyard: Esri says which ring is the hole only by its orientation
    props, district = server.data["stadtteile"][0]
    hole = [[677000, 5638000], [677500, 5638000], [677500, 5638500], [677000, 5638500], [677000, 5638000]]
    server.data["stadtteile"][0] = (props, dict(district, coordinates=district["coordinates"] + [hole]))
    as_geojson = harvest(config(server), tmp_path / "geojson")
    server.geojson, before = False, len(server.asked)
    as_esri = harvest(config(server), tmp_path / "esri")
    assert not any("f=geojson" in p for p in server.asked[before:])
    for layer, count in LAYERS.items():
        unit = f"{SOURCE}-{layer}"
        assert (as_esri[unit]["status"], as_esri[unit]["rows"]) == ("ok", count), as_esri[unit]
        assert as_esri[unit]["warnings"]["format"] == "json" and as_geojson[unit]["warnings"]["format"] == "geojson"
        assert rows(tmp_path / "esri", layer) == rows(tmp_path / "geojson", layer), layer
        shapes = []
        for out in (tmp_path / "geojson", tmp_path / "esri"):
            feats = json.loads((folder(out, layer) / f"{layer}.geojson").read_text())["features"]
            shapes.append({f["id"]: shapely.geometry.shape(f["geometry"]) for f in feats})
        assert shapes[0].keys() == shapes[1].keys()
        for fid, shape in shapes[0].items():
            assert shape.equals_exact(shapes[1][fid], 1e-7) or shape.equals(shapes[1][fid]), (layer, fid)
    courtyard = json.loads((folder(tmp_path / "esri", "stadtteile") / "stadtteile.geojson").read_text())["features"][0]
    assert courtyard["geometry"]["type"] == "Polygon" and len(courtyard["geometry"]["coordinates"]) == 2
