"""The GIS harvester against Debian's QGIS Server 3.22 (`qgis_mapserver` on
loopback, the project written from the sample layers by
harvesters/samples/qgis_project.py): the same layers and cases as the
MapServer tests — WFS with GeoJSON and GML output, axis order, the WMS
preview, a vanished layer — and its OGC API – Features (/wfs3).

QGIS Server's quirks, each asserted below: GetFeature GeoJSON is WGS 84
whatever SRSNAME asked (RFC 7946); no WFS 2.0 (a 2.0.0 GetCapabilities is
answered in 1.1.0), so no standard paging; /wfs3 lists versioned CRS URIs
(…/EPSG/9.6.2/25832), refuses …/EPSG/0/25832, sends no Content-Crs and
garbles the crs in its next links; rounding of the coordinates to 5 or 6
decimals in WGS 84."""
import csv
import json
import re
import urllib.request

import pytest
import shapely
from pyproj import Transformer

from ckan.tests import helpers

from harvesters import runner
from harvesters.samples import mapserver_cgi, qgis_server

from ..loopback import serve
from .test_gis import published, service, source_lonlat
from .test_ogcapi import LAYERS, api

WFS_SOURCE, API_SOURCE = "geodaten-jena", "geodaten-jena-ogcapi"


@pytest.fixture(scope="session")
def qgis():
    """QGIS Server on loopback with the sample project (fails, never skips, when not installed)."""
    if not qgis_server.binary():
        pytest.fail(qgis_server.MISSING)
    with qgis_server.serve() as server:
        yield server


@pytest.fixture(scope="module")
def mapserver():
    with mapserver_cgi.serve() as base:
        yield base


def qgis_service(base, **extra):
    return service(base, **dict(dict(wfs=f"{base}/ows/", wms=f"{base}/ows/", timeout=30), **extra))


def harvest(config, out, ckan=None, name=WFS_SOURCE):
    return {r["source"]: r for r in runner.run([name], {name: config}, str(out), ckan)}


def current(out, source, layer):
    return out / f"{source}-{layer}" / "current"


def table(out, source, layer):
    with open(current(out, source, layer) / f"{layer}.csv", encoding="utf-8", newline="") as f:
        return {r["feature_id"]: r for r in csv.DictReader(f)}


def schema(out, source, layer):
    """The Table Schema's field types by name (QGIS's JSON lists properties alphabetically)."""
    descriptor = json.loads((current(out, source, layer) / "datapackage.json").read_text())
    return {f["name"]: f["type"] for f in descriptor["resources"][0]["schema"]["fields"]}


def coordinates(out, source, layer):
    data = json.loads((current(out, source, layer) / f"{layer}.geojson").read_text())
    return {f["id"]: f["geometry"] for f in data["features"]}


def lonlats(geometry):
    """Every position of a GeoJSON geometry (repaired ones may be collections)."""
    return shapely.get_coordinates(shapely.geometry.shape(geometry)).tolist()


# The samples' extent (EPSG:25832, gis/jena.map) in WGS 84, its edges followed.
JENA = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True).transform_bounds(
    676000, 5637000, 688000, 5651000, densify_pts=100)


def assert_inside_extent(out, source, layer):
    """Every feature in Jena (not the Gulf of Guinea), and the dataset's extent there too.
    (QGIS's own layer extent in WGS 84 is the native box's corners reprojected:
    features at its edges lie up to ~150 m outside it.)"""
    plan = json.loads((current(out, source, layer) / "publish.json").read_text())
    (w, s), _, (e, n), *_ = json.loads(plan["dataset"]["spatial"])["coordinates"][0]
    assert JENA[0] - 0.01 < w < e < JENA[2] + 0.01 and JENA[1] - 0.01 < s < n < JENA[3] + 0.01, (layer, w, s, e, n)
    for geometry in coordinates(out, source, layer).values():
        for lon, lat in lonlats(geometry):
            # 1e-6°: the 6 decimals QGIS rounds to (the districts reach the sample's edge)
            assert JENA[0] - 1e-6 <= lon <= JENA[2] + 1e-6 and JENA[1] - 1e-6 <= lat <= JENA[3] + 1e-6, \
                (layer, lon, lat)


def test_geojson_in_wgs84_whatever_srsname_asked_lands_in_jena(qgis, mapserver, tmp_path):
    # SRSNAME=EPSG:25832 is asked; QGIS answers GeoJSON in WGS 84 (RFC 7946).
    results = harvest(qgis_service(qgis.base, srs="EPSG:25832"), tmp_path / "qgis")
    assert {k: (r["status"], r["rows"]) for k, r in results.items()} == {
        f"{WFS_SOURCE}-{n}": ("ok", count) for n, count in LAYERS.items()}  # the internal layer excluded
    for layer in LAYERS:
        warnings = results[f"{WFS_SOURCE}-{layer}"]["warnings"]
        assert warnings["output"] == "geojson" and warnings["answered_in_wgs84"] == 1, warnings
        assert_inside_extent(tmp_path / "qgis", WFS_SOURCE, layer)
    got = coordinates(tmp_path / "qgis", WFS_SOURCE, "spielplaetze")
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        assert got[fid]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    # Attribute table and Table Schema equal to the same layers harvested from MapServer.
    reference = harvest(service(mapserver, wms=None), tmp_path / "mapserver")
    assert {r["status"] for r in reference.values()} == {"ok"}
    for layer in LAYERS:
        assert table(tmp_path / "qgis", WFS_SOURCE, layer) == table(tmp_path / "mapserver", WFS_SOURCE, layer), layer
        assert schema(tmp_path / "qgis", WFS_SOURCE, layer) == schema(tmp_path / "mapserver", WFS_SOURCE, layer)
    plan = json.loads((current(tmp_path / "qgis", WFS_SOURCE, "spielplaetze") / "publish.json").read_text())
    assert plan["dataset"]["title"] == "Spielplätze" and plan["dataset"]["license_id"] == "dl-by-de/2.0"
    assert set(plan["dataset"]["tag_string"].split(",")) >= {"Spielplätze", "Freizeit", "Kinder"}


def test_the_wms_preview_and_the_service_links(qgis, tmp_path):
    results = harvest(qgis_service(qgis.base, include=["stadtteile"]), tmp_path)
    assert results[f"{WFS_SOURCE}-stadtteile"]["status"] == "ok", results
    folder = current(tmp_path, WFS_SOURCE, "stadtteile")
    assert (folder / "vorschau.png").read_bytes().startswith(b"\x89PNG")
    plan = json.loads((folder / "publish.json").read_text())
    getmap = next(link for link in plan["links"] if link["name"] == "Karte (WMS)")["url"]
    assert getmap.startswith(f"{qgis.base}/ows/") and "LAYERS=stadtteile" in getmap
    with urllib.request.urlopen(getmap, timeout=30) as answer:  # the link works for a user too
        assert answer.headers["Content-Type"] == "image/png"


def test_no_wfs_2_0_so_no_paging_and_the_size_guard_holds(qgis, tmp_path):
    # QGIS 3.22 answers a 2.0.0 GetCapabilities with its 1.1.0 one; WFS 1.1 has no
    # paging, so a layer above max_features fails alone, the others are complete.
    results = harvest(qgis_service(qgis.base, max_features=100, page_size=7, wms=None), tmp_path)
    failed = {k for k, r in results.items() if r["status"] != "ok"}
    assert failed == {f"{WFS_SOURCE}-spielplaetze", f"{WFS_SOURCE}-haltestellen"}, results
    assert "layer haltestellen has more than 100 features and WFS 1.1.0 cannot page" in \
        results[f"{WFS_SOURCE}-haltestellen"]["message"]
    for layer in ("stadtteile", "radwege", "gruenflaechen"):
        assert results[f"{WFS_SOURCE}-{layer}"]["rows"] == LAYERS[layer]
        ids = list(table(tmp_path, WFS_SOURCE, layer))
        assert len(ids) == len(set(ids)) == LAYERS[layer]


@pytest.fixture(scope="module")
def gml_only(qgis):
    """QGIS Server behind a proxy that takes GeoJSON out of its capabilities: GetFeature in GML."""
    def proxy(path):
        with urllib.request.urlopen(qgis.base + path.replace("/gml/", "/ows/", 1), timeout=30) as answer:
            body, ctype = answer.read(), answer.headers["Content-Type"]
        if b"GetCapabilities" in path.encode():
            body = re.sub(rb"<(ows:Value|Format)>[^<]*json[^<]*</\1>", b"", body, flags=re.I)
            body = body.replace(f"{qgis.base}/ows/".encode(), f"{base}/gml/".encode())
        return body, ctype

    with serve({"/gml/*": proxy}) as base:
        yield base


# QGIS writes GML with 5 decimals in degrees (~1 m) and 2 in metres.
@pytest.mark.parametrize("srs, tolerance", [
    ("EPSG:4326", 1e-5), ("urn:ogc:def:crs:EPSG::4326", 1e-5), ("EPSG:25832", 1e-6), ("EPSG:3044", 1e-6)])
def test_gml_output_and_axis_order(gml_only, tmp_path, srs, tolerance):
    config = service(gml_only, wfs=f"{gml_only}/gml/", wms=None, timeout=30, srs=srs, include=["spielplaetze"])
    result = harvest(config, tmp_path)[f"{WFS_SOURCE}-spielplaetze"]
    assert result["status"] == "ok", result["message"]
    assert result["warnings"]["output"] == "gml"
    got = coordinates(tmp_path, WFS_SOURCE, "spielplaetze")
    expected = source_lonlat("spielplaetze")
    assert len(got) == len(expected) == 120
    for fid, (lon, lat) in expected.items():
        assert got[fid]["coordinates"] == pytest.approx([lon, lat], abs=tolerance), (srs, fid)


def test_ogc_api_wfs3_in_etrs89_paged_completely(qgis, tmp_path):
    # crs=EPSG:25832 asked with QGIS's own URI; its next links garble it, we keep ours.
    results = harvest(api(qgis.base, url=f"{qgis.base}/wfs3", limit=7, crs="EPSG:25832", timeout=30),
                      tmp_path, name=API_SOURCE)
    assert {k: (r["status"], r["rows"]) for k, r in results.items()} == {
        f"{API_SOURCE}-{n}": ("ok", count) for n, count in LAYERS.items()}
    for layer, count in LAYERS.items():
        warnings = results[f"{API_SOURCE}-{layer}"]["warnings"]
        assert warnings["crs"] == "EPSG:25832" and warnings["pages"] == -(-count // 7), warnings
        assert "duplicates_dropped" not in warnings and "crs_not_offered" not in warnings
        ids = list(table(tmp_path, API_SOURCE, layer))
        assert len(ids) == len(set(ids)) == count
        assert_inside_extent(tmp_path, API_SOURCE, layer)
    got = coordinates(tmp_path, API_SOURCE, "spielplaetze")
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        assert got[fid]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)  # metres, reprojected here
    plan = json.loads((current(tmp_path, API_SOURCE, "spielplaetze") / "publish.json").read_text())
    assert plan["dataset"]["title"] == "Spielplätze"
    assert "Koordinatensysteme: OGC:CRS84, EPSG:25832" in plan["links"][0]["description"]


def test_ogc_api_wfs3_attribute_table_equals_its_wfs(qgis, tmp_path):
    via_api = harvest(api(qgis.base, url=f"{qgis.base}/wfs3", timeout=30), tmp_path / "api", name=API_SOURCE)
    via_wfs = harvest(qgis_service(qgis.base, wms=None), tmp_path / "wfs")
    for layer in LAYERS:
        assert via_api[f"{API_SOURCE}-{layer}"]["status"] == via_wfs[f"{WFS_SOURCE}-{layer}"]["status"] == "ok"
        assert via_api[f"{API_SOURCE}-{layer}"]["warnings"]["crs"] == "OGC:CRS84"
        assert table(tmp_path / "api", API_SOURCE, layer) == table(tmp_path / "wfs", WFS_SOURCE, layer), layer
        assert schema(tmp_path / "api", API_SOURCE, layer) == schema(tmp_path / "wfs", WFS_SOURCE, layer), layer


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_vanished_layer_is_withdrawn(tmp_path, harvester_ckan):
    if not qgis_server.binary():
        pytest.fail(qgis_server.MISSING)
    project = tmp_path / "changing.qgs"
    qgis_server.write_project(str(project))
    server = qgis_server.Server(str(project)).start()
    try:
        config = qgis_service(server.base, include=["spielplaetze", "stadtteile"])
        pkg, formats = published(harvest(config, tmp_path / "out", harvester_ckan), f"{WFS_SOURCE}-spielplaetze")
        assert formats == {
            "spielplaetze.csv": "CSV", "spielplaetze.geojson": "GEOJSON", "vorschau.png": "PNG",
            "datapackage.json": "JSON", "WFS-Dienst": "WFS_SRVC", "Karte (WMS)": "WMS_SRVC", "WMS-Dienst": "WMS_SRVC"}
        assert pkg["harvest_status"] == "ok"

        qgis_server.write_project(str(project), drop=("spielplaetze",))
        server.restart()  # QGIS's file watcher would reload it too; a fresh process does not race it
        second = harvest(config, tmp_path / "out", harvester_ckan)
        assert second[f"{WFS_SOURCE}-spielplaetze"]["status"] == "withdrawn"
        pkg = helpers.call_action("package_show", id=f"{WFS_SOURCE}-spielplaetze")
        assert pkg["harvest_status"] == "withdrawn" and f"nicht mehr in der Quelle {WFS_SOURCE}" in pkg["harvest_message"]
        assert helpers.call_action("package_show", id=f"{WFS_SOURCE}-stadtteile")["harvest_status"] == "ok"
    finally:
        server.stop()
