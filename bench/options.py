"""The command line every bench shares: its sizes (whole numbers with their
full-run defaults), --smoke for the size tests/test_benches.py runs in
seconds, on/off flags of its own, and the rule for a missing baseline: a
smoke run skips it and says so, a full run stops."""
from __future__ import annotations

import argparse
import sys
from typing import Optional


def parse(doc: str, smoke: dict[str, int], smoke_help: str,
          flags: Optional[dict[str, str]] = None, **sizes: int) -> argparse.Namespace:
    """`sizes`: name=default, as --name (underscores as dashes); `smoke`:
    the sizes of --smoke; `flags`: name -> help of further on/off options."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in sizes.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int, default=default)
    parser.add_argument("--smoke", action="store_true", help=smoke_help)
    for name, text in (flags or {}).items():
        parser.add_argument("--" + name.replace("_", "-"), action="store_true", help=text)
    args = parser.parse_args()
    if args.smoke:
        vars(args).update(smoke)
    return args


def baseline(args: argparse.Namespace, present: bool, missing: str) -> bool:
    """Whether the baseline can run; without it a full run stops with `missing`
    (its figures would have nothing to be compared with)."""
    if not present and not args.smoke:
        sys.exit(missing)
    return present
