"""Carry out a package's plan (publish.json, see plan.py) on the portal,
through its action API (ckanapi).

One dataset per unit, the package's files uploaded as resources with their
sha256 and (tables) their Table Schema, links kept, a changes table against
the last completed publication. Idempotent: a file whose hash and schema are
unchanged is not uploaded again, and an unchanged source makes no new
activity. A failed run only writes its status, message and time on the
dataset; the published data stays as it was.

Crash-safe in this order: the changes file first (computed against the
last *completed* publication, which the runner keeps as OUT/UNIT/published),
then the other files, then the dataset's fields; a run cut off anywhere is
completed by the next one, with the same changes.

The harvester's token goes to the portal's own address only: a published
file is read back from the portal's download route of that resource, never
from whatever its `url` says (an editor may point it anywhere).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import urllib.parse
from typing import Any, Optional, Sequence

from etl.errors import SourceError
from etl.http import Client, Limits, origin
from etl.package import sha256_file

from . import states
from .ckan_client import USER_AGENT
from .faults import crash_point
from .folders import atomic_write
from .plan import Plan, changes, summary

log = logging.getLogger(__name__)
# Files that differ on every run even when the data does not.
VOLATILE = {"datapackage.json"}
PORTAL_LIMITS = Limits(max_bytes=4 << 30, deadline=900.0, read_timeout=120.0, max_redirects=0)


def timestamp() -> str:
    """Now in UTC, as the harvesters write it (runs.jsonl, harvest_time)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _resource(pkg: dict, name: str) -> Optional[dict]:
    return next((r for r in pkg.get("resources", []) if r.get("name") == name), None)


def _same_link(published: Optional[dict], spec: dict) -> bool:
    return published is not None and all(published.get(k) == v for k, v in spec.items())


def _same_schema(published: Optional[str], wanted: Optional[str]) -> bool:
    if not published or not wanted:
        return not published and not wanted
    try:
        return json.loads(published) == json.loads(wanted)
    except ValueError:
        return False


def _same_fields(published: dict, spec: dict) -> bool:
    """The fields beside the file: its Table Schema and its resource type."""
    return _same_schema(published.get("table_schema"), spec.get("table_schema")) and \
        (published.get("resource_type") or "") == (spec.get("resource_type") or "")


def _our_upload(published: Optional[dict], digest: str) -> bool:
    """The portal holds this very file as the harvester uploaded it (not a link an editor put there)."""
    return published is not None and published.get("url_type") == "upload" and published.get("hash") == digest


class _Digests(dict):
    """sha256 of each file of a package, computed once per publication
    (the change check and the upload both need it)."""
    def __init__(self, directory: str):
        super().__init__()
        self.directory = directory

    def __missing__(self, name: str) -> str:
        self[name] = "sha256:" + sha256_file(os.path.join(self.directory, name))
        return self[name]


def _portal_download(ckan, resource: dict, token: Optional[str]) -> str:
    """The stored file of an uploaded resource, from the portal's own download
    route (its address, the resource's ids): the token never follows `url`."""
    filename = os.path.basename(urllib.parse.urlsplit(resource.get("url") or "").path) or "data"
    base = ckan.address.rstrip("/")
    url = (f"{base}/dataset/{urllib.parse.quote(resource['package_id'])}/resource/"
           f"{urllib.parse.quote(resource['id'])}/download/{urllib.parse.quote(filename)}")
    _, host, port = origin(base)
    client = Client(allow=[f"[{host}]:{port}" if ":" in host else f"{host}:{port}"], user_agent=USER_AGENT)
    resp = client.get(url, headers={"Authorization": token} if token else None, limits=PORTAL_LIMITS)
    if resp.status != 200:
        raise RuntimeError(f"the portal answered HTTP {resp.status} for {url}")
    return resp.content.decode("utf-8")


def _published_rows(ckan, resource: Optional[dict], token: Optional[str]) -> list[dict]:
    """The table as the portal holds it (a CSV resource), or none."""
    if not resource:
        return []
    if resource.get("url_type") != "upload":
        log.warning("resource %s of %s is not the harvester's upload (url %s): changes are counted "
                    "against nothing", resource.get("name"), resource.get("package_id"), resource.get("url"))
        return []
    if hasattr(ckan, "address"):  # RemoteCKAN
        text = _portal_download(ckan, resource, token)
    else:  # LocalCKAN: read the stored upload
        from ckan.lib.uploader import get_resource_uploader
        with open(get_resource_uploader(resource).get_path(resource["id"]), encoding="utf-8") as f:
            text = f.read()
    return list(csv.DictReader(io.StringIO(text)))


def _baseline_rows(ckan, pkg: dict, table: str, baseline: Optional[str], token: Optional[str]) -> list[dict]:
    """The rows of `table` as last completely published: the runner's copy of
    that publication, or (a new machine, a lost folder) the portal's."""
    path = os.path.join(baseline, table) if baseline else ""
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return list(csv.DictReader(f))
    return _published_rows(ckan, _resource(pkg, table), token)


def _write_changes(ckan, pkg: dict, plan: Plan, package_dir: str, first: bool, baseline: Optional[str],
                   token: Optional[str]) -> dict[str, int]:
    spec = plan.changes
    with open(os.path.join(package_dir, spec.table), encoding="utf-8") as f:
        new_rows = list(csv.DictReader(f))
    old_rows = [] if first else _baseline_rows(ckan, pkg, spec.table, baseline, token)
    diff, counts = changes(old_rows, new_rows, dt.date.today().isoformat(), spec.key, tuple(spec.carry))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["change", "id", "fields", "date", *spec.carry], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(diff)
    atomic_write(os.path.join(package_dir, spec.file), out.getvalue())
    return counts


def _upsert_resource(ckan, pkg: dict, spec: dict, path: str, digest: str) -> bool:
    existing = _resource(pkg, spec["name"])
    beside = {k: spec[k] for k in ("table_schema", "resource_type") if spec.get(k)}
    if _our_upload(existing, digest):
        if _same_fields(existing, spec):
            return False
        # the file is already there: only its schema or type changes
        ckan.action.resource_patch(id=existing["id"], **{"table_schema": "", "resource_type": "", **beside})
        return True
    with open(path, "rb") as f:
        fields = dict(package_id=pkg["id"], name=spec["name"], format=spec["format"], mimetype=spec["mimetype"],
                      hash=digest, description=spec["description"], size=os.path.getsize(path), upload=f,
                      **beside)
        if existing:
            ckan.action.resource_update(id=existing["id"], **fields)
        else:
            ckan.action.resource_create(**fields)
    return True


def _with_links(pkg: dict, links: list[dict]) -> dict[str, Any]:
    """{"resources": …} for package_patch when a link is new or changed: the
    dataset's resources as they are, the plan's links patched in or added
    after them; {} when every link is there already."""
    resources = [dict(r) for r in pkg.get("resources", [])]
    changed = False
    for spec in links:
        existing = _resource({"resources": resources}, spec["name"])
        if _same_link(existing, spec):
            continue
        changed = True
        if existing:
            existing.update(spec)
        else:
            resources.append(dict(spec))
    return {"resources": resources} if changed else {}


def _data(plan: Plan) -> list[dict]:
    """The files whose content is the data (not the descriptor, not the changes)."""
    return [s for s in plan.files if s["name"] not in VOLATILE and not (plan.changes and s["name"] == plan.changes.file)]


def _on_portal(pkg: dict, plan: Plan, digests: _Digests) -> bool:
    """Does the portal already hold every file (with its schema) and link of the plan?"""
    for spec in _data(plan):
        published = _resource(pkg, spec["name"])
        if not _our_upload(published, digests[spec["name"]]) or not _same_fields(published, spec):
            return False
    return all(_same_link(_resource(pkg, spec["name"]), spec) for spec in plan.links)


def _same_as(baseline: Optional[str], plan: Plan, digests: _Digests) -> bool:
    """Is the package's data that of the last completed publication? (Its
    datapackage.json has the hashes.)"""
    if not baseline:
        return True  # nothing known locally: the portal's files are the reference
    try:
        with open(os.path.join(baseline, "datapackage.json"), encoding="utf-8") as f:
            hashes = {r["path"]: r.get("hash") for r in json.load(f)["resources"]}
    except (OSError, ValueError, KeyError):
        return False
    return all(hashes.get(s["name"]) == digests[s["name"]] for s in _data(plan))


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


def publish(ckan, package_dir: str, token: Optional[str] = None, baseline: Optional[str] = None,
            notices: Sequence[str] = ()) -> dict[str, Any]:
    """Publish `package_dir` (valid) as its plan says; `baseline`: the package
    of the last completed publication, if the runner has it. Returns what changed.
    `notices`: plausibility findings; the dataset is then marked `warning` with them."""
    status = states.WARNING if notices else states.OK
    warning = (" Warnung: " + "; ".join(notices)) if notices else ""
    import ckanapi
    plan = Plan.read(package_dir)
    # Only the id is needed: without members, extras and counts the call costs a
    # tenth (it was 12 % of a DCAT import's publishing time).
    org = ckan.action.organization_show(id=plan.organization, include_users=False, include_extras=False,
                                        include_followers=False, include_member_count=False,
                                        include_groups=False, include_tags=False, include_datasets=False)
    wanted = dict(plan.dataset, owner_org=org["id"])
    try:
        pkg = ckan.action.package_show(id=wanted["name"])
    except ckanapi.NotFound:
        pkg = ckan.action.package_create(**wanted)
    else:
        if plan.exclusive and not _harvested_from(pkg, wanted.get("source_system")):
            raise NotOurs(f"{wanted['name']}: a dataset of that name exists on the portal and was not "
                              f"harvested from {wanted.get('source_system')}; left untouched")
    # A dataset whose first publication was cut off is still being published for the first time.
    first = not pkg.get("last_successful_update")
    withdrawn = states.code(pkg.get("harvest_status")) == states.WITHDRAWN
    digests = _Digests(package_dir)
    same_data = not first and not withdrawn and _on_portal(pkg, plan, digests) and _same_as(baseline, plan, digests)
    if same_data and not _metadata_changed(pkg, wanted):
        if status == states.WARNING or states.code(pkg.get("harvest_status")) == states.WARNING:
            mark(ckan, pkg["id"], status, "unverändert." + warning)  # the warning comes or goes with the run
        return {"dataset": pkg["name"], "changed": False, "summary": "unverändert"}
    if same_data:
        counts, text = {}, "Metadaten aktualisiert."
    else:
        counts = _write_changes(ckan, pkg, plan, package_dir, first, baseline, token) if plan.changes else {}
        text = summary(counts, first, plan.note)
    for number, spec in enumerate(plan.all_files()):
        _upsert_resource(ckan, pkg, spec, os.path.join(package_dir, spec["name"]), digests[spec["name"]])
        if number == 0:
            crash_point("upload")
    links = _with_links(ckan.action.package_show(id=pkg["id"]) if plan.links else pkg, plan.links)
    crash_point("published")
    now = timestamp()
    # One update for the metadata and every link (each resource_create would be one).
    ckan.action.package_patch(id=pkg["id"], **{k: v for k, v in wanted.items() if k != "name"},
                              last_successful_update=now, harvest_status=status,
                              harvest_message=(text + warning)[:1000], harvest_time=now, **links)
    return {"dataset": pkg["name"], "changed": True, "summary": text, "counts": counts}


class NotOurs(SourceError):
    """The plan's dataset name is taken by a dataset this source did not create."""


def _harvested_from(pkg: dict, source_system: Optional[str]) -> bool:
    return pkg.get("update_method") == "harvested" and pkg.get("source_system") == source_system


def harvested_datasets(ckan, prefix: str, source_system: str) -> list[str]:
    """Names of the portal's datasets harvested from `source_system` whose
    names start with `prefix` (private ones included), not yet withdrawn."""
    found, start = [], 0
    while True:
        result = ckan.action.package_search(q=f"name:{prefix}*", include_private=True, rows=1000, start=start)
        for pkg in result["results"]:
            if _harvested_from(pkg, source_system) and states.code(pkg.get("harvest_status")) != states.WITHDRAWN:
                found.append(pkg["name"])
        start += 1000
        if start >= result["count"]:
            return found


def mark(ckan, dataset: str, status: str, message: str) -> None:
    """Set a dataset's harvest status (a code of states.py) with its message."""
    ckan.action.package_patch(id=dataset, harvest_status=status, harvest_message=message[:1000],
                              harvest_time=timestamp())


def withdraw(ckan, dataset: str, message: str) -> bool:
    """Mark a dataset whose source is gone: stewards see it, nothing is deleted."""
    import ckanapi
    try:
        pkg = ckan.action.package_show(id=dataset)
    except ckanapi.NotFound:
        return False
    if states.code(pkg.get("harvest_status")) == states.WITHDRAWN:
        return False
    mark(ckan, dataset, states.WITHDRAWN, message)
    return True


def report_failure(ckan, dataset: str, message: str, status: str = states.FAILED) -> None:
    """Show a failed (or invalid) run on the dataset, if it exists; its data stays."""
    import ckanapi
    try:
        mark(ckan, dataset, status, message)
    except ckanapi.NotFound:
        pass
