"""The legally required pages and the list of categories."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from . import helpers, pages

theme = Blueprint("jena_theme", __name__)


def _page(slug: str):
    def view():
        page = pages.BY_SLUG[slug]
        return tk.render("jena/pages/page.html", {
            "page": page, "title": tk._(page.title), "text": pages.text(slug),
            "is_default": pages.text(slug) == pages.default_text(slug)})
    return view


for _slug in pages.BY_SLUG:
    theme.add_url_rule(f"/{_slug}", endpoint=_slug, view_func=_page(_slug))


@theme.route("/kategorien")
def categories():
    return tk.render("jena/theme/categories.html", {"categories": helpers.categories()})
