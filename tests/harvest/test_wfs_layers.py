"""Several layers of one WFS harvested at the same time (issue 19): the
sample service on Debian's MapServer behind a loopback proxy that counts
the GetFeature requests in flight; the portal gets every layer as a run of
one layer at a time gives it, a layer that breaks half-way fails alone, and
the service never has more requests at once than `concurrency` allows, nor
a layer that fits in one page more than one request."""
import collections
import threading
import urllib.parse

import pytest

from ckan import logic
from ckan.tests import helpers

from ..loopback import serve
from .test_gis import EXCEPTION, _proxied, harvest, mapserver, service  # noqa: F401 (mapserver: a fixture)

LAYERS = ("gruenflaechen", "haltestellen", "radwege", "spielplaetze", "stadtteile")


def _layer(path):
    query = urllib.parse.parse_qs(path.partition("?")[2])
    names = {k.lower(): v[0] for k, v in query.items()}
    return (names.get("typenames") or names.get("typename") or "").rpartition(":")[2]


class Flight:
    """GetFeature requests through the proxy: how many at once at most, and
    whether requests of two layers were in flight together. The first one
    waits (a few seconds at most) for a request of another layer: one layer
    after another, none comes."""

    def __init__(self, route):
        self.route, self.lock, self.flying = route, threading.Lock(), []
        self.most, self.together, self.first = 0, set(), None
        self.requests = collections.Counter()  # GetFeature requests per layer
        self.other = threading.Event()

    def __call__(self, path):
        if "GetFeature" not in path:
            return self.route(path)
        layer = _layer(path)
        with self.lock:
            self.flying.append(layer)
            self.requests[layer] += 1
            self.most = max(self.most, len(self.flying))
            if len(set(self.flying)) > 1:
                self.together.add(frozenset(self.flying))
            first, self.first = self.first is None, self.first or layer
            if not first and layer != self.first:
                self.other.set()
        try:
            if first:
                self.other.wait(4)
            return self.route(path)
        finally:
            with self.lock:
                self.flying.remove(layer)


def _files(folder, layer):
    return [(folder / f"geodaten-jena-{layer}" / "current" / f"{layer}.{ext}").read_bytes()
            for ext in ("csv", "geojson")]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_layers_harvested_at_once_are_published_as_one_at_a_time_and_a_broken_one_fails_alone(
        mapserver, tmp_path, harvester_ckan):
    upstream, _ = mapserver
    one_by_one = harvest(service(upstream, wms=None, page_size=25, layers_at_once=1), tmp_path / "a")
    assert {r["status"] for r in one_by_one.values()} == {"ok"} and len(one_by_one) == 5

    def radwege_breaks_on_page_2(path, body):
        broken = _layer(path) == "radwege" and "STARTINDEX=25" in path.upper()
        return EXCEPTION if "GetFeature" in path and broken else body

    route, state = _proxied(upstream, radwege_breaks_on_page_2)
    flight = Flight(route)
    with serve({"/wfs?*": flight}) as base:
        state["base"] = base
        config = service(base, wms=None, page_size=25, layers_at_once=3, concurrency=2, timeout=10)
        config["wfs"] = base + "/wfs"
        results = harvest(config, tmp_path / "b", harvester_ckan)

    assert list(results) == [f"geodaten-jena-{n}" for n in LAYERS]  # recorded in their order
    assert results["geodaten-jena-radwege"]["status"] == "failed"
    assert results["geodaten-jena-radwege"]["message"] == (
        "geodaten-jena: the WFS answered GetFeature for layer radwege with an exception: [NoApplicableCode] "
        "msWFSGetCapabilities(): WFS server error. Datenbankverbindung fehlgeschlagen")
    assert not (tmp_path / "b" / "geodaten-jena-radwege" / "current").exists()
    with pytest.raises(logic.NotFound):
        helpers.call_action("package_show", id="geodaten-jena-radwege")
    for layer in set(LAYERS) - {"radwege"}:
        result = results[f"geodaten-jena-{layer}"]
        assert result["status"] == "ok" and result["rows"] == one_by_one[f"geodaten-jena-{layer}"]["rows"], result
        assert _files(tmp_path / "b", layer) == _files(tmp_path / "a", layer)
        pkg = helpers.call_action("package_show", id=f"geodaten-jena-{layer}")
        assert pkg["harvest_status"] == "ok"
        assert {r["name"] for r in pkg["resources"]} >= {f"{layer}.csv", f"{layer}.geojson", "WFS-Dienst"}
    assert flight.together, "no two layers were ever fetched at the same time"
    assert flight.most <= 2  # the service's concurrency, all layers together
    assert flight.requests["stadtteile"] == 1  # 20 districts: one page, no request past it
