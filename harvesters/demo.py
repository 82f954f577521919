"""A small demo organisation and dataset, published through the action API.

Stands in for the harvesters until they land, so that the portal a newcomer
opens is not empty. Idempotent: an unchanged demo changes nothing.
"""
from __future__ import annotations

import hashlib
import os

import ckanapi

HERE = os.path.dirname(__file__)
SAMPLE = os.path.join(HERE, "samples", "baeume-demo.csv")

ORGANIZATION = {
    "name": "stadt-jena",
    "title": "Stadt Jena",
    "description": "Fachdienste der Stadt Jena, die offene Daten bereitstellen.",
}
DATASET = {
    "name": "baumkataster-demo",
    "title": "Baumkataster Jena (Demo-Auszug)",
    "notes": ("Ein kleiner Auszug aus dem Baumkataster der Stadt Jena zum Ausprobieren "
              "des Portals: Baumnummer, Gattung und Art, Höhe, Stammumfang und Vitalität."),
    "license_id": "dl-de-by-2.0",
    "tags": [{"name": "Bäume"}, {"name": "Umwelt"}, {"name": "Stadtgrün"}],
    "extras": [{"key": "spatial", "value": (
        '{"type": "Polygon", "coordinates": [[[11.49, 50.86], [11.70, 50.86], '
        '[11.70, 50.99], [11.49, 50.99], [11.49, 50.86]]]}')}],
}


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def seed(ckan: ckanapi.RemoteCKAN) -> list[str]:
    """Create or update the demo content; returns what changed."""
    changes = []
    try:
        org = ckan.action.organization_show(id=ORGANIZATION["name"])
    except ckanapi.NotFound:
        org = ckan.action.organization_create(**ORGANIZATION)
        changes.append(f"organisation {org['name']} created")
    wanted = dict(DATASET, owner_org=org["id"])
    try:
        pkg = ckan.action.package_show(id=DATASET["name"])
    except ckanapi.NotFound:
        pkg = ckan.action.package_create(**wanted)
        changes.append(f"dataset {pkg['name']} created")
    digest = _sha256(SAMPLE)
    resource = next((r for r in pkg.get("resources", []) if r.get("name") == "baeume-demo.csv"), None)
    if resource is None or resource.get("hash") != f"sha256:{digest}":
        with open(SAMPLE, "rb") as f:
            fields = dict(package_id=pkg["id"], name="baeume-demo.csv", format="CSV",
                          mimetype="text/csv", hash=f"sha256:{digest}", upload=f)
            if resource is None:
                ckan.action.resource_create(**fields)
            else:
                ckan.action.resource_update(id=resource["id"], **fields)
        changes.append("demo CSV uploaded")
    return changes
