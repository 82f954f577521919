"""The language switch as a visitor uses it: German by default, English
on request, and back to German, on the same page."""
import re

from playwright.sync_api import expect


def switch_to(page, label):
    """Pick the language in the footer's switch: a link where the theme
    offers one, else CKAN's select (select2 over a native <select>)."""
    link = page.locator(f"footer a:text-is('{label}'), footer a[lang]:has-text('{label}')")
    if link.count():
        link.first.click()
        return
    chooser = page.locator("footer .select2-container, footer .lang-container").first
    if chooser.count() and chooser.is_visible():
        chooser.click()
        page.locator(".select2-results li, .lang-dropdown li", has_text=label).first.click()
    else:
        page.locator("footer select").first.select_option(label=label)


def test_language_switch_de_en_de(page, portal):
    page.goto(f"/dataset/{portal.data['harvested']['name']}")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^de"))
    expect(page.locator("header, .masthead").first).to_contain_text("Datensätze")
    switch_to(page, "English")
    expect(page).to_have_url(re.compile(r"/en/dataset/baumkataster-jena"))
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en"))
    expect(page.locator("header, .masthead").first).to_contain_text("Datasets")
    switch_to(page, "Deutsch")
    expect(page).not_to_have_url(re.compile(r"/en/"))
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^de"))
    expect(page.locator("header, .masthead").first).to_contain_text("Datensätze")
