"""Municipal budgets (`kind: budget`): a city's product budget CSVs (one per
budget, e.g. the 2023 and the 2025 plan) → a Fiscal Data Package: the budget
in long format (etl/budget.py), an overview per product area with its chart,
and the package's `model` of measures and dimensions in datapackage.json.

The files are read with the names each column may have (a renamed column in
a later budget is still found); a file without a product code, an account or
year columns, with unreadable amounts, or served twice for two budgets, fails
the run and leaves the last good package.
"""
from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

import polars as pl

from etl import budget, budget_chart, columnar, package

from ..fetch import SourceError, get
from ..plan import Plan
from .base import Build, File, OneDataset, Output, Unit, table
from .config import ConfigError, SourceConfig

TABLE, OVERVIEW, CHART = "haushalt.csv", "uebersicht-produktbereiche.csv", "uebersicht-produktbereiche.png"
PHASES = {"Ist": "result", "Ergebnis": "result", "Rechnungsergebnis": "result", "RE": "result",
          "Plan": "plan", "Ansatz": "plan", "Haushaltsansatz": "plan"}


@dataclass(frozen=True, kw_only=True)
class BudgetConfig(SourceConfig):
    url: Optional[str] = None
    urls: Optional[list[str]] = None   # one file per budget, oldest first: a year in a newer file wins
    delimiter: str = ";"
    encoding: str = "utf-8"
    # The names a column may have, first found wins (cities rename them between budgets).
    product: list[str] = field(default_factory=lambda: ["Objektnr.", "Produkt", "Produktnummer", "Produkt-Nr."])
    product_title: list[str] = field(default_factory=lambda: ["Bezeichnung", "Produktbezeichnung",
                                                              "Produktname"])
    account: list[str] = field(default_factory=lambda: ["Kostenart", "Konto", "Sachkonto", "Kontonummer"])
    account_title: list[str] = field(default_factory=lambda: ["Kostenart Beschreibung", "Kontobezeichnung",
                                                              "Kostenartenbezeichnung", "Konto Bezeichnung"])
    # Lines of an object number that is no product code belong to their profit centre's product.
    centre: list[str] = field(default_factory=lambda: ["Profitcenter", "Kostenstelle"])
    phases: dict[str, str] = field(default_factory=lambda: dict(PHASES))  # label of a year column -> phase
    ignore: list[str] = field(default_factory=lambda: ["VE"])  # commitment appropriations: no plan, no result
    totals: list[str] = field(default_factory=lambda: ["Summe", "Gesamtsumme", "Gesamt", "Zwischensumme",
                                                       "Saldo", "Total"])
    product_areas: dict[str, str] = field(default_factory=dict)   # "1" -> its name; else the file's area rows
    currency: str = "EUR"
    chart_year: Optional[int] = None   # the chart's year; default: this year's plan (or the latest before)
    max_unreadable: float = 0.05       # share of filled amount cells that may be unreadable
    licence: Optional[str] = "dl-by-de/2.0"
    frequency: Optional[str] = "ANNUAL"

    def check(self, source: str) -> None:
        super().check(source)
        if bool(self.url) == bool(self.urls):
            raise ConfigError(f"source {source}: give either url or urls (one file per budget)")
        wrong = sorted(v for v in self.phases.values() if v not in ("plan", "result"))
        if wrong:
            raise ConfigError(f"source {source}: phases: {wrong[0]!r} is neither plan nor result")

    def files(self) -> list[str]:
        return list(self.urls or [self.url])


def _name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] or url


class Budget(OneDataset):
    name = "budget"
    Config = BudgetConfig
    prefix = "haushalt-"

    def source_system(self, config: BudgetConfig) -> str:
        return config.source_system or config.files()[-1]

    def extract(self, unit: Unit, build: Build) -> list[tuple[str, pl.DataFrame]]:
        """Each budget file as text columns, oldest first."""
        source, config = unit.source, unit.config
        frames, seen = [], {}
        for url in config.files():
            raw = get(source, url, "csv", config)
            digest = hashlib.sha256(raw).hexdigest()
            if digest in seen:  # a server answering every budget with the same file
                raise SourceError(f"{source}: {url} is the same file as {seen[digest]}; not read twice as "
                                  "two budgets")
            seen[digest] = url
            try:
                text = raw.decode(config.encoding).lstrip("\ufeff")
            except UnicodeDecodeError as e:
                raise SourceError(f"{source}: {url} is not {config.encoding} (byte {e.start}); "
                                  "has the source changed its encoding?")
            try:
                frame = columnar.read_text_table(text, config.delimiter)
            except Exception as e:
                raise SourceError(f"{source}: {url} is not a readable table ({type(e).__name__}: {str(e)[:200]})")
            if frame.width < 3:
                raise SourceError(f"{source}: {url} has no budget table (header {frame.columns[:5]!r}); "
                                  f"wrong delimiter (configured {config.delimiter!r}) or not a CSV?")
            frames.append((_name(url), frame))
        return frames

    def transform(self, unit: Unit, frames: list[tuple[str, pl.DataFrame]], build: Build) -> Output:
        source, config, directory = unit.source, unit.config, build.directory
        roles = {"product": config.product, "product_title": config.product_title, "account": config.account,
                 "account_title": config.account_title, "centre": config.centre}
        warnings: Counter = Counter()
        details, sums, names = [], [], []
        for order, (name, frame) in enumerate(frames):
            try:
                lay = budget.layout(name, frame.columns, roles, config.phases, config.ignore)
            except budget.BudgetError as e:
                raise SourceError(f"{source}: {e}")
            before = Counter(warnings)
            detail, total, named = budget.read_file(name, frame, lay, order, config.totals, warnings)
            cells = warnings["amounts read"] - before["amounts read"]
            bad = warnings["amounts unreadable"] - before["amounts unreadable"]
            if cells and bad / cells > config.max_unreadable:
                sample = warnings["examples"]["amount"]
                raise SourceError(f"{source}: {name}: {bad} of {cells} amounts are unreadable "
                                  f"(e.g. {', '.join(map(repr, sample))}); not German numbers any more? "
                                  "Not published")
            if lay.ignored:
                warnings["columns neither plan nor result, skipped"] += len(lay.ignored)
            details.append(detail)
            sums.append(total)
            names.append(named)
        sums_all = pl.concat(sums)
        details_all, names_all = budget.settle_sums(pl.concat(details), sums_all, pl.concat(names), warnings)
        long = budget.to_long(details_all, names_all, budget.area_titles(sums_all, config.product_areas), warnings)
        if long.is_empty():
            raise SourceError(f"{source}: no figures in {', '.join(n for n, _ in frames)} "
                              "(every amount empty or zero); not published")
        gaps = budget.missing_years(long)
        if gaps:
            warnings["missing_years"] = gaps
        summary = budget.overview(long)

        files = []
        for path, resource, schema_name, frame, text in (
                (TABLE, "haushalt", "budget", long,
                 "Produkthaushalt im Langformat: je Produkt, Konto, Haushaltsjahr und Phase (Plan/Ergebnis) ein "
                 "Betrag mit Richtung (Ertrag/Aufwand); ohne Summen- und Zwischensummenzeilen."),
                (OVERVIEW, "uebersicht-produktbereiche", "budget_overview", summary,
                 "Übersicht je Produktbereich, Haushaltsjahr und Phase: Erträge, Aufwendungen und Saldo des "
                 "Ergebnishaushalts.")):
            schema = package.table_schema(schema_name)
            columnar.write_csv(frame.select([f["name"] for f in schema["fields"]]), os.path.join(directory, path))
            files.append(table(path, resource, text, schema, frame.height))
        title = config.title or source
        shown = budget_chart.render(summary, title, os.path.join(directory, CHART), config.chart_year)
        if shown:
            files.append(File(CHART, "uebersicht-diagramm", "png", "image/png",
                              f"Diagramm: Erträge und Aufwendungen je Produktbereich "
                              f"({budget_chart.PHASE_LABELS[shown[1]]} {shown[0]}).",
                              resource_type="documentation"))  # a picture of the overview, not data
        model = budget.fiscal_model("haushalt", config.currency)
        problems = budget.check_model(model, package.table_schema("budget"))
        if problems:  # our own model against our own schema: a bug, never the source's fault
            raise RuntimeError("; ".join(problems))
        years = long["fiscal_year"]
        descriptor = {"profiles": {"fiscal": "*", "tabular": "*"}, "countryCode": "de", "granularity": "aggregated",
                      "fiscalPeriod": {"start": f"{years.min()}-01-01", "end": f"{years.max()}-12-31"},
                      "model": model}
        sources = [{"title": f"{title}: {_name(url)}", "path": url} for url in config.files()]
        return Output(title, files, sources, config.licence, long.height, dict(warnings),
                      licence_title=config.attribution, descriptor=descriptor,
                      context={"years": (int(years.min()), int(years.max())), "gaps": gaps,
                               "areas": summary["product_area"].n_unique()})

    def plan(self, unit: Unit, output: Output) -> Plan:
        config, facts = unit.config, output.context
        first, last = facts["years"]
        gaps = "; ".join(f"{'Plan' if phase == 'plan' else 'Ergebnis'} {', '.join(map(str, years))}"
                         for phase, years in facts["gaps"].items())
        limitations = (f"Ohne Zahlen in den Dateien der Quelle: {gaps}." if gaps else
                       "Keine Lücken zwischen dem ersten und dem letzten Haushaltsjahr.")
        notes = (
            f"Haushalt ({output.title}) {first}–{last} als Fiscal Data Package: Plan- und Ergebniszahlen je Produkt "
            "und Konto im Langformat, Erträge und Aufwendungen als Spalte, Beträge in Euro; dazu eine Übersicht und "
            "ein Diagramm je Produktbereich. Summen- und Zwischensummenzeilen der Quelle sind keine Zeilen (nichts "
            "wird doppelt gezählt); ein Jahr aus mehreren Haushaltsplänen stammt aus dem neuesten.")
        dataset = self.metadata(
            unit, output, notes=notes, tags=["Haushalt", "Finanzen", "Produkthaushalt", "Fiscal Data Package"],
            themes=["ECON", "GOVE"],  # in the order the portal stores them (publish compares lists in order)
            known_limitations=limitations)
        note = f"{output.rows} Beträge aus {facts['areas']} Produktbereichen, {first}–{last}."
        if gaps:
            note += f" Fehlende Jahre: {gaps}."
        return Plan(dataset, config.organization, note=note)


KIND = Budget()
