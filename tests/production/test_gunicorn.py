"""The production web server: the portal answers through gunicorn with
several worker processes, and each request lands in the access log."""
import json
import urllib.request

import pytest
from ckan.tests import factories

from .server import gunicorn


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_portal_answers_through_gunicorn(tmp_path):
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], title="Baumkataster durch gunicorn")
    log = tmp_path / "access.log"
    with gunicorn(access_log=str(log)) as (base, proc):
        with urllib.request.urlopen(f"{base}/dataset/{dataset['name']}", timeout=30) as page:
            assert page.status == 200
            assert page.headers["Server"].startswith("gunicorn")
            assert "Baumkataster durch gunicorn" in page.read().decode()
        with urllib.request.urlopen(f"{base}/api/3/action/package_search?q=Baumkataster", timeout=30) as r:
            assert json.load(r)["result"]["count"] == 1
        # A master and the two workers the test asked for.
        children = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()
        assert len(children) == 2
    lines = log.read_text().splitlines()
    assert any(f'"GET /dataset/{dataset["name"]} HTTP/1.1" 200' in line for line in lines)
