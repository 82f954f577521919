"""The harvest dashboard's tests: the tree sample served on loopback, the
organisations with their harvester (editor), a steward (editor), an admin
and another organisation's steward, as bin/setup and the city set them up."""
import os
import types

import pytest
import yaml
from ckanapi import LocalCKAN

from ckan.tests import factories

from harvesters import runner

from ..harvest.conftest import sample
from ..portal_process import ROOT

CONTACT = "baumkataster@jena.example"


@pytest.fixture
def tree_source(loopback):
    """(routes, the jena source's configuration): the Jena register on loopback."""
    routes, base = loopback
    routes.clear()
    routes["/jena.csv"] = (sample("jena_baumkataster.csv"), "text/csv; charset=windows-1252", 0)
    config = runner.load_config()
    entry = dict(config["jena"], url=base + "/jena.csv", timeout=2, attempts=1, backoff=0.01)
    return routes, {"jena": entry}


@pytest.fixture
def people():
    """stadt-jena (with a contact e-mail) and another organisation, and who works there."""
    admin = factories.Sysadmin()
    harvester, steward, org_admin, member = factories.User(), factories.User(), factories.User(), factories.User()
    other_steward = factories.User()
    jena = factories.Organization(name="stadt-jena", title="Stadt Jena", contact_email=CONTACT, user=admin,
                                  users=[{"name": harvester["name"], "capacity": "editor"},
                                         {"name": steward["name"], "capacity": "editor"},
                                         {"name": org_admin["name"], "capacity": "admin"},
                                         {"name": member["name"], "capacity": "member"}])
    other = factories.Organization(name="stadt-leipzig-beispiel", user=admin,
                                   users=[{"name": other_steward["name"], "capacity": "editor"},
                                          {"name": harvester["name"], "capacity": "editor"}])
    return types.SimpleNamespace(admin=admin, harvester=harvester, steward=steward, org_admin=org_admin,
                                 member=member, other_steward=other_steward, jena=jena, other=other,
                                 portal=LocalCKAN(username=harvester["name"]))


def harvest_ini(folder, **options) -> str:
    """test.ini with the harvest options a portal's config would have
    (`out="/x"` → ckanext.jena.harvest.out = /x), for the real processes a
    test starts (`ckan jobs worker`, `ckan run`); written into `folder`."""
    with open(os.path.join(ROOT, "test.ini"), encoding="utf-8") as f:
        text = f.read()
    text = text.replace("use = config:var/test-secrets.ini", f"use = config:{ROOT}/var/test-secrets.ini")
    lines = "".join(f"ckanext.jena.harvest.{key} = {value}\n" for key, value in options.items())
    path = os.path.join(str(folder), "harvest-test.ini")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("[app:main]\n", "[app:main]\n" + lines, 1))
    return path


@pytest.fixture
def sources_file(tmp_path, tree_source):
    """sources.yaml with the loopback source, as the portal's config names it."""
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"trees": tree_source[1]}, allow_unicode=True), encoding="utf-8")
    return str(path)
