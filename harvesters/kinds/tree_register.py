"""Tree registers (`kind: tree_register`): a city's CSV of trees, mapped by
the source's crosswalk (`columns:`) onto our common Table Schema (trees)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, Optional

from etl import columnar, crosswalk, package

from ..fetch import SourceError, get
from ..plan import Changes, Plan
from .base import Build, File, OneDataset, Output, Unit, table
from .config import ConfigError, SourceConfig

# Our fields a crosswalk may name (etl/columnar.trees reads them).
COLUMNS = ("source_id", "botanical_name", "german_name", "cultivar", "planting_year", "height_m", "trunk_circumference_cm",
           "trunk_diameter_cm", "crown_diameter_m", "vitality", "district", "x", "y")


@dataclass(frozen=True, kw_only=True)
class TreeConfig(SourceConfig):
    url: str
    crs: str                           # the coordinates' CRS, e.g. EPSG:25833
    columns: dict[str, str]            # our field -> the source's column
    format: str = "csv"
    delimiter: str = ","
    encoding: str = "utf-8"
    licence: Optional[str] = "dl-by-de/2.0"
    frequency: Optional[str] = "MONTHLY"
    # A configured column unreadable in more than this share of its filled
    # rows fails the run (a changed format), instead of publishing it empty.
    max_unreadable: float = 0.5
    # One column with both names ("Tilia cordata, Winter-Linde"): name it as
    # botanical_name and german_name, and say where and in which order to split.
    name_separator: Optional[str] = None
    name_order: Literal["botanical_german", "german_botanical"] = "botanical_german"

    def check(self, source: str) -> None:
        super().check(source)
        unknown = sorted(set(self.columns) - set(COLUMNS))
        if unknown:
            raise ConfigError(f"source {source}: columns: unknown field {unknown[0]} (known: {', '.join(COLUMNS)})")
        if self.columns.get("botanical_name") == self.columns.get("german_name") is not None \
                and not self.name_separator:
            raise ConfigError(f"source {source}: botanical_name and german_name name the same column "
                              f"{self.columns['german_name']}: set name_separator (e.g. \",\") to split it")
        if not {"x", "y"} <= set(self.columns):
            raise ConfigError(f"source {source}: columns must name the coordinates x and y")


class TreeRegister(OneDataset):
    name = "tree_register"
    Config = TreeConfig
    prefix = "baumkataster-"

    def extract(self, unit: Unit, build: Build):
        """The source's table, every column as text (a polars DataFrame)."""
        source, config = unit.source, unit.config
        raw = get(source, config.url, config.format, config)
        try:
            text = raw.decode(config.encoding)
        except UnicodeDecodeError as e:
            raise SourceError(f"{source}: the file is not {config.encoding} (byte {e.start}); "
                              "has the source changed its encoding?")
        del raw
        try:
            frame = columnar.read_text_table(text.lstrip("\ufeff"), config.delimiter)
        except Exception as e:
            raise SourceError(f"{source}: not a readable table ({type(e).__name__}: {str(e)[:200]})")
        if frame.width < 2:
            raise SourceError(f"{source}: no table found (header {frame.columns!r}); wrong delimiter or not a CSV?")
        return frame

    def transform(self, unit: Unit, frame, build: Build) -> Output:
        source, config = unit.source, unit.config
        try:
            crosswalk.check_columns(source, config.as_dict(), frame.columns)
        except crosswalk.CrosswalkError as e:
            raise SourceError(str(e))
        trees, warnings = columnar.trees(source, config.as_dict(), frame)
        for field, column, bad, filled in columnar.unreadable(config.as_dict(), frame, warnings):
            if filled and bad / filled > config.max_unreadable:
                sample = frame[column].drop_nulls().head(3).to_list()
                raise SourceError(
                    f"{source}: column {column} ({field}) is unreadable in {bad} of {filled} filled rows "
                    f"(e.g. {', '.join(map(repr, sample))}); has the source changed its format? Not published")
        del frame
        schema = package.table_schema("trees", config.extent)
        columnar.write_csv(trees.select([f["name"] for f in schema["fields"]]), os.path.join(build.directory, "baeume.csv"))
        located = columnar.write_geojson(trees, os.path.join(build.directory, "baeume.geojson"))
        rows = trees.height
        del trees  # the validation processes need the memory more than this frame
        title = config.title or source
        return Output(title, [
            table("baeume.csv", "baeume", "Alle Bäume als Tabelle (UTF-8, Komma-getrennt).", schema, rows),
            File("baeume.geojson", "baeume-geojson", "geojson", "application/geo+json",
                 "Alle Bäume als Punkte (WGS 84).", extra={"features": located}),
        ], [{"title": title, "path": config.url}], config.licence, rows, dict(warnings),
            licence_title=config.attribution)

    def plan(self, unit: Unit, output: Output) -> Plan:
        dataset = self.metadata(
            unit, output, notes=(f"Bäume im öffentlichen Raum aus dem Baumkataster ({output.title}): "
                                 "Art, Pflanzjahr, Höhe, Stammumfang, Kronendurchmesser, Vitalität und Lage. "
                                 "Automatisch abgeglichen und mit Frictionless geprüft."),
            tags=["Bäume", "Baumkataster", "Stadtgrün", "Umwelt"], themes=["ENVI", "REGI"])
        return Plan(dataset, unit.config.organization, changes=Changes("baeume.csv", "id", "aenderungen.csv"))


KIND = TreeRegister()
