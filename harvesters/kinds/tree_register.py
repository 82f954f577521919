"""Tree registers (`kind: tree_register`): a city's CSV of trees, mapped by
the source's crosswalk (`columns:`) onto our common Table Schema (trees)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal, Optional

from etl import columnar, crosswalk, package, tree_formats

from ..fetch import SourceError, get
from ..plan import Changes, Plan
from . import tree_arcgis, tree_wfs
from .base import Build, File, OneDataset, Output, Unit, table
from .config import ConfigError, SourceConfig

# Our fields a crosswalk may name (etl/columnar.trees reads them).
COLUMNS = ("source_id", "botanical_name", "german_name", "cultivar", "planting_year", "height_m", "trunk_circumference_cm",
           "trunk_diameter_cm", "crown_diameter_m", "vitality", "district", "x", "y", "coordinates", "status",
           "felling_date")


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
    # Shares of filled cells / located trees: above warn_* the run publishes as
    # `warning`, above fail_* it fails (max_unreadable is fail_unreadable's old name).
    plausibility: dict[str, float] = field(default_factory=dict)
    # Fields whose 0 means "not measured" (Berlin): read as unknown, counted.
    zero_is_unknown: list[str] = field(default_factory=list)
    # The unit of bare numbers: {height_m: m|cm, crown_diameter_m: m|cm, trunk: cm|m}; a unit in the cell wins.
    units: dict[str, str] = field(default_factory=dict)
    sheet: Optional[str] = None       # xlsx: the sheet (default the first)
    layer: Optional[str] = None       # wfs: the feature type (url is the service)
    # columns.coordinates (one column instead of x and y): "lat, lon", "lon, lat" or WKT POINT(x y).
    coordinates_form: Literal["latlon", "lonlat", "wkt"] = "latlon"
    year_pivot: int = 30               # two-digit years: 00..pivot → 20xx, above → 19xx
    # columns.status: the source's values per code, e.g. {felled: [gefällt, Fällung]}.
    status_values: dict[str, list[str]] = field(default_factory=dict)
    trunk_measured_at_m: float = 1.0   # the height the register measures the trunk at (stated in the schema)

    def limits(self) -> dict[str, float]:
        out = {"warn_unreadable": 0.02, "fail_unreadable": self.max_unreadable,
               "warn_outside_extent": 0.001, "fail_outside_extent": 0.05}
        return out | dict(self.plausibility)

    def check(self, source: str) -> None:
        super().check(source)
        unknown = sorted(set(self.columns) - set(COLUMNS))
        if unknown:
            raise ConfigError(f"source {source}: columns: unknown field {unknown[0]} (known: {', '.join(COLUMNS)})")
        if self.columns.get("botanical_name") == self.columns.get("german_name") is not None \
                and not self.name_separator:
            raise ConfigError(f"source {source}: botanical_name and german_name name the same column "
                              f"{self.columns['german_name']}: set name_separator (e.g. \",\") to split it")
        if self.format not in ("csv", "xlsx", "geojson", "wfs"):
            raise ConfigError(f"source {source}: format {self.format} is not csv, xlsx, geojson or wfs")
        if self.format == "wfs" and not self.layer:
            raise ConfigError(f"source {source}: format wfs needs layer: (the feature type, e.g. strassenbaeume)")
        if not {"x", "y"} <= set(self.columns) and "coordinates" not in self.columns \
                and self.format not in ("geojson", "wfs"):
            raise ConfigError(f"source {source}: columns must name the coordinates x and y (or coordinates)")
        if self.coordinates_form not in ("latlon", "lonlat", "wkt"):
            raise ConfigError(f"source {source}: coordinates_form {self.coordinates_form} is not latlon, lonlat or wkt")
        for code in set(self.status_values) - set(columnar.STATUS_CODES):
            raise ConfigError(f"source {source}: status_values: unknown status {code} "
                              f"(known: {', '.join(columnar.STATUS_CODES)})")
        for key in set(self.plausibility) - {"warn_unreadable", "fail_unreadable", "warn_outside_extent",
                                               "fail_outside_extent"}:
            raise ConfigError(f"source {source}: plausibility: unknown key {key}")
        for key, unit in self.units.items():
            if key not in ("height_m", "crown_diameter_m", "trunk") or unit not in ("m", "cm"):
                raise ConfigError(f"source {source}: units: {key}: {unit} (known: height_m, crown_diameter_m, "
                                  "trunk; m or cm)")


class TreeRegister(OneDataset):
    name = "tree_register"
    Config = TreeConfig
    prefix = "baumkataster-"

    def extract(self, unit: Unit, build: Build):
        """The source's table, every column as text (a polars DataFrame)."""
        source, config = unit.source, unit.config
        if config.format == "wfs":  # paged through the GIS harvester's WFS client
            return tree_wfs.read(source, config)
        if config.format == "geojson" and tree_arcgis.is_query(config.url):  # paged: one answer is one page
            return tree_arcgis.read(source, config)
        raw = get(source, config.url, config.format, config)
        if config.format in ("xlsx", "geojson"):
            try:
                if config.format == "xlsx":
                    return tree_formats.read_xlsx(raw, config.sheet)
                return tree_formats.read_geojson(raw)
            except tree_formats.FormatError as e:
                raise SourceError(f"{source}: {config.url}: {e}")
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
        settings = config.as_dict()
        if config.format in ("geojson", "wfs"):  # the points' coordinates, unless the entry names columns
            settings["columns"] = {"x": tree_formats.GEOMETRY_X, "y": tree_formats.GEOMETRY_Y} | settings["columns"]
        try:
            crosswalk.check_columns(source, settings, frame.columns)
        except crosswalk.CrosswalkError as e:
            raise SourceError(str(e))
        trees, warnings = columnar.trees(source, settings, frame)
        limits, notices = config.limits(), []
        for field_, column, bad, filled in columnar.unreadable(settings, frame, warnings):
            share = bad / filled if filled else 0
            sample = frame[column].drop_nulls().head(3).to_list()
            said = (f"column {column} ({field_}) is unreadable in {bad} of {filled} filled rows "
                    f"(e.g. {', '.join(map(repr, sample))})")
            if share > limits["fail_unreadable"]:
                raise SourceError(f"{source}: {said}; has the source changed its format? Not published")
            if share > limits["warn_unreadable"]:
                notices.append(said)
        del frame
        trees, outside, located = columnar.outside_extent(trees, config.extent)
        if outside:
            warnings["coordinates: outside the extent, left empty"] = outside
            said = f"{outside} of {located} trees lie outside the extent {config.extent}"
            if outside / located > limits["fail_outside_extent"]:
                raise SourceError(f"{source}: {said}; wrong crs or swapped x and y? Not published")
            if outside / located > limits["warn_outside_extent"]:
                notices.append(said + " (their coordinates are left empty)")
        schema = package.table_schema("trees", config.extent)
        for f in schema["fields"]:  # the height the trunk is measured at, as this register states it
            if f["name"] == "trunk_circumference_cm":
                f["description"] = f"{f.get('description', '')} {config.trunk_measured_at_m:g} m".strip()
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
            licence_title=config.attribution, notices=notices)

    def plan(self, unit: Unit, output: Output) -> Plan:
        dataset = self.metadata(
            unit, output, notes=(f"Bäume im öffentlichen Raum aus dem Baumkataster ({output.title}): "
                                 "Art, Pflanzjahr, Höhe, Stammumfang, Kronendurchmesser, Vitalität und Lage. "
                                 "Automatisch abgeglichen und mit Frictionless geprüft."),
            tags=["Bäume", "Baumkataster", "Stadtgrün", "Umwelt"], themes=["ENVI", "REGI"])
        return Plan(dataset, unit.config.organization, changes=Changes("baeume.csv", "id", "aenderungen.csv",
                                                                    carry=("status", "felling_date")))


KIND = TreeRegister()
