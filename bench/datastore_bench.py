"""Benchmark of the DataStore loader (jena_datastore) on 1,000,000 trees.

    eval "$(bin/test-db datastore 8)"; eval "$(bin/setup-datastore --test datastore)"
    .venv/bin/python bench/datastore_bench.py [--trees 1000000] [--runs 200] [--smoke]

Writes a tree table shaped like the harvested one (schemas/tables/trees.json:
UTF-8, commas, decimal points; species, districts and ages as
harvesters/samples/generate.py draws them), creates a dataset and resource
for it in the TEST portal database (test.ini, with CKAN_SQLALCHEMY_URL and
the CKAN_DATASTORE_* URLs of the environment), loads it with our loader in a
process of its own (time until queryable: COPY, types, full text, indexes,
Data Dictionary, swap; its peak memory) and times, through CKAN's own
actions as an anonymous consumer: datastore_search with a filter on an
indexed column (rows=100), the same for two columns, a full-text query, and
datastore_search_sql with a GROUP BY over the whole table. Goals of issue 14:
peak memory < 500 MB, search p95 < 30 ms. --smoke: 5,000 trees, 5 runs.

--xloader VENV: the same file also through ckanext-xloader 2.6.0 with its type
guessing (loader.load_table, the path use_type_guessing takes), in a separate
virtualenv that is not part of this repository:
    python3 -m venv /tmp/xl-venv
    /tmp/xl-venv/bin/pip install "ckan[requirements]==2.11.6"
    /tmp/xl-venv/bin/pip install --no-deps ckanext-xloader==2.6.0 Unidecode==1.4.0
    /tmp/xl-venv/bin/pip install tabulator==1.53.5 ckantoolkit
(xloader's own pins of requests/urllib3/chardet conflict with CKAN's.) Until
queryable with the same indexes: its load (datastore_create in chunks of 250
rows, _full_text by CKAN's trigger, GIN as ours), then the btree indexes ours
built, then ANALYZE. Its guessed types are printed beside ours.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import portal  # noqa: E402  (bench/portal.py, beside this file)

CHILD = """
import json, os, sys, time
import sqlalchemy as sa
from ckanext.jena.datastore import loader
import ckanext.datastore.backend.postgres  # imported once per worker, not per load
schema = json.load(open(sys.argv[3]))
engine = sa.create_engine(os.environ["CKAN_DATASTORE_WRITE_URL"])
t = time.perf_counter()
result = loader.load(engine, sys.argv[2], loader.Source(path=sys.argv[1], format="csv", schema=schema,
                     encoding="utf-8", dialect={}), fts_lang="jena_german",
                     read_url=os.environ.get("CKAN_DATASTORE_READ_URL"))
import resource
print(json.dumps({"rows": result.rows, "seconds": time.perf_counter() - t, "steps": result.steps,
                  "indexes": len(result.indexes), "columns": result.columns,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


XLOADER = """
import json, logging, os, resource, sys, time
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config(sys.argv[1]))
with app._wsgi_app.test_request_context():
    import ckan.plugins as p
    import sqlalchemy as sa
    from ckanext.xloader import loader
    from ckanext.datastore.backend.postgres import get_write_engine
    table, columns = sys.argv[3], json.loads(sys.argv[4])
    log = logging.getLogger("xloader-bench")
    engine = get_write_engine()
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
    t = time.perf_counter()
    loader.load_table(sys.argv[2], resource_id=table, mimetype="CSV", logger=log)
    loaded = time.perf_counter() - t
    with engine.begin() as conn:
        for c in columns:
            unique = "UNIQUE " if c == columns[0] else ""
            conn.execute(sa.text(f'CREATE {unique}INDEX ON "{table}" ("{c}")'))
        conn.execute(sa.text(f'ANALYZE "{table}"'))
        types = [{"id": r[0], "type": r[1]} for r in conn.execute(sa.text(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :t "
            "AND column_name NOT LIKE '\\_%' ORDER BY ordinal_position"), {"t": table})]
        rows = conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()
        conn.execute(sa.text(f'DROP TABLE "{table}"'))
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t, "load": loaded, "types": types,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""

XLOADER_INI = """[app:main]
use = config:{root}/test.ini
ckan.plugins = datastore xloader
ckan.datastore.default_fts_lang = jena_german
ckan.datastore.default_fts_index_method = gin
ckan.datastore.default_fts_index_field_types =
ckanext.xloader.use_type_guessing = true
"""


def xloader(venv: str, path: str, ours: dict, table: str) -> None:
    """The same file through ckanext-xloader's type-guessing load."""
    indexed = ["id", "botanical_name", "genus", "species", "cultivar", "german_name", "planting_year",
               "vitality", "district"]  # what ours built (its low-cardinality rule) for this table
    with tempfile.NamedTemporaryFile("w", suffix=".ini", dir=os.path.join(ROOT, "var"), delete=False) as f:
        f.write(XLOADER_INI.format(root=ROOT))
        logging_sections = open(os.path.join(ROOT, "test.ini"), encoding="utf-8").read().split("[loggers]", 1)[1]
        f.write("\n[loggers]" + logging_sections)
    try:
        done = subprocess.run([os.path.join(venv, "bin", "python"), "-c", XLOADER, f.name, path,
                               table, json.dumps(indexed)],
                              capture_output=True, text=True, cwd=ROOT)
    finally:
        os.unlink(f.name)
    if done.returncode:
        print("xloader failed:", done.stderr[-3000:])
        return
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"xloader 2.6.0 (type guessing): {theirs['rows']:,} rows queryable with the same indexes in "
          f"{theirs['seconds']:.1f} s (its load {theirs['load']:.1f} s), peak {theirs['peak_mb']} MB; "
          f"ours {theirs['seconds'] / ours['seconds']:.1f}x faster (goal >= 5x)")
    guessed = {c["id"]: c["type"] for c in theirs["types"]}
    print("types, ours / xloader's guess: " + ", ".join(
        f"{c['id']} {c['type']}/{guessed.get(c['id'], '-')}" for c in ours["columns"]))


percentile = portal.percentile


def write_trees(path: str, n: int) -> None:
    from harvesters.samples.generate import JENA_DISTRICTS, SPECIES
    rng = random.Random(16053)
    weights = [s[2] for s in SPECIES]
    vitality = ["gut", "leicht geschädigt", "mittel geschädigt", "stark geschädigt", "abgestorben"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "source", "source_id", "botanical_name", "genus", "species", "cultivar",
                    "german_name", "planting_year", "height_m", "trunk_circumference_cm",
                    "crown_diameter_m", "vitality", "district", "status", "felling_date", "longitude", "latitude"])
        for i in range(1, n + 1):
            name, german, _ = rng.choices(SPECIES, weights=weights)[0]
            parts = name.split(" ", 2)
            cultivar = parts[2].strip("'") if len(parts) > 2 and parts[2].startswith("'") else ""
            species = parts[1] if len(parts) > 1 and not parts[1].startswith("'") else ""
            age = max(2, int(rng.gammavariate(2.2, 18)))
            w.writerow([f"jena:{i}", "jena", str(i), name, parts[0], species, cultivar, german,
                        "" if i % 11 == 0 else 2025 - age, f"{min(38.0, 2 + age * rng.uniform(.25, .45)):.1f}",
                        min(560, int(age * rng.uniform(3.0, 5.5))), f"{rng.uniform(1, 18):.1f}",
                        rng.choice(vitality), rng.choice(JENA_DISTRICTS), "", "",
                        f"{11.55 + rng.random() * 0.08:.6f}", f"{50.88 + rng.random() * 0.07:.6f}"])


def schema() -> dict:
    with open(os.path.join(ROOT, "schemas", "tables", "trees.json"), encoding="utf-8") as f:
        s = json.load(f)
    for field in s["fields"]:
        if field["name"] == "planting_year":
            field["constraints"]["maximum"] = 2025  # what the harvester adds at run time
    return s


def ckan_app(ckan_search: bool = False):
    # test.ini's plugin set is the portal's (datastore, jena_datastore and the rest).
    conf = {"ckan.datastore.default_fts_lang": "jena_german", "ckan.datastore.sqlsearch.enabled": True,
            "ckan.datastore.default_fts_index_method": "gin"}
    if ckan_search:  # CKAN's datastore_search as it is: exact counts, always ranked
        conf.update({"ckanext.jena.datastore.total_estimation_threshold": 0,
                     "ckanext.jena.datastore.rank_limit": 0})
    return portal.app(**conf)


def resources_for_bench(tk) -> tuple[str, str]:
    """Two resources of a bench dataset: ours, and one for xloader (which
    writes only to tables of existing resources)."""
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    ctx = lambda: {"ignore_auth": True, "user": site["name"]}  # noqa: E731
    try:
        pkg = tk.get_action("package_show")(ctx(), {"id": "bench-baumkataster"})
    except tk.ObjectNotFound:
        try:
            org = tk.get_action("organization_show")(ctx(), {"id": "bench-stadt-jena"})
        except tk.ObjectNotFound:
            org = tk.get_action("organization_create")(ctx(), {"name": "bench-stadt-jena", "title": "Stadt Jena"})
        pkg = tk.get_action("package_create")(ctx(), {
            "name": "bench-baumkataster", "title": "Baumkataster (Bench)", "notes": "Bench",
            "owner_org": org["id"], "resources": [
                {"url": "http://example.org/baeume.csv", "format": "CSV", "name": "baeume.csv"},
                {"url": "http://example.org/xloader.csv", "format": "CSV", "name": "xloader.csv"}]})
    by_name = {r["name"]: r["id"] for r in pkg["resources"]}
    for name in ("baeume.csv", "xloader.csv"):
        if name not in by_name:
            by_name[name] = tk.get_action("resource_create")(ctx(), {
                "package_id": pkg["id"], "url": f"http://example.org/{name}", "format": "CSV", "name": name})["id"]
    ours, theirs = by_name["baeume.csv"], by_name["xloader.csv"]
    # xloader's first datastore_create would reindex the dataset through Solr
    # (its CKAN has no jena_pgsearch); marked in advance, it does not.
    import ckan.model as model
    import sqlalchemy as sa
    model.Session.execute(sa.text(
        "UPDATE resource SET extras = jsonb_set(coalesce(extras, '{}')::jsonb, '{datastore_active}', 'true')::text "
        "WHERE id = :id"), {"id": theirs})
    model.Session.commit()
    return ours, theirs


def report_load(ours: dict) -> None:
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in ours["steps"].items())
    print(f"ours: {ours['rows']:,} rows queryable in {ours['seconds']:.1f} s "
          f"({ours['rows'] / ours['seconds']:,.0f} rows/s; {steps}; {ours['indexes']} indexes), "
          f"peak {ours['peak_mb']} MB (goal < 500 MB: ratio {ours['peak_mb'] / 500:.2f})")
    print("types: " + ", ".join(f"{c['id']} {c['type']}" for c in ours["columns"]))


def explain(rid: str, shapes: dict) -> None:
    """Each shape once, with the statements CKAN sends to the DataStore
    captured and run again under EXPLAIN ANALYZE: the page of rows and the
    count, each with its plan's top nodes and the server's time."""
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_read_engine
    engine = get_read_engine()
    seen: list = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if rid in statement and not statement.lstrip().upper().startswith(("SET", "EXPLAIN")):
            seen.append((statement, parameters))

    def nodes(plan, depth=0):
        out = [f"{plan['Node Type']}{' on ' + plan['Index Name'][:12] if 'Index Name' in plan else ''}"]
        for child in plan.get("Plans", [])[:1] if depth < 3 else []:
            out += nodes(child, depth + 1)
        return out

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        for name, fn in shapes.items():
            seen.clear()
            fn(0)
            for statement, params in list(seen):
                kind = "count" if "count(" in statement else "rows" if "OFFSET" in statement else None
                if kind is None:
                    continue  # CKAN's look at the table's columns
                with engine.connect() as conn:
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement,
                                                params).scalar()
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                top = plan["Plan"]
                print(f"  explain {name} [{kind}]: {plan['Execution Time']:.1f} ms, "
                      f"{top.get('Shared Hit Blocks', 0) + top.get('Shared Read Blocks', 0):,} blocks: "
                      + " < ".join(nodes(top)))
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)


def timed(fn, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="5,000 trees, 5 runs: it still runs")
    parser.add_argument("--xloader", metavar="VENV", help="also load with ckanext-xloader from this virtualenv")
    parser.add_argument("--reuse", action="store_true",
                        help="time the queries on the table an earlier run loaded (no new load)")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE of the statements CKAN sends for each shape (where the time goes)")
    parser.add_argument("--ckan-search", action="store_true",
                        help="datastore_search without our estimates and table order (the baseline)")
    args = parser.parse_args()
    if args.smoke:
        args.trees, args.runs = 5_000, 5
    if not os.environ.get("CKAN_DATASTORE_WRITE_URL"):
        sys.exit("set CKAN_DATASTORE_WRITE_URL/READ_URL: eval \"$(bin/setup-datastore --test NAME)\"")
    app = ckan_app(args.ckan_search)
    with app._wsgi_app.test_request_context():
        run(args)


def run(args) -> None:
    import ckan.plugins as p
    import ckan.plugins.toolkit as tk
    p.load_all()
    portal.database()
    rid, xloader_rid = resources_for_bench(tk)
    if args.reuse:
        try:
            rows = tk.get_action("datastore_search")({"ignore_auth": True}, {
                "resource_id": rid, "limit": 0, "total_estimation_threshold": 1})["total"]
        except (tk.ObjectNotFound, tk.ValidationError):
            sys.exit("--reuse: no table of an earlier run (run without --reuse first)")
        print(f"reusing the table of an earlier run: {rows:,} rows")
        shapes(args, tk, rid, rows)
        return
    with tempfile.TemporaryDirectory(prefix="jena-ds-bench-") as tmp:
        path, schema_path = os.path.join(tmp, "baeume.csv"), os.path.join(tmp, "trees.json")
        t = time.perf_counter()
        write_trees(path, args.trees)
        with open(schema_path, "w") as f:
            json.dump(schema(), f)
        mb = os.path.getsize(path) / (1 << 20)
        print(f"{args.trees:,} trees, {mb:.0f} MB CSV (written in {time.perf_counter() - t:.1f} s)")
        done = subprocess.run([sys.executable, "-c", CHILD, path, rid, schema_path], capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=ROOT))
        if done.returncode:
            sys.exit(done.stderr[-2000:])
        ours = json.loads(done.stdout.strip().splitlines()[-1])
        report_load(ours)
        if args.xloader:
            xloader(args.xloader, path, ours, xloader_rid)
    from ckanext.jena.datastore.jobs import _publish
    _publish(rid)
    shapes(args, tk, rid, ours["rows"])


def shapes(args, tk, rid: str, rows: int) -> None:
    from harvesters.samples.generate import JENA_DISTRICTS, SPECIES
    print("datastore_search: " + ("CKAN's own (exact totals, always ranked)" if args.ckan_search else
                                  "with jena_datastore's estimates and table order for large match sets"))

    anonymous = lambda: {"user": "", "ignore_auth": False}  # noqa: E731
    search = tk.get_action("datastore_search")
    genera = sorted({s[0].split()[0] for s in SPECIES})
    words = ["Linde", "Ahorn", "Rosskastanie", "Platane", "Lobeda", "Winzerla", "Birke", "Ginkgo"]
    shapes = {
        "filter genus (indexed), rows=100": lambda i: search(anonymous(), {
            "resource_id": rid, "filters": {"genus": genera[i % len(genera)]}, "limit": 100}),
        "filter genus + district, rows=100": lambda i: search(anonymous(), {
            "resource_id": rid, "filters": {"genus": genera[i % len(genera)],
                                            "district": JENA_DISTRICTS[i % len(JENA_DISTRICTS)]}, "limit": 100}),
        "full text q, rows=100": lambda i: search(anonymous(), {
            "resource_id": rid, "q": words[i % len(words)], "limit": 100}),
        "full text q sorted by _id, rows=100": lambda i: search(anonymous(), {
            "resource_id": rid, "q": words[i % len(words)], "limit": 100, "sort": "_id"}),
        # An app paging through results needs no count of all matches.
        "filter genus + district, rows=100, include_total=false": lambda i: search(anonymous(), {
            "resource_id": rid, "filters": {"genus": genera[i % len(genera)],
                                            "district": JENA_DISTRICTS[i % len(JENA_DISTRICTS)]},
            "limit": 100, "include_total": False}),
        "full text q sorted by _id, rows=100, include_total=false": lambda i: search(anonymous(), {
            "resource_id": rid, "q": words[i % len(words)], "limit": 100, "sort": "_id",
            "include_total": False}),
        "no filter, rows=100 (CKAN's own cost per call)": lambda i: search(anonymous(), {
            "resource_id": rid, "limit": 100, "offset": i * 100, "include_total": False}),
    }
    if args.explain:
        explain(rid, shapes)
    for name, fn in shapes.items():
        fn(0)  # warm
        last = {}
        ms = timed(lambda i: last.update(fn(i)), args.runs)
        p95 = percentile(ms, 95)
        total = (f"total ~{last['total']:,} (estimated)" if last.get("total_was_estimated") else
                 f"total {last['total']:,}" if "total" in last else "no total")
        print(f"datastore_search {name}: p50 {percentile(ms, 50):.1f} ms, p95 {p95:.1f} ms "
              f"(goal < 30 ms: ratio {p95 / 30:.2f}); last call: {total}")
    sql = tk.get_action("datastore_search_sql")
    statement = (f'SELECT genus, district, count(*) AS n, avg(height_m) AS height FROM "{rid}" '
                 f"GROUP BY genus, district ORDER BY n DESC")
    ms = timed(lambda i: sql(anonymous(), {"sql": statement}), max(3, args.runs // 20))
    print(f"datastore_search_sql GROUP BY genus, district over {rows:,} rows: "
          f"p50 {percentile(ms, 50):.0f} ms, max {max(ms):.0f} ms")
    print(f"bench process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
