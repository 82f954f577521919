"""Benchmarks that never rot (issue 19): every script in bench/ runs at its
--smoke size, with the portal's plugin set (test.ini) on the test database
and DataStore, and must finish and print its figures. No timing is asserted:
the figures of a smoke run mean nothing; that the bench still runs does.

A baseline whose program is not installed (ogr2ogr from gdal-bin, DuckDB from
requirements-bench.txt) is skipped by the bench at smoke size, and says so."""
import glob
import os
import re
import subprocess
import sys

import pytest

from ckan.common import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# bench -> a line its report prints
BENCHES = {
    "budget_bench.py": r"ours \(polars, etl/budget\.py\)\s+[\d.]+",
    "datastore_bench.py": r"datastore_search_sql GROUP BY genus, district over [\d,]+ rows: p50 \d+ ms",
    "dcat_import_bench.py": r"first run: \d+/\d+ datasets ok",
    "gis_bench.py": r"ours: capabilities \+ paged GetFeature.*\d+\.\d",
    "load_bench.py": r"\ball\s+\d+\s+[\d.]+",
    "oparl_bench.py": r"ours: walk \+ tables \+ validation\s+[\d.]+",
    "open311_bench.py": r"ours \(etl/defect_reports\.py\)\s+[\d.]+",
    "pgsearch_bench.py": r"free text\s+\d+\s+[\d.]+\s+[\d.]+",
    "sensors_bench.py": r"ours \(polars, etl/sensors\.py\)\s+[\d.]+",
    "shacl_bench.py": r"whole catalogue as one graph: \d+ datasets",
    "trees_bench.py": r"ours: read\+transform\+reproject\+write\+validate\s+[\d.]+",
    "tree_wfs_bench.py": r"ours: WFS pages through harvesters/ogc\.py to a table\s+[\d.]+",
    "validation_bench.py": r"ours, one core\s+[\d.]+",
}


def test_every_bench_has_a_smoke_run_here():
    found = {os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "bench", "*_bench.py"))}
    assert found == set(BENCHES)


def environment() -> dict:
    """The test run's own databases, also where test.ini was overridden
    (bin/test-db, bin/setup-datastore --test)."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    for key, var in (("sqlalchemy.url", "CKAN_SQLALCHEMY_URL"), ("ckan.redis.url", "CKAN_REDIS_URL"),
                     ("ckan.datastore.write_url", "CKAN_DATASTORE_WRITE_URL"),
                     ("ckan.datastore.read_url", "CKAN_DATASTORE_READ_URL"),
                     ("ckan.storage_path", "CKAN_STORAGE_PATH")):
        if config.get(key):
            env[var] = str(config[key])
    return env


@pytest.fixture
def no_open_transaction():
    """Some benches empty the test database first: this process must hold
    no lock on its tables meanwhile."""
    import ckan.model as model
    model.Session.remove()
    model.meta.engine.dispose()


@pytest.mark.usefixtures("no_open_transaction")
@pytest.mark.parametrize("bench", sorted(BENCHES))
def test_the_bench_runs_at_smoke_size(bench):
    done = subprocess.run([sys.executable, os.path.join(ROOT, "bench", bench), "--smoke"], cwd=ROOT,
                          env=environment(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(BENCHES[bench], done.stdout), done.stdout[-3000:]
