"""Facet counts are reused between searches only while the index is
unchanged (pgsearch/facet_cache.py): every change of a dataset, a write in
SQL behind the portal's back and a reset show at the next search, and a
visitor never sees counts of datasets only an editor may see."""
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import event

import ckan.model as model
from ckan.tests import factories, helpers
from ckanext.jena.pgsearch import term_counts
from ckanext.jena.pgsearch.connection import PgSearchConnection

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

@pytest.fixture
def counted(monkeypatch):
    """The facet counts the database computed (the statement still runs):
    counted over the hits, or read from the kept counts (term_counts.py)."""
    seen = []
    fetching, running = PgSearchConnection._fetch_bytes, PgSearchConnection._run

    def fetch(self, statement, values):
        seen.append(statement)
        return fetching(self, statement, values)

    def run(self, statement, values):
        if term_counts.TERM_FACETS in statement:
            seen.append(statement)
        return running(self, statement, values)

    monkeypatch.setattr(PgSearchConnection, "_fetch_bytes", fetch)
    monkeypatch.setattr(PgSearchConnection, "_run", run)
    return seen


def tag_counts(user=None):
    # As the web page asks: the visitor's rights, not the tests' ignore_auth.
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    result = helpers.call_action("package_search", context, q="*:*", include_private=True,
                                 **{"facet.field": '["tags"]'})
    items = result["search_facets"]["tags"]["items"]
    return result["count"], {i["name"]: i["count"] for i in items}


def test_counts_follow_each_change_of_the_index(admin, org):
    user = {"user": admin["name"]}
    factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Baum"}])
    assert tag_counts() == (1, {"Baum": 1})
    assert tag_counts() == (1, {"Baum": 1})

    second = factories.Dataset(owner_org=org["id"], user=admin,
                               tags=[{"name": "Baum"}, {"name": "Park"}])
    assert tag_counts() == (2, {"Baum": 2, "Park": 1})

    helpers.call_action("package_patch", user, id=second["id"], tags=[{"name": "Wald"}])
    assert tag_counts() == (2, {"Baum": 1, "Wald": 1})

    helpers.call_action("package_delete", user, id=second["id"])
    assert tag_counts() == (1, {"Baum": 1})

    # Behind the portal's back: the index emptied in SQL.
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM jena_search_doc"))
    assert tag_counts() == (0, {})


def test_the_same_search_is_counted_once_until_the_index_changes(admin, org, counted):
    factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Baum"}])
    for _ in range(3):
        assert tag_counts() == (1, {"Baum": 1})
    assert len(counted) == 1
    factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Baum"}])
    assert tag_counts() == (2, {"Baum": 2})
    assert len(counted) == 2


@pytest.mark.ckan_config("ckanext.jena.search.facet_cache_seconds", "0")
def test_no_reuse_when_turned_off(admin, org, counted):
    factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Baum"}])
    for _ in range(3):
        assert tag_counts() == (1, {"Baum": 1})
    assert len(counted) == 3


def test_a_visitor_never_gets_the_counts_of_an_editor(admin, org):
    factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Baum"}])
    factories.Dataset(owner_org=org["id"], user=admin, private=True,
                      tags=[{"name": "Baum"}, {"name": "Intern"}])
    editor, outsider = factories.User(), factories.User()
    other = factories.Organization(user=admin)
    for user, where in ((editor, org), (outsider, other)):
        helpers.call_action("organization_member_create", {"user": admin["name"]},
                            id=where["id"], username=user["name"], role="editor")
    # The same search of two users differs only in the labels they hold.
    assert tag_counts(editor) == (2, {"Baum": 2, "Intern": 1})
    assert tag_counts(outsider) == (1, {"Baum": 1})
    assert tag_counts() == (1, {"Baum": 1})
    assert tag_counts(editor) == (2, {"Baum": 2, "Intern": 1})


def _counts_in_another_request(app):
    """tag_counts() of a visitor's request on another thread (and so
    another database session) while this one is mid-write."""
    out = []

    def visitor():
        with app.flask_app.test_request_context():
            out.append(tag_counts())
            model.Session.remove()

    thread = threading.Thread(target=visitor)
    thread.start()
    thread.join()
    return out[0]


def test_counts_made_while_a_change_commits_are_not_reused_after_it(admin, org, app):
    """A search that runs between a dataset's index write and its commit
    counts the old state, under the generation the write's trigger made; the
    next search after the commit must count anew."""
    factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Baum"}])
    during = []

    def search_elsewhere(session):
        if during or not session.info.get("jena_pgsearch_changed"):
            return
        during.append(_counts_in_another_request(app))

    event.listen(model.Session, "before_commit", search_elsewhere)
    try:
        factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Park"}])
    finally:
        event.remove(model.Session, "before_commit", search_elsewhere)
    assert during == [(1, {"Baum": 1})]
    assert tag_counts() == (2, {"Baum": 1, "Park": 1})


def test_counts_made_while_a_reindex_commits_are_not_reused_after_it(admin, org, app, monkeypatch):
    """The same race on the index's own connection (a reindex outside a CKAN
    commit, as `ckan search-index rebuild` writes): a search between the
    write and its commit counts the old state."""
    import ckan.lib.search as search
    from ckanext.jena.pgsearch import store
    pkg = factories.Dataset(owner_org=org["id"], user=admin, tags=[{"name": "Baum"}])
    model.Session.execute(sa.text("UPDATE package_tag SET state = 'deleted'"))
    model.Session.commit()
    assert tag_counts() == (1, {"Baum": 1})  # the index does not know yet
    during = []
    original = store.upsert

    def upsert_then_search(*args, **kwargs):
        original(*args, **kwargs)
        during.append(_counts_in_another_request(app))

    monkeypatch.setattr(store, "upsert", upsert_then_search)
    # CKAN's rebuild of one dataset deletes its document (committed), then
    # writes the new one: in between, the index holds none.
    search.rebuild(pkg["id"])
    assert during == [(0, {})]
    assert tag_counts() == (1, {})
