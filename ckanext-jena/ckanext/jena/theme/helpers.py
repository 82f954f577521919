"""Template helpers of jena_theme: what the home page, the category list
and the legally required pages show."""
from __future__ import annotations

import logging
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.vocabularies import vocabulary

from . import pages

log = logging.getLogger(__name__)


def _search(**params: Any) -> dict[str, Any]:
    # As the visitor: package_search shows public datasets (and, logged in,
    # what the user may see), never more.
    try:
        return tk.get_action("package_search")({}, params)
    except (tk.ValidationError, tk.NotAuthorized) as e:
        log.warning("home page search failed: %s", e)
        return {"count": 0, "results": [], "facets": {}}


def _lang() -> str:
    """de or en: the page's language; German outside a request (jobs, CLI)."""
    try:
        lang = tk.h.lang() or "de"
    except RuntimeError:
        lang = "de"
    return "en" if lang.startswith("en") else "de"


def newest(limit: Optional[int] = None) -> list[dict[str, Any]]:
    limit = limit or tk.config.get("ckanext.jena.theme.home_datasets")
    return _search(rows=limit, sort="metadata_created desc")["results"]


def featured(limit: Optional[int] = None) -> list[dict[str, Any]]:
    """The configured datasets, else those with the best metadata (the
    newest, listed beside them, last, so the two lists differ)."""
    limit = limit or tk.config.get("ckanext.jena.theme.home_datasets")
    names = tk.config.get("ckanext.jena.theme.featured") or []
    if names:
        found = []
        for name in names[:limit]:
            try:
                found.append(tk.get_action("package_show")({}, {"id": name}))
            except (tk.ObjectNotFound, tk.NotAuthorized):
                continue  # a removed or private dataset is left out, not an error
        return found
    sort = "quality_score desc, metadata_modified desc" if p.plugin_loaded("jena_quality") \
        else "metadata_modified desc"
    best = _search(rows=2 * limit, sort=sort)["results"]
    shown = {pkg["id"] for pkg in newest(limit)}
    return sorted(best, key=lambda pkg: pkg["id"] in shown)[:limit]  # stable: best first


def categories(used_only: bool = False) -> list[dict[str, Any]]:
    """Every EU data theme (used_only: those with datasets, if there are
    any) with its label in the page's language, its dataset count and the
    search filtered by it."""
    counts = _search(rows=0, **{"facet.field": '["theme"]', "facet.limit": -1})
    counts = (counts.get("facets") or {}).get("theme") or {}
    lang = _lang()
    out = []
    for term in vocabulary("data-themes").terms:
        out.append({"id": term.id, "uri": term.uri, "count": counts.get(term.uri, 0),
                    "label": term.label.get(lang) or term.label.get("de"),
                    "url": tk.h.url_for("dataset.search", theme=term.uri)})
    used = [cat for cat in out if cat["count"]]
    return used if used_only and used else out


def with_theme_facet(facets: dict[str, Any]) -> dict[str, Any]:
    """The facets with `theme` after the organisation (first if there is none)."""
    out: dict[str, Any] = {}
    for name, title in facets.items():
        if name != "theme":
            out[name] = title
        if name == "organization":
            out["theme"] = tk._("Categories")
    if "theme" not in out:
        out = {"theme": tk._("Categories"), **out}
    facets.clear()
    facets.update(out)  # CKAN keeps the dict it passed in
    return facets


def label_theme_facet(search_results: dict[str, Any]) -> dict[str, Any]:
    facet = (search_results.get("search_facets") or {}).get("theme")
    if facet:
        terms = vocabulary("data-themes")
        lang = _lang()
        for item in facet.get("items", []):
            term = terms.find(item.get("name"))
            if term:
                item["display_name"] = term.label.get(lang) or term.label.get("de")
    return search_results


def quality_summary() -> Optional[dict[str, Any]]:
    if not p.plugin_loaded("jena_quality"):
        return None
    summary = tk.get_action("jena_quality_summary")({}, {})
    total = summary.get("datasets") or 0
    summary["bars"] = [(rating, count, round(100 * count / total) if total else 0)
                       for rating, count in summary["ratings"].items()]
    return summary


def page_text(slug: str) -> str:
    return pages.text(slug)


def page_default(slug: str) -> str:
    return pages.default_text(slug)


def legal_pages() -> list[dict[str, str]]:
    return [{"slug": page.slug, "title": tk._(page.title), "option": page.option,
             "url": tk.h.url_for(f"jena_theme.{page.slug}")} for page in pages.PAGES]


def error_detail(code: Any, content: Any) -> str:
    """An error's own message (e.g. "Datensatz nicht gefunden"), or nothing
    where it is only Werkzeug's English standard text."""
    from werkzeug.exceptions import default_exceptions
    known = default_exceptions.get(code) if isinstance(code, int) else None
    if not content or (known is not None and str(content) == known.description):
        return ""
    return str(content)


def offered_locales() -> list[dict[str, str]]:
    """The languages of ckan.locales_offered, read on each call (CKAN's
    get_available_locales keeps the list of its first call for the process)."""
    from babel import Locale
    out = []
    for code in tk.aslist(tk.config.get("ckan.locales_offered")) or [tk.config.get("ckan.locale_default", "de")]:
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except (ValueError, TypeError):
            name = code
        out.append({"short_name": code, "display_name": name[:1].upper() + name[1:]})
    return out


def get_helpers() -> dict[str, Any]:
    return {"jena_theme_locales": offered_locales, "jena_theme_newest": newest, "jena_theme_featured": featured,
            "jena_theme_categories": categories, "jena_theme_quality": quality_summary,
            "jena_theme_page_text": page_text, "jena_theme_page_default": page_default,
            "jena_theme_legal_pages": legal_pages, "jena_theme_error_detail": error_detail}
