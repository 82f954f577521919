"""bin/backup and bin/restore: a portal with a dataset, an uploaded file and
a DataStore table is backed up, restored into new databases and a new
storage folder, and the restored portal (served by gunicorn) shows the
dataset, hands out the file and answers the DataStore query."""
import json
import os
import subprocess
import urllib.parse
import urllib.request

import pytest
from ckan.common import config
from ckan.tests import factories, helpers

from .server import ROOT, gunicorn

CSV = b"art,anzahl\nLinde,12\nAhorn,7\n"


def _psql(sql):
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qAt", "-c", sql],
                   cwd="/tmp", check=True, capture_output=True)


def _database(url):
    return url.rsplit("/", 1)[1].split("?")[0]


@pytest.fixture
def fresh_names():
    """New database names beside this run's test databases, none there yet."""
    names = (_database(config["sqlalchemy.url"]) + "_restored",
             _database(config["ckan.datastore.write_url"]) + "_restored")

    def drop():
        for name in names:
            _psql(f"DROP DATABASE IF EXISTS {name}")
    drop()
    yield names
    drop()


def _run(*args, env=None):
    result = subprocess.run([os.path.join(ROOT, "bin", args[0]), *args[1:]], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _with_database(url, name):
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_backup_restores_datasets_uploads_and_datastore(tmp_path_factory, create_with_upload, fresh_names):
    restored, restored_ds = fresh_names
    admin = factories.Sysadmin()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], title="Straßenbäume Jena")
    resource = create_with_upload(CSV, "baeume.csv", package_id=dataset["id"], url="upload",
                                  format="CSV", context={"user": admin["name"]})
    helpers.call_action("datastore_create", {"user": admin["name"]}, resource_id=resource["id"], force=True,
                        fields=[{"id": "art", "type": "text"}, {"id": "anzahl", "type": "int"}],
                        records=[{"art": "Linde", "anzahl": 12}, {"art": "Ahorn", "anzahl": 7}])

    out = tmp_path_factory.mktemp("backups")
    # create_with_upload stores into a folder of its own: the portal's storage here.
    portal_storage = {"CKAN_STORAGE_PATH": config["ckan.storage_path"]}
    first = _run("backup", "-c", "test.ini", "--out", str(out), "--keep", "2",
                 env=portal_storage).strip().splitlines()[-1]
    # The dumps are root's alone; var/secrets.env is not in the backup.
    assert oct(os.stat(first).st_mode & 0o777) == "0o700"
    assert sorted(os.listdir(first)) == ["datastore.database.sql", "datastore.dump", "manifest.json",
                                         "portal.database.sql", "portal.dump", "storage.tar.gz"]
    secrets = open(os.path.join(ROOT, "var", "secrets.env")).read().split("\n")[0].split("=", 1)[1]
    for name in os.listdir(first):
        assert secrets.encode() not in open(os.path.join(first, name), "rb").read()

    storage = tmp_path_factory.mktemp("restored") / "storage"
    _run("restore", first, "-c", "test.ini", "--db", restored, "--datastore-db", restored_ds,
         "--storage", str(storage))
    # A second restore never writes over what the first made.
    again = subprocess.run([os.path.join(ROOT, "bin", "restore"), first, "-c", "test.ini",
                            "--db", restored, "--datastore-db", restored_ds, "--storage", str(storage)],
                           cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 1 and f"the database {restored} exists" in again.stderr

    # The test run's URLs (test.ini, or bin/test-db's environment over it).
    env = {"CKAN_SQLALCHEMY_URL": _with_database(config["sqlalchemy.url"], restored),
           "CKAN_DATASTORE_WRITE_URL": _with_database(config["ckan.datastore.write_url"], restored_ds),
           "CKAN_DATASTORE_READ_URL": _with_database(config["ckan.datastore.read_url"], restored_ds),
           "CKAN_STORAGE_PATH": str(storage)}
    # The original is gone: what the restored portal shows comes from the backup.
    helpers.call_action("dataset_purge", {"user": admin["name"]}, id=dataset["id"])
    with gunicorn(env=env) as (base, _):
        page = urllib.request.urlopen(f"{base}/dataset/{dataset['name']}", timeout=60).read().decode()
        assert "Straßenbäume Jena" in page
        download = f"{base}/dataset/{dataset['id']}/resource/{resource['id']}/download/baeume.csv"
        assert urllib.request.urlopen(download, timeout=60).read() == CSV
        api = urllib.request.urlopen(
            f"{base}/api/3/action/datastore_search?resource_id={resource['id']}&sort=anzahl", timeout=60)
        records = json.load(api)["result"]["records"]
        assert [(r["art"], r["anzahl"]) for r in records] == [("Ahorn", 7), ("Linde", 12)]
        search = f"{base}/api/3/action/package_search?q=" + urllib.parse.quote("Straßenbäume")
        found = json.load(urllib.request.urlopen(search, timeout=60))
        assert found["result"]["count"] == 1


def test_backup_keeps_the_newest(tmp_path):
    out = tmp_path / "backups"
    made = []
    for _ in range(3):
        made.append(_run("backup", "-c", "test.ini", "--out", str(out), "--keep", "2").strip().splitlines()[-1])
    assert sorted(os.listdir(out)) == sorted(os.path.basename(p) for p in made[1:])
