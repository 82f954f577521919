import pytest

import ckan.plugins as p
from ckan.common import config
from ckan.tests import factories, helpers

from .catalogue import DATASETS, GROUPS, ORGS

# The search backend is tested on CKAN's own dataset schema: the catalogue
# uses core fields and free extras, independent of our scheming schema.
SEARCH_PLUGINS = "jena jena_pgsearch activity jena_test_views"


@pytest.fixture
def statements(monkeypatch):
    """Every statement a search sends to the index (both ways the backend
    sends them), in order."""
    from ckanext.jena.pgsearch.connection import PgSearchConnection
    sent = []
    running, fetching = PgSearchConnection._run, PgSearchConnection._fetch_bytes

    def run(self, statement, values):
        sent.append(statement)
        return running(self, statement, values)

    def fetch(self, statement, values):
        sent.append(statement)
        return fetching(self, statement, values)

    monkeypatch.setattr(PgSearchConnection, "_run", run)
    monkeypatch.setattr(PgSearchConnection, "_fetch_bytes", fetch)
    return sent


def pytest_configure(config):
    config.addinivalue_line("markers", "portal_plugins: run with the plugins of test.ini")


def pytest_collection_modifyitems(items):
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        # A module that names its plugins, or runs with the portal's set of
        # test.ini (mark portal_plugins), keeps them.
        own = (any(m.args[0] == "ckan.plugins" for m in item.iter_markers("ckan_config"))
               or item.get_closest_marker("portal_plugins"))
        if str(item.fspath).startswith(here) and not own:
            item.add_marker(pytest.mark.ckan_config("ckan.plugins", SEARCH_PLUGINS))


def _create_catalogue():
    admin = factories.Sysadmin()
    ctx = lambda: {"user": admin["name"], "ignore_auth": False}  # noqa: E731
    org_ids = {}
    for name, title in ORGS.items():
        org_ids[name] = helpers.call_action("organization_create", ctx(), name=name, title=title)["id"]
    for name, title in GROUPS.items():
        helpers.call_action("group_create", ctx(), name=name, title=title)
    ids = {}
    for name, title, org, groups, tags, formats, licence, extra in DATASETS:
        extra = dict(extra)
        deleted = extra.pop("deleted", False)
        res_names = extra.pop("resource_names", [])
        data = {
            "name": name, "title": title, "owner_org": org_ids[org], "license_id": licence,
            "groups": [{"name": g} for g in groups], "tags": [{"name": t} for t in tags],
            "resources": [{"url": f"http://daten.example.org/{name}/{i}.{fmt.lower()}", "format": fmt,
                           "name": res_names[i] if i < len(res_names) else f"Datei {i + 1}"}
                          for i, fmt in enumerate(formats)],
        }
        for key in ("notes", "maintainer", "private", "state"):
            if key in extra:
                data[key] = extra.pop(key)
        data["extras"] = [{"key": k, "value": v} for k, v in extra.items()]
        ids[name] = helpers.call_action("package_create", ctx(), **data)["id"]
        if deleted:
            # Kept in the index as deleted, so include_deleted can find it.
            config["ckan.search.remove_deleted_packages"] = False
            try:
                helpers.call_action("package_delete", ctx(), id=name)
            finally:
                config["ckan.search.remove_deleted_packages"] = True
    editor = factories.User(name="redakteurin")
    helpers.call_action("organization_member_create", ctx(), id="stadt-jena",
                        username=editor["name"], role="editor")
    uni_member = factories.User(name="uni-mitglied")
    helpers.call_action("organization_member_create", ctx(), id="uni",
                        username=uni_member["name"], role="member")
    outsider = factories.User(name="aussenstehend")
    return {"admin": admin, "ids": ids, "editor": editor, "uni_member": uni_member,
            "outsider": outsider}


@pytest.fixture(scope="module")
def catalogue(reset_db, reset_index):
    plugins = config.get("ckan.plugins")
    config["ckan.plugins"] = SEARCH_PLUGINS.split()
    try:
        p.load_all()
        reset_db()
        reset_index()
        data = _create_catalogue()
    finally:
        config["ckan.plugins"] = plugins
    yield data
    p.unload_non_system_plugins()
