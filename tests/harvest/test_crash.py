"""A harvest killed with SIGKILL at every step of building, swapping and
publishing: the real `jena-harvest run` against a loopback source and the
test CKAN as a real server, as cron runs it. After each kill `current` is a
complete valid package, and the next run succeeds and publishes exactly what
an uninterrupted run would have: the new data, and the changes against the
last completed publication (none lost, none counted twice)."""
import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import threading

import ckanapi
import pytest
import requests
import yaml

from .conftest import sample

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, ".venv", "bin", "jena-harvest")
DATASET = "baumkataster-leipzig"


def changed_register() -> tuple[bytes, set]:
    """The Leipzig sample with two trees felled, one planted and one grown; the changes expected."""
    rows = list(csv.reader(io.StringIO(sample("leipzig_baeume.csv").decode("utf-8"))))
    header, body = rows[0], rows[1:]
    felled, grown = body[:2], list(body[2])
    grown[5] = str(float(grown[5]) + 1.5)
    planted = ["L-99999", "Tilia", "Tilia cordata", "Winter-Linde", "2025", "2.5", "1.0", "8", "Zentrum",
               "318000.00", "5690000.00"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, grown] + body[3:] + [planted])
    expected = {("neu", "leipzig:L-99999"), ("geändert", f"leipzig:{grown[0]}")} | \
        {("entfernt", f"leipzig:{r[0]}") for r in felled}
    return out.getvalue().encode("utf-8"), expected


class Harvest:
    def __init__(self, tmp_path, config, portal, token):
        self.out = tmp_path / "out"
        self.config = tmp_path / "sources.yaml"
        entry = dict(config["leipzig"], timeout=60, attempts=1)
        self.config.write_text(yaml.safe_dump({"trees": {"leipzig": entry}}, allow_unicode=True))
        self.env = dict(os.environ, JENA_CKAN_URL=portal, JENA_CKAN_API_TOKEN=token)
        self.env.pop("JENA_HARVEST_CRASH_AT", None)
        self.portal = ckanapi.RemoteCKAN(portal, apikey=token)
        self.token = token

    def command(self):
        return [CLI, "--config", str(self.config), "run", "leipzig", "--out", str(self.out)]

    def run(self, crash=None):
        env = dict(self.env, **({"JENA_HARVEST_CRASH_AT": crash} if crash else {}))
        return subprocess.run(self.command(), env=env, capture_output=True, text=True, timeout=600)

    def start(self):
        return subprocess.Popen(self.command(), env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def dataset(self):
        pkg = self.portal.action.package_show(id=DATASET)
        return pkg, {r["name"]: r for r in pkg["resources"]}

    def stored(self, resource) -> bytes:
        resp = requests.get(resource["url"], headers={"Authorization": self.token}, timeout=60)
        resp.raise_for_status()
        return resp.content


def complete(package):
    """Every file datapackage.json lists is there with its hash, and the package was valid."""
    descriptor = json.loads((package / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        assert resource["hash"] == "sha256:" + hashlib.sha256((package / resource["path"]).read_bytes()).hexdigest()
    assert json.loads((package / "validation-report.json").read_text())["valid"]
    return descriptor


@pytest.mark.parametrize("step", ["download", "built", "swap", "upload", "published"])
def test_a_harvest_killed_at_any_step_is_completed_by_the_next_run(step, sources, tmp_path, ckan_http,
                                                                   harvester_token):
    routes, base, config = sources
    harvest = Harvest(tmp_path, config, ckan_http, harvester_token)
    first = harvest.run()
    assert first.returncode == 0, first.stdout + first.stderr
    current = harvest.out / "leipzig" / "current"
    complete(current)
    v1 = os.path.realpath(current)

    changed, expected = changed_register()
    if step == "download":  # killed from outside while the source is still sending
        arrived = threading.Event()

        def slow(path):
            arrived.set()
            return (changed, "text/csv", 20)
        routes["/leipzig.csv"] = slow
        proc = harvest.start()
        assert arrived.wait(60)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    else:
        routes["/leipzig.csv"] = (changed, "text/csv", 0)
        killed = harvest.run(crash=step)
        assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    routes["/leipzig.csv"] = (changed, "text/csv", 0)
    complete(current)  # still a whole, valid package: the old one until the swap, then the new one
    assert (os.path.realpath(current) == v1) == (step in ("download", "built", "swap"))

    again = harvest.run()
    assert again.returncode == 0, again.stdout + again.stderr
    package = complete(current)
    pkg, res = harvest.dataset()
    assert pkg["harvest_status"] == "ok"
    assert pkg["harvest_message"] == "Seit dem letzten Abgleich: 1 neu, 2 entfernt, 1 geändert."
    for resource in package["resources"]:  # the portal has exactly the current package's files
        assert res[resource["path"]]["hash"] == resource["hash"] and res[resource["path"]]["url_type"] == "upload"
    assert harvest.stored(res["baeume.csv"]) == (current / "baeume.csv").read_bytes()
    changes = list(csv.DictReader(io.StringIO(harvest.stored(res["aenderungen.csv"]).decode("utf-8"))))
    assert {(c["change"], c["id"]) for c in changes} == expected
    # nothing of the killed run is left lying around
    left = {p.name for p in (harvest.out / "leipzig").iterdir()}
    assert {n for n in left if n.startswith("build-")} == {os.path.basename(os.path.realpath(current)),
                                                           os.path.basename(os.path.realpath(
                                                               harvest.out / "leipzig" / "previous"))}
    assert not {n for n in left if n.endswith(".tmp")}
