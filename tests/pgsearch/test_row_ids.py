"""A page ranked by score, after the facet statement counted its hits, comes
from the rows that statement found (their row ids, sql.PAGE_FROM_FACET_ROWS:
the page's own rows ranked there, or with a title tier all hits up to
sql.TITLE_TIER_FROM_HITS) instead of finding them again through the indexes.
It must be exactly the page of finding them again, also when a hit is
written in between."""
import random

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import helpers
from ckanext.jena.pgsearch import connection, sql

from .test_title_tier import PAGES, WORDS, _catalogue

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index"),
              pytest.mark.ckan_config("ckanext.jena.search.facet_cache_seconds", "0")]

FACETS = '["tags", "organization", "res_format"]'


def _search(**params):
    result = helpers.call_action("package_search", **{"facet.field": FACETS}, **params)
    return result["count"], [d["name"] for d in result["results"]]


def _by_row_ids(statements):
    return any("d.ctid = ANY" in s for s in statements if "ORDER BY" in s)


def test_the_page_of_the_counted_rows_is_the_page_of_all_hits(monkeypatch, statements):
    _catalogue(random.Random(23))
    searches = [dict(q=w, fq="tags:Stadt") for w in WORDS[:2]] + [
        dict(q="Linde Brunnen"), dict(q='"Linde Stadt"'), dict(q="Radweg", sort="score desc, name asc"),
        dict(q="Friedhof", sort="score asc")]
    taken = 0
    for params in searches:
        for start, rows in PAGES:
            statements.clear()
            got = _search(start=start, rows=rows, **params)
            taken += _by_row_ids(statements)
            with monkeypatch.context() as m:
                m.setattr(sql, "PAGE_FROM_FACET_ROWS", False)
                m.setattr(sql, "TITLE_TIER_FROM_HITS", 10 ** 9)
                statements.clear()
                expected = _search(start=start, rows=rows, **params)
                assert not _by_row_ids(statements)
            assert got == expected, (params, start, rows)
    assert taken >= len(searches) * 4  # (pages past the last hit are not asked for)


def test_other_orders_and_many_hits_find_the_page_through_the_indexes(monkeypatch, statements):
    _catalogue(random.Random(23))
    for params in (dict(q="Linde", sort="name asc"), dict(q="*:*"), dict(fq="tags:Stadt")):
        statements.clear()
        _search(**params)
        assert not _by_row_ids(statements), params
    # With a title tier, more hits than it pages from go to the indexes;
    # without one, the facet statement ranks any number of hits.
    monkeypatch.setattr(sql, "TITLE_TIER_FROM_HITS", 3)
    statements.clear()
    assert _search(q="Linde", fq="tags:Stadt")[0] > 3
    assert not _by_row_ids(statements)
    statements.clear()
    assert _search(q="Linde Brunnen")[0] > 3
    assert _by_row_ids(statements)


def test_a_hit_written_between_the_facets_and_the_page_stays_on_it(monkeypatch, statements):
    _catalogue(random.Random(23))
    expected = _search(q="Linde Brunnen", rows=100)
    assert expected[0] > 3
    fetching = connection.PgSearchConnection._fetch_bytes

    def fetch_then_write(self, statement, values):
        out = fetching(self, statement, values)
        # Another worker rewrites every hit's row (new row ids) and commits.
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("UPDATE jena_search_doc SET indexed_at = now() "
                                 "WHERE name = ANY(:names)"), {"names": expected[1]})
        return out

    monkeypatch.setattr(connection.PgSearchConnection, "_fetch_bytes", fetch_then_write)
    statements.clear()
    assert _search(q="Linde Brunnen", rows=100) == expected
    assert _by_row_ids(statements)  # tried, then found again


def test_a_page_past_any_array_index_is_empty_not_an_error(statements):
    _catalogue(random.Random(23))
    # start is allowed up to 2**31 - 1; start + rows is past an array index.
    assert _search(q="Linde Brunnen", start=2 ** 31 - 1, rows=10)[1] == []
    assert _search(q="Linde Brunnen", start=2 ** 31 - 11, rows=10)[1] == []
