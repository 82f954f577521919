"""datastore_search on large match sets (jena_datastore's IDatastore hook):
an estimated total above the threshold, flagged as estimated; table order
instead of ranking every match; the consumer's own threshold wins. The
thresholds are lowered here so that a table of 2,000 rows is "large"."""
import pytest

from ckan.tests import helpers

from ..publishing import create_dataset
from .conftest import load
from .marks import DATASTORE

pytestmark = DATASTORE + [
    pytest.mark.ckan_config("ckanext.jena.datastore.total_estimation_threshold", "500"),
    pytest.mark.ckan_config("ckanext.jena.datastore.rank_limit", "500"),
]

ROWS = 2000


@pytest.fixture
def trees(create_with_upload, admin, org):
    dataset = create_dataset(admin, org)
    # Every 50th tree is a "Winterlinde Linde" (a word twice: ranks higher).
    body = "nr,gattung,name\n" + "".join(
        f"{i},{'Tilia' if i % 2 else 'Acer'},{'Winterlinde Linde Linde' if i % 50 == 0 else 'Linde' if i % 2 else 'Ahorn'}\n"
        for i in range(1, ROWS + 1))
    schema = ('{"fields": [{"name": "nr", "type": "integer"}, {"name": "gattung", "type": "string"},'
              ' {"name": "name", "type": "string"}], "primaryKey": ["nr"]}')
    res = create_with_upload(body, "baeume.csv", package_id=dataset["id"], format="CSV", table_schema=schema,
                             context={"user": admin["name"]})
    assert load(res["id"])["status"] == "loaded"
    return res["id"]


def search(**params):
    return helpers.call_action("datastore_search", {"user": "", "ignore_auth": False}, **params)


def test_a_large_match_set_has_an_estimated_total_and_says_so(trees):
    found = search(resource_id=trees, filters={"gattung": "Tilia"}, limit=10)
    assert found["total_was_estimated"] is True and found["include_total"] is True
    assert 800 <= found["total"] <= 1200  # 1,000 Tilia; the planner's estimate
    assert [r["nr"] for r in found["records"]] == list(range(1, 20, 2))
    # few matches: counted exactly
    few = search(resource_id=trees, filters={"gattung": "Tilia", "nr": [1, 3, 5]})
    assert few["total"] == 3 and few["total_was_estimated"] is False
    # the consumer's own threshold: exact
    exact = search(resource_id=trees, filters={"gattung": "Tilia"}, limit=10, total_estimation_threshold=10 ** 9)
    assert exact["total"] == 1000 and exact["total_was_estimated"] is False
    # no total asked for: none given
    assert "total" not in search(resource_id=trees, filters={"gattung": "Tilia"}, include_total=False)
    # no filter: CKAN's own estimate, with our threshold as its default
    everything = search(resource_id=trees, limit=1)
    assert everything["total"] == ROWS and everything["total_was_estimated"] is True


def test_full_text_over_many_matches_comes_in_table_order_and_few_matches_ranked(trees):
    many = search(resource_id=trees, q="Linde", limit=5)
    assert many["total_was_estimated"] is True
    assert [r["nr"] for r in many["records"]] == [1, 3, 5, 7, 9]  # table order, not by rank
    assert all("rank" in r for r in many["records"])
    few = search(resource_id=trees, q="Winterlinde", limit=5)
    assert few["total"] == ROWS // 50 and few["total_was_estimated"] is False
    # ranked as CKAN ranks (every match has the same rank here: table order among equals is not promised)
    assert len(few["records"]) == 5 and {r["nr"] % 50 for r in few["records"]} == {0}


def test_both_turned_off_it_is_ckans_search(trees, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.jena.datastore.rank_limit", 0)
    monkeypatch.setitem(ckan_config, "ckanext.jena.datastore.total_estimation_threshold", 0)
    ranked = search(resource_id=trees, q="Linde", limit=5)
    assert ranked["total"] == ROWS // 2 + ROWS // 50 and ranked["total_was_estimated"] is False
    # ranked: the rows with "Linde" twice first
    assert {r["nr"] % 50 for r in ranked["records"]} == {0}
