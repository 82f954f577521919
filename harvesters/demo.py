"""A small demo dataset, published through the action API.

Stands in for the harvesters until they land, so that the portal a newcomer
opens is not empty. Idempotent: an unchanged demo changes nothing.
"""
from __future__ import annotations

import os

import ckanapi

from etl.package import sha256_file

from .plan import EU

HERE = os.path.dirname(__file__)
SAMPLE = os.path.join(HERE, "samples", "baeume-demo.csv")
# bin/setup creates the organisation (config/organizations.yaml) and makes the
# harvesters' account its editor: the demo is published with that account,
# which may not create organisations.
ORGANIZATION = "stadt-jena"
DATASET = {
    "name": "baumkataster-demo",
    "title": "Baumkataster Jena (Demo-Auszug)",
    "notes": ("Ein kleiner Auszug aus dem Baumkataster der Stadt Jena zum Ausprobieren "
              "des Portals: Baumnummer, Gattung und Art, Höhe, Stammumfang und Vitalität."),
    "license_id": "dl-by-de/2.0",
    "license_attribution": "Stadt Jena",
    "tags": [{"name": "Bäume"}, {"name": "Umwelt"}, {"name": "Stadtgrün"}],
    "theme": [EU + "data-theme/ENVI", EU + "data-theme/REGI"],
    "frequency": EU + "frequency/ANNUAL",
    "temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}],
    "contact": [{"name": "Team Offene Daten", "email": "opendata@jena.example"}],
    "publisher": [{"name": "Stadt Jena", "url": "https://www.jena.de"}],
    "source_system": "Baumkataster (Demo-Auszug)",
    "update_method": "manual",
}


def _same(have, want) -> bool:
    if isinstance(want, list) and want and isinstance(want[0], dict) and "name" in want[0] \
            and set(want[0]) == {"name"}:
        return sorted(t.get("name") for t in have or []) == sorted(t["name"] for t in want)
    if isinstance(want, list) and want and isinstance(want[0], dict):
        return [{k: h.get(k) for k in w} for h, w in zip(have or [], want)] == want \
            and len(have or []) == len(want)
    return have == want


def seed(ckan: ckanapi.RemoteCKAN) -> list[str]:
    """Create or update the demo content; returns what changed."""
    changes = []
    try:
        org = ckan.action.organization_show(id=ORGANIZATION)
    except ckanapi.NotFound:
        raise ckanapi.NotFound(f"organisation {ORGANIZATION} is missing: bin/setup creates it "
                               "(ckan jena harvester-account)") from None
    wanted = dict(DATASET, owner_org=org["id"])
    try:
        pkg = ckan.action.package_show(id=DATASET["name"])
    except ckanapi.NotFound:
        pkg = ckan.action.package_create(**wanted)
        changes.append(f"dataset {pkg['name']} created")
    else:
        stale = {k: v for k, v in wanted.items() if not _same(pkg.get(k), v)}
        if stale:
            pkg = ckan.action.package_patch(id=pkg["id"], **stale)
            changes.append(f"dataset {pkg['name']} updated ({', '.join(sorted(stale))})")
    digest = sha256_file(SAMPLE)
    resource = next((r for r in pkg.get("resources", []) if r.get("name") == "baeume-demo.csv"), None)
    if resource is None or resource.get("hash") != f"sha256:{digest}":
        with open(SAMPLE, "rb") as f:
            fields = dict(package_id=pkg["id"], name="baeume-demo.csv", format="CSV",
                          mimetype="text/csv", hash=f"sha256:{digest}", upload=f,
                          rights="Datenlizenz Deutschland Namensnennung 2.0: Stadt Jena")
            if resource is None:
                ckan.action.resource_create(**fields)
            else:
                ckan.action.resource_update(id=resource["id"], **fields)
        changes.append("demo CSV uploaded")
    return changes
