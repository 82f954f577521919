"""Benchmark of the PostgreSQL search backend (jena_pgsearch).

Creates N generated datasets through CKAN's package_create with the portal's
plugins (test.ini: our DCAT-AP.de schema, quality, validation), so each is
validated and indexed the way a steward's edit is, then times eight query
shapes (issue 19's six, the portal's quality sort and a rarer word) with the
/dataset page's facets on, through package_search as the UI and API call it.

    .venv/bin/python bench/pgsearch_bench.py [--datasets 10000] [--runs 200]
    .venv/bin/python bench/pgsearch_bench.py --smoke     # seconds: it still runs
    .venv/bin/python bench/pgsearch_bench.py --explain   # and each shape's plans
    .venv/bin/python bench/pgsearch_bench.py --reuse --reindex   # after a reindex
    .venv/bin/python bench/pgsearch_bench.py --clone-to 100000   # a larger index

--explain prints EXPLAIN (ANALYZE, BUFFERS) of every statement of one search
per shape right after the bulk load, before the timed runs. --reindex (with
--reuse) rebuilds the index of the existing datasets as `ckan search-index
rebuild` does and measures right after it. --clone-to N fills the index up
to N documents with copies of the created datasets' index documents (new
index ids, names and sequence; the stored dataset dicts unchanged), in
SQL: package_create with the portal's plugins costs about 0.3 s a dataset on
this machine, so 100,000 real datasets would take hours; searches only read
the index, so they meet an index of N documents of the same shape.

It uses the TEST database (test.ini, or CKAN_SQLALCHEMY_URL as bin/test-db
prints it) and empties it first. Figures printed:
indexing time per dataset (CKAN's document building + our write, and our
write alone) and p50/p95 per query shape, each next to the goal of issue 19
(index step < 15 ms per dataset, p95 < 50 ms) as a ratio.
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import time

import options
import portal


WORDS = ("Baum Bäume Straße Verkehr Haltestelle Schule Kita Umwelt Luft Lärm Wasser Saale Park "
         "Friedhof Haushalt Wahl Bevölkerung Energie Radweg Parkplatz Kultur Museum Denkmal Klima "
         "Hitze Sensor Feinstaub Messung Statistik Stadtteil Bibliothek Sport Spielplatz Grünfläche "
         "Baustelle Brücke Ampel Wohnung Gewerbe Tourismus Hotel Gastronomie Bus Straßenbahn").split()
# Values of our vocabularies (schemas/vocabularies/file-types.json, licenses.json).
FORMATS = ["CSV", "JSON", "GEOJSON", "XLSX", "PDF", "WMS_SRVC", "WFS_SRVC", "XML"]
LICENSES = ["dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "cc-zero"]
SMOKE = {"datasets": 10, "runs": 2}
FACETS = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])


def main() -> None:
    args = options.parse(__doc__, SMOKE, f"a run of seconds ({SMOKE['datasets']} datasets, "
                         f"{SMOKE['runs']} runs) that shows the bench still works",
                         {"reuse": "keep the datasets of an earlier run (queries only)",
                          "reindex": "with --reuse: rebuild the index first, as search-index rebuild",
                          "explain": "print EXPLAIN ANALYZE of each shape's statements first"},
                         datasets=10000, runs=200, clone_to=0)
    app = portal.app()
    with app._wsgi_app.test_request_context():
        run(args)


def run(args) -> None:
    import ckan.model as model
    import ckan.plugins as p
    import ckan.plugins.toolkit as tk
    from ckan.lib.search.index import PackageSearchIndex
    from ckanext.jena.pgsearch import connection

    p.load_all()
    rng = random.Random(16053)
    if args.reuse:
        ctx = portal.as_site_user()
        have = model.Session.query(model.Package).filter_by(state="active").count()
        print(f"reusing {have} datasets of an earlier run", file=sys.stderr)
        args.datasets = have
        if args.reindex:
            reindex(have)
        if args.clone_to:
            clone_index(args.clone_to)
        query_shapes(args, rng, ctx)
        return
    portal.database(empty=True)
    ctx = portal.as_site_user()  # the emptied database's own site user

    # Time CKAN's whole index step and our write inside it.
    timings = {"index": [], "write": []}
    PackageSearchIndex.index_package = _timed(PackageSearchIndex.index_package, timings["index"])
    connection.PgSearchConnection.add = _timed(connection.PgSearchConnection.add, timings["write"])

    orgs = [tk.get_action("organization_create")(ctx(), {
                "name": f"org-{i}", "title": f"Amt {i}",
                "contributor_id": "http://dcat-ap.de/def/contributors/stadtJena"})["id"]
            for i in range(12)]
    groups = [tk.get_action("group_create")(ctx(), {"name": f"gruppe-{i}"})["name"] for i in range(6)]
    t0 = time.perf_counter()
    for i in range(args.datasets):
        words = rng.sample(WORDS, 4)
        lon, lat = 11.45 + rng.random() * 0.3, 50.85 + rng.random() * 0.15
        tk.get_action("package_create")(ctx(), {
            "name": f"datensatz-{i:05d}",
            "title": f"{words[0]} und {words[1]} in Jena {2000 + i % 25}",
            "notes": " ".join(rng.choice(WORDS) for _ in range(40)),
            "owner_org": rng.choice(orgs),
            "groups": [{"name": g} for g in rng.sample(groups, rng.randint(0, 2))],
            "license_id": rng.choice(LICENSES),
            "tags": [{"name": w} for w in rng.sample(WORDS, 3)],
            "resources": [{"url": f"http://daten.example.org/{i}/{j}", "format": rng.choice(FORMATS)}
                          for j in range(rng.randint(1, 3))],
            # A field of our schema, not a free extra (scheming refuses the clash).
            "spatial": json.dumps({"type": "Point", "coordinates": [lon, lat]}),
        })
        if (i + 1) % 1000 == 0:
            print(f"  {i + 1} datasets created ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    create_s = time.perf_counter() - t0
    # Per dataset: CKAN indexes a new dataset twice in the commit that
    # creates it (as new, then as the package of its new tags and
    # resources); the second write of the same document is skipped
    # (store.upsert), the second document is still built.
    calls = len(timings["index"]) / args.datasets
    idx_ms = sum(timings["index"]) * 1000 / args.datasets
    write_ms = sum(timings["write"]) * 1000 / args.datasets
    print(f"\nindexing {args.datasets} datasets (goal < 15 ms/dataset; "
          f"CKAN indexes each {calls:.1f} times as it creates it)")
    print(f"  package_create total          {create_s / args.datasets * 1000:7.1f} ms/dataset")
    print(f"  index step (CKAN doc + write) {idx_ms:7.1f} ms/dataset   ratio to goal {idx_ms / 15:.2f}"
          f"   ({idx_ms / calls:.1f} ms a call)")
    print(f"  our PostgreSQL write alone    {write_ms:7.1f} ms/dataset   ratio to goal {write_ms / 15:.2f}")
    if args.clone_to:
        clone_index(args.clone_to)
    query_shapes(args, rng, ctx)


def reindex(count: int) -> None:
    """The whole index rebuilt as `ckan search-index rebuild` does it
    (deferred commits, then one commit), timed."""
    import ckan.lib.search as search
    t = time.perf_counter()
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    took = time.perf_counter() - t
    print(f"\nreindex of {count} datasets (search-index rebuild): {took:.0f} s, "
          f"{took / max(count, 1) * 1000:.1f} ms/dataset")


def clone_index(total: int) -> None:
    """Fill the index up to `total` documents with copies of its documents
    (see the module's doc), then commit as a bulk reindex ends."""
    import ckan.lib.search as search
    import ckan.model as model
    import sqlalchemy as sa
    from ckanext.jena.pgsearch import table
    have = model.Session.execute(sa.text(f"SELECT count(*) FROM {table.TABLE}")).scalar()
    if have == 0 or total <= have:
        return
    t = time.perf_counter()
    names = [c.name for c in table.COLUMNS]
    renamed = {"index_id": "d.index_id || '-k' || k", "id": "d.id || '-k' || k",
               "name": "d.name || '-k' || k", "seq": f"nextval('{table.SEQUENCE}')"}
    select = ", ".join(renamed.get(n, f"d.{n}") for n in names)
    copies = -(-total // have) - 1
    model.Session.execute(sa.text(
        f"INSERT INTO {table.TABLE} ({', '.join(names)}) "
        f"SELECT {select} FROM (SELECT d.*, k, row_number() OVER (ORDER BY k, d.seq) AS r "
        f"FROM {table.TABLE} d, generate_series(1, :copies) k) d WHERE r <= :extra"),
        {"copies": copies, "extra": total - have})
    model.Session.commit()
    search.commit()
    print(f"\nindex filled from {have} to {total} documents with copies in SQL "
          f"({time.perf_counter() - t:.0f} s), then committed as a reindex ends", file=sys.stderr)


def _timed(method, seconds: list):
    """`method` that appends the seconds of each call to `seconds`."""
    def timed(self, *a, **kw):
        t = time.perf_counter()
        try:
            return method(self, *a, **kw)
        finally:
            seconds.append(time.perf_counter() - t)
    return timed


def query_shapes(args, rng, ctx) -> None:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckanext.jena.pgsearch import table
    shapes = {
        "free text": lambda: {"q": rng.choice(WORDS)},
        # A word as rare as most of a catalogue's: each year is in the
        # titles of 1 in 25 datasets (every bench word is in two thirds).
        "free text, a year": lambda: {"q": str(2000 + rng.randrange(25))},
        "facet filter": lambda: {"fq": f'tags:"{rng.choice(WORDS)}"'},
        "text + 2 facets": lambda: {"q": rng.choice(WORDS),
                                    "fq": f'organization:org-{rng.randrange(12)} +res_format:"{rng.choice(FORMATS)}"'},
        "sort by modified": lambda: {"q": "*:*", "sort": "metadata_modified desc"},
        # The home page's and the "Metadata quality" sort's order (jena_quality).
        "sort by quality": lambda: {"q": "*:*", "sort": "quality_score desc, metadata_modified desc"},
        "deep page start=5000": lambda: {"q": "*:*", "start": max(0, min(5000, args.datasets - 20)),
                                         "sort": "score desc, metadata_modified desc"},
        "bbox + text": lambda: {"q": rng.choice(WORDS), "ext_bbox": "11.55,50.88,11.65,50.95"},
    }
    if args.explain:
        explain(shapes, ctx)
    indexed = model.Session.execute(sa.text(f"SELECT count(*) FROM {table.TABLE}")).scalar()
    model.Session.remove()
    print(f"\njena_pgsearch benchmark: {args.datasets} datasets ({indexed} index documents), "
          f"{args.runs} runs per shape, "
          f"facets on ({', '.join(json.loads(FACETS))}), rows=20, 2-core machine")
    print("\nqueries through package_search (goal p95 < 50 ms); 'each counts': every search\n"
          "counts its facets (facet reuse off); 'reused': facet counts reused until the index\n"
          "changes, as the portal runs (the first search of each distinct query counts)")
    print(f"  {'':31} {'--- each counts ---':>28}  {'------ reused ------':>28}")
    print(f"  {'shape':24} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8} {'p95/goal':>9}  "
          f"{'p50 ms':>8} {'p95 ms':>8} {'p95/goal':>9}")
    from ckan.common import config
    from ckanext.jena.pgsearch import facet_cache
    search = tk.get_action("package_search")
    option = "ckanext.jena.search.facet_cache_seconds"
    kept = config.get(option)
    try:
        for name, make in shapes.items():
            queries = [dict(make(), rows=20, **{"facet.field": FACETS}) for _ in range(args.runs)]
            cells, hits = [], 0
            for reuse in (0, kept):
                config[option] = reuse
                facet_cache.CACHE.clear()
                times = []
                for params in queries:
                    t = time.perf_counter()
                    hits = search(ctx(), dict(params))["count"]
                    times.append((time.perf_counter() - t) * 1000)
                    model.Session.remove()
                p95 = portal.percentile(times, 95)
                cells.append(f"{portal.percentile(times, 50):8.1f} {p95:8.1f} {p95 / 50:9.2f}")
            print(f"  {name:24} {hits:6d} {cells[0]}  {cells[1]}")
    finally:
        config[option] = kept


def explain(shapes, ctx) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement one search of each shape
    sends to the index table, as the connection sent it."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckanext.jena.pgsearch import connection, table
    sent: list = []
    original = connection.PgSearchConnection._run

    def recording(self, statement, values):
        sent.append((statement, dict(values)))
        return original(self, statement, values)

    fetching = connection.PgSearchConnection._fetch_bytes

    def recording_fetch(self, statement, values):
        sent.append((statement, dict(values)))
        return fetching(self, statement, values)

    connection.PgSearchConnection._run = recording
    connection.PgSearchConnection._fetch_bytes = recording_fetch
    try:
        for name, make in shapes.items():
            sent.clear()
            params = dict(make(), rows=20, **{"facet.field": FACETS})
            tk.get_action("package_search")(ctx(), params)
            statements = [(st, v) for st, v in sent if table.TABLE in st]
            print(f"\n=== EXPLAIN {name}: {json.dumps(params, ensure_ascii=False)}")
            for statement, values in statements:
                print(f"--- {statement}")
                plan = model.Session.execute(
                    sa.text("EXPLAIN (ANALYZE, BUFFERS) " + statement), values).scalars()
                for line in plan:
                    print(f"    {line}")
            model.Session.remove()
    finally:
        connection.PgSearchConnection._run = original
        connection.PgSearchConnection._fetch_bytes = fetching


if __name__ == "__main__":
    main()
