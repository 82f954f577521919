"""Benchmark of the budget transform: a wide product budget → long format and overview.

    .venv/bin/pip install -r requirements-bench.txt   # DuckDB, the baseline
    .venv/bin/python bench/budget_bench.py [--years 50 --products 5000 --accounts 4]

Generates one budget file as cities export it (harvesters/samples/budget/generate.py:
semicolons, German amounts, income negative, an Ist and a Plan column per year; 50 years ×
5,000 products × 4 accounts = 20,000 lines × 100 year columns = 2,000,000 figures), then
runs, each in its own process with its peak memory:
- ours: etl/budget.py as the harvester runs it (read as text, column roles, totals and
  sub-totals found and checked, unpivot, German amounts, direction and statement from the
  account, newest file per year, names, overview per product area) and both CSVs written;
- baseline: the plain way, one DuckDB SQL script over the same file (UNPIVOT, the amounts
  with replace() and TRY_CAST, direction from the account class, GROUP BY for the
  overview, COPY to CSV), without looking for totals rows.
Both results are compared: rows of the long table and the overview's sums.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

OURS = """
import json, resource, sys, time
from collections import Counter
import polars as pl
from etl import budget, columnar, package
from harvesters.kinds.budget import BudgetConfig
t = time.perf_counter()  # after the imports, as in the baseline
config = BudgetConfig(kind="budget", organization="bench", url="file:bench")
roles = {"product": config.product, "product_title": config.product_title, "account": config.account,
         "account_title": config.account_title, "centre": config.centre}
warnings = Counter()
with open(sys.argv[1], encoding="utf-8") as f:
    frame = columnar.read_text_table(f.read(), ";")
lay = budget.layout("bench.csv", frame.columns, roles, config.phases, config.ignore)
detail, sums, names = budget.read_file("bench.csv", frame, lay, 0, config.totals, warnings)
del frame
detail, names = budget.settle_sums(detail, sums, names, warnings)
long = budget.to_long(detail, names, budget.area_titles(sums, {}), warnings)
summary = budget.overview(long)
for frame, name, path in ((long, "budget", sys.argv[2] + "-long.csv"),
                          (summary, "budget_overview", sys.argv[2] + "-overview.csv")):
    columnar.write_csv(frame.select([f["name"] for f in package.table_schema(name)["fields"]]), path)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rows": long.height, "areas": summary.height,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""

SQL = r"""
CREATE TEMP TABLE long AS
WITH wide AS (SELECT * FROM read_csv('{path}', delim=';', header=true, all_varchar=true)),
cells AS (UNPIVOT wide ON COLUMNS('^(Ist|Plan) [0-9]{{4}}$') INTO NAME col VALUE raw),
parsed AS (
  SELECT "Objektnr." AS product_code, "Bezeichnung" AS product_title, "Kostenart" AS account_code,
         "Kostenart Beschreibung" AS account_title,
         CASE WHEN starts_with(col, 'Ist') THEN 'result' ELSE 'plan' END AS phase,
         CAST(right(col, 4) AS INTEGER) AS fiscal_year,
         TRY_CAST(replace(replace(raw, '.', ''), ',', '.') AS DOUBLE) AS value
  FROM cells)
SELECT product_code, split_part(product_code, '.', 1) AS product_area, product_title, account_code, account_title,
       CASE WHEN left(account_code, 1) IN ('4', '5') THEN 'ergebnis' WHEN left(account_code, 1) IN ('6', '7')
            THEN 'finanz' END AS statement,
       CASE WHEN left(account_code, 1) IN ('4', '6') THEN 'revenue' WHEN left(account_code, 1) IN ('5', '7')
            THEN 'expenditure' WHEN value < 0 THEN 'revenue' ELSE 'expenditure' END AS direction,
       phase, fiscal_year, value
FROM parsed WHERE value IS NOT NULL AND value <> 0;
COPY (SELECT product_code, product_area, product_title, account_code, account_title, statement, direction, phase,
             fiscal_year, round(CASE WHEN direction = 'revenue' THEN -value ELSE value END, 2) AS amount
      FROM long ORDER BY product_code, account_code, fiscal_year, phase) TO '{out}-long.csv' (HEADER);
COPY (SELECT product_area, fiscal_year, phase,
             round(sum(CASE WHEN direction = 'revenue' THEN -value ELSE 0 END), 2) AS revenue,
             round(sum(CASE WHEN direction = 'expenditure' THEN value ELSE 0 END), 2) AS expenditure
      FROM long WHERE statement IS DISTINCT FROM 'finanz' GROUP BY ALL ORDER BY ALL) TO '{out}-overview.csv' (HEADER);
"""

GENERATE = """
import sys
from harvesters.samples.budget.generate import large_budget
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(large_budget(*map(int, sys.argv[2:5])))
"""

DUCK = """
import json, resource, sys, time
import duckdb
t = time.perf_counter()
con = duckdb.connect()
con.execute(sys.argv[3])
seconds = time.perf_counter() - t
rows = con.execute("SELECT count(*) FROM long").fetchone()[0]
areas = con.execute("SELECT count(*) FROM read_csv('" + sys.argv[2] + "-overview.csv')").fetchone()[0]
print(json.dumps({"seconds": seconds, "rows": rows, "areas": areas,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def main() -> None:
    args = options.parse(__doc__, {"years": 3, "products": 60, "accounts": 2},
                         "3 years × 60 products: it still runs (without DuckDB installed, no baseline)",
                         years=50, products=5000, accounts=4)
    import importlib.util
    have_duckdb = options.baseline(
        args, importlib.util.find_spec("duckdb") is not None,
        "DuckDB is missing (.venv/bin/pip install -r requirements-bench.txt): it is the baseline")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "haushalt.csv")
        env = dict(os.environ, PYTHONPATH=ROOT)
        # Generated in a process of its own and polars imported only after the runs: Linux carries
        # a parent's peak memory into its children's, which would count it in theirs.
        subprocess.run([sys.executable, "-c", GENERATE, src, str(args.years), str(args.products), str(args.accounts)],
                       check=True, env=env)
        megabytes = os.path.getsize(src) / 1e6
        results = {}
        runs = [("ours", OURS, [])]
        if have_duckdb:
            runs.append(("duckdb", DUCK, [SQL.format(path=src, out=os.path.join(tmp, "duckdb"))]))
        for name, code, extra in runs:
            out = os.path.join(tmp, name)
            done = subprocess.run([sys.executable, "-c", code, src, out] + extra, capture_output=True, text=True,
                                  env=env)
            if done.returncode:
                sys.exit(f"{name} failed: {done.stderr[-2000:]}")
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        differ = None
        if have_duckdb:
            import polars as pl
            key = ["product_area", "fiscal_year", "phase"]
            ours = pl.read_csv(os.path.join(tmp, "ours-overview.csv"), schema_overrides={"product_area": pl.String})
            duck = pl.read_csv(os.path.join(tmp, "duckdb-overview.csv"), schema_overrides={"product_area": pl.String})
            both = ours.join(duck, on=key, how="full", suffix="_duck")
            differ = both.filter(((pl.col("revenue") - pl.col("revenue_duck")).abs() > 0.05)
                                 | ((pl.col("expenditure") - pl.col("expenditure_duck")).abs() > 0.05)
                                 | pl.col("revenue").is_null() | pl.col("revenue_duck").is_null()).height
    o = results["ours"]
    cells = args.years * 2 * args.products * args.accounts
    print(f"\nbudget transform: {args.years} years × {args.products:,} products × {args.accounts} accounts, "
          f"Ist and Plan ({cells:,} figures, {megabytes:.0f} MB CSV) → long table and overview")
    print(f"  {'':40} {'seconds':>8} {'figures/s':>12} {'peak MB':>8} {'rows':>10}")
    print(f"  {'ours (polars, etl/budget.py)':40} {o['seconds']:8.2f} {cells / o['seconds']:12,.0f} "
          f"{o['peak_mb']:8} {o['rows']:10,}")
    if differ is None:
        print(f"  {'DuckDB SQL (UNPIVOT, no totals check)':40} skipped: DuckDB not installed (requirements-bench.txt)")
        return
    d = results["duckdb"]
    print(f"  {'DuckDB SQL (UNPIVOT, no totals check)':40} {d['seconds']:8.2f} {cells / d['seconds']:12,.0f} "
          f"{d['peak_mb']:8} {d['rows']:10,}")
    print(f"  ours / DuckDB = {o['seconds'] / d['seconds']:.2f}; long rows equal: {o['rows'] == d['rows']}; "
          f"overview rows that differ: {differ}")


if __name__ == "__main__":
    main()
