"""The DataStore tests run against a real DataStore database made by
bin/setup-datastore: its URLs come from test.ini or, for a parallel line of
work, from CKAN_DATASTORE_WRITE_URL / CKAN_DATASTORE_READ_URL
(eval "$(bin/setup-datastore --test NAME)")."""
import os

import pytest
import sqlalchemy as sa

from ckan.lib.jobs import Worker
from ckan.tests import helpers


def _url(key: str, env: str) -> str:
    from ckan.common import config
    url = os.environ.get(env) or config.get(key)
    if not url:
        pytest.fail(f"no DataStore database for the tests: run bin/setup-datastore and set {key} "
                    f"(test.ini) or {env}")
    return url


@pytest.fixture
def write_url():
    return _url("ckan.datastore.write_url", "CKAN_DATASTORE_WRITE_URL")


@pytest.fixture
def read_url():
    return _url("ckan.datastore.read_url", "CKAN_DATASTORE_READ_URL")


@pytest.fixture
def datastore_db(write_url):
    """The DataStore database, emptied: no resource tables, no load records."""
    engine = sa.create_engine(write_url)
    with engine.begin() as conn:
        tables = conn.execute(sa.text(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname IN ('public', 'jena_load') "
            "AND tablename <> 'status'")).scalars().all()
        views = conn.execute(sa.text(
            "SELECT quote_ident(viewname) FROM pg_views WHERE schemaname = 'public' "
            "AND viewname <> '_table_metadata'")).scalars().all()
        for view in views:
            conn.execute(sa.text(f"DROP VIEW IF EXISTS public.{view} CASCADE"))
        for table in tables:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS public.{table}, jena_load.{table} CASCADE"))
        if conn.execute(sa.text("SELECT to_regclass('jena_load.status')")).scalar():
            conn.execute(sa.text("TRUNCATE jena_load.status"))
    yield engine
    engine.dispose()


def work():
    """Run the queued jobs (validation, then the load it leads to)."""
    Worker().work(burst=True)


def load(resource_id, force=False):
    """Run the queue: validation (queued on create or by a re-run), whose
    "valid" queues the load (validation's resource_validated signal), then
    the load. `force`: also ask for a load the way the "neu laden" button
    does, whatever validation said."""
    work()
    if force:
        from ckanext.jena.datastore.jobs import enqueue_load
        enqueue_load(resource_id, force=True)
        work()
    return helpers.call_action("jena_datastore_status", resource_id=resource_id)
