"""Benchmark of the GIS harvester: one WFS layer of 200,000 features.

    .venv/bin/python bench/gis_bench.py [--features 200000] [--page-size 10000]

Generates building footprints (5-vertex polygons, EPSG:25832, four
attributes) around Jena, converts them to a shapefile with ogr2ogr (Debian
gdal-bin), serves them with Debian's MapServer on loopback (WFS 2.0), and
times, each in its own process:
- ours: the harvester for that layer (capabilities, DescribeFeatureType,
  paged GetFeature, geometry check, reprojection to EPSG:4326, GeoJSON + CSV,
  frictionless validation) with its peak memory;
- baseline: ogr2ogr reading the same layer from the same server
  (GDAL's WFS driver, paging on) into GeoJSON in EPSG:4326;
- ours over OGC API – Features: the same layer from the same MapServer's
  /ogcapi (items with limit = page size along the next links).
Goal (issue 19): ours at most ogr2ogr's time (issue 7: 1.5×), memory bounded.
Ours fetches `concurrency` pages at a time (default 3), ogr2ogr one after another;
ogr2ogr runs right after ours (the same load on a shared machine). CPU
seconds are printed too: ours (with its validation processes), ogr2ogr's,
and MapServer's for each (on 2 cores the server's share bounds both).
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

import options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

MAP = """MAP
  NAME "bench"
  EXTENT 670000 5630000 695000 5655000
  PROJECTION "init=epsg:25832" END
  OUTPUTFORMAT
    NAME "geojson"
    DRIVER "OGR/GEOJSON"
    MIMETYPE "application/geo+json"
    FORMATOPTION "STORAGE=stream"
    FORMATOPTION "FORM=SIMPLE"
  END
  WEB METADATA
    "ows_title" "Bench" "ows_srs" "EPSG:25832 EPSG:4326" "ows_enable_request" "*"
    "wfs_getfeature_formatlist" "geojson,application/gml+xml; version=3.2"
    "ows_accessconstraints" "dl-de/by-2-0"
    "oga_onlineresource" "/ows/bench/ogcapi"
  END END
  LAYER
    NAME "gebaeude"
    TYPE POLYGON
    TEMPLATE "ogcapi"
    DATA "gebaeude"
    PROJECTION "init=epsg:25832" END
    METADATA
      "ows_title" "Gebäude" "gml_include_items" "all" "gml_types" "auto" "gml_featureid" "nummer"
      "wfs_use_default_extent_for_getfeature" "false"
    END
  END
END
"""

OURS = """
import json, os, resource, sys, time
from harvesters import runner
config = json.loads(sys.argv[1])
validating = runner._validate_tables
spent = []
def timed(*args):  # the validation's share of the time (a stage of its own)
    t = time.perf_counter()
    try:
        return validating(*args)
    finally:
        spent.append(time.perf_counter() - t)
runner._validate_tables = timed
t, cpu = time.perf_counter(), os.times()
result = runner.run(["bench"], {"bench": config}, sys.argv[2])
seconds, done = time.perf_counter() - t, os.times()
print(json.dumps({"seconds": seconds, "results": result, "validation_seconds": sum(spent),
                  "cpu": sum(done[:4]) - sum(cpu[:4]), "process_cpu": sum(done[:4]),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


OGR = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True)
if done.returncode:
    sys.exit(done.stderr[-1000:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([time.perf_counter() - t, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime]))
"""


def generate(path: str, n: int) -> None:
    rng = random.Random(7743)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::25832"}},"features":[\n')
        for i in range(n):
            x, y = rng.uniform(672000, 692000), rng.uniform(5633000, 5653000)
            w, h = rng.uniform(6, 30), rng.uniform(6, 20)
            ring = [[round(x, 2), round(y, 2)], [round(x + w, 2), round(y, 2)], [round(x + w, 2), round(y + h, 2)],
                    [round(x, 2), round(y + h, 2)], [round(x, 2), round(y, 2)]]
            props = {"nummer": i + 1, "nutzung": rng.choice(["Wohnen", "Gewerbe", "Öffentlich", "Garage"]),
                     "geschosse": rng.randint(1, 11), "baujahr": rng.randint(1850, 2025)}
            f.write(("," if i else "") + json.dumps({"type": "Feature", "properties": props,
                                                     "geometry": {"type": "Polygon", "coordinates": [ring]}}) + "\n")
        f.write("]}\n")


def _children_cpu() -> float:
    """CPU seconds of this process's finished children: the mapserv runs of the
    loopback server and the measured programs."""
    times = os.times()
    return times.children_user + times.children_system


def _ours(config: dict, out: str) -> tuple[dict, float]:
    """The harvester in a process of its own: (its figures, wall time incl. process start);
    its figures include `server_cpu`, the CPU seconds MapServer spent answering it."""
    t, before = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-c", OURS, json.dumps(config), out],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
    wall = time.perf_counter() - t
    if done.returncode:
        sys.exit(done.stderr[-2000:])
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["server_cpu"] = _children_cpu() - before - figures["process_cpu"]  # its start-up is no server's
    return figures, wall


def main() -> None:
    args = options.parse(__doc__, {"features": 2_000, "page_size": 500},
                         "2,000 polygons in pages of 500: it still runs (without ogr2ogr, no baseline)",
                         features=200_000, page_size=10_000)
    have_ogr = options.baseline(args, shutil.which("ogr2ogr") is not None,
                                "ogr2ogr is missing (apt-get install gdal-bin): it is the baseline")
    from harvesters.samples import mapserver_cgi
    with tempfile.TemporaryDirectory() as tmp:
        generate(os.path.join(tmp, "gebaeude.geojson"), args.features)
        mapfile = MAP
        if have_ogr:
            subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", os.path.join(tmp, "gebaeude.shp"),
                            os.path.join(tmp, "gebaeude.geojson"), "-lco", "ENCODING=UTF-8"], check=True)
            subprocess.run(["shptree", os.path.join(tmp, "gebaeude.shp")], capture_output=True)
        else:  # MapServer reads the GeoJSON itself (through OGR): slower, but it serves the same layer
            mapfile = MAP.replace('    DATA "gebaeude"\n', f'    CONNECTIONTYPE OGR\n    CONNECTION '
                                  f'"{os.path.join(tmp, "gebaeude.geojson")}"\n')
        with open(os.path.join(tmp, "bench.map"), "w", encoding="utf-8") as f:
            f.write(mapfile)
        with mapserver_cgi.serve({"bench": os.path.join(tmp, "bench.map")}) as base:
            url = f"{base}/ows/bench"
            config = {"kind": "ogc_service", "wfs": url, "organization": "bench", "id_field": "nummer",
                      "page_size": args.page_size, "timeout": 300,
                      "network_allow": ["127.0.0.1"]}  # the bench's map server is on loopback
            ours, ours_wall = _ours(config, os.path.join(tmp, "out"))
            entry = ours["results"][0]
            with open(os.path.join(tmp, "out", "bench-gebaeude", "current", "validation-report.json")) as f:
                workers = [p["peak_mb"] for p in json.load(f).get("parts", [])]  # none: validated in-process
            # Right after ours, so that both meet the same load on the machine.
            # Through a small Python parent, so that the peak is ogr2ogr's alone
            # (this process's children include the mapserv runs).
            before = _children_cpu()
            ogr = None if not have_ogr else subprocess.run([sys.executable, "-c", OGR, json.dumps(
                ["ogr2ogr", "-f", "GeoJSON", os.path.join(tmp, "ogr.geojson"), f"WFS:{url}",
                 "gebaeude", "-t_srs", "EPSG:4326", "--config", "OGR_WFS_PAGING_ALLOWED", "ON",
                 "--config", "OGR_WFS_PAGE_SIZE", str(args.page_size)])], capture_output=True, text=True)
            if ogr is not None:
                if ogr.returncode:
                    sys.exit(ogr.stderr[-1000:])
                ogr_seconds, ogr_peak, ogr_cpu = json.loads(ogr.stdout)
                ogr_server_cpu = _children_cpu() - before - ogr_cpu
                with open(os.path.join(tmp, "ogr.geojson"), encoding="utf-8") as f:
                    ogr_count = sum(1 for line in f if line.startswith('{ "type": "Feature"'))
            api_config = {"kind": "ogcapi_features", "url": f"{url}/ogcapi", "organization": "bench",
                          "limit": args.page_size, "timeout": 300, "network_allow": ["127.0.0.1"]}
            api, _ = _ours(api_config, os.path.join(tmp, "out-api"))
            api_entry = api["results"][0]
    n = args.features
    print(f"\nGIS harvester, one WFS 2.0 layer of {n:,} polygons from MapServer on loopback, "
          f"pages of {args.page_size:,}")
    print(f"  {'':58} {'seconds':>8} {'features/s':>11}")
    print(f"  {'ours: capabilities + paged GetFeature + check + reproject':58} {ours['seconds']:8.1f} "
          f"{n / ours['seconds']:11,.0f}   peak {ours['peak_mb']} MB (process start incl.: {ours_wall:.1f} s)")
    print(f"  {'  + GeoJSON + CSV + frictionless validation':58}   validation {ours['validation_seconds']:.1f} s "
          f"(processes: {', '.join(f'{w} MB' for w in workers) or 'in-process'})")
    print(f"  {'  CPU: ours (incl. validation processes) / MapServer for it':58} {ours['cpu']:8.1f} "
          f"{'':11}   MapServer {ours['server_cpu']:.1f} s")
    print(f"  {'ours over OGC API – Features: items + next links + check':58} {api['seconds']:8.1f} "
          f"{n / api['seconds']:11,.0f}   peak {api['peak_mb']} MB; status {api_entry['status']}, "
          f"{api_entry.get('rows')} features, {api_entry.get('warnings', {}).get('pages')} pages")
    if ogr is None:
        print(f"  {'baseline: ogr2ogr':58} skipped: not installed (apt-get install gdal-bin)")
        print(f"  ours: status {entry['status']}, {entry.get('rows')} features, {entry.get('warnings')}")
        return
    print(f"  {'baseline: ogr2ogr WFS → GeoJSON (EPSG:4326)':58} {ogr_seconds:8.1f} {n / ogr_seconds:11,.0f}   "
          f"peak {ogr_peak} MB")
    print(f"  {'  CPU: ogr2ogr / MapServer for it':58} {ogr_cpu:8.1f} {'':11}   MapServer {ogr_server_cpu:.1f} s")
    print(f"  ours / ogr2ogr = {ours['seconds'] / ogr_seconds:.2f} (goal ≤ 1.0, issue 19)")
    print(f"  ours: status {entry['status']}, {entry.get('rows')} features, {entry.get('warnings')}; "
          f"ogr2ogr wrote {ogr_count:,} features")


if __name__ == "__main__":
    main()
