"""Impressum, Datenschutzerklärung and Erklärung zur Barrierefreiheit
(issue 13): German templates with marked placeholders until a sysadmin
writes the text at /ckan-admin/config; a normal user cannot."""
import pytest
from bs4 import BeautifulSoup

import ckan.model as model
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("clean_db")

PAGES = {"/impressum": "Impressum", "/datenschutz": "Datenschutzerklärung",
         "/barrierefreiheit": "Erklärung zur Barrierefreiheit"}


def html(response):
    return BeautifulSoup(response.body, "html.parser")


@pytest.mark.parametrize("url,title", PAGES.items())
def test_each_page_exists_with_a_marked_german_template(app, url, title):
    page = html(app.get(url))
    assert page.select_one("main, [role=main]") is not None
    assert page.find("h1").get_text(strip=True) == title
    text = page.select_one(".jena-page-text")
    assert text.find("blockquote").get_text(" ", strip=True).startswith("Vorlage – bitte ausfüllen.")
    assert "[" in text.get_text()  # placeholders the city replaces
    assert page.html["lang"] == "de"


def test_the_templates_say_what_belongs_there(app):
    assert "§ 5 Digitale-Dienste-Gesetz" in app.get("/impressum").body
    privacy = app.get("/datenschutz").body
    assert "Art. 15 DSGVO" in privacy and "Gravatar" in privacy
    assert "EN 301 549" in app.get("/barrierefreiheit").body


def test_a_sysadmin_edits_a_page_in_the_config_form(app, sysadmin_token):
    auth = {"Authorization": sysadmin_token}
    form = html(app.get("/ckan-admin/config", headers=auth))
    field = form.find("textarea", attrs={"name": "ckanext.jena.theme.impressum"})
    assert field is not None and "Vorlage – bitte ausfüllen." in field.get_text()
    assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True) == "Impressum"

    text = "## Anbieter\n\nStadt Jena, Am Anger 15, 07743 Jena\n\n*Stand: 1. Dezember 2026*"
    app.post("/ckan-admin/config", headers=auth,
             data={"ckanext.jena.theme.impressum": text, "save": ""}, status=200)
    assert model.get_system_info("ckanext.jena.theme.impressum") == text

    page = html(app.get("/impressum"))
    assert page.select_one(".jena-page-text h2").get_text(strip=True) == "Anbieter"
    assert "Am Anger 15" in page.get_text() and page.select_one(".jena-page-text em")
    assert "Vorlage – bitte ausfüllen." not in page.get_text()
    # The other pages keep their templates.
    assert "Vorlage – bitte ausfüllen." in app.get("/datenschutz").body
    # Markdown, not HTML: a script tag is not passed through.
    app.post("/ckan-admin/config", headers=auth, data={
        "ckanext.jena.theme.datenschutz": "Text<script>alert(1)</script>", "save": ""})
    assert "<script>alert(1)" not in app.get("/datenschutz").body


def test_a_normal_user_cannot_edit_the_pages(app, user_token):
    auth = {"Authorization": user_token}
    app.get("/ckan-admin/config", headers=auth, status=403)
    app.post("/ckan-admin/config", headers=auth, status=403,
             data={"ckanext.jena.theme.impressum": "Gefälscht", "save": ""})
    app.post("/api/3/action/config_option_update", headers=auth, status=403,
             json={"ckanext.jena.theme.impressum": "Gefälscht"})
    assert model.get_system_info("ckanext.jena.theme.impressum") is None
    assert "Gefälscht" not in app.get("/impressum").body


def test_the_api_sees_the_page_options(sysadmin_token):
    options = helpers.call_action("config_option_list")
    assert {"ckanext.jena.theme.impressum", "ckanext.jena.theme.datenschutz",
            "ckanext.jena.theme.barrierefreiheit"} <= set(options)
