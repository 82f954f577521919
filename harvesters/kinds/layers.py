"""What the two kinds of geodata service share: `ogc_service` (WFS/WMS
layers) and `ogcapi_features` (OGC API collections), one dataset per layer.

Their configuration's choice of layers (include/exclude) and per-layer
overrides, a layer's name on the portal, its features written through
etl.features.LayerWriter into the package's two files (CSV + GeoJSON), its
licence and its dataset's metadata. What differs (how a service lists its
layers and delivers their features) stays in each kind's module.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from etl import features
from etl.licences import first_recognised
from etl.names import slug

from ..fetch import SourceError
from ..plan import Plan, harvested_metadata
from .base import File, Output, Unit, table
from .config import SourceConfig


@dataclass(frozen=True, kw_only=True)
class Overrides:
    """A `layers:` or `collections:` entry: what the configuration says of one layer, over what its service says."""
    title: Optional[str] = None
    description: Optional[str] = None
    theme: Optional[str] = None
    licence: Optional[str] = None
    frequency: Optional[str] = None


@dataclass(frozen=True, kw_only=True)
class LayersConfig(SourceConfig):
    include: list[str] = field(default_factory=lambda: ["*"])  # shell patterns on layer names
    exclude: list[str] = field(default_factory=list)
    theme: Optional[str] = None        # EU data theme code of every layer

    def wanted(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in self.include) and \
            not any(fnmatch.fnmatchcase(name, p) for p in self.exclude)

    def overrides(self, name: str) -> Overrides:
        """The layer's entry under the kind's own key (layers:, collections:)."""
        raise NotImplementedError


def layer_slug(name: str) -> str:
    """A layer's part of its unit's, dataset's and files' names."""
    # Dashes kept as they are, accents not folded, cut at 90 without stripping:
    # the rule these names were first made with (a renamed dataset is a new one).
    return slug(name, keep="_-", fold_accents=False)[:90]


class LayerKind:
    """Defaults for a kind with one dataset per layer of a service."""
    many_units = True  # layers come and go: the runner withdraws the vanished ones

    def dataset_name(self, unit: str) -> str:
        return layer_slug(unit)

    def unit(self, source: str, layer: str, config: LayersConfig, context: Any) -> Unit:
        """The layer's unit, SOURCE-LAYER, and its dataset."""
        name = f"{source}-{layer_slug(layer)}"
        return Unit(source, name, self.dataset_name(name), config, context)


def layer_licence(over: Overrides, config: LayersConfig, said: Iterable[Optional[str]]) -> str:
    """The configured layer's, else the first the service says (`said`), else the source's."""
    return over.licence or first_recognised(said) or config.licence or "notspecified"


def keyword_tags(keywords: Iterable[Any]) -> list[str]:
    """A service's keywords as tags: letters, digits, " -._", at most 100 characters, each once."""
    out = []
    for k in keywords:
        tag = "".join(c if c.isalnum() or c in " -._" else " " for c in str(k)).strip()[:100]
        if len(tag) >= 2 and tag not in out:
            out.append(tag)
    return out


def write_features(writer: features.LayerWriter, pages: Iterable[list], who: str, *,
                   new_each_page: bool = False) -> tuple[int, dict[str, Any]]:
    """Every page into the writer, then the writer closed: (features, what else it counted).

    Features outside the service's extent are the source's error, naming `who`;
    on any failure the files are closed and nothing is published. new_each_page:
    a page after the first with nothing new is refused (a server that ignores
    the offset of its own next links sends page 1 again and again).
    """
    try:
        for number, page in enumerate(pages, start=1):
            if writer.add(page) == 0 and page and new_each_page and number > 1:
                raise SourceError(f"{who}: page {number} repeats features already read (the server "
                                  "ignores its own paging); not published")
    except features.OutsideExtent as e:
        writer.abort()
        raise SourceError(f"{who}: {e}; not published")
    except BaseException:
        writer.abort()
        raise
    counts = writer.close()
    return counts.get("features", 0), {k: v for k, v in counts.items() if k != "features"}


def layer_files(name: str, schema: dict, rows: int) -> list[File]:
    """The files LayerWriter wrote: the attributes as CSV (with their Table Schema) and the features as GeoJSON."""
    return [
        table(f"{name}.csv", name, "Sachdaten aller Objekte (UTF-8, Komma-getrennt); Schema in "
              "datapackage.json.", schema, rows),
        File(f"{name}.geojson", f"{name}-geojson", "geojson", "application/geo+json",
             "Alle Objekte mit Geometrie (WGS 84).", extra={"features": rows}),
    ]


def layer_plan(unit: Unit, output: Output, over: Overrides, links: list[dict[str, Any]], *, notes: str,
               keywords: list[str], licence: str, licence_said: tuple[str, str], source_system: str,
               extent: Optional[list[float]], contact: Optional[dict]) -> Plan:
    """The layer's dataset: the overrides over what the service says (`notes`,
    `keywords`), what the writer repaired as known limitations, and an unclear
    licence said with where the service said what (`licence_said`: where, what)."""
    config: LayersConfig = unit.config
    limitations, note = [], []
    if output.warnings.get("repaired"):
        limitations.append(f"{output.warnings['repaired']} ungültige Geometrien wurden beim Abgleich "
                           "repariert (make_valid).")
        note.append(f"{output.warnings['repaired']} Geometrien repariert.")
    if output.warnings.get("without_geometry"):
        limitations.append(f"{output.warnings['without_geometry']} Objekte ohne Geometrie.")
    if licence == "notspecified":
        where, said = licence_said
        limitations.append(f"Lizenz aus den {where} des Dienstes nicht erkennbar: „{said}“. Bitte klären.")
    theme = over.theme or config.theme
    dataset = harvested_metadata(
        unit.dataset, title=over.title or output.title, notes=over.description or notes,
        tags=keywords + ["Geodaten"], themes=[theme] if theme else [], licence=licence,
        frequency=over.frequency or config.frequency, source_system=source_system,
        attribution=config.attribution, extent=extent, contact=contact, known_limitations="\n\n".join(limitations))
    return Plan(dataset, config.organization, links, note=" ".join(note))
