"""Benchmark of the Open311 evaluation: 500,000 defect reports → the published tables.

    .venv/bin/pip install -r requirements-bench.txt   # DuckDB, the baseline
    .venv/bin/python bench/open311_bench.py [--requests 500000] [--smoke]

Generates requests as a GeoReport v2 server answers them (the sample
generator: ids, times and positions in the forms servers send them, with
free text, photos and addresses) into JSON answers of 1,000 requests, as the
harvester's windows fetch them. Then, each in its own process with its peak
memory:
- ours: etl.georeport.requests_table of every answer + etl.defect_reports.publishable
  (types, duplicates, district by point in polygon, grid cell, durations, the
  evaluation per month, category and district) and the CSVs written;
- baseline: one DuckDB query over the same JSON answers (read_json,
  timestamps, duplicates, the same evaluation with quantile_cont). DuckDB
  has no point in polygon without its spatial extension (a download), so it
  joins the districts ours found; ours' own district lookup is in its time.
The two evaluations are compared row by row.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

OURS = """
import glob, json, os, resource, sys, time
import polars as pl
from etl import columnar, defect_reports, georeport
folder = sys.argv[1]
t = time.perf_counter()
with open(os.path.join(folder, "districts.geojson"), encoding="utf-8") as f:
    districts = defect_reports.district_shapes(json.load(f), "name", "bench")
with open(os.path.join(folder, "services.json"), "rb") as f:
    services, _ = georeport.parse(f.read(), "json", "services", "bench")
answers = []
for path in sorted(glob.glob(os.path.join(folder, "answers", "*.json"))):
    with open(path, "rb") as f:
        answers.append(georeport.requests_table(f.read(), "json", path, defect_reports.FIELDS)[0])
raw = pl.concat(answers)
parsed = time.perf_counter() - t
requests, evaluation, counts = defect_reports.publishable(raw, services, districts, "bench")
columnar.write_csv(defect_reports.text_times(requests), os.path.join(folder, "meldungen.csv"))
columnar.write_csv(evaluation, os.path.join(folder, "auswertung.csv"))
seconds = time.perf_counter() - t
requests.select("service_request_id", "district").write_csv(os.path.join(folder, "districts.csv"))
print(json.dumps({"seconds": seconds, "parse_seconds": parsed, "requests": requests.height,
                  "groups": evaluation.height,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""

# The same steps as etl/defect_reports.py, in SQL.
SQL = """
SET TimeZone = 'Europe/Berlin';
COPY (
WITH raw AS (
  SELECT * FROM read_json('{folder}/answers/*.json', format = 'array', columns = {{
    service_request_id: 'VARCHAR', status: 'VARCHAR', service_code: 'VARCHAR', service_name: 'VARCHAR',
    requested_datetime: 'VARCHAR', updated_datetime: 'VARCHAR'}})),
typed AS (
  SELECT service_request_id AS id, service_code,
         CASE WHEN lower(trim(status)) = 'closed' THEN 'closed' ELSE 'open' END AS status,
         try_cast(replace(requested_datetime, ' ', 'T') AS TIMESTAMPTZ) AS requested,
         try_cast(replace(updated_datetime, ' ', 'T') AS TIMESTAMPTZ) AS updated
  FROM raw WHERE service_request_id IS NOT NULL AND service_code IS NOT NULL AND status IS NOT NULL),
latest AS (
  SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY updated DESC NULLS LAST) AS k
                 FROM typed WHERE requested IS NOT NULL) WHERE k = 1),
placed AS (
  SELECT l.*, d.district, strftime(l.requested, '%Y-%m') AS month,
         CASE WHEN l.status = 'closed' AND l.updated >= l.requested
              THEN round((epoch(l.updated) - epoch(l.requested)) / 86400.0, 3) END AS days
  FROM latest l JOIN read_csv('{folder}/districts.csv', header = true, all_varchar = true) d
    ON d.service_request_id = l.id),
names AS (SELECT service_code, service_name FROM read_json('{folder}/services.json'))
SELECT month, p.service_code, n.service_name, district, count(*) AS reported,
       count(*) FILTER (status = 'closed') AS closed, count(*) FILTER (status = 'open') AS open,
       round(quantile_cont(days, 0.5), 2) AS median_days_to_close,
       round(quantile_cont(days, 0.9), 2) AS p90_days_to_close
FROM placed p LEFT JOIN names n USING (service_code)
GROUP BY ALL ORDER BY month, service_code, district
) TO '{out}' (HEADER, DELIMITER ',');
"""

BASELINE = """
import json, resource, sys, time
import duckdb
t = time.perf_counter()
duckdb.connect().execute(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


GENERATE = """
import sys
sys.path.insert(0, sys.argv[3])
from bench.open311_bench import generate
generate(sys.argv[1], int(sys.argv[2]))
"""


def generate(folder: str, count: int) -> None:
    from harvesters.samples.open311.generate import requests, services
    os.makedirs(os.path.join(folder, "answers"))
    records = requests(count, days=730, seed=2026)
    for n, start in enumerate(range(0, len(records), 1000)):
        with open(os.path.join(folder, "answers", f"{n:05d}.json"), "w", encoding="utf-8") as f:
            json.dump(records[start:start + 1000], f, ensure_ascii=False)
    with open(os.path.join(folder, "services.json"), "w", encoding="utf-8") as f:
        json.dump(services(), f, ensure_ascii=False)
    with open(os.path.join(ROOT, "harvesters", "samples", "gis", "stadtteile.geojson"), "rb") as src, \
            open(os.path.join(folder, "districts.geojson"), "wb") as dst:
        dst.write(src.read())


def run(code: str, *args: str, output: bool = True) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=ROOT))
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1]) if output else {}


def differences(ours: str, theirs: str) -> int:
    import polars as pl
    key = ["month", "service_code", "district"]
    a = pl.read_csv(ours, infer_schema=False).sort(key)
    b = pl.read_csv(theirs, infer_schema=False).sort(key)
    if a.height != b.height or a.select(key).to_dicts() != b.select(key).to_dicts():
        return max(a.height, b.height)
    differ = 0
    for left, right in zip(a.iter_rows(), b.iter_rows()):
        for x, y in zip(left, right):
            if x != y and not (x and y and abs(float(x) - float(y)) <= 0.011):
                differ += 1
                break
    return differ


def main() -> None:
    import importlib.util

    from bench import options
    args = options.parse(__doc__, {"requests": 5_000}, "5,000 requests: shows the bench runs",
                         requests=500_000)
    have_duckdb = options.baseline(args, importlib.util.find_spec("duckdb") is not None,
                                   "DuckDB is not installed: pip install -r requirements-bench.txt")
    count = args.requests
    with tempfile.TemporaryDirectory(prefix="open311-bench-") as folder:
        t = time.perf_counter()
        # In a process of its own: a child's peak memory starts from its parent's (Linux keeps
        # maxrss across fork and exec), and the generator's would be counted for both runs.
        run(GENERATE, folder, str(count), ROOT, output=False)
        answers = os.path.join(folder, "answers")
        size = sum(os.path.getsize(os.path.join(answers, n)) for n in os.listdir(answers))
        print(f"{count:,} requests in {count // 1000 or 1} answers ({size / 1e6:.0f} MB JSON), "
              f"generated in {time.perf_counter() - t:.1f} s")
        ours = run(OURS, folder)
        print(f"ours (etl/defect_reports.py)  {ours['seconds']:.2f} s  ({ours['parse_seconds']:.2f} s reading the "
              f"answers), {ours['requests'] / ours['seconds']:,.0f} requests/s, peak {ours['peak_mb']} MB, "
              f"{ours['groups']:,} groups")
        if not have_duckdb:
            print("baseline skipped: DuckDB is not installed (pip install -r requirements-bench.txt)")
            return
        out = os.path.join(folder, "duckdb.csv")
        baseline = run(BASELINE, SQL.format(folder=folder, out=out))
        print(f"baseline (one DuckDB query)   {baseline['seconds']:.2f} s, peak {baseline['peak_mb']} MB")
        print(f"ratio ours/DuckDB: time {ours['seconds'] / baseline['seconds']:.2f}, "
              f"memory {ours['peak_mb'] / max(baseline['peak_mb'], 1):.2f}; "
              f"groups that differ: {differences(os.path.join(folder, 'auswertung.csv'), out)}")


if __name__ == "__main__":
    main()
