"""Checks on a source's crosswalk (harvesters/sources.yaml) before it is applied.

Missing configured columns are a clear error naming the source and the
columns: a renamed column must not be read as "all empty". The crosswalk
itself runs on whole columns (columnar.py).
"""
from __future__ import annotations

from typing import Iterable


class CrosswalkError(ValueError):
    pass


def check_columns(source: str, config: dict, header: Iterable[str]) -> None:
    have = set(header)
    missing = sorted(c for c in config["columns"].values() if c not in have)
    if missing:
        raise CrosswalkError(
            f"{source}: columns {', '.join(missing)} are missing from the source "
            f"(it has: {', '.join(sorted(have))}); was a column renamed?")
