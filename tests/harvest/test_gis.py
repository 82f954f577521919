"""The GIS harvester against Debian's MapServer on loopback, serving the
sample layers (EPSG:25832) of harvesters/samples/gis as WFS 2.0/1.1 and
WMS 1.3/1.1.1; faults from a loopback server of our own."""
import copy
import json
import os
import re

import pytest
import shapely
from pyproj import Transformer

from ckan.tests import helpers

from etl.features import LayerWriter, OutsideExtent
from harvesters import runner
from harvesters.samples import mapserver_cgi

from ..loopback import serve

GIS = mapserver_cgi.GIS


def _without_layer(text, layer):
    return re.sub(r'  LAYER\n    NAME "%s".*?\n  END\n' % layer, "", text, flags=re.S)


@pytest.fixture(scope="module")
def mapserver(tmp_path_factory):
    """The sample maps, plus `changing`: a copy a test may rewrite between runs."""
    tmp = tmp_path_factory.mktemp("maps")
    changing = tmp / "changing.map"
    with serve_maps(tmp, changing) as base:
        yield base, changing


class serve_maps:
    def __init__(self, tmp, changing):
        self.tmp, self.changing = tmp, changing
        write_changing(changing)

    def __enter__(self):
        self.ctx = mapserver_cgi.serve(dict(mapserver_cgi.SAMPLES, changing=str(self.changing)))
        return self.ctx.__enter__()

    def __exit__(self, *exc):
        return self.ctx.__exit__(*exc)


def write_changing(path, drop=None, access=None):
    """jena.map with its layers inline (absolute data paths), optionally without
    one layer or with other access constraints."""
    with open(os.path.join(GIS, "layers.inc"), encoding="utf-8") as f:
        layers = re.sub(r'CONNECTION "([^"]+)"', lambda m: f'CONNECTION "{os.path.join(GIS, m.group(1))}"', f.read())
    if drop:
        layers = _without_layer(layers, drop)
    with open(os.path.join(GIS, "jena.map"), encoding="utf-8") as f:
        text = f.read().replace('  INCLUDE "layers.inc"\n', layers)
    if access:
        text = re.sub(r'"ows_accessconstraints" "[^"]*"', f'"ows_accessconstraints" "{access}"', text)
    path.write_text(text, encoding="utf-8")


def service(base, name="jena", **extra):
    config = copy.deepcopy(runner.load_config()["geodaten-jena"])
    config.update(wfs=f"{base}/ows/{name}", wms=f"{base}/ows/{name}", timeout=5, attempts=2, backoff=0.01)
    config.update(extra)
    return config


def harvest(config, out, ckan=None, name="geodaten-jena"):
    return {r["source"]: r for r in runner.run([name], {name: config}, str(out), ckan)}


def published(results, name):
    """After a run in which every unit is ok: the dataset `name` as the
    portal has it, and its resources' formats by resource name."""
    assert {r["status"] for r in results.values()} == {"ok"}, results
    pkg = helpers.call_action("package_show", id=name)
    return pkg, {r["name"]: r["format"] for r in pkg["resources"]}


def features(out, layer):
    path = out / f"geodaten-jena-{layer}" / "current" / f"{layer}.geojson"
    return {f["id"]: f for f in json.loads(path.read_text())["features"]}


def source_lonlat(layer):
    """The sample's own coordinates, reprojected here as the reference."""
    with open(os.path.join(GIS, f"{layer}.geojson"), encoding="utf-8") as f:
        data = json.load(f)
    t = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    return {f"{layer}.{f['properties']['nummer']}": t.transform(*f["geometry"]["coordinates"])
            for f in data["features"]}


def test_each_layer_becomes_a_valid_documented_package(mapserver, tmp_path):
    base, _ = mapserver
    results = harvest(service(base), tmp_path)
    assert {k: r["status"] for k, r in results.items()} == {
        f"geodaten-jena-{n}": "ok" for n in ("gruenflaechen", "haltestellen", "radwege", "spielplaetze", "stadtteile")}
    # the internal layer is excluded by pattern; the map's group layer is no dataset
    folder = tmp_path / "geodaten-jena-spielplaetze" / "current"
    descriptor = json.loads((folder / "datapackage.json").read_text())
    table = descriptor["resources"][0]
    assert table["rows"] == 120
    assert [(f["name"], f["type"]) for f in table["schema"]["fields"]] == [
        ("feature_id", "string"), ("nummer", "integer"), ("name", "string"), ("spielgeraete", "integer"),
        ("altersgruppe", "string"), ("baujahr", "integer")]
    assert {r["path"] for r in descriptor["resources"]} == {"spielplaetze.csv", "spielplaetze.geojson", "vorschau.png"}
    assert (folder / "vorschau.png").read_bytes().startswith(b"\x89PNG")
    got = features(tmp_path, "spielplaetze")
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        assert got[fid]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    plan = json.loads((folder / "publish.json").read_text())
    dataset = plan["dataset"]
    assert dataset["title"] == "Spielplätze" and dataset["license_id"] == "dl-by-de/2.0"
    assert dataset["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]
    assert dataset["contact"] == [{"name": "Fachdienst Geoinformation", "email": "geodaten@jena.example"}]
    (w, s), _, (e, n), *_ = json.loads(dataset["spatial"])["coordinates"][0]
    assert 11.4 < w < e < 11.8 and 50.8 < s < n < 51.1
    assert {link["format"] for link in plan["links"]} == {"WFS_SRVC", "WMS_SRVC"}
    wfs_link = next(link for link in plan["links"] if link["format"] == "WFS_SRVC")
    assert "Koordinatensysteme: EPSG:25832, EPSG:4326, EPSG:3044, EPSG:31468" in wfs_link["description"]


def test_a_wms_only_service_in_wms_1_1_1(mapserver, tmp_path):
    base, _ = mapserver
    results = harvest(service(base, wfs=None, wms_version="1.1.1"), tmp_path)
    assert {r["status"] for r in results.values()} == {"ok"} and len(results) == 5
    folder = tmp_path / "geodaten-jena-stadtteile" / "current"
    plan = json.loads((folder / "publish.json").read_text())
    assert [f["name"] for f in plan["files"]] == ["vorschau.png", "datapackage.json"]
    getmap = next(link for link in plan["links"] if link["name"] == "Karte (WMS)")["url"]
    assert "VERSION=1.1.1" in getmap and "SRS=EPSG%3A4326" in getmap  # lon/lat BBOX in 1.1.1
    assert (folder / "vorschau.png").read_bytes().startswith(b"\x89PNG")
    assert plan["dataset"]["title"] == "Stadtteile" and json.loads(plan["dataset"]["spatial"])["type"] == "Polygon"


def test_broken_geometries_are_repaired_and_counted(mapserver, tmp_path):
    base, _ = mapserver
    result = harvest(service(base, include=["gruenflaechen"]), tmp_path)["geodaten-jena-gruenflaechen"]
    assert result["status"] == "ok" and result["warnings"]["repaired"] == 3
    geoms = [shapely.geometry.shape(f["geometry"]) for f in features(tmp_path, "gruenflaechen").values()]
    assert len(geoms) == 30 and all(g.is_valid for g in geoms)
    plan = json.loads((tmp_path / "geodaten-jena-gruenflaechen" / "current" / "publish.json").read_text())
    assert "3 ungültige Geometrien" in plan["dataset"]["known_limitations"]


# GML has 6 decimals: 0.1 m in degrees, 1 µm in metres. EPSG:31468: MapServer
# reprojects into DHDN without the datum shift (PROJ's +init=epsg:31468), pyproj
# with it, ~170 m apart; a swapped axis would be hundreds of kilometres off.
@pytest.mark.parametrize("version, name, srs, tolerance", [
    ("2.0.0", "jena_gml", "EPSG:4326", 2e-6),                       # GML 3.2, lat/lon
    ("2.0.0", "jena_gml", "urn:ogc:def:crs:EPSG::4326", 2e-6),
    ("1.1.0", "jena_gml", "EPSG:4326", 2e-6),                       # GML 3.1.1, lat/lon too
    ("2.0.0", "jena_gml", "EPSG:3044", 2e-6),                       # northing before easting
    ("2.0.0", "jena_gml", "EPSG:31468", 4e-3),                      # Gauss-Krüger zone 4, northing first
    ("1.1.0", "jena_gml", "EPSG:25832", 2e-6),                      # easting first
    ("2.0.0", "jena", "EPSG:3044", 2e-6),                           # GeoJSON: always x/y
    ("2.0.0", "jena", "EPSG:4326", 2e-6),
])
def test_axis_order_of_each_crs_and_version(mapserver, tmp_path, version, name, srs, tolerance):
    base, _ = mapserver
    config = service(base, name, wfs_version=version, srs=srs, include=["spielplaetze"], wms=None)
    result = harvest(config, tmp_path)["geodaten-jena-spielplaetze"]
    assert result["status"] == "ok", result["message"]
    assert result["warnings"]["output"] == ("gml" if name == "jena_gml" else "geojson")
    assert "axis_order_corrected" not in result["warnings"]
    got = features(tmp_path, "spielplaetze")
    expected = source_lonlat("spielplaetze")
    assert len(got) == len(expected) == 120
    for fid, (lon, lat) in expected.items():
        assert got[fid]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=tolerance)


def test_an_unknown_crs_fails_that_layer_with_a_clear_error(mapserver, tmp_path):
    base, _ = mapserver
    config = service(base, include=["spielplaetze", "stadtteile"], wms=None,
                     layers={"spielplaetze": {"srs": "EPSG:9999"}})
    results = harvest(config, tmp_path)
    assert results["geodaten-jena-spielplaetze"]["message"] == (
        "geodaten-jena: layer spielplaetze: unknown coordinate reference system 'EPSG:9999' "
        "(not in the EPSG register)")
    assert results["geodaten-jena-stadtteile"]["status"] == "ok"


def test_a_server_that_swaps_geojson_axes_is_caught(tmp_path):
    box = [11.5, 50.85, 11.7, 51.0]
    writer = LayerWriter(str(tmp_path), "t", ["name"], "EPSG:4326", yx=False, bbox=box)
    writer.add([("t.1", {"name": "a"}, {"type": "Point", "coordinates": [50.93, 11.59]}),  # [lat, lon]
                ("t.2", {"name": "b"}, {"type": "Point", "coordinates": [50.90, 11.55]})])
    counts = writer.close()
    assert counts["axis_order_corrected"] == 1
    data = json.loads((tmp_path / "t.geojson").read_text())
    assert data["features"][0]["geometry"]["coordinates"] == [11.59, 50.93]


def test_an_answer_in_wgs84_where_metres_were_asked_for_is_read_as_wgs84(tmp_path):
    # QGIS Server answers GetFeature in GeoJSON in WGS 84 whatever SRSNAME asked
    # (RFC 7946); read as EPSG:25832 metres, the points would lie near 4.5° E, 0° N.
    box = [11.5, 50.85, 11.7, 51.0]
    writer = LayerWriter(str(tmp_path), "t", ["name"], "EPSG:25832", yx=False, bbox=box)
    writer.add([("t.1", {"name": "a"}, {"type": "Point", "coordinates": [11.59, 50.93]}),
                ("t.2", {"name": "b"}, {"type": "Point", "coordinates": [11.55, 50.90]})])
    counts = writer.close()
    assert counts["answered_in_wgs84"] == 1
    data = json.loads((tmp_path / "t.geojson").read_text())
    assert [f["geometry"]["coordinates"] for f in data["features"]] == [[11.59, 50.93], [11.55, 50.90]]


def test_features_outside_the_advertised_extent_fail_the_layer_on_any_page(tmp_path):
    box = [11.5, 50.85, 11.7, 51.0]
    writer = LayerWriter(str(tmp_path), "t", ["name"], "EPSG:25832", yx=False, bbox=box)
    with pytest.raises(OutsideExtent, match="do not lie in the layer's advertised extent"):
        writer.add([("t.1", {}, {"type": "Point", "coordinates": [4.5, 0.1]})])
    writer.abort()
    writer = LayerWriter(str(tmp_path), "u", ["name"], "EPSG:25832", yx=False, bbox=box)
    assert writer.add([("u.1", {}, {"type": "Point", "coordinates": [681234, 5644321]})]) == 1
    with pytest.raises(OutsideExtent, match="page 2 lies outside"):  # the server changed its mind
        writer.add([("u.2", {}, {"type": "Point", "coordinates": [5644321, 681234]}),
                    ("u.3", {}, {"type": "Point", "coordinates": [5644000, 681000]})])
    writer.abort()


def test_a_layer_whose_features_lie_elsewhere_fails_and_is_not_kept(mapserver, tmp_path):
    # The sample service behind a proxy that moves every GeoJSON coordinate
    # 300 km east: the service still advertises Jena's extent. Every layer
    # fails with a message naming it; nothing is kept.
    import urllib.request
    upstream, _ = mapserver

    def proxy(path):
        body = urllib.request.urlopen(upstream + path.replace("/wfs", "/ows/jena", 1)).read()
        if b"GetFeature" in path.encode() and body.lstrip().startswith(b"{"):
            data = json.loads(body)
            for feature in data.get("features", []):
                if feature.get("geometry"):
                    moved = shapely.transform(shapely.geometry.shape(feature["geometry"]),
                                              lambda c: c + [300_000, 0])
                    feature["geometry"] = shapely.geometry.mapping(moved)
            return json.dumps(data).encode(), "application/geo+json"
        return body.replace(f"{upstream}/ows/jena".encode(), f"{base}/wfs".encode()), "text/xml"

    routes = {"/wfs?*": proxy}
    with serve(routes) as base:
        config = service(base, wms=None)
        config["wfs"] = base + "/wfs"
        results = harvest(config, tmp_path)
    assert len(results) == 5 and {r["status"] for r in results.values()} == {"failed"}, results
    message = results["geodaten-jena-haltestellen"]["message"]
    assert message.startswith("geodaten-jena: layer haltestellen: the features do not lie in the layer's "
                              "advertised extent"), message
    assert not any((tmp_path / name / "current").exists() for name in results)


def test_paging_returns_every_feature_once(mapserver, tmp_path):
    base, _ = mapserver
    whole = harvest(service(base, include=["haltestellen"], wms=None), tmp_path / "a")
    paged = harvest(service(base, include=["haltestellen"], wms=None, page_size=7), tmp_path / "b")
    assert whole["geodaten-jena-haltestellen"]["rows"] == paged["geodaten-jena-haltestellen"]["rows"] == 300
    a = (tmp_path / "a" / "geodaten-jena-haltestellen" / "current" / "haltestellen.csv").read_text()
    b = (tmp_path / "b" / "geodaten-jena-haltestellen" / "current" / "haltestellen.csv").read_text()
    assert a == b


def test_wfs_1_1_size_guard_fails_one_layer_not_the_others(mapserver, tmp_path):
    base, _ = mapserver
    results = harvest(service(base, wfs_version="1.1.0", max_features=100, wms=None), tmp_path)
    failed = {k: r for k, r in results.items() if r["status"] != "ok"}
    assert set(failed) == {"geodaten-jena-spielplaetze", "geodaten-jena-haltestellen"}
    assert "layer haltestellen has more than 100 features and WFS 1.1.0 cannot page" in \
        failed["geodaten-jena-haltestellen"]["message"]
    assert results["geodaten-jena-stadtteile"]["status"] == "ok"


EXCEPTION = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
  <ows:Exception exceptionCode="NoApplicableCode"><ows:ExceptionText>msWFSGetCapabilities(): WFS server error. Datenbankverbindung fehlgeschlagen</ows:ExceptionText></ows:Exception>
</ows:ExceptionReport>"""


def test_capabilities_exception_and_timeout_are_clear_errors(tmp_path):
    routes = {}
    with serve(routes) as base:
        routes["/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"] = (EXCEPTION, "text/xml")
        config = service(base, wms=None)
        config["wfs"] = base + "/wfs"
        result = harvest(config, tmp_path)["geodaten-jena"]
        assert result["status"] == "failed"
        assert result["message"] == ("geodaten-jena: the WFS answered GetCapabilities with an exception: "
                                     "[NoApplicableCode] msWFSGetCapabilities(): WFS server error. "
                                     "Datenbankverbindung fehlgeschlagen")
        routes["/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"] = (EXCEPTION, "text/xml", 2)
        config.update(timeout=0.5)
        result = harvest(config, tmp_path)["geodaten-jena"]
        assert result["status"] == "failed" and "did not answer within 0.5 s" in result["message"]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_publish_then_a_layer_disappears_and_the_licence_becomes_unclear(mapserver, tmp_path, harvester_ckan):
    base, changing = mapserver
    write_changing(changing)
    config = service(base, "changing", include=["spielplaetze", "stadtteile"])
    pkg, formats = published(harvest(config, tmp_path, harvester_ckan), "geodaten-jena-spielplaetze")
    assert formats == {
        "spielplaetze.csv": "CSV", "spielplaetze.geojson": "GEOJSON", "vorschau.png": "PNG",
        "datapackage.json": "JSON", "WFS-Dienst": "WFS_SRVC", "Karte (WMS)": "WMS_SRVC", "WMS-Dienst": "WMS_SRVC"}
    assert pkg["harvest_status"] == "ok" and pkg["license_id"] == "dl-by-de/2.0"
    # what each resource is, for the quality score: the preview and the descriptor are no data
    assert {r["name"]: r.get("resource_type") or "" for r in pkg["resources"]} == {
        "spielplaetze.csv": "", "spielplaetze.geojson": "", "vorschau.png": "documentation",
        "datapackage.json": "documentation", "WFS-Dienst": "service", "Karte (WMS)": "service",
        "WMS-Dienst": "service"}

    # Unchanged service: nothing published again.
    again = harvest(config, tmp_path, harvester_ckan)
    assert {r["published"]["changed"] for r in again.values()} == {False}

    # The layer leaves the service; the access constraints become unclear; and the
    # harvester's output folder was lost (a new machine): the portal still knows.
    write_changing(changing, drop="spielplaetze", access="Nutzung nur nach Absprache")
    (tmp_path / "geodaten-jena.units.json").unlink()
    third = harvest(config, tmp_path, harvester_ckan)
    assert third["geodaten-jena-spielplaetze"]["status"] == "withdrawn"
    pkg = helpers.call_action("package_show", id="geodaten-jena-spielplaetze")
    assert pkg["state"] == "active" and pkg["harvest_status"] == "withdrawn"
    assert "nicht mehr in der Quelle geodaten-jena" in pkg["harvest_message"]
    assert len(pkg["resources"]) == 7  # the last data stays
    districts = helpers.call_action("package_show", id="geodaten-jena-stadtteile")
    assert districts["license_id"] == "notspecified"  # never a licence the service did not give
    assert "Lizenz aus den Zugriffsbedingungen des Dienstes nicht erkennbar: „Nutzung nur nach Absprache“" \
        in districts["known_limitations"]

    # Withdrawn once, not again on every run.
    assert "geodaten-jena-spielplaetze" not in harvest(config, tmp_path, harvester_ckan)

    # It comes back: published again and no longer withdrawn.
    write_changing(changing)
    fourth = harvest(config, tmp_path, harvester_ckan)
    assert fourth["geodaten-jena-spielplaetze"]["status"] == "ok"
    assert helpers.call_action("package_show", id="geodaten-jena-spielplaetze")["harvest_status"] == "ok"


def _proxied(upstream, rewrite):
    """A route for loopback.serve: the sample service at /wfs, each answer
    through rewrite(path, body) -> body (its URLs pointed at the proxy)."""
    import urllib.request
    state = {}

    def proxy(path):
        body = urllib.request.urlopen(upstream + path.replace("/wfs", "/ows/jena", 1)).read()
        body = body.replace(f"{upstream}/ows/jena".encode(), f"{state['base']}/wfs".encode())
        ctype = "application/geo+json" if body.lstrip().startswith(b"{") else "text/xml"
        return rewrite(path, body), ctype
    return proxy, state


def test_pages_fetched_concurrently_give_the_same_files_as_one_at_a_time(mapserver, tmp_path):
    base, _ = mapserver
    files = {}
    for workers in (1, 4):
        config = service(base, include=["haltestellen"], wms=None, page_size=7, concurrency=workers)
        result = harvest(config, tmp_path / str(workers))["geodaten-jena-haltestellen"]
        assert result["status"] == "ok" and result["rows"] == 300, result
        folder = tmp_path / str(workers) / "geodaten-jena-haltestellen" / "current"
        files[workers] = [(folder / f"haltestellen.{ext}").read_bytes() for ext in ("csv", "geojson")]
    assert files[1] == files[4]  # written in startIndex order, whatever answered first
    assert len(features(tmp_path / "4", "haltestellen")) == 300


def test_the_servers_count_default_is_respected(mapserver, tmp_path):
    # A server that returns at most 50 features per request (CountDefault 50)
    # whatever count asks for: pages of 10,000 would end after its first answer.
    upstream, _ = mapserver

    def cap(path, body):
        if "GetCapabilities" in path:
            return body.replace(b"<ows:Constraint name=\"ImplementsBasicWFS\">",
                                b"<ows:Constraint name=\"CountDefault\"><ows:NoValues/><ows:DefaultValue>50"
                                b"</ows:DefaultValue></ows:Constraint><ows:Constraint name=\"ImplementsBasicWFS\">")
        if "GetFeature" in path and body.lstrip().startswith(b"{"):
            data = json.loads(body)
            data["features"] = data["features"][:50]
            return json.dumps(data).encode()
        return body

    route, state = _proxied(upstream, cap)
    with serve({"/wfs?*": route}) as base:
        state["base"] = base
        config = service(base, include=["haltestellen"], wms=None)
        config["wfs"] = base + "/wfs"
        result = harvest(config, tmp_path)["geodaten-jena-haltestellen"]
    assert result["status"] == "ok" and result["rows"] == 300, result
    assert len(features(tmp_path, "haltestellen")) == 300


def test_one_failing_page_fails_the_layer_with_the_servers_message(mapserver, tmp_path):
    upstream, _ = mapserver

    def fail_third(path, body):
        return EXCEPTION if "GetFeature" in path and "STARTINDEX=14" in path.upper() else body

    route, state = _proxied(upstream, fail_third)
    with serve({"/wfs?*": route}) as base:
        state["base"] = base
        config = service(base, include=["haltestellen"], wms=None, page_size=7, concurrency=3)
        config["wfs"] = base + "/wfs"
        result = harvest(config, tmp_path)["geodaten-jena-haltestellen"]
    assert result["status"] == "failed"
    assert result["message"] == ("geodaten-jena: the WFS answered GetFeature for layer haltestellen with an "
                                 "exception: [NoApplicableCode] msWFSGetCapabilities(): WFS server error. "
                                 "Datenbankverbindung fehlgeschlagen")
    assert not (tmp_path / "geodaten-jena-haltestellen" / "current").exists()


def test_the_crs_a_page_says_it_is_in_is_read_first(tmp_path):
    # Asked for EPSG:25832, the page says (GeoJSON 2008 `crs`, GML srsName) it is
    # in Gauss-Krüger zone 4: read as metres of 25832 it would lie 3,800 km east.
    from etl.features import Page
    box = [11.5, 50.85, 11.7, 51.0]
    gk4 = Transformer.from_crs("EPSG:4326", "EPSG:31468", always_xy=True)
    x, y = gk4.transform(11.59, 50.93)
    writer = LayerWriter(str(tmp_path), "t", ["name"], "EPSG:25832", yx=False, bbox=box)
    writer.add(Page([("t.1", {"name": "a"}, {"type": "Point", "coordinates": [x, y]})], "EPSG:31468", False))
    writer.close()
    assert writer.read_crs == "EPSG:31468"
    data = json.loads((tmp_path / "t.geojson").read_text())
    assert data["features"][0]["geometry"]["coordinates"] == pytest.approx([11.59, 50.93], abs=1e-6)


def test_geojson_without_a_crs_member_is_crs84_and_gml_srsname_is_read():
    from etl import gml
    from harvesters.ogc import WFS
    wfs = WFS.__new__(WFS)
    wfs.source, wfs.config, wfs.version = "s", {}, "2.0.0"
    plain = wfs._parse("l", b'{"type": "FeatureCollection", "features": []}', "geojson")
    named = wfs._parse("l", b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
                            b'{"name": "urn:ogc:def:crs:EPSG::31468"}}, "features": []}', "geojson")
    assert (plain.crs, named.crs, named.yx) == ("OGC:CRS84", "EPSG:31468", False)
    page = wfs._parse("l", b'<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" '
                           b'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ms="m" numberMatched="12">'
                           b'<wfs:member><ms:a gml:id="a.1"><ms:g><gml:Point srsName="urn:ogc:def:crs:EPSG::3044">'
                           b'<gml:pos>5642683 680093</gml:pos></gml:Point></ms:g></ms:a></wfs:member>'
                           b'</wfs:FeatureCollection>', "gml")
    assert (page.crs, page.yx, page.matched, len(page)) == ("EPSG:3044", True, 12, 1)
    assert gml.reading("urn:ogc:def:crs:EPSG::3044", "2.0.0") == ("EPSG:3044", True)
    assert gml.reading("http://www.opengis.net/gml/srs/epsg.xml#4326", "1.1.0") == ("EPSG:4326", False)
    assert gml.reading("EPSG:4326", "1.0.0") == ("EPSG:4326", False)
