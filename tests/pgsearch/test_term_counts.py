"""A search for one common word, or without text, or without text and by one
common facet value, reads its facet counts from the counts kept per word and
value (pgsearch/term_counts.py). They must be exactly the
counts of counting the hits, for every visitor, after every kind of change,
and must not be used where they cannot answer."""
import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers
from ckanext.jena.pgsearch import term_counts, writes

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index"),
              pytest.mark.ckan_config("ckanext.jena.search.facet_cache_seconds", "0")]

FACETS = '["organization", "tags", "res_format", "license_id", "groups"]'
WORDS = ["Linde", "Brunnen", "Radweg"]


@pytest.fixture
def sent(monkeypatch, statements):
    # Every dataset of these tests is "common": each word is counted.
    monkeypatch.setattr(term_counts, "COUNT_FROM_DOCS", 1)
    return statements


def _search(user, **params):
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    result = helpers.call_action("package_search", context, rows=3,
                                 **{"facet.field": FACETS}, **params)
    facets = {f: {i["name"]: i["count"] for i in v["items"]}
              for f, v in result["search_facets"].items()}
    return result["count"], facets, [d["name"] for d in result["results"]]


def _both(monkeypatch, sent, user, **params):
    """(with the kept counts, counting the hits), and whether the first
    read kept counts and counted no hit."""
    sent.clear()
    kept = _search(user, **params)
    read_kept = (any(term_counts.TERM_FACETS in s for s in sent)
                 and not any("string_agg(d.facet_packed" in s for s in sent))
    with monkeypatch.context() as m:
        m.setattr(term_counts, "scope", lambda fqs: None)
        counted = _search(user, **params)
    return kept, counted, read_kept


def _catalogue(admin, org, other):
    group = factories.Group(name="baeume", user=admin)
    for i in range(12):
        words = [w for j, w in enumerate(WORDS) if (i >> j) & 1]
        factories.Dataset(
            name=f"datensatz-{i:02d}", title=" ".join(words + ["Jena"]),
            owner_org=(org if i % 3 else other)["id"], private=(i % 5 == 0), user=admin,
            tags=[{"name": w} for w in words[:1] + ["Stadt"]],
            groups=[{"id": group["id"]}] if i % 4 else [],
            resources=[{"url": "https://example.org/x.csv", "format": "CSV" if i % 2 else "JSON"}])
    writes.analyze()


SEARCHES = [dict(q=w) for w in WORDS + ["Jena"]] + [
    dict(q="*:*"), dict(q="Linde", include_private=True), dict(q="*:*", include_private=True),
    dict(q="Brunnen", fq="+dataset_type:dataset", include_private=True),
    # A value clicked on the /dataset page, the group page's filter, one
    # held by a column (organization) and one with the visitor's own "+".
    dict(fq='tags:"Stadt"'), dict(fq="res_format:CSV", include_private=True),
    dict(q="*:*", fq='groups:"baeume"'), dict(fq='+tags:"Linde"', include_private=True)]


def _check_all(monkeypatch, sent, users, org=None):
    by_org = [dict(fq=f'organization:"{org["name"]}"')] if org else []
    for user in users:
        for params in SEARCHES + by_org:
            kept, counted, read_kept = _both(monkeypatch, sent, user, **params)
            assert kept == counted, (user and user["name"], params)
            assert read_kept, (user and user["name"], params)


def test_kept_counts_are_the_counted_ones_for_every_visitor_and_change(monkeypatch, sent):
    admin = factories.Sysadmin()
    member = factories.User()
    org = factories.Organization(user=admin, users=[{"name": member["name"], "capacity": "editor"}])
    other = factories.Organization(user=admin)
    _catalogue(admin, org, other)
    assert _search(None, q="Linde")[0] == 5  # 6 with the word, one private
    users = [None, member, admin]
    _check_all(monkeypatch, sent, users, org)

    ctx = {"user": admin["name"]}
    # Words and facets change, a dataset turns private, one public, one is
    # deleted, a new one comes: the counts follow each write.
    helpers.call_action("package_patch", ctx, id="datensatz-01", title="Brunnen Jena",
                        tags=[{"name": "Wasser"}])
    helpers.call_action("package_patch", ctx, id="datensatz-03", private=True)
    helpers.call_action("package_patch", ctx, id="datensatz-05", private=False)
    helpers.call_action("package_delete", ctx, id="datensatz-07")
    factories.Dataset(name="neu", title="Linde Radweg", owner_org=org["id"], user=admin)
    helpers.call_action("package_create", ctx, name="entwurf", title="Linde", state="draft",
                        owner_org=org["id"])
    _check_all(monkeypatch, sent, users)

    # Summing the deltas changes no count.
    with model.meta.engine.begin() as conn:
        rows = conn.exec_driver_sql(f"SELECT count(*) FROM {term_counts.TERM_FACETS}").scalar()
        term_counts.compact(conn)
        after = conn.exec_driver_sql(f"SELECT count(*) FROM {term_counts.TERM_FACETS}").scalar()
    assert after < rows
    _check_all(monkeypatch, sent, users)

    # Behind the portal's back: rows deleted in SQL, then the whole index.
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM jena_search_doc WHERE name LIKE 'datensatz-0%'"))
    _check_all(monkeypatch, sent, users)
    model.Session.remove()  # TRUNCATE waits for every reader's transaction
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE jena_search_doc"))
    assert _search(None, q="*:*") == (0, {f: {} for f in
                                          ["organization", "tags", "res_format", "license_id",
                                           "groups"]}, [])


def test_a_word_no_longer_common_is_counted_again_and_a_new_one_filled(monkeypatch, sent):
    admin = factories.Sysadmin()
    org = factories.Organization(user=admin)
    _catalogue(admin, org, org)
    with model.meta.engine.connect() as conn:
        terms = {r[0] for r in conn.exec_driver_sql(f"SELECT lexeme FROM {term_counts.TERMS}")}
    assert {"lind", "brunn", "radweg", term_counts.EVERY} <= terms
    assert any(t.startswith(term_counts.FACET_MARK) for t in terms)  # the facet values

    monkeypatch.setattr(term_counts, "COUNT_FROM_DOCS", 10 ** 6)
    writes.analyze()
    kept, counted, read_kept = _both(monkeypatch, sent, None, q="Linde")
    assert kept == counted and not read_kept

    monkeypatch.setattr(term_counts, "COUNT_FROM_DOCS", 1)
    factories.Dataset(name="spaeter", title="Linde", owner_org=org["id"], user=admin)
    writes.analyze()
    kept, counted, read_kept = _both(monkeypatch, sent, None, q="Linde")
    assert kept == counted and read_kept


@pytest.mark.parametrize("params", [
    dict(q="Linde", fq="tags:Stadt"),          # a filter of the visitor's
    dict(q="Linde Brunnen"),                    # two words
    dict(q="title:Linde"),                      # one field only
    dict(q="text:Lin*"),                        # a prefix (as q="Lin*" it is the word "Lin")
    dict(q="Linde", include_drafts=True),       # drafts too
    dict(q="Linde", ext_bbox="11.5,50.8,11.7,51.0"),
    dict(fq='tags:"Stadt" tags:"Linde"'),         # two values
    dict(fq='tags:("Stadt" OR "Linde")'),         # either of two
    dict(fq='-tags:"Stadt"'),                     # all but one
    dict(fq='name:datensatz-01'),                 # not a facet field
    dict(fq='tags:"Stadt"', include_drafts=True),  # drafts too
])
def test_other_searches_count_their_hits(monkeypatch, sent, params):
    admin = factories.Sysadmin()
    org = factories.Organization(user=admin)
    _catalogue(admin, org, org)
    kept, counted, read_kept = _both(monkeypatch, sent, None, **params)
    assert kept == counted and not read_kept


def test_0009_counts_the_facet_values_of_an_index_made_before_it(monkeypatch, sent):
    """Before 0009 only words were counted: a filter by a tag counted its
    hits. After the upgrade (no reindex) its counts are kept and exact, and
    follow the writes."""
    from ckan.cli.db import _run_migrations
    admin = factories.Sysadmin()
    org = factories.Organization(user=admin)
    _catalogue(admin, org, org)
    engine = model.meta.engine
    try:
        # CKAN's migration environment re-initialises the model without a pool.
        _run_migrations("jena_pgsearch", "0008_term_facet_counts", forward=False)
        model.init_model(engine)
        kept, counted, read_kept = _both(monkeypatch, sent, None, fq='tags:"Stadt"')
        assert kept == counted and not read_kept
        helpers.call_action("package_patch", {"user": admin["name"]}, id="datensatz-02",
                            tags=[{"name": "Linde"}])
        _run_migrations("jena_pgsearch", "head", forward=True)
    finally:
        model.init_model(engine)
    helpers.call_action("package_patch", {"user": admin["name"]}, id="datensatz-04",
                        tags=[{"name": "Stadt"}, {"name": "Brunnen"}])
    _check_all(monkeypatch, sent, [None, admin], org)
