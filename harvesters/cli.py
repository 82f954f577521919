"""jena-harvest: the command cron and operators run.

Exit codes: 0 all good, 1 a source failed, 2 configuration error.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

import ckanapi

from . import demo, kinds, runner, states
from .ckan_client import ConfigurationError, connect

log = logging.getLogger("jena-harvest")


def _seed_demo(args) -> int:
    ckan = connect(args.ckan_url)
    changes = demo.seed(ckan)
    print("    " + ("; ".join(changes) if changes else "demo content unchanged"))
    return 0


def _list(args) -> int:
    for name, entry in runner.load_config(args.config).items():
        config = kinds.configure(name, entry)
        print(f"{name}\t{config.kind}\t{config.title or ''}\t{kinds.kind_of(config).source_system(config)}")
    return 0


def _run(args) -> int:
    sources = runner.load_config(args.config)
    names = list(sources) if args.all else [args.source]
    unknown = [n for n in names if n not in sources]
    if unknown or not names:
        raise ConfigurationError(f"unknown source {', '.join(unknown) or '(none given)'}; "
                                 f"known: {', '.join(sources)}")
    ckan = token = None
    if args.ckan_url or (os.environ.get("JENA_CKAN_URL") and not args.no_publish):
        from .ckan_client import api_token
        ckan, token = connect(args.ckan_url), api_token()
    results = runner.run(names, sources, args.out, ckan, token, args.dry_run)
    for r in results:
        print(f"{r['source']}: {r['status']}: {r['message']}")
    # A withdrawn layer is news for the stewards, not a failure of the run.
    return 0 if all(r["status"] in states.GOOD for r in results) else 1


def _status(args) -> int:
    path = os.path.join(args.out, "runs.jsonl")
    if not os.path.exists(path):
        print("no runs yet")
        return 0
    last = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            last[entry["source"]] = entry
    for name, e in sorted(last.items()):
        print(f"{name}\t{e['status']}\t{e['finished']}\t{e['message']}")
    return 0


def _probe(args) -> int:
    from . import probe
    from .fetch import SourceError
    try:
        proposal = probe.probe(args.target, name=args.name, near=probe.parse_near(args.near))
    except (SourceError, OSError) as e:
        print(f"jena-harvest: probe failed: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(proposal.render())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jena-harvest", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="source configuration (default: harvesters/sources.yaml)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list the configured sources")
    p.set_defaults(func=_list)
    p = sub.add_parser("run", help="harvest sources into validated data packages")
    p.add_argument("source", nargs="?", help="a source name (see list)")
    p.add_argument("--all", action="store_true", help="every configured source")
    p.add_argument("--out", default="var/harvest", help="folder of the packages (default var/harvest)")
    p.add_argument("--dry-run", action="store_true", help="build and validate only: keep and publish nothing")
    p.add_argument("--ckan-url", help="publish to this portal (default: $JENA_CKAN_URL; unset: no publishing)")
    p.add_argument("--no-publish", action="store_true", help="ignore $JENA_CKAN_URL")
    p.set_defaults(func=_run)
    p = sub.add_parser("status", help="the last run of each source")
    p.add_argument("--out", default="var/harvest")
    p.set_defaults(func=_status)
    p = sub.add_parser("probe", help="read a tree register and print a proposed sources.yaml entry")
    p.add_argument("target", metavar="URL|FILE", help="the register: an http(s) URL or a file (CSV, XLSX, GeoJSON)")
    p.add_argument("--name", help="the source's name in the entry (default: from the file name)")
    p.add_argument("--near", metavar="LON,LAT", help="a place in the city: tells UTM zone 32 from 33")
    p.set_defaults(func=_probe)
    p = sub.add_parser("seed-demo", help="publish the demo organisation and dataset")
    p.add_argument("--ckan-url", help="portal URL (default: $JENA_CKAN_URL)")
    p.set_defaults(func=_seed_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigurationError, runner.ConfigError) as e:
        print(f"jena-harvest: configuration error: {e}", file=sys.stderr)
        return 2
    except runner.Locked as e:
        print(f"jena-harvest: {e}", file=sys.stderr)
        return 1
    except (ckanapi.CKANAPIError, ckanapi.ValidationError, ckanapi.NotAuthorized,
            ckanapi.NotFound, OSError) as e:
        print(f"jena-harvest: {args.command} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
