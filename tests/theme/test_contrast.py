"""The status badges (validation, DCAT-AP.de check, DataStore load) were
white on white (issue 13): each state has its colour now, with white text of
at least 4.5:1 contrast (WCAG 2.1 AA), and the stylesheet reaches the page."""
import os
import re

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories

CSS = os.path.join(os.path.dirname(__file__), "..", "..", "ckanext-jena", "ckanext", "jena",
                   "assets", "theme", "theme.css")


def stylesheet():
    with open(CSS, encoding="utf-8") as f:
        return f.read()


def variables(css):
    return dict(re.findall(r"--(jena-[a-z-]+):\s*(#[0-9a-fA-F]{6})", css))


def luminance(hex_colour):
    def channel(c):
        c = int(c, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(hex_colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_formula():
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert contrast("#ffffff", "#777777") < 4.5  # Bootstrap's old grey fails


@pytest.mark.parametrize("state,rule", [
    ("green", r"\.badge\.jena-validation-valid"), ("green", r"\.badge\.jena-shacl-conforms"),
    ("red", r"\.badge\.jena-validation-invalid"), ("red", r"\.badge\.jena-shacl-violations"),
    ("amber", r"\.badge\.jena-validation-error"), ("amber", r"\.badge\.jena-shacl-error"),
    ("grey", r"\.badge\.jena-validation-pending"), ("grey", r"\.badge\.jena-shacl-pending"),
])
def test_each_badge_state_has_a_colour_white_text_can_be_read_on(state, rule):
    css = stylesheet()
    colour = variables(css)[f"jena-{state}"]
    assert re.search(rule + r"[^{]*\{[^}]*var\(--jena-" + state + r"\)", css), rule
    assert contrast("#ffffff", colour) >= 4.5, (state, colour)


def test_every_colour_pair_of_the_theme_is_readable():
    colours = variables(stylesheet())
    for name in ("jena-blue", "jena-blue-dark", "jena-link", "jena-green", "jena-red",
                 "jena-amber", "jena-grey"):
        assert contrast("#ffffff", colours[name]) >= 4.5, name
    # Link colour on the tinted backgrounds of the hero and the DataStore boxes.
    for background in ("#e8f1f7", "#eaf4ec", "#fbecec", "#f1f3f5", "#fff6e5"):
        assert contrast(colours["jena-link"], background) >= 4.5, background
        assert contrast("#212529", background) >= 4.5, background
    assert contrast("#0b0c0c", colours["jena-focus"]) >= 4.5  # skip link


@pytest.mark.usefixtures("clean_db")
def test_the_theme_stylesheet_is_served_with_the_badge_rules(app):
    page = BeautifulSoup(app.get("/dataset/").body, "html.parser")
    hrefs = [link["href"] for link in page.find_all("link", rel="stylesheet")
             if "jena_theme" in link["href"]]
    assert len(hrefs) == 1
    css = app.get(hrefs[0]).body
    assert ".badge.jena-validation-valid" in css and ".jena-datastore-failed" in css
