"""The config declaration of every ckanext.jena.* option
(config_declaration.yaml), declared by the plugin each section belongs to."""
from __future__ import annotations

import functools
import os
from typing import Any

import yaml

PATH = os.path.join(os.path.dirname(__file__), "config_declaration.yaml")


@functools.lru_cache(maxsize=None)
def _groups() -> tuple[dict[str, Any], ...]:
    with open(PATH, encoding="utf-8") as f:
        return tuple(yaml.safe_load(f)["groups"])


def declare_options(declaration, section: str) -> None:
    """Declare the groups whose options are ckanext.jena.<section>.*: one
    file for all options (as ckanext-dcat keeps them), each plugin declaring
    its own, since CKAN refuses an option declared twice and loads a
    plugin's declarations only while it is enabled."""
    prefix = f"ckanext.jena.{section}."
    groups = [g for g in _groups()
              if g["options"] and all(o["key"].startswith(prefix) for o in g["options"])]
    if not groups:
        raise ValueError(f"{PATH} declares no {prefix}* options")
    declaration.load_dict({"version": 1, "groups": groups})
