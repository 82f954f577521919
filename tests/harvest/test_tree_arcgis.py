"""Tree registers behind an ArcGIS layer query (Chemnitz, Konstanz,
Karlsruhe): one answer holds at most the layer's maxRecordCount trees, so
the harvest reads every page; an answer that says it is cut off at a URL
that cannot be paged fails instead of publishing part of the register."""
import csv
import json
import os

from harvesters import runner

from .arcgis_server import FeatureServer
from .conftest import SAMPLES

CHEMNITZ = os.path.join(SAMPLES, "registers", "chemnitz.geojson")
FEATURES = json.load(open(CHEMNITZ, encoding="utf-8"))["features"]  # 40 trees, PflanzDatu in epoch ms


def entry(url, **more):
    return dict(dict(kind="tree_register", title="Bäume Chemnitz", url=url, organization="stadt-chemnitz",
                     attribution="Stadt Chemnitz", format="geojson", crs="EPSG:4326",
                     extent=[12.75, 50.70, 13.10, 50.95], name_separator=",",
                     columns={"source_id": "BaumNummer", "botanical_name": "BaumArt", "german_name": "BaumArt",
                              "planting_year": "PflanzDatu"}, timeout=5, attempts=1), **more)


def published(tmp_path):
    with open(tmp_path / "chemnitz" / "current" / "baeume.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def feature_server(loopback):
    routes, base = loopback
    svc = FeatureServer(base, max_record_count=15, wkid=4326, dates=("PflanzDatu",),
                        data={"baeume": [(f["properties"], f["geometry"]) for f in FEATURES]})
    routes["/arcgis/*"] = svc
    return svc


def test_every_page_of_the_layer_is_published_with_its_planting_years(loopback, tmp_path):
    svc = feature_server(loopback)
    url = f"{svc.base}/0/query?where=1%3D1&outFields=*&f=geojson"
    [result] = runner.run(["chemnitz"], {"chemnitz": entry(url)}, str(tmp_path))
    assert result["status"] == "ok", result
    rows = published(tmp_path)
    assert [r["source_id"] for r in rows] == [f["properties"]["BaumNummer"] for f in FEATURES]
    pages = [p for p in svc.asked if "/query" in p and "resultOffset" in p]
    assert len(pages) == 3, pages  # 15 + 15 + 10, ordered by the objectIdField
    assert all("orderByFields=OBJECTID" in p for p in pages)
    # 986083200000 ms = 2001-04-01, -2548281600000 ms = 1889-03-31 (before 1970)
    assert rows[0]["planting_year"] == "2001" and rows[19]["planting_year"] == "1889"


def test_a_cut_off_answer_at_a_plain_url_fails_and_keeps_the_last_good_version(loopback, tmp_path):
    routes, base = loopback
    whole = {"type": "FeatureCollection", "features": FEATURES}
    # a file's PflanzDatu are bare milliseconds, which no planting option reads: not configured here
    plain = entry(f"{base}/baeume.geojson", columns={"source_id": "BaumNummer", "botanical_name": "BaumArt",
                                                      "german_name": "BaumArt"})
    routes["/baeume.geojson"] = (json.dumps(whole).encode(), "application/geo+json", 0)
    [first] = runner.run(["chemnitz"], {"chemnitz": plain}, str(tmp_path))
    assert first["status"] == "ok", first
    cut = dict(whole, features=FEATURES[:15], properties={"exceededTransferLimit": True})
    routes["/baeume.geojson"] = (json.dumps(cut).encode(), "application/geo+json", 0)
    [second] = runner.run(["chemnitz"], {"chemnitz": plain}, str(tmp_path))
    assert second["status"] == "failed"
    assert "chemnitz" in second["message"] and "exceededTransferLimit" in second["message"], second
    assert len(published(tmp_path)) == 40


def test_a_layer_query_in_another_crs_is_refused(loopback, tmp_path):
    svc = feature_server(loopback)
    url = f"{svc.base}/0/query?where=1%3D1&outFields=*&f=geojson"
    [result] = runner.run(["chemnitz"], {"chemnitz": entry(url, crs="EPSG:25833")}, str(tmp_path))
    assert result["status"] == "failed" and "EPSG:4326" in result["message"], result
