"""Sources on loopback for the harvester tests: the bundled samples served
over HTTP, and routes a test can change to simulate faults."""
import os

import pytest

from harvesters import runner


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "harvesters", "samples")


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


@pytest.fixture
def sources(loopback):
    routes, base = loopback
    routes.clear()
    routes["/jena.csv"] = (sample("jena_baumkataster.csv"), "text/csv; charset=windows-1252", 0)
    routes["/leipzig.csv"] = (sample("leipzig_baeume.csv"), "text/csv", 0)
    config = runner.load_config()
    config["jena"]["url"] = base + "/jena.csv"
    config["leipzig"]["url"] = base + "/leipzig.csv"
    for c in config.values():
        c.update(timeout=1, attempts=2, backoff=0.01)
    return routes, base, config


