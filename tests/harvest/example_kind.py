"""The README's worked example of a new kind (`kind: fountains`): the city's
drinking fountains from a JSON list. A real kind is this file in
harvesters/kinds/, its Table Schema in schemas/tables/ and one line in
harvesters/kinds/__init__.py; the tests register it for themselves."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from typing import Optional

from harvesters.fetch import SourceError, get_json
from harvesters.kinds import OneDataset, Output, SourceConfig, table
from harvesters.plan import Plan

SCHEMA = {"fields": [  # a real kind: package.table_schema("fountains"), from schemas/tables/fountains.json
    {"name": "id", "type": "string", "constraints": {"required": True}},
    {"name": "name", "type": "string"},
    {"name": "in_betrieb", "type": "boolean"},
    {"name": "longitude", "type": "number", "constraints": {"required": True, "minimum": -180, "maximum": 180}},
    {"name": "latitude", "type": "number", "constraints": {"required": True, "minimum": -90, "maximum": 90}},
], "primaryKey": ["id"], "missingValues": [""]}


@dataclass(frozen=True, kw_only=True)
class FountainConfig(SourceConfig):
    url: str                                    # required: no default
    licence: Optional[str] = "dl-zero-de/2.0"   # this kind's defaults, here and nowhere else
    frequency: Optional[str] = "ANNUAL"


class Fountains(OneDataset):
    name = "fountains"            # `kind: fountains` in sources.yaml
    Config = FountainConfig
    prefix = "trinkbrunnen-"      # the dataset: trinkbrunnen-SOURCE

    def extract(self, unit, build):
        records = get_json(unit.source, unit.config.url, unit.config)
        if not isinstance(records, list):
            raise SourceError(f"{unit.source}: {unit.config.url} is not a list of fountains")
        return records

    def transform(self, unit, records, build):
        rows = [{"id": f"{unit.source}:{r['id']}", "name": r.get("name", ""), "in_betrieb": r.get("aktiv", True),
                 "longitude": r["lon"], "latitude": r["lat"]} for r in records]
        with open(os.path.join(build.directory, "trinkbrunnen.csv"), "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=[field["name"] for field in SCHEMA["fields"]])
            writer.writeheader()
            writer.writerows(rows)
        title = unit.config.title or unit.source
        return Output(title, [table("trinkbrunnen.csv", "trinkbrunnen", "Alle Trinkbrunnen (UTF-8).", SCHEMA,
                                    len(rows))],
                      sources=[{"title": title, "path": unit.config.url}], licence=unit.config.licence,
                      rows=len(rows))

    def plan(self, unit, output):
        # The configuration's description, licence, frequency, contact … over the kind's own words.
        return Plan(self.metadata(unit, output, notes="Öffentliche Trinkbrunnen der Stadt: Lage und Betriebszustand.",
                                  tags=["Wasser", "Trinkbrunnen"], themes=["HEAL"]), unit.config.organization)


KIND = Fountains()
