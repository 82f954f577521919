"""The city crosswalks of harvesters/registers.yaml harvest their samples
(harvesters/samples/registers/, shaped like each city's download) through
the real tree_register kind, served on loopback: every configured column is
read in every row where the sample has a value."""
import contextlib
import csv
import glob
import json
import os

import pytest
import yaml

from harvesters import runner
from harvesters.kinds import tree_arcgis
from harvesters.samples import mapserver_cgi

from .arcgis_server import FeatureServer
from .conftest import SAMPLES

REGISTERS = os.path.join(os.path.dirname(SAMPLES), "registers.yaml")
NAMES = list(yaml.safe_load(open(REGISTERS, encoding="utf-8"))["trees"])
CONTENT_TYPES = {".csv": "text/csv", ".geojson": "application/geo+json",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Our published column for each crosswalk field (x and y become longitude and latitude).
PUBLISHED = {"trunk_diameter_cm": "trunk_circumference_cm", "x": "longitude", "y": "latitude"}
# Registers published as a WFS layer: (mapfile, its data) in harvesters/samples/gis, served by MapServer.
WFS = {"berlin": ("berlin_baeume.map", "berlin_strassenbaeume.geojson")}
# Registers whose URL is an ArcGIS layer query: their sample served by a loopback FeatureServer in pages
# of 15 (the real ones: 1,000-2,000), with these properties as esriFieldTypeDate (epoch milliseconds).
ARCGIS_DATES = {"chemnitz": ("PflanzDatu",)}


def _sample(name):
    if name in WFS:
        return os.path.join(mapserver_cgi.GIS, WFS[name][1])
    [path] = glob.glob(os.path.join(SAMPLES, "registers", f"{name}.*"))
    return path


def _source_rows(path, entry):
    """The sample's rows as {column: text}, read here independently of the kind."""
    ext = os.path.splitext(path)[1]
    if ext == ".csv":
        with open(path, encoding=entry.get("encoding", "utf-8"), newline="") as f:
            return list(csv.DictReader(f, delimiter=entry.get("delimiter", ",")))
    if ext == ".geojson":
        features = json.load(open(path, encoding="utf-8"))["features"]
        return [{k: ("" if v is None else str(v)) for k, v in f["properties"].items()} for f in features]
    from openpyxl import load_workbook
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    return [{h: ("" if v is None else str(v)) for h, v in zip(rows[0], row)} for row in rows[1:]]


def test_the_catalogue_loads_with_the_tree_register_kind():
    sources = runner.load_config(REGISTERS)
    assert len(sources) >= 10 and {e["kind"] for e in sources.values()} == {"tree_register"}
    assert all(e["url"].startswith("https://") for e in sources.values())


@pytest.mark.parametrize("name", NAMES)
def test_a_city_sample_harvests_with_every_configured_column_read(name, loopback, tmp_path):
    routes, base = loopback
    path = _sample(name)
    ext = os.path.splitext(path)[1]
    url = f"{base}/{name}{ext}"
    with open(path, "rb") as f:
        routes[f"/{name}{ext}"] = (f.read(), CONTENT_TYPES[ext], 0)
    server = contextlib.ExitStack()
    entry_url = yaml.safe_load(open(REGISTERS, encoding="utf-8"))["trees"][name]["url"]
    if tree_arcgis.is_query(entry_url):  # paged: a single answer would hold the first 15 trees only
        features = json.load(open(path, encoding="utf-8"))["features"]
        svc = FeatureServer(base, max_record_count=15, wkid=4326, dates=ARCGIS_DATES.get(name, ()), data={
            name: [(f["properties"], f["geometry"]) for f in features]})
        routes["/arcgis/*"] = svc
        url = f"{svc.base}/0/query?" + entry_url.split("?", 1)[1]
    if name in WFS:  # the layer through MapServer's WFS, paged as the real service is
        url = server.enter_context(mapserver_cgi.serve({name: os.path.join(mapserver_cgi.GIS, WFS[name][0])}))
        url += f"/ows/{name}"
    # This city's entry alone, checked by the kind as load_config checks it (a
    # missing feature for one format does not hide how the others fare).
    single = tmp_path / "register.yaml"
    single.write_text(yaml.safe_dump({"trees": {name: yaml.safe_load(open(REGISTERS, encoding="utf-8"))["trees"][name]}},
                                     allow_unicode=True), encoding="utf-8")
    entry = dict(runner.load_config(str(single))[name], url=url, timeout=5, attempts=1)
    with server:
        result = runner.run([name], {name: entry}, str(tmp_path))[0]
    assert result["status"] == "ok", result
    unreadable = {k: n for k, n in result["warnings"].items() if "not a" in k or "implausible" in k}
    assert not unreadable, unreadable

    source = _source_rows(path, entry)
    with open(tmp_path / name / "current" / "baeume.csv", encoding="utf-8") as f:
        published = list(csv.DictReader(f))
    assert len(published) == len(source)
    for field, column in entry["columns"].items():
        if field in ("botanical_name", "german_name") and entry.get("name_separator"):
            continue  # one column split in two: checked below
        out = PUBLISHED.get(field, field)
        filled = [i for i, row in enumerate(source) if row.get(column, "").strip()
                  and not (field in entry.get("zero_is_unknown", ()) and float(row[column]) == 0)]
        empty = [i for i in filled if not published[i][out]]
        assert not empty, f"{name}: {column} ({field}) has values the harvest lost in rows {empty[:5]}"
    geometry = "x" not in entry["columns"] and "coordinates" not in entry["columns"]
    located = [r for r in published if r["longitude"] and r["latitude"]]
    assert len(located) == len(published), f"{name}: {len(published) - len(located)} trees without a position"
    west, south, east, north = entry["extent"]
    assert all(west <= float(r["longitude"]) <= east and south <= float(r["latitude"]) <= north for r in located), \
        (name, "geometry" if geometry else "columns")
    if entry.get("name_separator"):
        assert all(r["botanical_name"] and r["german_name"] and "," not in r["botanical_name"] for r in published)
    # Every tree has its species: from the register, or for German names only from the shipped lookup.
    assert all(r["genus"] for r in published), [r["german_name"] for r in published if not r["genus"]][:5]
