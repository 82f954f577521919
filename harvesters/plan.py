"""What to publish of a package: the dataset's metadata (our schema's
fields), the files with their Table Schemas, the links, and how changes are
counted. Written as publish.json beside datapackage.json by the runner;
publish.py carries it out against the portal and knows nothing of kinds.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, Optional

from .folders import atomic_write

EU = "http://publications.europa.eu/resource/authority/"
PLAN = "publish.json"
CHANGE_LABELS = {"new": "neu", "removed": "entfernt", "changed": "geändert"}
# The one description of datapackage.json on every harvested dataset.
DATAPACKAGE = {"name": "datapackage.json", "format": "JSON", "mimetype": "application/json",
               "description": "Frictionless Data Package: Table Schemas, Lizenz, Quellen und Prüfsummen der Dateien.",
               "resource_type": "documentation"}  # metadata, not data: the quality score judges it so


@dataclass(frozen=True)
class Changes:
    """A changes table computed at publishing time: the rows of `table`
    against its published version, by `key`, written to `file`."""
    table: str
    key: str
    file: str
    description: str = "Änderungen gegenüber dem vorigen Abgleich: neu, entfernt, geändert."
    # Columns of the table copied into each change (trees: status, felling_date), so that
    # a felling reads from the changes table itself; from the old row for a removed one.
    carry: tuple[str, ...] = ()


@dataclass
class Plan:
    dataset: dict[str, Any]
    organization: str
    links: list[dict[str, Any]] = field(default_factory=list)
    changes: Optional[Changes] = None
    note: str = ""  # added to the German summary on the dataset
    # Only a dataset this source created may be written to (imports name
    # datasets after what others publish: a name may be taken on the portal).
    exclusive: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)  # filled by the runner from the package

    def write(self, directory: str) -> None:
        data = dict(dataclasses.asdict(self), files=self.files + self._changes_file())  # all it uploads
        atomic_write(os.path.join(directory, PLAN), json.dumps(data, ensure_ascii=False, indent=2))

    @classmethod
    def read(cls, directory: str) -> "Plan":
        with open(os.path.join(directory, PLAN), encoding="utf-8") as f:
            data = json.load(f)
        changes = Changes(**data["changes"]) if data.get("changes") else None
        files = [f for f in data["files"] if not changes or f["name"] != changes.file]
        return cls(data["dataset"], data["organization"], data.get("links") or [], changes,
                   data.get("note", ""), bool(data.get("exclusive")), files)

    def all_files(self) -> list[dict[str, Any]]:
        """Every file to upload, the changes file first: a publication cut off
        midway must leave the changes of the data still to be uploaded, so
        that the next run counts them again against the same published table."""
        return self._changes_file() + self.files

    def _changes_file(self) -> list[dict[str, Any]]:
        return [{"name": self.changes.file, "format": "CSV", "mimetype": "text/csv",
                 "description": self.changes.description}] if self.changes else []


def published_files(descriptor: dict[str, Any], files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan's file entries for a package's resources (`files`: the
    kind's name/format/mimetype/description per file), each CSV with the
    Table Schema it was validated against, then datapackage.json."""
    schemas = {r["path"]: r.get("schema") for r in descriptor["resources"]}
    out = []
    for spec in files:
        schema = schemas.get(spec["name"])
        out.append(dict(spec, table_schema=json.dumps(schema, ensure_ascii=False)) if schema else dict(spec))
    return out + [dict(DATAPACKAGE)]


def extent_polygon(extent: list[float]) -> str:
    w, s, e, n = extent
    return json.dumps({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})


def harvested_metadata(name: str, *, title: str, notes: str, tags: list[str], themes: list[str],
                       licence: str, frequency: Optional[str], source_system: str, attribution: str = "",
                       extent: Optional[list[float]] = None, contact: Optional[dict] = None,
                       known_limitations: Optional[str] = None) -> dict[str, Any]:
    """Our schema's fields for a harvested dataset, from values each kind has
    already chosen (configuration over the source's own over the kind's default)."""
    metadata = {
        "name": name,
        "title": title,
        "notes": notes,
        "license_id": licence,
        "license_attribution": attribution,
        "tag_string": ",".join(tags),
        "theme": [EU + "data-theme/" + t for t in themes],
        "frequency": EU + "frequency/" + frequency if frequency else "",
        "spatial": extent_polygon(extent) if extent else None,
        "source_system": source_system,
        "update_method": "harvested",
        "contact": [contact] if contact else [],
    }
    if known_limitations is not None:  # only kinds that know limitations overwrite the steward's text
        metadata["known_limitations"] = known_limitations
    return metadata


def changes(old_rows: list[dict], new_rows: list[dict], today: str, key: str = "id",
            carry: tuple[str, ...] = ()) -> tuple[list[dict], dict[str, int]]:
    """New, removed and changed rows (trees, features) between two publications, by key."""
    old = {r[key]: r for r in old_rows}
    new = {r[key]: r for r in new_rows}
    out = []
    for row_id in sorted(new.keys() - old.keys()):
        out.append({"change": CHANGE_LABELS["new"], "id": row_id, "fields": "", "date": today})
    for row_id in sorted(old.keys() - new.keys()):
        out.append({"change": CHANGE_LABELS["removed"], "id": row_id, "fields": "", "date": today})
    for row_id in sorted(new.keys() & old.keys()):
        differ = [k for k in new[row_id] if str(new[row_id][k] or "") != str(old[row_id].get(k) or "")]
        if differ:
            out.append({"change": CHANGE_LABELS["changed"], "id": row_id, "fields": " ".join(differ),
                        "date": today})
    for change in out:
        row = new.get(change["id"]) or old[change["id"]]
        change.update({c: row.get(c) or "" for c in carry})
    counts = {kind: sum(1 for c in out if c["change"] == label) for kind, label in CHANGE_LABELS.items()}
    return out, counts


def summary(counts: dict[str, int], first: bool, extra: str = "") -> str:
    """The German summary on the dataset (harvest_message)."""
    if first:
        text = "Erstveröffentlichung."
    elif counts:
        text = (f"Seit dem letzten Abgleich: {counts['new']} neu, {counts['removed']} entfernt, "
                f"{counts['changed']} geändert.")
    else:
        text = "Daten aktualisiert."
    return f"{text} {extra}".strip()
