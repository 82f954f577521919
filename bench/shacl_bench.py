"""Benchmark of the DCAT-AP.de SHACL check (jena_dcat).

Creates N generated datasets through CKAN's package_create and our schema (1–4 resources:
hashed CSV/GeoJSON files, PDFs, WMS/WFS links), then

- checks each one as the job does (package_show, the dcat_ap_de graph, pyshacl against
  "DCAT-AP 3.0.de – Deutsche Spezifikation", storing the result): once new (the outcome
  changes, so the dataset is reindexed for the score), then after a steward's change,
  and prints p50/p95 of the job and its parts next to the goal of issue 15 (< 200 ms
  per dataset on change);
- builds the whole public catalogue as one graph (what `ckan jena-shacl --catalog` and
  the catalogue endpoint serve) and validates it once.

    .venv/bin/python bench/shacl_bench.py [--datasets 1000] [--smoke]

--smoke: 5 datasets. It uses the TEST database of test.ini (or CKAN_SQLALCHEMY_URL,
e.g. from bin/test-db) and empties it first.
"""
from __future__ import annotations

import random
import statistics
import sys
import time

import options
import portal

GOAL_MS = 200.0
WORDS = ("Baum Straße Haltestelle Schule Kita Umwelt Luft Lärm Wasser Saale Park Friedhof Haushalt "
         "Wahl Bevölkerung Energie Radweg Parkplatz Kultur Museum Denkmal Klima Hitze Sensor").split()
THEMES = ["ENVI", "TRAN", "EDUC", "GOVE", "SOCI", "ENER", "HEAL", "ECON"]
FREQUENCIES = ["ANNUAL", "MONTHLY", "DAILY", "IRREG", "WEEKLY"]


def resources(rng: random.Random, i: int) -> list[dict]:
    out = []
    for j in range(rng.randint(1, 4)):
        kind = rng.choice(["csv", "geojson", "pdf", "wms", "wfs"])
        base = f"https://daten.jena.example/{i}/{j}"
        if kind == "wms":
            out.append({"name": f"WMS-Dienst {j}", "format": "WMS_SRVC", "mimetype": "application/xml",
                        "url": f"https://geo.jena.example/wms{i}?SERVICE=WMS&REQUEST=GetCapabilities"})
        elif kind == "wfs":
            out.append({"name": f"WFS-Dienst {j}", "format": "WFS_SRVC", "mimetype": "application/xml",
                        "url": f"https://geo.jena.example/wfs{i}?SERVICE=WFS&REQUEST=GetCapabilities"})
        else:
            fmt, mime = {"csv": ("CSV", "text/csv"), "geojson": ("GeoJSON", "application/geo+json"),
                         "pdf": ("PDF", "application/pdf")}[kind]
            out.append({"name": f"daten-{j}.{kind}", "url": f"{base}.{kind}", "format": fmt, "mimetype": mime,
                        "size": rng.randint(100, 10_000_000), "hash": "sha256:%064x" % rng.getrandbits(256)})
    return out


def generated_dataset(rng: random.Random, i: int, orgs: list[str]) -> dict:
    """The i-th generated dataset of our schema, in one of the organisations `orgs`."""
    words = rng.sample(WORDS, 3)
    return {
        "name": f"datensatz-{i:05d}", "title": f"{words[0]} und {words[1]} in Jena",
        "notes": " ".join(rng.choice(WORDS) for _ in range(30)), "owner_org": rng.choice(orgs),
        "tag_string": ",".join(words), "theme": [rng.choice(THEMES)], "frequency": rng.choice(FREQUENCIES),
        "temporal_coverage": [{"start": f"{2000 + i % 25}-01-01"}],
        "contact": [{"name": "Team Offene Daten", "email": "opendata@jena.example"}],
        "maintainer": "Fachdienst " + words[2], "creator": [{"name": "Stadt Jena"}],
        "license_attribution": "Stadt Jena", "resources": resources(rng, i)}


def main() -> None:
    args = options.parse(__doc__, {"datasets": 5}, "5 datasets: it still runs", datasets=1000)
    # test.ini's plugins include jena_dcat with the dcat_ap_de profile. The
    # bench calls the job's work itself, timed; no jobs in Redis meanwhile.
    app = portal.app(**{"ckanext.jena.dcat.shacl.on_change": "false"})
    with app._wsgi_app.test_request_context():
        run(args)


def run(args) -> None:
    import ckan.plugins.toolkit as tk

    from ckanext.jena.dcat import cli, job, shacl, shapes

    portal.database(empty=True)
    rng = random.Random(16053)
    ctx = portal.as_site_user()
    orgs = [tk.get_action("organization_create")(ctx(), {
        "name": f"amt-{i}", "title": f"Amt {i} der Stadt Jena", "contact_email": f"amt{i}@jena.example",
        "contributor_id": "http://dcat-ap.de/def/contributors/stadtJena"})["id"] for i in range(8)]
    t0 = time.perf_counter()
    ids = []
    for i in range(args.datasets):
        ids.append(tk.get_action("package_create")(ctx(), generated_dataset(rng, i, orgs))["id"])
    print(f"{args.datasets} datasets created in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    t = time.perf_counter()
    shapes.warm()
    print(f"loading shapes and vocabularies once: {(time.perf_counter() - t) * 1000:.0f} ms")
    first, triples = [], []
    for package_id in ids:
        t = time.perf_counter()
        result = job.run(package_id)   # None -> conforms: reindexed for the score
        first.append((time.perf_counter() - t) * 1000)
        triples.append(result["triples"])
    # A steward's change, then the job as after_dataset_update queues it.
    again, validate_ms, graph_ms, violations, warnings = [], [], [], 0, 0
    for i, package_id in enumerate(ids):
        tk.get_action("package_patch")(ctx(), {"id": package_id, "notes": f"Geändert ({i})."})
        t = time.perf_counter()
        pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
        shacl.dataset_graph(pkg)
        graph_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        result = job.run(package_id)
        again.append((time.perf_counter() - t) * 1000)
        validate_ms.append(result["duration_ms"])
        violations += result["violations"]
        warnings += result["warnings"]
    print(f"\nper dataset ({args.datasets} datasets, {statistics.mean(triples):.0f} triples each on "
          f"average; goal < {GOAL_MS:.0f} ms on change)")
    for label, values in (("first check (job, with reindex)", first),
                          ("check after a change (job)", again),
                          ("  of which SHACL validation", validate_ms),
                          ("  package_show + DCAT graph", graph_ms)):
        p50, p95 = portal.percentile(values, 50), portal.percentile(values, 95)
        print(f"  {label:34s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ratio p95/goal {p95 / GOAL_MS:.2f}")
    print(f"  violations {violations}, warnings {warnings} ({warnings / len(ids):.1f} per dataset)")

    t = time.perf_counter()
    report = cli._catalog()
    total = time.perf_counter() - t
    print(f"\nwhole catalogue as one graph: {report['datasets']} datasets, {report['triples']} triples")
    print(f"  building {report['build_ms'] / 1000:.1f} s, SHACL {report['duration_ms'] / 1000:.1f} s, "
          f"total {total:.1f} s; violations {report['violations']}, warnings {report['warnings']}")


if __name__ == "__main__":
    main()
