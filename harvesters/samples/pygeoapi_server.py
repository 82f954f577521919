"""pygeoapi (PyPI, requirements-dev.txt) serving the GIS sample layers as
OGC API – Features.

    python -m harvesters.samples.pygeoapi_server [--port 5004]

Writes a pygeoapi configuration of the sample GeoJSON files (EPSG:25832,
declared as the collections' storage CRS, so pygeoapi reprojects to CRS84
or answers `crs=` in 25832) with the titles, abstracts and keywords of
gis/layers.inc, and runs pygeoapi's Flask app on loopback (no debug
reloader). Used by tests/harvest/test_pygeoapi.py beside MapServer's and
QGIS Server's OGC API.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from typing import Iterator

from pyproj import Transformer

from .qgis_project import SERVICE, sample_layers
from .qgis_server import Server

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG25832 = "http://www.opengis.net/def/crs/EPSG/0/25832"
LICENCE = {"type": "text/html", "rel": "license", "href": "https://www.govdata.de/dl-de/by-2-0",
           "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0"}
# pygeoapi reads its configuration and OpenAPI document at import: a child process per config.
RUN = ("import sys; from pygeoapi.flask_app import APP; "
       "APP.run(host='127.0.0.1', port=int(sys.argv[1]), debug=False, threaded=True)")


def _extent(path: str) -> list[float]:
    """The file's features' extent in CRS84 (pygeoapi takes the configured one as it is)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    xs, ys = [], []

    def walk(c):
        if c and isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for part in c:
                walk(part)
    for feature in data["features"]:
        if feature.get("geometry"):
            walk(feature["geometry"]["coordinates"])
    w, s, e, n = Transformer.from_crs("EPSG:25832", "OGC:CRS84", always_xy=True).transform_bounds(
        min(xs), min(ys), max(xs), max(ys), densify_pts=50)
    return [round(w, 6), round(s, 6), round(e, 6), round(n, 6)]


def config(port: int, drop: tuple[str, ...] = ()) -> dict:
    resources = {}
    for spec in sample_layers():
        if spec["name"] in drop:
            continue
        resources[spec["name"]] = {
            "type": "collection", "title": spec["title"], "description": spec["abstract"],
            "keywords": spec["keywords"], "links": [LICENCE],
            "extents": {"spatial": {"bbox": _extent(spec["file"]), "crs": CRS84}},
            "providers": [{"type": "feature", "name": "GeoJSON", "data": spec["file"], "id_field": "nummer",
                           "storage_crs": EPSG25832, "crs": [CRS84, EPSG25832]}]}
    base = f"http://127.0.0.1:{port}"
    return {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": base,
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "gzip": False,
                   "languages": ["de-DE"], "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": SERVICE["title"].replace("QGIS Server", "pygeoapi"),
                               "description": SERVICE["abstract"], "keywords": SERVICE["keywords"],
                               "keywords_type": "theme", "terms_of_service": LICENCE["href"], "url": base},
            "license": {"name": LICENCE["title"], "url": LICENCE["href"]},
            "provider": {"name": "Stadt Jena", "url": base},
            "contact": {"name": "Fachdienst Geoinformation", "email": "geodaten@jena.example"}},
        "resources": resources}


class PygeoapiServer(Server):
    """pygeoapi on one configuration file (YAML; JSON is YAML)."""
    name = "pygeoapi"
    probe = "/collections?f=json"

    def write(self, drop: tuple[str, ...] = ()) -> None:
        with open(self.project, "w", encoding="utf-8") as f:
            json.dump(config(self.port, drop), f, ensure_ascii=False, indent=1)
        openapi = self.project + ".openapi.yml"
        done = subprocess.run([sys.executable, "-c", "from pygeoapi import cli; cli()", "openapi", "generate", self.project,
                               "--output-file", openapi], capture_output=True, text=True, timeout=120,
                              env=self._env())
        if done.returncode != 0:
            raise RuntimeError(f"pygeoapi openapi generate failed (run bin/setup?): {done.stderr[-2000:]}")

    def _env(self) -> dict:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                "HOME": os.path.dirname(self.project), "PYGEOAPI_CONFIG": self.project,
                "PYGEOAPI_OPENAPI": self.project + ".openapi.yml"}

    def command(self) -> tuple[list[str], dict]:
        return [sys.executable, "-c", RUN, str(self.port)], self._env()


@contextlib.contextmanager
def serve(drop: tuple[str, ...] = (), port: int = 0) -> Iterator[PygeoapiServer]:
    """pygeoapi with the sample layers on loopback; yields the running server (its landing page: .base)."""
    with tempfile.TemporaryDirectory(prefix="pygeoapi-") as tmp:
        server = PygeoapiServer(os.path.join(tmp, "pygeoapi.config.yml"), port)
        server.write(drop)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5004)
    args = parser.parse_args()
    with serve(port=args.port) as server:
        print(f"pygeoapi on {server.base}", flush=True)
        server.wait()


if __name__ == "__main__":
    main()
