"""Where the backend used to differ from Solr in ways a user or operator
meets (issues 13 and 22): writes that did not take effect, syntax that was
quietly accepted, dates with microseconds, local parameters."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa

import ckan.lib.search as search
import ckan.model as model
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib.search.common import SearchError
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def dataset():
    org = factories.Organization()
    return lambda **fields: factories.Dataset(owner_org=org["id"], **fields)


def committed_index_names():
    """What another process (the web server, the next CLI call) sees."""
    with model.meta.engine.connect() as conn:
        return sorted(conn.execute(sa.text("SELECT name FROM jena_search_doc")).scalars())


def test_cli_clear_of_one_dataset_takes_effect(dataset, cli):
    first = dataset(name="erstes", title="Erstes Paket")
    dataset(name="zweites", title="Zweites Paket")
    result = cli.invoke(ckan_cli, ["search-index", "clear", first["id"]])
    assert not result.exit_code, result.output
    model.Session.rollback()  # the CLI never commits CKAN's session
    assert committed_index_names() == ["zweites"]
    result = cli.invoke(ckan_cli, ["search-index", "check"])
    assert "Packages not indexed = 1 out of 2" in result.output


def test_index_write_outside_a_commit_is_not_lost(dataset, cli):
    pkg = dataset(name="neu-indiziert")
    search.clear(pkg["id"])
    search.rebuild(pkg["id"])
    model.Session.rollback()
    assert committed_index_names() == ["neu-indiziert"]


def test_dataset_page_reports_a_malformed_query(dataset, app):
    dataset(title="Enthalten")
    html = app.get("/dataset/", params={"q": "--included"}).body
    assert "Beim Suchen trat ein Fehler auf" in html  # CKAN's "error while searching"


@pytest.mark.parametrize("q,reason", [
    ("--included", "two operators"),
    ("+-Baum", "two operators"),
    ('"Baum Jena"~3', "proximity"),
    ("Baum~2", "fuzzy"),
    ("title:--Baum", "two operators"),
])
def test_api_refuses_syntax_solr_refuses_or_we_cannot_answer(dataset, app, q, reason):
    dataset(title="Baum Jena Straße")
    response = app.get("/api/3/action/package_search", params={"q": q}, status=409)
    assert reason in response.json["error"]["message"]


def test_solr_operator_clean_up_in_free_text_still_finds(dataset):
    dataset(name="baum", title="Baum in Jena")
    names = lambda q: [r["name"] for r in helpers.call_action("package_search", q=q)["results"]]  # noqa: E731
    assert names("Baum --Jena") == ["baum"]  # consecutive operators after a space are dropped
    assert names("Baum -") == ["baum"]       # and a dangling one


def test_dates_keep_milliseconds_as_in_solr(dataset):
    pkg = dataset(name="zeitstempel")
    modified = dt.datetime.fromisoformat(pkg["metadata_modified"])
    solr = modified.strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{modified.microsecond // 1000:03d}Z" if modified.microsecond // 1000 else "Z")
    doc = search.show("zeitstempel")
    assert doc["metadata_modified"] == solr
    found = helpers.call_action("package_search", q="name:zeitstempel", fl="name,metadata_modified")
    assert found["results"] == [{"name": "zeitstempel", "metadata_modified": solr}]
    # The date Solr shows is the date that finds the dataset.
    exact = helpers.call_action("package_search", q=f'metadata_modified:"{solr}"')
    assert [r["name"] for r in exact["results"]] == ["zeitstempel"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", doc["metadata_created"])


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", "bool lucene knn")
def test_local_parameters_of_lucene_and_bool(dataset):
    dataset(name="bienen", title="Ein Datensatz über Bienen")
    dataset(name="falter", title="Ein Datensatz über Schmetterlinge")
    query = search.query_for(model.Package)
    count = lambda **p: query.run(dict(p))["count"]  # noqa: E731
    assert count(q="{!bool must=Bienen}", defType="lucene") == 1
    assert count(q="{!bool should=Bienen should=Schmetterlinge}", defType="lucene") == 2
    assert count(q="{!bool should=Datensatz must_not=Bienen}", defType="lucene") == 1
    assert count(q="{!type=bool must=Kaefer}", defType="lucene") == 0
    assert count(fq="{!lucene q.op=AND}Bienen Schmetterlinge") == 0
    assert count(fq="{!lucene q.op=OR}Bienen Schmetterlinge") == 2
    with pytest.raises(SearchError, match="query parser 'knn' is not supported"):
        query.run({"q": "{!knn f=vector topK=3}[1.0, 2.0]"})
