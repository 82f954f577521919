"""The home page, the menu and the footer as a visitor meets them (issue 13):
newest and featured datasets, categories with German labels linking to the
filtered search, the quality summary; Jena's logo, no CKAN placeholders."""
import os

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from ckanext.jena.vocabularies import vocabulary

from .conftest import token_of

PUBLIC = os.path.join(os.path.dirname(__file__), "..", "..", "ckanext-jena", "ckanext", "jena", "public")
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def page(app, url, **kw):
    return BeautifulSoup(app.get(url, **kw).body, "html.parser")


@pytest.fixture
def datasets():
    admin = factories.Sysadmin()
    org = factories.Organization(user=admin, title="Grünflächenamt")
    make = lambda **kw: helpers.call_action(  # noqa: E731
        "package_create", {"user": admin["name"]}, owner_org=org["id"], notes="Daten der Stadt.", **kw)
    older = make(name="haushalt", title="Haushaltsplan", theme=[THEME + "ECON"])
    newer = make(name="strassenbaeume", title="Straßenbäume", theme=[THEME + "ENVI"])
    return older, newer


def test_home_page_shows_the_newest_datasets_first(app, datasets):
    html = page(app, "/")
    newest = html.find(id="jena-newest").find_parent("section")
    titles = [a.get_text(strip=True) for a in newest.select(".jena-dataset-list h3 a")]
    assert titles[:2] == ["Straßenbäume", "Haushaltsplan"]
    assert newest.find("a", string="Straßenbäume")["href"].endswith("/dataset/strassenbaeume")
    featured = html.find(id="jena-featured").find_parent("section")
    assert {"Straßenbäume", "Haushaltsplan"} <= {a.get_text(strip=True) for a in featured.select("h3 a")}


def test_categories_have_german_labels_counts_and_filter_the_search(app, datasets):
    html = page(app, "/")
    section = html.find(id="jena-categories").find_parent("section")
    labels = {li.select_one(".jena-category-label").get_text(strip=True): li
              for li in section.select(".jena-category")}
    # The home page lists the themes in use, German labels.
    assert set(labels) == {"Umwelt", "Wirtschaft und Finanzen"}
    assert labels["Umwelt"].select_one(".jena-category-count").get_text(strip=True) == "1 Datensatz"
    link = labels["Umwelt"].a["href"]
    found = page(app, link)
    titles = [a.get_text(strip=True) for a in found.select(".dataset-heading a")]
    assert titles == ["Straßenbäume"]
    # The menu's "Kategorien" page lists every EU data theme, also the empty ones.
    assert section.find("a", href=lambda h: h and h.endswith("/kategorien"))
    everything = page(app, "/kategorien")
    counts = {li.select_one(".jena-category-label").get_text(strip=True):
              li.select_one(".jena-category-count").get_text(strip=True)
              for li in everything.select(".jena-category")}
    assert len(counts) == len(vocabulary("data-themes").terms)
    assert counts["Energie"] == "0 Datensätze" and counts["Umwelt"] == "1 Datensatz"


def test_the_filtered_search_names_the_category(app, datasets):
    url = page(app, "/").select_one(".jena-category a")["href"]
    found = page(app, url)
    pill = found.select_one(".filter-list")
    assert pill is not None and "Kategorien" in pill.get_text() and "http" not in pill.get_text()
    facet = next((h for h in found.select("h2.module-heading") if "Kategorien" in h.get_text()), None)
    assert facet is not None
    items = facet.find_parent("section").get_text(" ", strip=True)
    assert "Umwelt" in items or "Wirtschaft und Finanzen" in items
    api = app.get("/api/3/action/package_search", query_string={"facet.field": '["theme"]'}).json
    names = {i["name"]: i["display_name"] for i in api["result"]["search_facets"]["theme"]["items"]}
    assert names[THEME + "ENVI"] == "Umwelt"


@pytest.mark.ckan_config("ckanext.jena.theme.featured", "haushalt gibt-es-nicht")
def test_featured_datasets_can_be_chosen(app, datasets):
    featured = page(app, "/").find(id="jena-featured").find_parent("section")
    assert [a.get_text(strip=True) for a in featured.select("h3 a")] == ["Haushaltsplan"]


def test_categories_in_english(app, datasets):
    html = page(app, "/en/")
    labels = [s.get_text(strip=True) for s in html.select(".jena-category-label")]
    assert "Environment" in labels and "Umwelt" not in labels


def test_home_page_has_search_and_quality_summary(app, datasets):
    html = page(app, "/")
    form = html.select_one("main form.jena-search")
    assert form["action"].endswith("/dataset/") and form.find("input", attrs={"name": "q"})
    assert form.find("label")["for"] == form.find("input")["id"]
    summary = html.find(id="jena-quality-summary").find_parent("section")
    assert "2 öffentliche Datensätze" in summary.get_text()
    assert summary.find("a", href=lambda h: h and h.endswith("/qualitaet"))


def test_jena_logo_and_no_ckan_placeholders(app, datasets):
    body = app.get("/").body
    html = BeautifulSoup(body, "html.parser")
    logo = html.select_one("header .jena-logo img")
    assert logo["src"].endswith("/jena-theme/logo-offene-daten-jena.svg") and "Jena" in logo["alt"]
    assert "Offene Daten" in app.get(logo["src"]).body
    for stock in ("Willkommen bei CKAN", "Welcome to CKAN", "placeholder-420x220", "ckan-logo",
                  "ckan-footer-logo", "This is a nice introductory paragraph"):
        assert stock not in body
    for img in html.find_all("img"):
        assert img.get("alt"), img
    # Organisations without a picture get the portal's mark, not CKAN's building.
    ours = os.path.join(PUBLIC, "base", "images", "placeholder-organization.png")
    with open(ours, "rb") as f:
        assert app.get("/base/images/placeholder-organization.png").data == f.read()


def test_only_the_current_page_is_marked_in_the_menu(app):
    for url, current in (("/kategorien", "Kategorien"), ("/impressum", None), ("/qualitaet", "Qualität")):
        active = [li.a.get_text(strip=True) for li in page(app, url).select("header .navbar-nav li.active")]
        assert active == ([current] if current else []), url


def test_menu_and_footer_links(app):
    html = page(app, "/")
    menu = {a.get_text(strip=True): a["href"] for a in html.select("header .navbar-nav a")}
    assert menu["Datensätze"].endswith("/dataset/")
    assert menu["Organisationen"].endswith("/organization/")
    assert menu["Kategorien"].endswith("/kategorien")
    assert menu["Qualität"].endswith("/qualitaet")
    assert menu["Daten-API"].endswith("/daten-api")
    assert menu["Über das Portal"].endswith("/about")
    footer = {a.get_text(strip=True): a["href"] for a in html.select("footer a")}
    assert footer["Impressum"].endswith("/impressum")
    assert footer["Datenschutzerklärung"].endswith("/datenschutz")
    assert footer["Erklärung zur Barrierefreiheit"].endswith("/barrierefreiheit")
    assert footer["API"].endswith("/daten-api")
    # Language switch: plain links, the current language marked.
    langs = html.select("footer .jena-lang a")
    assert {a["hreflang"] for a in langs} == {"de", "en"}
    assert [a["hreflang"] for a in langs if a.get("aria-current")] == ["de"]
    english = next(a["href"] for a in langs if a["hreflang"] == "en")
    assert english.startswith("/en")
    assert page(app, english).html["lang"] == "en"


def test_skip_link_reaches_the_main_content(app):
    for url in ("/", "/dataset/", "/impressum"):
        html = page(app, url)
        skip = html.select_one(".visually-hidden-focusable a")
        assert skip["href"] == "#content"
        assert len(html.select("#content")) == 1, url
    assert page(app, "/").select_one("#content").name == "main"


def test_no_gravatar_requests_for_avatars(app):
    # A user without a picture of their own (the factory's is an external URL).
    user = factories.Sysadmin(image_url="", email="steward@jena.example")
    body = app.get("/dataset/", headers={"Authorization": token_of(user)}).body
    assert "gravatar.com" not in body
    avatar = BeautifulSoup(body, "html.parser").select_one(".account-masthead .account img.user-image")
    assert avatar["alt"] and "placeholder-user" in avatar["src"]
