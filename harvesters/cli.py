"""jena-harvest: the command cron and operators run.

Exit codes: 0 all good, 1 a source failed, 2 configuration error.
"""
from __future__ import annotations

import argparse
import logging
import sys

import ckanapi

from . import demo
from .ckan_client import ConfigurationError, connect

log = logging.getLogger("jena-harvest")


def _seed_demo(args) -> int:
    ckan = connect(args.ckan_url)
    changes = demo.seed(ckan)
    print("    " + ("; ".join(changes) if changes else "demo content unchanged"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jena-harvest", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("seed-demo", help="publish the demo organisation and dataset")
    p.add_argument("--ckan-url", help="portal URL (default: $JENA_CKAN_URL)")
    p.set_defaults(func=_seed_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigurationError as e:
        print(f"jena-harvest: configuration error: {e}", file=sys.stderr)
        return 2
    except (ckanapi.CKANAPIError, ckanapi.ValidationError, ckanapi.NotAuthorized,
            ckanapi.NotFound, OSError) as e:
        print(f"jena-harvest: {args.command} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
