"""A search ranked by one word pages from the datasets with the word in their
title first (sql.Search.page, table.TITLE_VECTOR). That shortcut must give
exactly the page of ranking every hit: same datasets, same order, for every
page, also where the title hits do not fill it."""
import random

import pytest

from ckan.tests import factories, helpers
from ckanext.jena.pgsearch import sql
from ckanext.jena.pgsearch.translate import Translator

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

WORDS = ["Linde", "Brunnen", "Radweg", "Friedhof"]
FILLER = "Stadt Jena Daten Tabelle Liste Erhebung Bericht".split()
PAGES = [(0, 1), (0, 5), (0, 20), (3, 4), (9, 10), (25, 10), (0, 100)]


@pytest.fixture(autouse=True)
def title_tier_always(monkeypatch):
    # The catalogue is small: take the title hits first at any hit count.
    monkeypatch.setattr(sql, "TITLE_TIER_FROM_HITS", 0)


def _catalogue(rng):
    """60 datasets, each word in some titles, some tags, and 0-6 times in
    the description: hits of every rank, title hits and others mixed."""
    org = factories.Organization()
    for i in range(60):
        title = [rng.choice(FILLER) for _ in range(3)]
        tags = [rng.choice(FILLER)]
        notes = [rng.choice(FILLER) for _ in range(20)]
        for word in WORDS:
            if rng.random() < 0.3:
                title.insert(rng.randrange(len(title) + 1), word)
            if rng.random() < 0.3:
                tags.append(word)
            for _ in range(rng.choice([0, 0, 1, 2, 6])):
                notes.insert(rng.randrange(len(notes) + 1), word)
        factories.Dataset(name=f"datensatz-{i:02d}", title=" ".join(title), owner_org=org["id"],
                          notes=" ".join(notes), tags=[{"name": t} for t in set(tags)])


def _names(**params):
    result = helpers.call_action("package_search", **params)
    return [d["name"] for d in result["results"]]


def test_title_hits_first_give_the_page_of_ranking_every_hit(monkeypatch, statements):
    _catalogue(random.Random(19))
    ways = {"title hits": 0, "title hits, then every hit": 0}
    for word in WORDS:
        for sort in (None, "score desc", "score desc, name asc"):
            for start, rows in PAGES:
                params = {"q": word, "start": start, "rows": rows}
                if sort:
                    params["sort"] = sort
                statements.clear()
                got = _names(**params)
                pages = ["ts_filter" in s for s in statements if "ORDER BY" in s]
                with monkeypatch.context() as m:
                    m.setattr(Translator, "single_word_rank", lambda self: None)
                    expected = _names(**params)
                assert got == expected, (word, sort, start, rows)
                if pages == [True]:
                    ways["title hits"] += 1
                elif pages == [True, False]:
                    ways["title hits, then every hit"] += 1
    # Both ways were taken: pages the title hits fill, and pages they do not.
    assert min(ways.values()) > 5, ways


def test_a_ranking_not_by_one_word_ranks_every_hit(statements):
    _catalogue(random.Random(7))
    for params in ({"q": "Linde Brunnen"}, {"q": '"Linde Stadt"'}, {"q": "text:Lind*"},
                   {"q": "Linde", "sort": "name asc"}, {"q": "Linde", "sort": "score asc"}):
        statements.clear()
        _names(**params)
        assert not any("ts_filter" in s for s in statements), params


def test_a_few_hits_are_ranked_in_one_statement(statements, monkeypatch):
    monkeypatch.setattr(sql, "TITLE_TIER_FROM_HITS", 2000)
    _catalogue(random.Random(19))
    statements.clear()
    _names(q="Linde", rows=5, **{"facet.field": '["tags"]'})
    assert [s for s in statements if "ORDER BY" in s and "ts_filter" in s] == []
