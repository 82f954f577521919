"""The kinds of source the harvesters know, one module each (see base.py
for the contract and the README for how to add one)."""
from __future__ import annotations

from typing import Any

from . import arcgis_feature_service, budget, dcat_catalog, ogc_service, ogcapi_features, oparl, open311, sensor_feed, \
    tree_register
from .base import Build, BuildResult, File, Kind, OneDataset, Output, Unit, table
from .config import ConfigError, SourceConfig, parse

KINDS: dict[str, Kind] = {k.name: k for k in (tree_register.KIND, ogc_service.KIND, sensor_feed.KIND, dcat_catalog.KIND,
                                              ogcapi_features.KIND, open311.KIND,
                                              oparl.KIND, budget.KIND, arcgis_feature_service.KIND)}

__all__ = ["KINDS", "Build", "BuildResult", "ConfigError", "File", "Kind", "OneDataset", "Output",
           "SourceConfig", "Unit", "configure", "kind_of", "table"]


def kind_of(config: SourceConfig) -> Kind:
    return KINDS[config.kind]


def configure(source: str, raw: Any) -> SourceConfig:
    """A source's entry (from sources.yaml, or a dict a test built) as its kind's typed configuration."""
    if isinstance(raw, SourceConfig):
        return raw
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in KINDS:
        raise ConfigError(f"source {source}: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
    config = parse(KINDS[kind].Config, source, raw)
    config.check(source)
    return config
