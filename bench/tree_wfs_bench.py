"""Benchmark of a tree register read from a WFS layer (issue 20, Berlin).

    .venv/bin/python bench/tree_wfs_bench.py [--trees 100000] [--page-size 10000]

Generates Berlin-shaped street trees (harvesters/samples/gis/berlin_baeume.map's
fields, EPSG:25833), serves them with Debian's MapServer on loopback (WFS 2.0,
CountDefault = page size) and times, one after the other in this process:
- ours: harvesters/kinds/tree_wfs.read — capabilities, every GetFeature page
  through harvesters/ogc.py's WFS, points to x/y, properties as text;
- baseline: the same trees as one GeoJSON file read by the kind's file path
  (etl/tree_formats.read_geojson), i.e. what a download of the whole layer costs
  to read once it is on disk.
The ratio includes MapServer's own time to answer every page (from a shapefile
made by ogr2ogr where gdal-bin is installed, else the GeoJSON through OGR),
which a real service's server pays instead.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import options  # noqa: E402

SPECIES = [("Winter-Linde", "Tilia cordata", "TILIA"), ("Spitz-Ahorn", "Acer platanoides", "ACER"),
           ("Stiel-Eiche", "Quercus robur", "QUERCUS"), ("Hänge-Birke", "Betula pendula", "BETULA")]


def generate(path: str, n: int) -> None:
    rnd = random.Random(20)
    features = []
    for i in range(n):
        de, bot, genus = rnd.choice(SPECIES)
        features.append({"type": "Feature", "properties": {
            "gisid": f"00008100_{i:08x}", "art_dtsch": de, "art_bot": bot, "gattung": genus,
            "pflanzjahr": str(rnd.randint(1900, 2023)), "kronedurch": float(rnd.choice([0, rnd.randint(2, 15)])),
            "stammumfg": rnd.randint(20, 300), "baumhoehe": float(rnd.randint(0, 30)), "bezirk": "Mitte"},
            "geometry": {"type": "Point", "coordinates": [round(rnd.uniform(370000, 415000), 2),
                                                          round(rnd.uniform(5800000, 5835000), 2)]}})
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)


def main() -> None:
    args = options.parse(__doc__, {"trees": 2_000, "page_size": 500},
                         "2,000 trees in pages of 500: it still runs", trees=100_000, page_size=10_000)
    os.environ.setdefault("JENA_OUTBOUND_ALLOW", "127.0.0.1")  # the loopback MapServer only
    from etl import tree_formats
    from harvesters.kinds import tree_register, tree_wfs
    from harvesters.samples import mapserver_cgi
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "baeume.geojson")
        generate(data, args.trees)
        served = data
        if shutil.which("ogr2ogr"):  # MapServer pages a shapefile far faster than GeoJSON (as gis_bench.py)
            served = os.path.join(tmp, "baeume.shp")
            subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", served, data, "-lco", "ENCODING=UTF-8"], check=True)
        with open(os.path.join(mapserver_cgi.GIS, "berlin_baeume.map"), encoding="utf-8") as f:
            text = f.read().replace('CONNECTION "berlin_strassenbaeume.geojson"', f'CONNECTION "{served}"')
        text = text.replace('"wfs_maxfeatures" "5"', f'"wfs_maxfeatures" "{args.page_size}"')
        mapfile = os.path.join(tmp, "bench.map")
        with open(mapfile, "w", encoding="utf-8") as f:
            f.write(text)
        with mapserver_cgi.serve({"bench": mapfile}) as base:
            config = tree_register.TreeConfig(kind="tree_register", url=f"{base}/ows/bench", format="wfs",
                                              layer="strassenbaeume", crs="EPSG:25833", organization="bench",
                                              columns={"source_id": "gisid"}, timeout=120, attempts=1)
            t0 = time.perf_counter()
            ours = tree_wfs.read("bench", config)
            wall_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        with open(data, "rb") as f:
            base_frame = tree_formats.read_geojson(f.read())
        wall_base = time.perf_counter() - t0
    assert ours.height == base_frame.height == args.trees, (ours.height, base_frame.height)
    print(f"{args.trees:,} trees, pages of {args.page_size:,}")
    print(f"ours: WFS pages through harvesters/ogc.py to a table  {wall_ours:8.2f} s")
    print(f"baseline: the same trees as one GeoJSON file read     {wall_base:8.2f} s")
    print(f"ratio ours/baseline  {wall_ours / wall_base:.2f}")


if __name__ == "__main__":
    main()
