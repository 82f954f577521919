"""`ckan jena-shacl`: the DCAT-AP.de check for operators.

    ckan jena-shacl DATASET      check one dataset now, store and print the result
    ckan jena-shacl --all        check every dataset (e.g. after an upgrade of the shapes)
    ckan jena-shacl --catalog    check the whole public catalogue as one graph, as the
                                 catalogue endpoint serves it (not stored per dataset)

The exit status is 1 when violations were found, so a cron job or CI can alert.
"""
from __future__ import annotations

import sys
import time

import click

import ckan.plugins.toolkit as tk

from . import job, messages, shacl, shapes


def _print_results(report: dict, limit: int = 50) -> None:
    for result in (report.get("results") or [])[:limit]:
        where = messages.where_text(result)
        value = f" = {result['value']}" if result.get("value") else ""
        click.echo(f"  [{messages.severity_label(result['severity'])}] {where}: "
                   f"{result['path']}{value}\n      {messages.message(result)}")
    hidden = len(report.get("results") or []) - limit
    if hidden > 0:
        click.echo(f"  … {hidden}")


def _summary(name: str, report: dict) -> str:
    return (f"{name}: {report['violations']} {tk._('Violations')}, {report['warnings']} "
            f"{tk._('Warnings')} ({report.get('duration_ms', 0):.0f} ms)")


def _public_datasets(rows: int = 100):
    start = 0
    while True:
        page = tk.get_action("package_search")({"ignore_auth": True}, {
            "q": "*:*", "rows": rows, "start": start, "sort": "name asc",
            "include_private": False})
        yield from page["results"]
        start += rows
        if start >= page["count"]:
            return


def _all_datasets():
    import ckan.model as model
    for (package_id,) in model.Session.query(model.Package.id).filter(
            model.Package.state == "active", model.Package.type == "dataset").order_by(model.Package.name):
        yield package_id


def _catalog() -> dict:
    from ckanext.dcat.processors import RDFSerializer
    from rdflib import URIRef
    from .namespaces import DCAT
    serializer = RDFSerializer()
    catalog_ref = serializer.graph_from_catalog()
    count = 0
    started = time.perf_counter()
    for pkg in _public_datasets():
        dataset_ref = serializer.graph_from_dataset(pkg)
        serializer.g.add((catalog_ref, DCAT.dataset, URIRef(dataset_ref)))
        count += 1
    built = time.perf_counter() - started
    report = shacl.validate_graph(serializer.g)
    report["datasets"] = count
    report["build_ms"] = round(built * 1000, 1)
    return report


@click.command("jena-shacl", short_help="Check datasets against DCAT-AP.de (SHACL)")
@click.argument("dataset", required=False)
@click.option("--all", "every", is_flag=True, help="check and store every dataset")
@click.option("--catalog", is_flag=True, help="check the whole public catalogue as one graph")
@click.option("--limit", default=50, show_default=True, help="results printed per dataset")
def jena_shacl(dataset, every, catalog, limit):
    """Check DATASET (name or id), every dataset, or the catalogue against
    "DCAT-AP 3.0.de – Deutsche Spezifikation"."""
    if sum(bool(x) for x in (dataset, every, catalog)) != 1:
        raise click.UsageError("give a DATASET, --all or --catalog")
    shapes.warm()
    click.echo(f"{shapes.PROFILE}")
    violations = 0
    if catalog:
        report = _catalog()
        click.echo(_summary(tk._("Catalogue"), report) + f", {report['datasets']} datasets, "
                   f"{report['triples']} triples")
        _print_results(report, limit)
        violations = report["violations"]
    else:
        ids = [dataset] if dataset else list(_all_datasets())
        for ident in ids:
            try:
                pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": ident})
            except tk.ObjectNotFound:
                raise click.ClickException(f"no dataset {ident}")
            result = job.run(pkg["id"])
            if result["status"] != "done":
                click.echo(f"{pkg['name']}: {tk._('The check could not run: {error}').format(error=result['message'])}")
                violations += 1
                continue
            click.echo(_summary(pkg["name"], result))
            if dataset or result["violations"]:
                _print_results(result, limit)
            violations += result["violations"]
    sys.exit(1 if violations else 0)
