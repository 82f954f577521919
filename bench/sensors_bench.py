"""Benchmark of the sensor aggregation: 10,000,000 readings → hourly aggregates.

    .venv/bin/pip install -r requirements-bench.txt   # DuckDB, the baseline
    .venv/bin/python bench/sensors_bench.py [--readings 10000000]

Generates readings like a city network's (2,000 sensors × 5 phenomena, one
value every 150 s, with duplicates, out-of-range values and spikes) into a
Parquet file, then runs, each in its own process with its peak memory:
- ours: etl.sensors.clean + hourly (polars, lazy from the Parquet file):
  duplicates dropped, range and spike checks, hourly mean/min/max/count,
  coverage from each sensor's median interval, flags;
- baseline: the same aggregation written as one DuckDB SQL query on the
  same file.
Both results are compared row by row; both use all cores (their thread
counts are printed). Goal (issue 19): ours ≤ 0.8 of DuckDB's time.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile

import options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

OURS = """
import json, resource, sys, time
import polars as pl
from etl import sensors
t = time.perf_counter()
out = sensors.hourly(sensors.clean(pl.scan_parquet(sys.argv[1])))
seconds = time.perf_counter() - t
out.write_parquet(sys.argv[2])
print(json.dumps({"seconds": seconds, "rows": out.height, "threads": pl.thread_pool_size(),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""

# The same steps as etl/sensors.py, in SQL.
SQL = """
WITH limits(phenomenon, unit, low, high, jump) AS (VALUES
  ('temperature', '°C', -40.0, 60.0, 5.0), ('humidity', '%', 0.0, 100.0, 25.0),
  ('pressure', 'hPa', 850.0, 1100.0, 10.0), ('pm10', 'µg/m³', 0.0, 1000.0, 250.0),
  ('pm2_5', 'µg/m³', 0.0, 1000.0, 250.0)),
dedup AS (
  SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY station_id, phenomenon, "time") AS k
                 FROM read_parquet('{path}') WHERE value IS NOT NULL AND isfinite(value)) WHERE k = 1),
marked AS (
  SELECT d.*, l.unit, date_trunc('hour', d."time") AS hour,
    CASE WHEN d.value < l.low OR d.value > l.high THEN 'range'
         WHEN (d.value - lag(d.value) OVER w > l.jump AND d.value - lead(d.value) OVER w > l.jump)
           OR (lag(d.value) OVER w - d.value > l.jump AND lead(d.value) OVER w - d.value > l.jump) THEN 'spike'
    END AS bad
  FROM dedup d JOIN limits l USING (phenomenon)
  WINDOW w AS (PARTITION BY d.station_id, d.phenomenon ORDER BY d."time")),
good AS (SELECT * FROM marked WHERE bad IS NULL),
intervals AS (
  SELECT station_id, phenomenon, median(step) AS interval FROM (
    SELECT station_id, phenomenon,
           epoch("time") - epoch(lag("time") OVER (PARTITION BY station_id, phenomenon ORDER BY "time")) AS step
    FROM good) WHERE step > 0 GROUP BY ALL),
stats AS (
  SELECT station_id, phenomenon, hour, last(location_id ORDER BY "time") AS location_id, first(source) AS source,
         first(unit) AS unit, avg(value) AS mean, min(value) AS min, max(value) AS max, count(*) AS count,
         avg(latitude) AS latitude, avg(longitude) AS longitude
  FROM good GROUP BY station_id, phenomenon, hour),
bad AS (SELECT station_id, phenomenon, hour, count(*) FILTER (bad = 'range') AS n_range,
               count(*) FILTER (bad = 'spike') AS n_spike FROM marked WHERE bad IS NOT NULL GROUP BY ALL),
joined AS (
  SELECT s.*, coalesce(b.n_range, 0) AS n_range, coalesce(b.n_spike, 0) AS n_spike,
         least(greatest(s.count * coalesce(i.interval, 150.0) / 36.0, 0), 100) AS coverage
  FROM stats s LEFT JOIN bad b USING (station_id, phenomenon, hour) LEFT JOIN intervals i USING (station_id, phenomenon)),
humid AS (SELECT location_id, hour, mean AS humidity FROM joined WHERE phenomenon = 'humidity')
SELECT j.station_id, j.location_id, j.source, j.phenomenon, j.unit, j.hour AS hour_start_utc,
       round(j.mean, 3) AS mean, round(j.min, 3) AS min, round(j.max, 3) AS max, j.count,
       round(j.coverage, 1) AS coverage_pct,
       concat_ws(' ', CASE WHEN n_range > 0 THEN 'range' END, CASE WHEN n_spike > 0 THEN 'spike' END,
                 CASE WHEN j.count >= 4 AND j.max = j.min THEN 'stuck' END,
                 CASE WHEN j.coverage < 75 THEN 'low_coverage' END,
                 CASE WHEN j.phenomenon LIKE 'pm%' AND h.humidity > 70 THEN 'pm_humidity' END) AS flags,
       round(j.latitude, 6) AS latitude, round(j.longitude, 6) AS longitude
FROM joined j LEFT JOIN humid h USING (location_id, hour)
ORDER BY j.station_id, j.phenomenon, j.hour
"""

DUCK = """
import json, resource, sys, time
import duckdb
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
t = time.perf_counter()
con.execute("COPY (" + sys.argv[3] + ") TO '" + sys.argv[2] + "' (FORMAT parquet)")
seconds = time.perf_counter() - t
rows = con.execute("SELECT count(*) FROM read_parquet('" + sys.argv[2] + "')").fetchone()[0]
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(json.dumps({"seconds": seconds, "rows": rows, "threads": threads,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def generate(path: str, n: int) -> None:
    import numpy as np
    import polars as pl
    rng = np.random.default_rng(7745)
    phenomena = ["temperature", "humidity", "pressure", "pm10", "pm2_5"]
    base = {"temperature": 18.0, "humidity": 60.0, "pressure": 1005.0, "pm10": 15.0, "pm2_5": 9.0}
    per_series = 2_000 * 5
    steps = n // per_series
    station = np.repeat(np.arange(2_000), 5 * steps)
    phen = np.tile(np.repeat(np.arange(5), steps), 2_000)
    step = np.tile(np.arange(steps), per_series)
    seconds = step * 150 + rng.integers(0, 20, size=station.size)
    value = np.array([base[p] for p in phenomena])[phen] + rng.normal(0, 1.0, size=station.size) \
        + np.sin(step / 576 * 2 * np.pi) * 5
    value[rng.random(station.size) < 0.001] = 9999.0            # out of range
    value[rng.random(station.size) < 0.001] += 400.0            # spikes
    frame = pl.DataFrame({
        "station_id": pl.Series((station * 10 + phen // 3).astype(str)).cast(pl.String),
        "location_id": pl.Series(station.astype(str)).cast(pl.String),
        "source": "bench", "sensor_type": np.where(phen < 3, "BME280", "SDS011"),
        "phenomenon": pl.Series(np.array(phenomena)[phen]),
        "value": value,
        "time": pl.Series((seconds + 1_782_864_000) * 1_000_000).cast(pl.Datetime("us", "UTC")),  # from 2026-07-01
        "latitude": 50.85 + (station % 50) * 0.003, "longitude": 11.45 + (station // 50) * 0.005,
    })
    dup = frame.sample(fraction=0.01, seed=1)                      # readings sent twice
    pl.concat([frame, dup]).sample(fraction=1.0, shuffle=True, seed=2).write_parquet(path)


def main() -> None:
    args = options.parse(__doc__, {"readings": 100_000},
                         "100,000 readings: it still runs (without DuckDB installed, no baseline)",
                         readings=10_000_000)
    import importlib.util
    have_duckdb = options.baseline(
        args, importlib.util.find_spec("duckdb") is not None,
        "DuckDB is missing (.venv/bin/pip install -r requirements-bench.txt): it is the baseline")
    import polars as pl
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "readings.parquet")
        # In a process of its own: a child's peak memory (ru_maxrss) starts
        # from its parent's size at the fork, and generating 10 M readings
        # takes 2.6 GB; both runs' peaks were that floor.
        maker = multiprocessing.get_context("spawn").Process(target=generate, args=(src, args.readings))
        maker.start()
        maker.join()
        if maker.exitcode:
            sys.exit(f"generating the readings failed (exit code {maker.exitcode})")
        n = pl.scan_parquet(src).select(pl.len()).collect().item()
        env = dict(os.environ, PYTHONPATH=ROOT)
        results = {}
        runs = [("ours", OURS, [])] + ([("duckdb", DUCK, [SQL.format(path=src)])] if have_duckdb else [])
        for name, code, extra in runs:
            out = os.path.join(tmp, f"{name}.parquet")
            done = subprocess.run([sys.executable, "-c", code, src, out] + extra, capture_output=True, text=True, env=env)
            if done.returncode:
                sys.exit(f"{name} failed: {done.stderr[-2000:]}")
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        ours = pl.read_parquet(os.path.join(tmp, "ours.parquet"))
        differ = None
        if have_duckdb:
            duck = pl.read_parquet(os.path.join(tmp, "duckdb.parquet")).with_columns(
                pl.col("hour_start_utc").dt.convert_time_zone("UTC").dt.cast_time_unit("us"),
                pl.col("count").cast(pl.UInt32))
            key = ["station_id", "phenomenon", "hour_start_utc"]
            both = ours.join(duck, on=key, how="full", suffix="_duck")
            differ = both.filter(pl.any_horizontal(
                [pl.col(c).ne_missing(pl.col(f"{c}_duck"))
                 for c in ("mean", "min", "max", "count", "coverage_pct", "flags")]))
    o = results["ours"]
    print(f"\nsensor aggregation: {n:,} readings (2,000 sensors × 5 phenomena, 150 s, 1 % duplicates) → hourly")
    print(f"  {'':36} {'seconds':>8} {'readings/s':>12} {'peak MB':>8} {'rows':>9} {'threads':>7}")
    print(f"  {'ours (polars, etl/sensors.py)':36} {o['seconds']:8.1f} {n / o['seconds']:12,.0f} {o['peak_mb']:8}"
          f" {o['rows']:9,} {o['threads']:7}")
    if differ is None:
        print(f"  {'one DuckDB SQL query':36} skipped: DuckDB not installed (requirements-bench.txt)")
        return
    d = results["duckdb"]
    print(f"  {'one DuckDB SQL query':36} {d['seconds']:8.1f} {n / d['seconds']:12,.0f} {d['peak_mb']:8}"
          f" {d['rows']:9,} {d['threads']:7}")
    print(f"  ours / DuckDB = {o['seconds'] / d['seconds']:.2f} (goal ≤ 0.8); rows that differ: {differ.height}")


if __name__ == "__main__":
    main()
