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


def dataset_name(source: str) -> str:
    return f"baumkataster-{source}"


def _extent_polygon(extent: list[float]) -> str:
    w, s, e, n = extent
    return json.dumps({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})


def metadata(source: str, config: dict, org_id: str) -> dict[str, Any]:
    return {
        "name": dataset_name(source),
        "title": config.get("title", source),
        "notes": config.get("description") or (
            f"Bäume im öffentlichen Raum aus dem Baumkataster ({config.get('title', source)}): "
            "Art, Pflanzjahr, Höhe, Stammumfang, Kronendurchmesser, Vitalität und Lage. "
            "Automatisch abgeglichen und mit Frictionless geprüft."),
        "owner_org": org_id,
        "license_id": config.get("licence", "dl-by-de/2.0"),
        "license_attribution": config.get("attribution", ""),
        "tag_string": "Bäume,Baumkataster,Stadtgrün,Umwelt",
        "theme": [EU + "data-theme/ENVI", EU + "data-theme/REGI"],
        "frequency": EU + "frequency/" + config.get("frequency", "MONTHLY"),
        "spatial": _extent_polygon(config["extent"]) if config.get("extent") else None,
        "source_system": config.get("source_system", config["url"]),
        "update_method": "harvested",
        "contact": [config["contact"]] if config.get("contact") else [],
    }


def changes(old_rows: list[dict], new_rows: list[dict], today: str) -> tuple[list[dict], dict[str, int]]:
    """New, removed and changed trees between two publications, by id."""
    old = {r["id"]: r for r in old_rows}
    new = {r["id"]: r for r in new_rows}
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


def summary(counts: dict[str, int], first: bool) -> str:
    if first:
        return "Erstveröffentlichung."
    return (f"Seit dem letzten Abgleich: {counts['new']} neu, {counts['removed']} entfernt, "
            f"{counts['changed']} geändert.")


def _published_rows(ckan, resource: Optional[dict], token: Optional[str]) -> list[dict]:
    """The trees as published before (the CSV resource), or none."""
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


def _upsert_resource(ckan, pkg: dict, name: str, path: str, fmt: str, mimetype: str,
                     description: str) -> bool:
    digest = "sha256:" + sha256_file(path)
    existing = next((r for r in pkg.get("resources", []) if r.get("name") == name), None)
    if existing and existing.get("hash") == digest:
        return False
    with open(path, "rb") as f:
        fields = dict(package_id=pkg["id"], name=name, format=fmt, mimetype=mimetype, hash=digest,
                      description=description, size=os.path.getsize(path), upload=f)
        if existing:
            ckan.action.resource_update(id=existing["id"], **fields)
        else:
            ckan.action.resource_create(**fields)
    return True


def publish(ckan, source: str, config: dict, package_dir: str, token: Optional[str] = None) -> dict[str, Any]:
    """Publish `package_dir` (valid) for `source`; returns what changed."""
    import ckanapi
    org = ckan.action.organization_show(id=config["organization"])
    wanted = metadata(source, config, org["id"])
    try:
        pkg = ckan.action.package_show(id=wanted["name"])
        first = False
    except ckanapi.NotFound:
        pkg = ckan.action.package_create(**wanted)
        first = True
    csv_resource = next((r for r in pkg.get("resources", []) if r.get("name") == "baeume.csv"), None)
    new_hash = "sha256:" + sha256_file(os.path.join(package_dir, "baeume.csv"))
    if csv_resource and csv_resource.get("hash") == new_hash:
        return {"dataset": pkg["name"], "changed": False, "summary": "unverändert"}
    with open(os.path.join(package_dir, "baeume.csv"), encoding="utf-8") as f:
        new_rows = list(csv.DictReader(f))
    today = dt.date.today().isoformat()
    diff, counts = changes(_published_rows(ckan, csv_resource, token), new_rows, today)
    changes_path = os.path.join(package_dir, "aenderungen.csv")
    with open(changes_path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["change", "id", "fields", "date"])
        writer.writeheader()
        writer.writerows(diff)
    text = summary(counts, first)
    files = [("baeume.csv", "CSV", "text/csv", "Alle Bäume als Tabelle (UTF-8, Komma-getrennt)."),
             ("baeume.geojson", "GEOJSON", "application/geo+json", "Alle Bäume als Punkte (WGS 84)."),
             ("datapackage.json", "JSON", "application/json", "Frictionless Data Package: Schema, Lizenz, Quellen, Prüfsummen."),
             ("aenderungen.csv", "CSV", "text/csv", "Änderungen gegenüber dem vorigen Abgleich: neu, entfernt, geändert.")]
    for name, fmt, mimetype, description in files:
        _upsert_resource(ckan, pkg, name, os.path.join(package_dir, name), fmt, mimetype, description)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    ckan.action.package_patch(id=pkg["id"], **{k: v for k, v in wanted.items() if k != "name"},
                              last_successful_update=now, harvest_status="ok",
                              harvest_message=text, harvest_time=now)
    return {"dataset": pkg["name"], "changed": True, "summary": text, "counts": counts}


def report_failure(ckan, source: str, message: str) -> None:
    """Show a failed run on the dataset (if it exists); its data stays."""
    import ckanapi
    try:
        ckan.action.package_patch(id=dataset_name(source), harvest_status="fehlgeschlagen",
                                  harvest_message=message[:1000],
                                  harvest_time=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    except ckanapi.NotFound:
        pass
