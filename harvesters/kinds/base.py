"""The contract of a kind of source, and what passes between its steps.

A kind turns one unit (one future dataset) into a package in three steps,
each with plain inputs and outputs:

    extract(unit, build)             -> what the source delivered (raw, or lazy pages)
    transform(unit, extracted, build) -> Output: the files written into build.directory
    plan(unit, output)               -> Plan: the dataset's metadata, links, changes

The runner does the rest the same way for every kind: datapackage.json from
the Output, validation of every table with its Table Schema, publish.json,
the run's facts (BuildResult), the swap and the publishing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

from etl import package

from ..plan import Plan, harvested_metadata
from .config import SourceConfig


@dataclass(frozen=True)
class Unit:
    source: str           # the configured source
    name: str             # the unit: the source itself, or SOURCE-LAYER (its folder, its run record)
    dataset: str          # its dataset on the portal
    config: SourceConfig
    context: Any = None   # what listing the units found (a service's capabilities); never in the config


@dataclass(frozen=True)
class Build:
    directory: str             # the new package's folder (empty, exists)
    version: str
    current: Optional[str]     # the unit's last good package (an incremental kind's state is there)


@dataclass(frozen=True)
class File:
    """A file of the package: its datapackage.json resource and its entry on the portal."""
    path: str                   # file name in the package = resource name on the portal
    resource: str               # resource name in datapackage.json
    format: str                 # csv, geojson, png (the portal shows it upper case)
    mediatype: str
    description: str            # German, for the portal
    schema: Optional[dict] = None   # a table: validated against it, published with it
    extra: dict[str, Any] = field(default_factory=dict)  # rows, features, encoding
    resource_type: Optional[str] = None  # vocabulary resource-types; None: data (the quality score's default)

    def resource_entry(self, directory: str) -> dict[str, Any]:
        extra = dict(self.extra, **({"schema": self.schema} if self.schema else {}))
        return package.file_resource(directory, self.path, self.resource, self.format, self.mediatype, **extra)

    def portal_entry(self) -> dict[str, Any]:
        entry = {"name": self.path, "format": self.format.upper(), "mimetype": self.mediatype,
                 "description": self.description}
        return dict(entry, resource_type=self.resource_type) if self.resource_type else entry


def table(path: str, resource: str, description: str, schema: dict, rows: int) -> File:
    """A UTF-8 CSV table of the package."""
    return File(path, resource, "csv", "text/csv", description, schema, {"encoding": "utf-8", "rows": rows})


@dataclass
class Output:
    """What transform wrote: the files, and what datapackage.json says of them."""
    title: str
    files: list[File]
    sources: list[dict[str, str]]    # datapackage.json sources: [{"title", "path"}]
    licence: Optional[str]           # DCAT-AP.de id; None: no licence known
    rows: int = 0
    warnings: dict[str, Any] = field(default_factory=dict)
    licence_title: str = ""
    created: Optional[dt.datetime] = None
    context: Any = None              # what the kind's plan step needs from transform
    descriptor: dict[str, Any] = field(default_factory=dict)  # more of datapackage.json (a fiscal package's model)
    # Plausibility findings that publish the package but as `warning` (states.py), never a silent ok.
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BuildResult:
    rows: int
    warnings: dict[str, Any]
    valid: bool
    errors: list[dict[str, Any]]     # the first 20
    error_count: int
    resources: list[str]
    notices: tuple[str, ...] = ()

    def facts(self) -> dict[str, Any]:
        """For the run record (runs.jsonl)."""
        return {"rows": self.rows, "warnings": self.warnings, "valid": self.valid, "errors": self.errors,
                "error_count": self.error_count, "resources": self.resources,
                **({"notices": list(self.notices)} if self.notices else {})}


class Kind(Protocol):
    name: str                    # as in sources.yaml (`kind:`)
    Config: type[SourceConfig]   # its typed configuration
    many_units: bool             # units come and go (layers): vanished ones are withdrawn

    def dataset_name(self, unit: str) -> str: ...
    def source_system(self, config: Any) -> str: ...
    def units(self, source: str, config: Any) -> list[Unit]: ...
    def extract(self, unit: Unit, build: Build) -> Any: ...
    def transform(self, unit: Unit, extracted: Any, build: Build) -> Output: ...
    def plan(self, unit: Unit, output: Output) -> Plan: ...


class OneDataset:
    """Defaults for a kind whose source is one dataset (a register, a feed)."""
    many_units = False
    prefix = ""

    def dataset_name(self, unit: str) -> str:
        return f"{self.prefix}{unit}"

    def source_system(self, config: Any) -> str:
        return config.source_system or config.url

    def units(self, source: str, config: Any) -> list[Unit]:
        return [Unit(source, source, self.dataset_name(source), config)]

    def metadata(self, unit: Unit, output: Output, *, notes: str, tags: list[str], themes: list[str],
                 **given: Any) -> dict[str, Any]:
        """The dataset's metadata as the source's configuration has it: its
        description over the kind's `notes`, its licence, frequency, attribution,
        extent and contact; `given` (licence=, known_limitations=, …) over those."""
        config = unit.config
        fields = dict(title=output.title, notes=config.description or notes, tags=tags, themes=themes,
                      licence=config.licence, frequency=config.frequency, source_system=self.source_system(config),
                      attribution=config.attribution, extent=config.extent, contact=config.contact)
        return harvested_metadata(unit.dataset, **dict(fields, **given))

