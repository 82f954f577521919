"""Who may read, write and reload DataStore tables, seen from outside: the
read-only role, private datasets, the status API, the resource page and the
operators' command."""
import pytest
import sqlalchemy as sa

import ckan.logic as logic
from ckan.tests import factories, helpers

from ..publishing import create_dataset, link_file
from .conftest import load, work
from .marks import DATASTORE

pytestmark = DATASTORE

CSV = "nr,gattung\n1,Linde\n2,Ahorn\n3,Eiche\n"


def loaded_table(admin, org, loopback, private=False, name="baeume"):
    dataset = create_dataset(admin, org, name, private=private)
    res = link_file(admin, dataset, loopback, f"/{name}.csv", CSV, format="CSV")
    assert load(res["id"])["status"] == "loaded"
    return dataset, res


ANONYMOUS = {"user": "", "ignore_auth": False}


def test_the_read_only_role_cannot_change_a_table(admin, org, loopback, read_url):
    _, res = loaded_table(admin, org, loopback)
    engine = sa.create_engine(read_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text(f'SELECT count(*) FROM "{res["id"]}"')).scalar() == 3
        for statement in (f'INSERT INTO "{res["id"]}" (nr, gattung) VALUES (4, \'Birke\')',
                          f'DELETE FROM "{res["id"]}"', f'DROP TABLE "{res["id"]}"', "CREATE TABLE x (a int)"):
            with engine.connect() as conn:
                # Read-only by default, and without the rights even when it asks for more.
                with pytest.raises(sa.exc.DBAPIError):
                    conn.execute(sa.text(statement))
            with engine.connect() as conn:
                conn.execute(sa.text("SET default_transaction_read_only = off"))
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner"):
                    with conn.begin():
                        conn.execute(sa.text("SET TRANSACTION READ WRITE"))
                        conn.execute(sa.text(statement))
            with engine.connect() as conn:  # the build schema and the load records are out of reach
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    conn.execute(sa.text("SELECT * FROM jena_load.status"))
    finally:
        engine.dispose()
    with pytest.raises(logic.ValidationError):
        helpers.call_action("datastore_search_sql", sql=f'DELETE FROM "{res["id"]}"')
    assert helpers.call_action("datastore_search", resource_id=res["id"])["total"] == 3


def test_a_private_datasets_table_is_not_readable_by_anonymous(admin, org, loopback, app):
    _, res = loaded_table(admin, org, loopback, private=True)
    member = factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=member["name"], role="member")
    for action, params in (("datastore_search", {"resource_id": res["id"]}),
                           ("datastore_search_sql", {"sql": f'SELECT * FROM "{res["id"]}"'}),
                           ("datastore_info", {"id": res["id"]}),
                           ("jena_datastore_status", {"resource_id": res["id"]})):
        with pytest.raises(logic.NotAuthorized):
            helpers.call_action(action, dict(ANONYMOUS), **params)
        assert helpers.call_action(action, {"user": member["name"], "ignore_auth": False}, **params)
    dump = app.get(f"/datastore/dump/{res['id']}")
    assert dump.status_code == 404 and "Linde" not in dump.body  # CKAN does not say it exists
    assert "Linde" not in app.get("/api/3/action/datastore_search", query_string={"resource_id": res["id"]},
                                  status=403).body
    assert "Linde" in app.get(f"/datastore/dump/{res['id']}", extra_environ={"REMOTE_USER": member["name"]}).body
    # a join with a public table does not open the private one
    _, public = loaded_table(admin, org, loopback, name="oeffentlich")
    with pytest.raises(logic.NotAuthorized):
        helpers.call_action("datastore_search_sql", dict(ANONYMOUS),
                            sql=f'SELECT * FROM "{public["id"]}" p JOIN "{res["id"]}" r ON p.nr = r.nr')
    assert helpers.call_action("datastore_search_sql", dict(ANONYMOUS),
                               sql=f'SELECT count(*) AS n FROM "{public["id"]}"')["records"][0]["n"] == 3


def test_only_editors_reload_and_everyone_who_sees_the_resource_sees_the_status(admin, org, loopback):
    _, res = loaded_table(admin, org, loopback)
    state = helpers.call_action("jena_datastore_status", dict(ANONYMOUS), resource_id=res["id"])
    assert state["status"] == "loaded" and state["rows"] == 3 and state["active"]
    assert state["columns"] == [{"id": "nr", "type": "bigint"}, {"id": "gattung", "type": "text"}]
    outsider = factories.User()
    with pytest.raises(logic.NotAuthorized):
        helpers.call_action("jena_datastore_load", {"user": outsider["name"], "ignore_auth": False},
                            resource_id=res["id"])
    editor = factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=editor["name"], role="editor")
    queued = helpers.call_action("jena_datastore_load", {"user": editor["name"], "ignore_auth": False},
                                 resource_id=res["id"])
    assert queued["status"] == "pending"
    work()
    state = helpers.call_action("jena_datastore_status", resource_id=res["id"])
    assert state["status"] == "loaded" and state["reason"] == ""  # forced: loaded again, not "unchanged"


def _page(client, dataset, res, user=None):
    environ = {"REMOTE_USER": user["name"]} if user else {}
    return client.get(f"/dataset/{dataset['name']}/resource/{res['id']}", extra_environ=environ).body


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", "true")
def test_the_resource_page_shows_the_load_and_reloads_with_a_csrf_token(admin, org, loopback, app):
    import re
    dataset, res = loaded_table(admin, org, loopback)
    client = app.test_client()  # one client: the session cookie holds the CSRF secret
    page = _page(client, dataset, res)
    assert "Im DataStore: 3 Zeilen" in page
    assert "Neu laden" not in page  # anonymous: no button
    page = _page(client, dataset, res, admin)
    assert "Neu laden" in page
    form = page[page.index('datastore/load"'):]
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
    url = f"/dataset/{dataset['name']}/resource/{res['id']}/datastore/load"
    env = {"REMOTE_USER": admin["name"]}
    client.post(url, extra_environ=env, status=400)  # without the token: refused
    assert helpers.call_action("jena_datastore_status", resource_id=res["id"])["status"] == "loaded"
    client.post(url, data={"_csrf_token": token}, extra_environ=env, follow_redirects=False, status=302)
    assert helpers.call_action("jena_datastore_status", resource_id=res["id"])["status"] == "pending"
    work()
    assert helpers.call_action("jena_datastore_status", resource_id=res["id"])["status"] == "loaded"


def test_a_failed_load_is_explained_in_german_on_the_page(admin, org, loopback, app):
    dataset, res = loaded_table(admin, org, loopback)
    files, _ = loopback
    files["/baeume.csv"] = (b"nr,gattung\n1,Linde\n99999999999999999999,Eiche\n", "text/csv")
    helpers.call_action("resource_validation_run", resource_id=res["id"])
    assert load(res["id"])["status"] == "failed"
    page = _page(app.test_client(), dataset, res)
    assert "Laden in den DataStore fehlgeschlagen" in page
    assert "Die Daten des vorigen Ladens (3 Zeilen) sind weiter abfragbar." in page


def test_the_operators_command_loads_one_or_all(admin, org, loopback, cli, ckan_config):
    from ckanext.jena.datastore.cli import datastore_load
    _, first = loaded_table(admin, org, loopback)
    _, second = loaded_table(admin, org, loopback, name="zweite")
    result = cli.invoke(datastore_load, [first["id"]])
    assert result.exit_code == 0, result.output
    assert f"{first['id']}: loaded, 3 rows (unchanged)" in result.output
    result = cli.invoke(datastore_load, ["--all", "--force"])
    assert result.exit_code == 0, result.output
    assert result.output.count(", 3 rows") == 2 and "unchanged" not in result.output
    result = cli.invoke(datastore_load, [])
    assert result.exit_code != 0


def test_a_new_table_waits_for_validation_and_an_invalid_one_says_why(admin, org, loopback, app):
    """What a steward sees right after uploading: not "not in the
    DataStore", but that the file will be loaded once it has passed
    validation; and for a file validation rejects, why it was not loaded."""
    files, base = loopback
    files["/neu.csv"] = (CSV.encode(), "text/csv")
    files["/kaputt.csv"] = (b"nr,gattung\n1,Linde\nzwei,Ahorn\n", "text/csv")
    dataset = helpers.call_action("package_create", {"user": admin["name"]}, name="neu", title="Neu",
                                  notes="Neue Bäume", owner_org=org["id"])
    schema = '{"fields": [{"name": "nr", "type": "integer"}, {"name": "gattung", "type": "string"}]}'
    new = helpers.call_action("resource_create", {"user": admin["name"]}, package_id=dataset["id"],
                              url=f"{base}/neu.csv", format="CSV")
    broken = helpers.call_action("resource_create", {"user": admin["name"]}, package_id=dataset["id"],
                                 url=f"{base}/kaputt.csv", format="CSV", table_schema=schema)
    state = helpers.call_action("jena_datastore_status", dict(ANONYMOUS), resource_id=new["id"])
    assert (state["status"], state["reason"]) == ("pending", "validation")
    page = _page(app.test_client(), dataset, new, admin)
    assert "Wartet auf die Prüfung, danach wird die Tabelle in den DataStore geladen" in page
    work()
    assert helpers.call_action("jena_datastore_status", resource_id=new["id"])["status"] == "loaded"
    state = helpers.call_action("jena_datastore_status", resource_id=broken["id"])
    assert (state["status"], state["reason"]) == ("none", "not-valid")
    page = _page(app.test_client(), dataset, broken, admin)
    assert "Nicht im DataStore" in page
    assert "Die Datei hat die Prüfung nicht bestanden; geladen werden nur gültige Dateien." in page
