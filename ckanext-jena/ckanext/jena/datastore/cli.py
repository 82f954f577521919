"""`ckan jena datastore-load RESOURCE|--all` for operators."""
from __future__ import annotations

import click
import sqlalchemy as sa

import ckan.model as model

from . import jobs, labels


def valid_resources() -> list[str]:
    """Active resources whose validation says valid."""
    rows = model.Session.execute(sa.text(
        "SELECT v.resource_id FROM jena_validation v JOIN resource r ON r.id = v.resource_id "
        "JOIN package p ON p.id = r.package_id "
        "WHERE v.status = 'valid' AND r.state = 'active' AND p.state = 'active' ORDER BY v.resource_id"))
    return [r.resource_id for r in rows]


@click.command("datastore-load", short_help="Load validated tables into the DataStore")
@click.argument("resource_id", required=False)
@click.option("--all", "everything", is_flag=True, help="every resource whose validation says valid")
@click.option("--force", is_flag=True, help="load also a file that has not changed since its last load")
@click.option("--queue", is_flag=True, help="queue the loads for `ckan jobs worker` instead of loading now")
def datastore_load(resource_id, everything, force, queue):
    """Load RESOURCE (or --all) into the DataStore: now, printing the outcome,
    or with --queue in the background. Exit code 1 if a load failed."""
    if bool(resource_id) == bool(everything):
        raise click.UsageError("name one RESOURCE or give --all")
    ids = valid_resources() if everything else [resource_id]
    failed = 0
    for rid in ids:
        if queue:
            jobs.enqueue_load(rid, force=force)
            click.echo(f"{rid}: queued")
            continue
        record = jobs.load_resource(rid, force=force)
        if not record:
            click.echo(f"{rid}: no such resource", err=True)
            failed += 1
            continue
        line = f"{rid}: {record['status']}"
        if record["status"] == "loaded":
            line += f", {record['rows']} rows" + (" (unchanged)" if record.get("reason") == "unchanged" else "")
        else:
            failed += 1
            line += f" – {record.get('message') or labels.reason_text(record)}"
        click.echo(line)
    if failed:
        raise SystemExit(1)
