"""A missing page answers in German and shows the ways on (issue 13)."""
import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.usefixtures("clean_db")


def test_unknown_address_gives_a_german_404_with_search_and_links(app):
    response = app.get("/gibt-es-nicht", status=404)
    page = BeautifulSoup(response.body, "html.parser")
    assert page.html["lang"] == "de"
    assert page.find("h1").get_text(" ", strip=True) == "Seite nicht gefunden (Fehler 404)"
    assert "Not Found" not in response.body and "requested URL" not in response.body
    assert page.title.get_text(strip=True).startswith("Seite nicht gefunden")
    search = page.select_one(".jena-not-found form.jena-search")
    assert search["action"].endswith("/dataset/") and search.find("input", attrs={"name": "q"})
    links = {a.get_text(strip=True): a["href"] for a in page.select(".jena-not-found li a")}
    assert links["Alle Datensätze"].endswith("/dataset/")
    assert links["Datensätze nach Kategorie"].endswith("/kategorien")


def test_a_missing_dataset_says_what_is_missing(app):
    page = BeautifulSoup(app.get("/dataset/gibt-es-nicht", status=404).body, "html.parser")
    assert page.select_one(".jena-error-detail").get_text(strip=True).startswith("Datensatz nicht gefunden")


def test_the_404_in_english(app):
    page = BeautifulSoup(app.get("/en/gibt-es-nicht", status=404).body, "html.parser")
    assert page.find("h1").get_text(" ", strip=True) == "Page not found (error 404)"


@pytest.mark.usefixtures("clean_index")
@pytest.mark.parametrize("prefix,heading,said", [("", "Fehler", "Beim Suchen trat ein Fehler auf"),
                                                 ("/en", "Error", "There was an error while searching")])
def test_a_failed_search_is_headed_in_the_page_language(app, prefix, heading, said):
    """A query the search refuses ("--included": two operators, as Solr) shows
    CKAN's search error under a heading in the page's language."""
    page = BeautifulSoup(app.get(f"{prefix}/dataset/", params={"q": "--included"}).body, "html.parser")
    assert said in page.get_text(" ")
    assert page.select_one("form#dataset-search-form h1").get_text(strip=True) == heading
