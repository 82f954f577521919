"""What the journeys meet, put into the running portal the way it gets
there in production: the tree register harvested by the harvesters' editor
account over HTTP (RemoteCKAN, the real worker validates it), a second tree
dataset elsewhere (so a facet and the map narrow the search), and a steward
who logs in with a password."""
import os
import tempfile

from ckanapi import RemoteCKAN

from ckan.tests import factories, helpers

from harvesters import runner

from ..loopback import serve
from .portal import ROOT

SAMPLES = os.path.join(ROOT, "harvesters", "samples")
EU = "http://publications.europa.eu/resource/authority/"
STEWARD = {"name": "steward-jena", "password": "Baumpflege-2026!", "email": "steward@jena.example"}
HARVESTED = "baumkataster-jena"
ELSEWHERE = "strassenbaeume-leipzig-beispiel"
# A rectangle around Leipzig, well away from Jena's extent (11.40–11.80 E).
LEIPZIG = ('{"type": "Polygon", "coordinates": [[[12.30, 51.30], [12.45, 51.30], '
           '[12.45, 51.38], [12.30, 51.38], [12.30, 51.30]]]}')


def admin_token() -> str:
    """A sysadmin and its token, made in the test process's database (the
    portal's): no plugin is involved in either."""
    admin = factories.Sysadmin()
    return helpers.call_action("api_token_create", {"user": admin["name"], "ignore_auth": True},
                               user=admin["name"], name="browser-tests")["token"]


def populate(portal) -> dict:
    """Fill the portal; returns the names and ids the journeys use."""
    portal.action("organization_create", name="stadt-jena", title="Stadt Jena")
    portal.action("organization_create", name="stadt-leipzig-beispiel", title="Stadt Leipzig (Beispiel)")
    harvester = portal.action("user_create", name="jena-harvester", email="harvester@jena.example",
                              password="Harvester-Pass-2026!")
    portal.action("user_create", **STEWARD)
    for user, org in ((harvester["name"], "stadt-jena"), (STEWARD["name"], "stadt-jena"),
                      (harvester["name"], "stadt-leipzig-beispiel")):
        portal.action("organization_member_create", id=org, username=user, role="editor")
    token = portal.action("api_token_create", user=harvester["name"], name="harvest")["token"]

    with open(os.path.join(SAMPLES, "jena_baumkataster.csv"), "rb") as f:
        routes = {"/jena.csv": (f.read(), "text/csv; charset=windows-1252", 0)}
    config = runner.load_config()
    with serve(routes) as base, tempfile.TemporaryDirectory(prefix="jena-browser-harvest-") as out:
        config["jena"].update(url=base + "/jena.csv", timeout=5, attempts=2, backoff=0.01)
        result = runner.run(["jena"], config, out, RemoteCKAN(portal.url, apikey=token))[0]
    assert result["status"] == "ok", result

    portal.action("package_create", _token=token, name=ELSEWHERE, title="Straßenbäume Leipzig (Beispiel)",
                  notes="Bäume an Leipziger Straßen: ein Beispiel außerhalb Jenas.",
                  owner_org="stadt-leipzig-beispiel", license_id="dl-by-de/2.0",
                  tags=[{"name": "Bäume"}], theme=[EU + "data-theme/ENVI"], spatial=LEIPZIG,
                  contact=[{"name": "Beispiel", "email": "baeume@leipzig.example"}])
    # Not waited for here: the workers validate while the first tests run;
    # a test that needs the verdicts calls harvest_validated().
    return {"harvested": portal.action("package_show", id=HARVESTED), "elsewhere": ELSEWHERE,
            "steward": STEWARD}


def harvest_validated(portal) -> dict:
    """The harvested package once the worker has judged each of its resources."""
    for res in portal.data["harvested"]["resources"]:
        portal.wait_validated(res["id"])
    return portal.data["harvested"]
