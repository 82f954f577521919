"""The harvesters' token goes to the portal's own address only. Any editor of
the organisation can point a harvested resource's URL at a host of their
own; the harvester must neither send its token there nor trust what is
there, and reads the published file back from the portal itself."""
import csv
import http.server
import io
import os
import shutil
import subprocess
import types

import ckanapi
import pytest
import yaml

from ckan.tests import factories, helpers

from ..loopback import serving
from .conftest import sample

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, ".venv", "bin", "jena-harvest")


@pytest.fixture
def attacker():
    """A loopback web server that records every request's headers: .url, .seen."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, dict(self.headers)))
            body = b"id,source\nx,y\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    with serving(Handler) as url:
        yield types.SimpleNamespace(url=url, seen=seen)


def register(drop: int = 0, extra: int = 0) -> bytes:
    """The Leipzig sample without its first `drop` trees, with `extra` planted ones."""
    rows = list(csv.reader(io.StringIO(sample("leipzig_baeume.csv").decode("utf-8"))))
    body = rows[1 + drop:] + [[f"L-9{n:04d}", "Tilia", "Tilia cordata", "Winter-Linde", "2025", "2.5", "1.0", "8",
                               "Zentrum", "318000.00", "5690000.00"] for n in range(extra)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0]] + body)
    return out.getvalue().encode("utf-8")


def test_an_editor_cannot_lure_the_token_away(sources, tmp_path, ckan_http, harvester_token, attacker):
    routes, base, config = sources
    entry = dict(config["leipzig"], timeout=30, attempts=1)
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"trees": {"leipzig": entry}}))
    out = tmp_path / "out"
    env = dict(os.environ, JENA_CKAN_URL=ckan_http, JENA_CKAN_API_TOKEN=harvester_token)

    def harvest():
        done = subprocess.run([CLI, "--config", str(tmp_path / "sources.yaml"), "run", "leipzig", "--out", str(out)],
                              env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    harvest()
    portal = ckanapi.RemoteCKAN(ckan_http, apikey=harvester_token)
    table = next(r for r in portal.action.package_show(id="baumkataster-leipzig")["resources"]
                 if r["name"] == "baeume.csv")

    # Another editor of the organisation points the table at their own host …
    steward = factories.User()
    helpers.call_action("organization_member_create", id="stadt-leipzig-beispiel", username=steward["name"],
                        role="editor")
    helpers.call_action("resource_patch", {"user": steward["name"], "ignore_auth": False}, id=table["id"],
                        url=attacker.url + "/baeume.csv", url_type="")
    # … and the harvester runs on a new machine (no local copy of the last publication).
    shutil.rmtree(out)
    routes["/leipzig.csv"] = (register(drop=1), "text/csv", 0)
    harvest()
    assert not [h for _, h in attacker.seen if "Authorization" in h or "X-CKAN-API-Key" in h]
    assert attacker.seen == []  # not even asked: a link is not the harvester's upload
    restored = next(r for r in portal.action.package_show(id="baumkataster-leipzig")["resources"]
                    if r["name"] == "baeume.csv")
    assert restored["url_type"] == "upload" and restored["url"].startswith(ckan_http)

    # Its own upload it reads back from the portal, with the token, to count the changes.
    shutil.rmtree(out)
    routes["/leipzig.csv"] = (register(drop=3, extra=1), "text/csv", 0)
    harvest()
    pkg = portal.action.package_show(id="baumkataster-leipzig")
    assert pkg["harvest_message"] == "Seit dem letzten Abgleich: 1 neu, 2 entfernt, 0 geändert."
    assert attacker.seen == []
