"""Benchmark of the OParl harvester: one body of 20,000 papers and 200,000 agenda items.

    .venv/bin/pip install -r requirements-bench.txt   # DuckDB, the baseline
    .venv/bin/python bench/oparl_bench.py [--papers 20000 --meetings 2000 --items 100 --page 100]

A council shaped like OParl 1.0 (harvesters/samples/oparl/generate.py:
meetings with their agenda items embedded, papers with their consultations
and files) served on loopback in pages of `--page`, then, each in its own
process with its peak memory:
- ours: `jena-harvest`'s runner on the body — the walk along links.next,
  every object reduced, the seven tables with their decisions, the state,
  and the validation of every table against its Table Schema; then a second,
  incremental run (modified_since: nothing changed);
- baseline: DuckDB reading the same pages, stored as JSON files (no HTTP,
  no validation), and writing the agenda items, papers, consultations and
  votes (decision and counts by regular expressions) as CSV.
Printed: seconds, objects/s and peak memory of each (issue 18, "Measured").
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

import options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

OURS = """
import json, resource, sys, time
from harvesters import runner
from harvesters.kinds import oparl
config = json.loads(sys.argv[1])
phases = {}

def timed(name, step):
    def run(*args):
        t = time.perf_counter()
        try:
            return step(*args)
        finally:
            phases[name] = phases.get(name, 0) + time.perf_counter() - t
    return run
oparl.KIND.extract = timed("walk", oparl.KIND.extract)        # HTTP, JSON, every object reduced
oparl.KIND.transform = timed("tables", oparl.KIND.transform)  # merged with the state, tables and state written
runs = []
for n in range(2):
    phases.clear()
    t = time.perf_counter()
    entry = [e for e in runner.run(["bench"], {"bench": config}, sys.argv[2]) if e["source"] != "bench"][0]
    runs.append({"seconds": time.perf_counter() - t, "status": entry["status"], "message": entry["message"],
                 "warnings": entry.get("warnings", {}), "phases": dict(phases)})
# VmHWM, not ru_maxrss: Linux carries the parent's peak (the bench holding the council) into ru_maxrss
hwm = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({"runs": runs, "peak_mb": hwm // 1024,
                  "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}))
"""

# The same tables from the same pages, in SQL (the decision by the same keywords, simplified).
SQL = """
CREATE TEMP TABLE meetings AS
  SELECT unnest(data) AS m FROM read_json('{dir}/meeting-*.json', maximum_object_size=67108864);
CREATE TEMP TABLE papers AS
  SELECT unnest(data) AS p FROM read_json('{dir}/paper-*.json', maximum_object_size=67108864);
CREATE TEMP TABLE items AS SELECT m.id AS meeting_id, m.start AS meeting_start, unnest(m.agendaItem) AS i FROM meetings;
COPY (SELECT i.id, meeting_id, meeting_start, i.number, i."order", CASE WHEN i.public THEN i.name END AS name,
             i.public, i.consultation, i.result FROM items ORDER BY i.id) TO '{dir}/tagesordnungspunkte.csv' (HEADER);
COPY (SELECT p.id, p.reference, p.name, p.paperType, p.date, p.mainFile.accessUrl AS main_file_url,
             len(p.auxiliaryFile) + 1 AS files, len(p.consultation) AS consultations
      FROM papers ORDER BY p.id) TO '{dir}/vorlagen.csv' (HEADER);
COPY (SELECT c.id, p.id AS paper_id, p.reference, c.meeting, c.agendaItem, c.role, c.authoritative
      FROM (SELECT p, unnest(p.consultation) AS c FROM papers) ORDER BY c.id) TO '{dir}/beratungen.csv' (HEADER);
COPY (SELECT i.id, meeting_id, i.result,
             CASE WHEN regexp_matches(lower(i.result), 'abgelehnt|nicht beschlossen') THEN 'abgelehnt'
                  WHEN regexp_matches(lower(i.result), 'vertagt') THEN 'vertagt'
                  WHEN regexp_matches(lower(i.result), 'kenntnis') THEN 'zur Kenntnis genommen'
                  WHEN regexp_matches(lower(i.result), 'zurückgezogen') THEN 'zurückgezogen'
                  WHEN regexp_matches(lower(i.result), 'verwiesen') THEN 'verwiesen'
                  WHEN regexp_matches(lower(i.result), 'angenommen|beschlossen') THEN 'angenommen' END AS decision,
             nullif(regexp_extract(lower(i.result), '(\\d+) ja', 1), '') AS votes_for,
             nullif(regexp_extract(lower(i.result), '(\\d+) nein', 1), '') AS votes_against,
             nullif(regexp_extract(lower(i.result), '(\\d+) enthaltung', 1), '') AS abstentions
      FROM items WHERE decision IS NOT NULL ORDER BY i.id) TO '{dir}/abstimmungen.csv' (HEADER);
"""

DUCK = """
import json, sys, time
import duckdb
con = duckdb.connect()
t = time.perf_counter()
con.execute(sys.argv[1])
seconds = time.perf_counter() - t
hwm = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({"seconds": seconds, "peak_mb": hwm // 1024}))
"""


def store_pages(server, base: str, folder: str) -> int:
    """The pages of the meeting and paper lists as files, as a walk receives them; returns their bytes."""
    total = 0
    for name in ("meeting", "paper"):
        url, number = f"{base}/body/1/{name}", 0
        while url:
            number += 1
            parts = urllib.parse.urlsplit(url)
            body, _ = server(parts.path + ("?" + parts.query if parts.query else ""))
            with open(os.path.join(folder, f"{name}-{number:05d}.json"), "wb") as f:
                f.write(body)
            total += len(body)
            url = json.loads(body)["links"].get("next")
    return total


def main() -> None:
    args = options.parse(__doc__, {"papers": 200, "meetings": 20, "items": 10, "page": 50},
                         "200 papers, 20 meetings of 10 agenda items: it still runs (without DuckDB, no baseline)",
                         papers=20_000, meetings=2_000, items=100, page=100)
    import importlib.util
    have_duckdb = options.baseline(
        args, importlib.util.find_spec("duckdb") is not None,
        "DuckDB is missing (.venv/bin/pip install -r requirements-bench.txt): it is the baseline")
    from harvesters.samples.oparl.generate import Server, council
    from tests.loopback import serve

    routes: dict = {}
    with serve(routes) as address, tempfile.TemporaryDirectory() as tmp:
        base = address + "/oparl/v1"
        data = council(base, papers=args.papers, meetings=args.meetings, items_per_meeting=args.items,
                       separate_lists=False)
        server = Server(data, page_size=args.page)
        routes["/oparl/*"] = server
        config = {"kind": "oparl", "url": base + "/system", "organization": "stadt-jena", "limit": args.page,
                  "timeout": 120, "attempts": 1}
        env = dict(os.environ, PYTHONPATH=ROOT, JENA_OUTBOUND_ALLOW="127.0.0.1")
        done = subprocess.run([sys.executable, "-c", OURS, json.dumps(config), os.path.join(tmp, "out")],
                              capture_output=True, text=True, env=env)
        if done.returncode:
            sys.exit(f"ours failed: {done.stderr[-3000:]}")
        ours = json.loads(done.stdout.strip().splitlines()[-1])
        for run in ours["runs"]:
            if run["status"] != "ok":
                sys.exit(f"ours failed: {run['message']}")
        duck = None
        if have_duckdb:
            pages = os.path.join(tmp, "pages")
            os.makedirs(pages)
            size = store_pages(Server(data, page_size=args.page), base, pages)
            done = subprocess.run([sys.executable, "-c", DUCK, SQL.format(dir=pages)], capture_output=True,
                                  text=True, env=env)
            if done.returncode:
                sys.exit(f"DuckDB failed: {done.stderr[-3000:]}")
            duck = json.loads(done.stdout.strip().splitlines()[-1])
    first, second = ours["runs"]
    w = first["warnings"]
    objects = sum(v for k, v in w.items() if k.startswith("objects_") and k[8:9].isupper())
    print(f"\nOParl import: {args.papers:,} papers, {args.meetings:,} meetings with {args.meetings * args.items:,} "
          f"agenda items ({objects:,} objects) from a loopback server, pages of {args.page}")
    print(f"  {'':44} {'seconds':>8} {'objects/s':>10} {'peak MB':>8}")
    print(f"  {'ours: walk + tables + validation':44} {first['seconds']:8.1f} {objects / first['seconds']:10,.0f} "
          f"{ours['peak_mb']:8} (+ validation processes {ours['children_peak_mb']} MB)")
    p = first["phases"]
    rest = first["seconds"] - p["walk"] - p["tables"]
    print(f"    {'of which the walk (HTTP, JSON, reduce)':42} {p['walk']:8.1f} {objects / p['walk']:10,.0f}")
    print(f"    {'tables and state':42} {p['tables']:8.1f}")
    print(f"    {'validation, descriptor, swap':42} {rest:8.1f}")
    print(f"  {'ours: incremental run, nothing changed':44} {second['seconds']:8.1f}")
    print(f"  result texts not readable as a decision (kept as text, counted): {w.get('results_unreadable', 0):,}")
    if duck is None:
        print(f"  {'DuckDB over the same JSON pages (files)':44} skipped: DuckDB not installed "
              "(requirements-bench.txt)")
        return
    print(f"  {'DuckDB over the same JSON pages (files)':44} {duck['seconds']:8.1f} {objects / duck['seconds']:10,.0f} "
          f"{duck['peak_mb']:8} ({size / 1e6:,.1f} MB of JSON, no HTTP, no validation)")
    print(f"  ours / DuckDB = {first['seconds'] / duck['seconds']:.2f}")


if __name__ == "__main__":
    main()
