"""The index table as migrated is exactly what pgsearch/table.py describes,
so the upsert, the queries and new migrations built from that description
meet the real table (a column added by a migration but not described, or
described but never migrated, fails here)."""
import re

import pytest

import ckan.model as model
from ckanext.jena.pgsearch import table

pytestmark = pytest.mark.usefixtures("clean_db")


def _predicate(sql):
    """A partial index's WHERE without what PostgreSQL adds to it (casts of
    literals, parentheses, spacing)."""
    return re.sub(r"::text(\[\])?|[()\s]", "", sql)


def _catalogue(conn, schema):
    cols = conn.exec_driver_sql(f"""
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attstorage = t.typstorage, a.attstorage
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = '{schema}.{table.TABLE}'::regclass AND a.attnum > 0
          AND NOT a.attisdropped""").fetchall()
    indexes = conn.exec_driver_sql(f"""
        SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisprimary
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = '{schema}.{table.TABLE}'::regclass""").fetchall()
    options = conn.exec_driver_sql(
        f"SELECT reloptions FROM pg_class WHERE oid = '{schema}.{table.TABLE}'::regclass").scalar()
    columns = {name: (typ, notnull, default, None if default_storage else storage)
               for name, typ, notnull, default, default_storage, storage in cols}
    index_defs, primary = {}, None
    for name, definition, is_primary in indexes:
        method, expr, include, where = re.search(
            r"USING (\w+) \((.*?)\)(?: INCLUDE \((.*?)\))?(?: WHERE (.*))?$", definition).groups()
        if is_primary:
            primary = expr
        else:
            index_defs[name] = (method, expr, include or "", _predicate(where or ""))
    return columns, index_defs, primary, sorted(options or [])


def _described():
    storage = {"main": "m"}
    columns = {c.name: (c.type, c.not_null,
                        c.default, storage.get(c.storage)) for c in table.COLUMNS}
    indexes = {i.name: (i.method, i.columns, i.include, _predicate(i.where))
               for i in table.INDEXES}
    options = sorted(f"{k}={v}" for k, v in table.TABLE_OPTIONS.items())
    return columns, indexes, table.PRIMARY_KEY, options


def test_migrated_table_is_the_described_table():
    with model.meta.engine.connect() as conn:
        assert _catalogue(conn, "public") == _described()


def test_ddl_of_the_description_builds_the_same_table():
    with model.meta.engine.connect() as conn:
        trans = conn.begin()
        try:
            conn.exec_driver_sql("CREATE SCHEMA jena_table_check")
            conn.exec_driver_sql("SET LOCAL search_path = jena_table_check, public, extensions")
            for statement in table.create_table_ddl():
                conn.exec_driver_sql(statement)
            built = _catalogue(conn, "jena_table_check")
        finally:
            trans.rollback()
    assert built == _described()


def test_0006_gives_an_index_made_before_it_the_quality_order():
    """An index written before the quality column (0005) sorts by quality
    after the upgrade without a reindex: 0006 fills the column from the
    term map."""
    from ckan.cli.db import _run_migrations
    from ckan.tests import factories, helpers

    admin = factories.Sysadmin()
    org = factories.Organization(user=admin)
    ctx = lambda: {"user": admin["name"], "ignore_auth": False}  # noqa: E731
    for name, score in (("mittel", "090"), ("ohne", None), ("gut", "250")):
        extras = [{"key": "quality_score", "value": score}] if score else []
        helpers.call_action("package_create", ctx(), name=name, owner_org=org["id"], extras=extras)
    # CKAN's migration environment re-initialises the model without a pool.
    engine = model.meta.engine
    try:
        _run_migrations("jena_pgsearch", "0005_index_generation", forward=False)
        _run_migrations("jena_pgsearch", "head", forward=True)
    finally:
        model.init_model(engine)
    with engine.connect() as conn:
        held = dict(conn.exec_driver_sql(
            f"SELECT name, quality_score FROM {table.TABLE} "
            f"WHERE name IN ('mittel', 'ohne', 'gut')").fetchall())
    assert held == {"mittel": "090", "ohne": None, "gut": "250"}
    result = helpers.call_action("package_search", ctx(), fq=f"owner_org:{org['id']}",
                                 sort="quality_score desc, metadata_modified desc")
    assert [r["name"] for r in result["results"]] == ["gut", "mittel", "ohne"]
