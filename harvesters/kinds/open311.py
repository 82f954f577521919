"""Defect reports from an Open311 GeoReport v2 server (`kind: open311`,
"Mängelmelder": Mark-a-Spot, Klarschiff, …): extract (services, then the
requests in date windows) → transform (etl/defect_reports.py: no free text,
photos, addresses or exact positions; the evaluation per month, category
and district; etl/defect_chart.py) → plan.

GeoReport v2 has no paging: a server answers the last 90 days or 1,000
requests, whichever is less. So the time range is walked in windows of
`window_days` (below the 90 days), and a window whose answer is as long as
the server's cap (`max_requests`) is split in two until every answer is
shorter; a window of `min_window_minutes` still full is an error (the rest
would be missing silently). Where the server takes `page` (`paging: true`),
a full window is paged first; a page that repeats the ones before or fails
ends the paging and the window is split instead. Every run walks the whole
range again: the spec has no "changed since", and a report of January
closed in March only shows that way.
"""
from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Optional

import polars as pl

from etl import columnar, defect_chart, defect_reports, georeport, package

from ..fetch import SourceError, get, get_json
from ..plan import Plan
from .base import Build, File, OneDataset, Output, Unit, table
from .config import ConfigError, SourceConfig

SERVER_DAYS = 90  # the spec's default window: no window may be longer


@dataclass(frozen=True, kw_only=True)
class Open311Config(SourceConfig):
    url: str                                 # the endpoint: services.FORMAT and requests.FORMAT below it
    format: Literal["json", "xml"] = "json"  # XML every server speaks; JSON most
    jurisdiction_id: Optional[str] = None    # sent with every request where the server serves several
    since: Optional[str] = None              # ISO date the history starts; default history_days before until
    until: Optional[str] = None              # ISO time the walk ends (replaying a period); default now
    history_days: float = 365
    window_days: float = 30
    max_requests: int = 1000                 # the server's cap per answer
    min_window_minutes: float = 60
    paging: bool = False                     # the server takes `page`
    page_size: Optional[int] = None          # its page length; default max_requests
    max_pages: int = 100                     # per window
    max_windows: int = 10_000
    districts: Optional[str] = None          # GeoJSON of the districts (URL or file:)
    district_name: str = "name"              # their name property
    grid_m: int = 500                        # cell size of the published grid (EPSG:3035)
    max_unreadable: float = 0.5              # share of requests without a required field that fails the run
    licence: Optional[str] = "dl-by-de/2.0"
    frequency: Optional[str] = "DAILY"
    at_least_one: ClassVar[tuple[str, ...]] = ("max_requests", "max_pages", "max_windows")

    def check(self, source: str) -> None:
        super().check(source)
        if not 0 < self.window_days <= SERVER_DAYS:
            raise ConfigError(f"source {source}: window_days must be above 0 and at most {SERVER_DAYS} "
                              "(servers answer no more than 90 days)")
        if self.grid_m < 100:
            raise ConfigError(f"source {source}: grid_m must be at least 100 (coarser positions protect reporters)")
        if self.min_window_minutes <= 0:
            raise ConfigError(f"source {source}: min_window_minutes must be positive")
        for key in ("since", "until"):
            value = getattr(self, key)
            try:
                value and defect_reports.parse_time(value)
            except ValueError:
                raise ConfigError(f"source {source}: {key} must be an ISO 8601 date or time, not {value!r}")


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _range(config: Open311Config) -> tuple[dt.datetime, dt.datetime]:
    end = defect_reports.parse_time(config.until) if config.until else \
        dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    start = defect_reports.parse_time(config.since) if config.since else end - dt.timedelta(days=config.history_days)
    return start, end


class Open311(OneDataset):
    name = "open311"
    Config = Open311Config
    prefix = "maengelmelder-"

    def _url(self, config: Open311Config, what: str, params: Optional[dict] = None) -> str:
        query = dict(params or {}, **({"jurisdiction_id": config.jurisdiction_id} if config.jurisdiction_id else {}))
        url = f"{config.url.rstrip('/')}/{what}.{config.format}"
        return url + ("?" + urllib.parse.urlencode(query) if query and not config.url.startswith("file:") else "")

    def _get(self, unit: Unit, what: str, params: Optional[dict] = None) -> tuple[bytes, str]:
        url = self._url(unit.config, what, params)
        return get(unit.source, url, unit.config.format, unit.config), f"{unit.source}: {url}"

    def _requests(self, unit: Unit, params: Optional[dict], seen: set) -> pl.DataFrame:
        """One answer: only the fields we publish from (free text is not
        kept even in memory); `seen` collects the field names sent."""
        data, where = self._get(unit, "requests", params)
        answer, fields = georeport.requests_table(data, unit.config.format, where, defect_reports.FIELDS)
        seen |= fields
        return answer

    def _window(self, unit: Unit, start: dt.datetime, end: dt.datetime, counts: Counter,
                seen: set) -> tuple[list[pl.DataFrame], bool]:
        """The requests of one window, and whether that is all of them."""
        config = unit.config
        params = {"start_date": _iso(start), "end_date": _iso(end)}
        if not config.paging:
            answer = self._requests(unit, params, seen)
            return [answer], answer.height < config.max_requests
        size = config.page_size or config.max_requests
        pages: list[pl.DataFrame] = []
        ids: set = set()
        for page in range(1, config.max_pages + 1):
            try:
                answer = self._requests(unit, dict(params, page=page), seen)
            except SourceError:
                if page == 1:
                    raise
                counts["page_errors"] += 1  # a page past the last may fail: split instead
                return pages, False
            page_ids = set(answer["service_request_id"].to_list())
            if answer.height and page_ids <= ids:
                counts["pages_repeated"] += 1  # the server ignores `page`: split instead
                return pages, False
            pages.append(answer)
            ids |= page_ids
            counts["pages"] += 1
            if answer.height < size:
                return pages, True
        counts["max_pages_reached"] += 1
        return pages, False

    def _walk(self, unit: Unit, counts: Counter, seen: set) -> list[pl.DataFrame]:
        config = unit.config
        start, end = _range(config)
        span, smallest = dt.timedelta(days=config.window_days), dt.timedelta(minutes=config.min_window_minutes)
        windows, at = [], start
        while at < end:
            windows.append((at, min(at + span, end)))
            at += span
        answers: list[pl.DataFrame] = []
        asked = 0
        while windows:
            low, high = windows.pop(0)
            asked += 1
            if asked > config.max_windows:
                raise SourceError(f"{unit.source}: more than {config.max_windows} windows; stopped "
                                  "(raise max_windows if the server is that busy)")
            got, complete = self._window(unit, low, high, counts, seen)
            if complete:
                answers += got
                continue
            if high - low <= smallest:
                raise SourceError(
                    f"{unit.source}: the answer for {_iso(low)} to {_iso(high)} is still full "
                    f"({sum(a.height for a in got)} requests, the cap is {config.max_requests}) in a window of "
                    f"{config.min_window_minutes:g} minutes or less; the rest would be missing, so nothing is "
                    "published (check max_requests, or paging if the server pages)")
            middle = (low + (high - low) / 2).replace(microsecond=0)
            windows[:0] = [(low, middle), (middle, high)]
            counts["windows_split"] += 1
        counts["windows"] = asked
        return answers

    def extract(self, unit: Unit, build: Build) -> dict[str, Any]:
        config = unit.config
        counts: Counter = Counter()
        data, where = self._get(unit, "services")
        services, _ = georeport.parse(data, config.format, "services", where)
        districts = []
        if config.districts:
            districts = defect_reports.district_shapes(get_json(unit.source, config.districts, config),
                                                       config.district_name, f"{unit.source}: {config.districts}")
        # A file (the bundled sample) is one whole answer; a server is walked in windows.
        seen: set = set()
        answers = [self._requests(unit, None, seen)] if config.url.startswith("file:") else \
            self._walk(unit, counts, seen)
        requests = pl.concat(answers) if answers else \
            pl.DataFrame(schema={f: pl.String for f in defect_reports.FIELDS})
        return {"services": services, "districts": districts, "requests": requests, "counts": counts,
                "seen": sorted(seen)}

    def transform(self, unit: Unit, extracted: dict[str, Any], build: Build) -> Output:
        config, directory = unit.config, build.directory
        counts: Counter = extracted["counts"]
        where = f"{unit.source}: {self._url(config, 'requests')}"
        requests, evaluation, more = defect_reports.publishable(
            extracted["requests"], extracted["services"], extracted["districts"], where, config.grid_m,
            config.max_unreadable, extracted["seen"])
        counts.update(more)
        services = self._services(extracted["services"], counts)
        files = []
        for frame, filename, resource, schema_name, text in [
                (requests, "meldungen.csv", "meldungen", "open311_requests",
                 "Alle Meldungen ohne Freitexte, Fotos und Adressen; Lage als Stadtteil und "
                 f"{config.grid_m}-m-Gitterzelle (UTF-8)."),
                (evaluation, "auswertung.csv", "auswertung", "open311_evaluation",
                 "Je Monat, Kategorie und Stadtteil: gemeldet, erledigt, offen, Median und 90-%-Wert der Tage "
                 "bis zur Erledigung."),
                (services, "kategorien.csv", "kategorien", "open311_services",
                 "Die Kategorien des Mängelmelders (services)."),
        ]:
            schema = package.table_schema(schema_name)
            columnar.write_csv(defect_reports.text_times(frame).select([f["name"] for f in schema["fields"]]),
                               os.path.join(directory, filename))
            files.append(table(filename, resource, text, schema, frame.height))
        title = config.title or unit.source
        if requests.height:
            defect_chart.render(requests, os.path.join(directory, "auswertung.png"), title)
            files.append(File("auswertung.png", "auswertung-grafik", "png", "image/png",
                              "Grafik: Meldungen je Monat und Bearbeitungsdauer je Kategorie.",
                              resource_type="documentation"))
        counts["closed"] = requests.filter(pl.col("status") == "closed").height
        return Output(title, files, [{"title": title, "path": self.source_system(config)}], config.licence,
                      requests.height, dict(+counts) | {"closed": counts["closed"]},
                      context={"months": evaluation["month"].unique().sort().to_list()})

    def _services(self, services: list[dict], counts: Counter) -> pl.DataFrame:
        columns = ["service_code", "service_name", "group", "type", "keywords"]
        usable = {s["service_code"]: s for s in services if s.get("service_code")}  # the last of a code twice
        if len(usable) < len(services):
            counts["services_skipped"] = len(services) - len(usable)
        return pl.DataFrame([{c: s.get(c) for c in columns} for s in usable.values()],
                            schema={c: pl.String for c in columns}).sort("service_code")

    def plan(self, unit: Unit, output: Output) -> Plan:
        config, counts = unit.config, output.warnings
        months = (output.context or {}).get("months") or []
        limits = (f"Ohne Freitexte (Beschreibung, Bearbeitungshinweise), Fotos, Adressen und genaue Lage: "
                  f"nur Stadtteil und {config.grid_m}-m-Gitterzelle. Die Dauer bis zur Erledigung ist die Zeit bis "
                  "zur letzten Änderung einer erledigten Meldung (GeoReport v2 kennt keinen Abschlusszeitpunkt).")
        if counts.get("no_position"):
            limits += f" {counts['no_position']} Meldungen ohne Lage ({defect_reports.NO_PLACE})."
        dataset = self.metadata(
            unit, output, notes=(
                f"Meldungen an den Mängelmelder ({output.title}) über Open311 GeoReport v2: Kategorie, Status, "
                "Zeitpunkte, Stadtteil und Gitterzelle jeder Meldung, und die Auswertung je Monat, Kategorie und "
                "Stadtteil: wie viele gemeldet, erledigt und offen sind und wie lange die Erledigung dauert "
                "(Median, 90-%-Wert)."),
            tags=["Mängelmelder", "Open311", "Bürgerservice", "Straßen", "Sauberkeit"], themes=["GOVE"],
            known_limitations=limits)
        span = f" ({months[0]} bis {months[-1]})" if months else ""
        note = f"{output.rows} Meldungen{span}, davon {counts.get('closed', 0)} erledigt."
        return Plan(dataset, config.organization, note=note)


KIND = Open311()
