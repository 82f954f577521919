"""OGC API – Features (`kind: ogcapi_features`) against pygeoapi 0.21
(PyPI) on loopback, serving the sample layers from their GeoJSON files
(storage CRS EPSG:25832): the same cases as against MapServer and QGIS
Server — every collection complete, paged, in Jena; attribute table and
Table Schema equal to the MapServer WFS harvest; a vanished collection
withdrawn.

pygeoapi's quirks, each asserted below: its GeoJSON provider passes the
file's 2008 `crs` member (EPSG::25832) through in every answer, also when
the coordinates are CRS84 — the `Content-Crs` header is the truth; CRS URIs
are …/EPSG/0/n; queryables and license links are there."""
import json

import pytest

from ckan.tests import helpers

from harvesters import runner
from harvesters.samples import mapserver_cgi, pygeoapi_server

from .test_gis import published, service, source_lonlat
from .test_ogcapi import LAYERS, api
from .test_qgis import assert_inside_extent, coordinates, current, schema, table

SOURCE = "geodaten-jena-ogcapi"


@pytest.fixture(scope="module")
def pygeoapi():
    with pygeoapi_server.serve() as server:
        yield server


def harvest(config, out, ckan=None, name=SOURCE):
    return {r["source"]: r for r in runner.run([name], {name: config}, str(out), ckan)}


def pg_config(server, **extra):
    # licence=None: the collections' license links say it
    return api(server.base, url=server.base, timeout=30, licence=None, **extra)


def test_every_collection_in_etrs89_paged_completely_like_mapserver(pygeoapi, tmp_path):
    results = harvest(pg_config(pygeoapi, limit=7, crs="EPSG:25832"), tmp_path / "pg")
    assert {k: (r["status"], r["rows"]) for k, r in results.items()} == {
        f"{SOURCE}-{n}": ("ok", count) for n, count in LAYERS.items()}  # the internal layer excluded
    for layer, count in LAYERS.items():
        warnings = results[f"{SOURCE}-{layer}"]["warnings"]
        assert warnings["crs"] == "EPSG:25832" and warnings["pages"] == -(-count // 7), warnings
        assert "duplicates_dropped" not in warnings and "content_crs_not_asked" not in warnings
        ids = list(table(tmp_path / "pg", SOURCE, layer))
        assert len(ids) == len(set(ids)) == count
        assert_inside_extent(tmp_path / "pg", SOURCE, layer)
    got = coordinates(tmp_path / "pg", SOURCE, "spielplaetze")
    for fid, (lon, lat) in source_lonlat("spielplaetze").items():
        assert got[fid]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    plan = json.loads((current(tmp_path / "pg", SOURCE, "spielplaetze") / "publish.json").read_text())
    assert plan["dataset"]["title"] == "Spielplätze"
    assert plan["dataset"]["license_id"] == "dl-by-de/2.0"  # from the collection's license link
    assert set(plan["dataset"]["tag_string"].split(",")) >= {"Spielplätze", "Freizeit", "Kinder"}
    # Attribute table and Table Schema (from pygeoapi's queryables) equal to MapServer's WFS.
    with mapserver_cgi.serve() as base:
        reference = harvest(service(base, wms=None), tmp_path / "ms", name="geodaten-jena")
    assert {r["status"] for r in reference.values()} == {"ok"}
    for layer in LAYERS:
        assert table(tmp_path / "pg", SOURCE, layer) == table(tmp_path / "ms", "geodaten-jena", layer), layer
        assert schema(tmp_path / "pg", SOURCE, layer) == schema(tmp_path / "ms", "geodaten-jena", layer), layer


def test_crs84_answers_are_read_by_their_content_crs_not_the_stale_crs_member(pygeoapi, tmp_path):
    # Every page carries {"crs": … "EPSG::25832"} from the file, its coordinates are CRS84.
    results = harvest(pg_config(pygeoapi, include=["haltestellen"], limit=100), tmp_path)
    result = results[f"{SOURCE}-haltestellen"]
    assert result["status"] == "ok" and result["rows"] == 300, result
    assert result["warnings"]["crs"] == "OGC:CRS84" and result["warnings"]["pages"] == 3
    got = coordinates(tmp_path, SOURCE, "haltestellen")
    for fid, (lon, lat) in source_lonlat("haltestellen").items():
        assert got[fid]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_vanished_collection_is_withdrawn(tmp_path, harvester_ckan):
    server = pygeoapi_server.PygeoapiServer(str(tmp_path / "pygeoapi.config.yml"))
    server.write()
    server.start()
    try:
        config = pg_config(server, include=["spielplaetze", "stadtteile"])
        pkg, formats = published(harvest(config, tmp_path / "out", harvester_ckan), f"{SOURCE}-spielplaetze")
        assert formats == {"spielplaetze.csv": "CSV", "spielplaetze.geojson": "GEOJSON",
                           "datapackage.json": "JSON", "OGC API – Features": "JSON"}
        assert pkg["harvest_status"] == "ok"
        server.write(drop=("spielplaetze",))
        server.restart()  # pygeoapi reads its configuration once
        second = harvest(config, tmp_path / "out", harvester_ckan)
        assert second[f"{SOURCE}-spielplaetze"]["status"] == "withdrawn"
        pkg = helpers.call_action("package_show", id=f"{SOURCE}-spielplaetze")
        assert pkg["harvest_status"] == "withdrawn" and f"nicht mehr in der Quelle {SOURCE}" in pkg["harvest_message"]
        assert helpers.call_action("package_show", id=f"{SOURCE}-stadtteile")["harvest_status"] == "ok"
    finally:
        server.stop()
