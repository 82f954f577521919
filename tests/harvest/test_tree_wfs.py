"""A tree register published as a WFS layer (`format: wfs`, Berlin's
strassenbaeume): harvested from Debian's MapServer on loopback serving a
Berlin-shaped sample layer (EPSG:25833, 5 features per page), through the
GIS harvester's WFS paging."""
import csv
import json
import os
import re

import pytest
import yaml
from pyproj import Transformer

from harvesters import runner
from harvesters.samples import mapserver_cgi

from .conftest import SAMPLES

GIS = mapserver_cgi.GIS
DATA = os.path.join(GIS, "berlin_strassenbaeume.geojson")
BERLIN = yaml.safe_load(open(os.path.join(os.path.dirname(SAMPLES), "registers.yaml"), encoding="utf-8"))["trees"]["berlin"]


def _gml_only(tmp_path):
    """The sample map offering GML 3.2 only (its data by absolute path)."""
    with open(os.path.join(GIS, "berlin_baeume.map"), encoding="utf-8") as f:
        text = f.read().replace('CONNECTION "berlin_strassenbaeume.geojson"', f'CONNECTION "{DATA}"')
    text = re.sub(r'"wfs_getfeature_formatlist" "[^"]*"', '"wfs_getfeature_formatlist" "application/gml+xml; version=3.2"',
                  text)
    path = tmp_path / "berlin_gml.map"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def wfs(loopback, tmp_path):
    """(base URL) of MapServer serving `berlin` (GeoJSON and GML) and `berlin_gml` (GML only)."""
    maps = {"berlin": os.path.join(GIS, "berlin_baeume.map"), "berlin_gml": _gml_only(tmp_path)}
    with mapserver_cgi.serve(maps) as base:
        yield base


def harvest(url, out, **extra):
    entry = dict(BERLIN, url=url, timeout=5, attempts=1, **extra)
    return runner.run(["berlin"], {"berlin": entry}, str(out))[0]


def published(out):
    with open(out / "berlin" / "current" / "baeume.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def source_trees():
    return {f["properties"]["gisid"]: f for f in json.load(open(DATA, encoding="utf-8"))["features"]}


@pytest.mark.parametrize("service", ["berlin", "berlin_gml"])
def test_every_tree_of_every_page_is_published_where_it_stands(wfs, tmp_path, service):
    result = harvest(f"{wfs}/ows/{service}", tmp_path)
    assert result["status"] == "ok", result
    trees, source = published(tmp_path), source_trees()
    assert len(source) > 10  # more than two pages of the map's CountDefault 5
    assert sorted(r["source_id"] for r in trees) == sorted(source)  # each once, none lost between pages
    to_wgs84 = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
    for row in trees:
        feature = source[row["source_id"]]
        lon, lat = to_wgs84.transform(*feature["geometry"]["coordinates"])
        # GeoJSON is x/y; GML 3.2 in EPSG:25833 is too (easting first): either way the same place.
        assert abs(float(row["longitude"]) - lon) < 1e-5 and abs(float(row["latitude"]) - lat) < 1e-5, row
        props = feature["properties"]
        assert row["botanical_name"].startswith(props["art_bot"].split(" '")[0]) and row["german_name"]
        assert row["planting_year"] == (props["pflanzjahr"] or "")
        assert row["trunk_circumference_cm"] and float(row["trunk_circumference_cm"]) == props["stammumfg"]


def test_berlins_zero_is_published_as_unknown(wfs, tmp_path):
    result = harvest(f"{wfs}/ows/berlin", tmp_path)
    assert result["status"] == "ok", result
    trees = {r["source_id"]: r for r in published(tmp_path)}
    for gisid, feature in source_trees().items():
        props = feature["properties"]
        for field, column in (("height_m", "baumhoehe"), ("crown_diameter_m", "kronedurch")):
            if props[column] in (0, None):
                assert trees[gisid][field] == "", (gisid, field)
            else:
                assert float(trees[gisid][field]) == props[column]
    assert result["warnings"]["crown_diameter_m: 0 read as unknown"] == 2


def test_a_missing_feature_type_fails_naming_it_and_keeps_the_published_trees(wfs, tmp_path):
    assert harvest(f"{wfs}/ows/berlin", tmp_path)["status"] == "ok"
    before = published(tmp_path)
    result = harvest(f"{wfs}/ows/berlin", tmp_path, layer="anlagenbaeume")
    assert result["status"] == "failed"
    assert "berlin" in result["message"] and "anlagenbaeume" in result["message"] \
        and "strassenbaeume" in result["message"], result["message"]
    assert published(tmp_path) == before


def test_an_entry_without_its_feature_type_is_refused():
    entry = {k: v for k, v in BERLIN.items() if k != "layer"}
    with pytest.raises(Exception, match="format wfs needs layer"):
        runner.run(["berlin"], {"berlin": entry}, "/nonexistent")
