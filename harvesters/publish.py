"""Publish a validated package to CKAN through its action API (ckanapi).

One dataset per source, our schema's metadata filled in, the package's files
uploaded as resources with their sha256, `datapackage.json` as a resource,
and a changes resource against what was published before. Idempotent: a
file whose hash is unchanged is not uploaded again, and an unchanged source
makes no new activity at all. A failed run only writes its status, message
and time on the dataset; the published data stays as it was.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from typing import Any, Optional

import requests

from etl.package import sha256_file

EU = "http://publications.europa.eu/resource/authority/"
CHANGE_LABELS = {"new": "neu", "removed": "entfernt", "changed": "geändert"}
WITHDRAWN = "zurückgezogen"  # harvest_status of a dataset whose source no longer has it
PLAN = "publish.json"  # written by each harvester's build step beside datapackage.json
# Files that differ on every run even when the data does not.
VOLATILE = {"datapackage.json"}


def extent_polygon(extent: list[float]) -> str:
    w, s, e, n = extent
    return json.dumps({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})


def harvested_metadata(source: str, config: dict, name: str, notes: str, tags: list[str], themes: list[str],
                       licence: str, frequency: str) -> dict[str, Any]:
    """Our schema's fields for a harvested dataset; the configuration's
    title, description, licence, frequency, extent and contact win."""
    return {
        "name": name,
        "title": config.get("title", source),
        "notes": config.get("description") or notes,
        "license_id": config.get("licence", licence),
        "license_attribution": config.get("attribution", ""),
        "tag_string": ",".join(tags),
        "theme": [EU + "data-theme/" + t for t in themes],
        "frequency": EU + "frequency/" + config.get("frequency", frequency),
        "spatial": extent_polygon(config["extent"]) if config.get("extent") else None,
        "source_system": config.get("source_system", config["url"]),
        "update_method": "harvested",
        "contact": [config["contact"]] if config.get("contact") else [],
    }


def write_plan(directory: str, dataset: dict[str, Any], organization: str, files: list[dict],
               links: Optional[list[dict]] = None, changes: Optional[dict] = None, note: str = "") -> None:
    """What `publish` makes of a package: the dataset's metadata (our schema's
    fields), the files to upload, links to keep, and optionally a changes
    table computed against the published version of `changes["table"]`
    (`{"table", "key", "file"}`); `note` is added to the German summary."""
    with open(os.path.join(directory, PLAN), "w", encoding="utf-8") as f:
        json.dump({"dataset": dataset, "organization": organization, "files": files,
                   "links": links or [], "changes": changes, "note": note}, f, ensure_ascii=False, indent=2)


def changes(old_rows: list[dict], new_rows: list[dict], today: str, key: str = "id") -> tuple[list[dict], dict[str, int]]:
    """New, removed and changed rows (trees, features) between two publications, by key."""
    old = {r[key]: r for r in old_rows}
    new = {r[key]: r for r in new_rows}
    out = []
    for tree_id in sorted(new.keys() - old.keys()):
        out.append({"change": CHANGE_LABELS["new"], "id": tree_id, "fields": "", "date": today})
    for tree_id in sorted(old.keys() - new.keys()):
        out.append({"change": CHANGE_LABELS["removed"], "id": tree_id, "fields": "", "date": today})
    for tree_id in sorted(new.keys() & old.keys()):
        differ = [k for k in new[tree_id] if str(new[tree_id][k] or "") != str(old[tree_id].get(k) or "")]
        if differ:
            out.append({"change": CHANGE_LABELS["changed"], "id": tree_id, "fields": " ".join(differ),
                        "date": today})
    counts = {kind: sum(1 for c in out if c["change"] == label) for kind, label in CHANGE_LABELS.items()}
    return out, counts


def summary(counts: dict[str, int], first: bool, extra: str = "") -> str:
    if first:
        text = "Erstveröffentlichung."
    elif counts:
        text = (f"Seit dem letzten Abgleich: {counts['new']} neu, {counts['removed']} entfernt, "
                f"{counts['changed']} geändert.")
    else:
        text = "Daten aktualisiert."
    return f"{text} {extra}".strip()


def _published_rows(ckan, resource: Optional[dict], token: Optional[str]) -> list[dict]:
    """The table as published before (a CSV resource), or none."""
    if not resource:
        return []
    if hasattr(ckan, "address"):  # RemoteCKAN: download with the token
        resp = requests.get(resource["url"], headers={"Authorization": token or ""}, timeout=60)
        resp.raise_for_status()
        text = resp.content.decode("utf-8")
    else:  # LocalCKAN: read the stored upload
        from ckan.lib.uploader import get_resource_uploader
        with open(get_resource_uploader(resource).get_path(resource["id"]), encoding="utf-8") as f:
            text = f.read()
    return list(csv.DictReader(io.StringIO(text)))


def _resource(pkg: dict, name: str) -> Optional[dict]:
    return next((r for r in pkg.get("resources", []) if r.get("name") == name), None)


def _same_link(published: Optional[dict], spec: dict) -> bool:
    return published is not None and all(published.get(k) == v for k, v in spec.items())


class _Digests(dict):
    """sha256 of each file of the package, computed once per publication
    (the change check and the upload both need it)."""
    def __init__(self, directory: str):
        super().__init__()
        self.directory = directory

    def __missing__(self, name: str) -> str:
        self[name] = "sha256:" + sha256_file(os.path.join(self.directory, name))
        return self[name]


def _upsert_resource(ckan, pkg: dict, spec: dict, path: str, digest: str) -> bool:
    existing = _resource(pkg, spec["name"])
    if existing and existing.get("hash") == digest:
        return False
    with open(path, "rb") as f:
        fields = dict(package_id=pkg["id"], name=spec["name"], format=spec["format"], mimetype=spec["mimetype"],
                      hash=digest, description=spec["description"], size=os.path.getsize(path), upload=f)
        if existing:
            ckan.action.resource_update(id=existing["id"], **fields)
        else:
            ckan.action.resource_create(**fields)
    return True


def _upsert_link(ckan, pkg: dict, spec: dict) -> bool:
    existing = _resource(pkg, spec["name"])
    if _same_link(existing, spec):
        return False
    if existing:
        ckan.action.resource_patch(id=existing["id"], **spec)
    else:
        ckan.action.resource_create(package_id=pkg["id"], **spec)
    return True


def _unchanged(pkg: dict, plan: dict, digests: _Digests) -> bool:
    for spec in plan["files"]:
        if spec["name"] in VOLATILE or (plan["changes"] and spec["name"] == plan["changes"]["file"]):
            continue
        published = _resource(pkg, spec["name"])
        if not published or published.get("hash") != digests[spec["name"]]:
            return False
    return all(_same_link(_resource(pkg, spec["name"]), spec) for spec in plan["links"])


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _metadata_changed(pkg: dict, wanted: dict) -> bool:
    """Does the dataset differ from what the harvester would write? (Values as
    our schema stores them: vocabulary URIs, tags as a list.)"""
    for key, value in wanted.items():
        if key in ("name", "owner_org"):
            continue
        have = pkg.get(key)
        if key == "tag_string":
            if {t for t in (value or "").split(",") if t} != {t["name"] for t in pkg.get("tags", [])}:
                return True
        elif key == "spatial" and value and have:
            if json.loads(value) != json.loads(have):
                return True
        elif not (_empty(value) and _empty(have)) and value != have:
            return True
    return False


def _write_changes(ckan, pkg: dict, plan: dict, package_dir: str, token: Optional[str]) -> dict[str, int]:
    spec = plan["changes"]
    published = _resource(pkg, spec["table"])
    with open(os.path.join(package_dir, spec["table"]), encoding="utf-8") as f:
        new_rows = list(csv.DictReader(f))
    diff, counts = changes(_published_rows(ckan, published, token), new_rows, dt.date.today().isoformat(),
                           spec.get("key", "id"))
    with open(os.path.join(package_dir, spec["file"]), "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["change", "id", "fields", "date"])
        writer.writeheader()
        writer.writerows(diff)
    return counts


def publish(ckan, source: str, config: dict, package_dir: str, token: Optional[str] = None) -> dict[str, Any]:
    """Publish `package_dir` (valid) as its plan (publish.json) says; returns what changed."""
    import ckanapi
    with open(os.path.join(package_dir, PLAN), encoding="utf-8") as f:
        plan = json.load(f)
    org = ckan.action.organization_show(id=plan["organization"])
    wanted = dict(plan["dataset"], owner_org=org["id"])
    try:
        pkg = ckan.action.package_show(id=wanted["name"])
        first = False
    except ckanapi.NotFound:
        pkg = ckan.action.package_create(**wanted)
        first = True
    withdrawn = pkg.get("harvest_status") == WITHDRAWN
    digests = _Digests(package_dir)
    same_data = not first and not withdrawn and _unchanged(pkg, plan, digests)
    if same_data and not _metadata_changed(pkg, wanted):
        return {"dataset": pkg["name"], "changed": False, "summary": "unverändert"}
    if same_data:
        counts, text = {}, "Metadaten aktualisiert."
    else:
        counts = _write_changes(ckan, pkg, plan, package_dir, token) if plan["changes"] else {}
        text = summary(counts, first, plan.get("note", ""))
    for spec in plan["files"]:
        _upsert_resource(ckan, pkg, spec, os.path.join(package_dir, spec["name"]), digests[spec["name"]])
    for spec in plan["links"]:
        _upsert_link(ckan, pkg, spec)
    now = timestamp()
    ckan.action.package_patch(id=pkg["id"], **{k: v for k, v in wanted.items() if k != "name"},
                              last_successful_update=now, harvest_status="ok",
                              harvest_message=text, harvest_time=now)
    return {"dataset": pkg["name"], "changed": True, "summary": text, "counts": counts}


def harvested_datasets(ckan, prefix: str, source_system: str) -> list[str]:
    """Names of the portal's datasets harvested from `source_system` whose
    names start with `prefix` (private ones included), not yet withdrawn."""
    found, start = [], 0
    while True:
        result = ckan.action.package_search(q=f"name:{prefix}*", include_private=True, rows=1000, start=start)
        for pkg in result["results"]:
            if pkg.get("update_method") == "harvested" and pkg.get("source_system") == source_system \
                    and pkg.get("harvest_status") != WITHDRAWN:
                found.append(pkg["name"])
        start += 1000
        if start >= result["count"]:
            return found


def timestamp() -> str:
    """Now in UTC, as the harvesters write it (runs.jsonl, harvest_time)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _mark(ckan, dataset: str, status: str, message: str) -> None:
    ckan.action.package_patch(id=dataset, harvest_status=status, harvest_message=message[:1000],
                              harvest_time=timestamp())


def withdraw(ckan, dataset: str, message: str) -> bool:
    """Mark a dataset whose source is gone: stewards see it, nothing is deleted."""
    import ckanapi
    try:
        pkg = ckan.action.package_show(id=dataset)
    except ckanapi.NotFound:
        return False
    if pkg.get("harvest_status") == WITHDRAWN:
        return False
    _mark(ckan, dataset, WITHDRAWN, message)
    return True


def report_failure(ckan, dataset: str, message: str) -> None:
    """Show a failed run on the dataset (if it exists); its data stays."""
    import ckanapi
    try:
        _mark(ckan, dataset, "fehlgeschlagen", message)
    except ckanapi.NotFound:
        pass
