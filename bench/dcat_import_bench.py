"""Benchmark of the DCAT-AP catalogue import (harvester kind dcat_catalog).

Creates N generated datasets on the portal (our schema, 1–4 resources each), exports
them with the portal's own DCAT-AP.de serializer as a catalogue of pages of 100
(Hydra PagedCollection, as ckanext-dcat pages /catalog.ttl), serves the pages on
loopback and imports the whole catalogue into a second organisation with the real
harvester (jena-harvest's runner, publishing through the action API as an editor).
Prints datasets/s for

- the baseline: ckanext-dcat's RDFParser.datasets() over the same pages (parse only),
- our units step (parse with the same parser, map, canonical record per dataset),
- the import end to end (packages built and published, first run),
- a second run over the unchanged catalogue (nothing written),

and the ratios against the baseline.

    .venv/bin/python bench/dcat_import_bench.py [--datasets 1000] [--smoke]

--smoke: 5 datasets. It uses the TEST database of test.ini (or CKAN_SQLALCHEMY_URL,
e.g. from bin/test-db) and empties it first.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time

import options
import portal
# Before the app loads: CKAN's app registers its own test package as `tests`.
from tests.loopback import serve

PAGE = 100


def main() -> None:
    args = options.parse(__doc__, {"datasets": 5}, "5 datasets (make test runs it)", datasets=1000)
    os.environ["JENA_OUTBOUND_ALLOW"] = "127.0.0.1"  # the catalogue is served on loopback
    # Timed here: the import itself, not the portal's checks that follow each change.
    app = portal.app(**{"ckanext.jena.dcat.shacl.on_change": "false"})
    with app._wsgi_app.test_request_context():
        run(args)


def _pages(datasets: list[dict], base: str) -> dict[str, tuple[bytes, str]]:
    from ckanext.dcat.processors import RDFSerializer
    pages = {}
    count = (len(datasets) + PAGE - 1) // PAGE
    for number in range(count):
        chunk = datasets[number * PAGE:(number + 1) * PAGE]
        serializer = RDFSerializer(profiles=["euro_dcat_ap_3", "dcat_ap_de"])
        paging = {"count": len(datasets), "items_per_page": PAGE,
                  "current": f"{base}/catalog.ttl?page={number + 1}",
                  "first": f"{base}/catalog.ttl?page=1", "last": f"{base}/catalog.ttl?page={count}"}
        if number + 1 < count:
            paging["next"] = f"{base}/catalog.ttl?page={number + 2}"
        body = serializer.serialize_catalog({"title": "Generierter Katalog"}, dataset_dicts=chunk,
                                            _format="turtle", pagination_info=paging)
        path = "/catalog.ttl" if number == 0 else f"/catalog.ttl?page={number + 1}"
        pages[path] = (body if isinstance(body, bytes) else body.encode(), "text/turtle")
    return pages


def run(args) -> None:
    import ckan.plugins.toolkit as tk
    from ckanapi import LocalCKAN
    from ckanext.dcat.processors import RDFParser

    from harvesters import runner
    from harvesters.kinds import configure
    from harvesters.kinds.dcat_catalog import read_catalog
    from shacl_bench import generated_dataset

    portal.database(empty=True)
    rng = random.Random(16053)
    ctx = portal.as_site_user()
    source_org = tk.get_action("organization_create")(ctx(), {"name": "quelle", "title": "Quelle"})
    editor = tk.get_action("user_create")(ctx(), {"name": "harvester-bench", "email": "h@jena.example",
                                                  "password": "Bench-Passwort-123"})
    tk.get_action("organization_create")(ctx(), {"name": "import", "title": "Import",
                                                 "users": [{"name": editor["name"], "capacity": "editor"}]})
    datasets = []
    t0 = time.perf_counter()
    for i in range(args.datasets):
        pkg = generated_dataset(rng, i, [source_org["id"]])
        del pkg["creator"]  # the imported catalogue's datasets carry none
        pkg.update(name=f"quelle-{i:05d}", title=f"{pkg['title']} ({i})")  # unique titles
        datasets.append(tk.get_action("package_create")(ctx(), pkg))
    print(f"{args.datasets} source datasets created in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    routes: dict = {}
    with serve(routes) as base, tempfile.TemporaryDirectory() as out:
        routes.update(_pages(datasets, base))
        size = sum(len(body) for body, _ in routes.values())
        print(f"catalogue: {args.datasets} datasets in {len(routes)} pages, {size / 1e6:.1f} MB Turtle")
        entry = {"kind": "dcat_catalog", "organization": "import", "url": f"{base}/catalog.ttl",
                 "max_pages": 1000}
        config = configure("bench", entry)

        t = time.perf_counter()
        parsed = 0
        for body, _ in routes.values():
            p = RDFParser(profiles=["euro_dcat_ap_3", "dcat_ap_de"])
            p.parse(body, _format="turtle")
            parsed += sum(1 for _ in p.datasets())
        baseline = time.perf_counter() - t

        t = time.perf_counter()
        records = sum(1 for _ in read_catalog("bench", config))
        units = time.perf_counter() - t

        ckan = LocalCKAN(username=editor["name"])
        t = time.perf_counter()
        first = runner.run(["bench"], {"bench": entry}, out, ckan)
        end_to_end = time.perf_counter() - t
        t = time.perf_counter()
        second = runner.run(["bench"], {"bench": entry}, out, ckan)
        unchanged = time.perf_counter() - t

    ok = sum(1 for r in first if r["status"] == "ok")
    quiet = sum(1 for r in second if r.get("published", {}).get("changed") is False)
    assert parsed == records == args.datasets, (parsed, records)
    print(f"\n{'step':<52}{'s':>8}{'datasets/s':>12}{'× baseline':>12}")
    for label, seconds in [("baseline: ckanext-dcat RDFParser.datasets() (parse)", baseline),
                           ("ours: units (parse, map, canonical record)", units),
                           ("ours: import end to end, first run (published)", end_to_end),
                           ("ours: second run, catalogue unchanged", unchanged)]:
        print(f"{label:<52}{seconds:>8.1f}{args.datasets / seconds:>12.1f}{seconds / baseline:>12.1f}")
    print(f"\nfirst run: {ok}/{args.datasets} datasets ok; second run: {quiet}/{args.datasets} unchanged "
          "(nothing written)")
    if ok != args.datasets or quiet != args.datasets:
        bad = next(r for r in first + second if r["status"] != "ok" or r.get("published", {}).get("changed"))
        sys.exit(f"not every dataset was imported cleanly: {bad}")


if __name__ == "__main__":
    main()
