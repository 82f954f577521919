"""The quality texts (ratings, dimensions, indicators, link states),
translated from the extension's catalogue where they are shown."""
from __future__ import annotations

import functools
import os
from typing import Any

from babel.support import NullTranslations, Translations

import ckan.plugins.toolkit as tk

from .mqa import BY_ID

I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")


def rating_label(rating: str) -> str:
    return {"excellent": tk._("Excellent"), "good": tk._("Good"),
            "sufficient": tk._("Sufficient"), "bad": tk._("Bad")}.get(rating, rating)


def dimension_label(dimension: str) -> str:
    return {"findability": tk._("Findability"), "accessibility": tk._("Accessibility"),
            "interoperability": tk._("Interoperability"), "reusability": tk._("Reusability"),
            "contextuality": tk._("Contextuality")}.get(dimension, dimension)


def indicator_label(indicator_id: str) -> str:
    ind = BY_ID.get(indicator_id)
    return tk._(ind.label) if ind else indicator_id


def indicator_hint(indicator_id: str) -> str:
    ind = BY_ID.get(indicator_id)
    return tk._(ind.hint) if ind else ""


def link_label(state: str) -> str:
    """A link check result as the steward reads it. A refused address is
    "not checked", whether or not something answers there."""
    return {"reachable": tk._("reachable"), "unreachable": tk._("not reachable"),
            "refused": tk._("not checked: refused address"),
            "pending": tk._("not checked yet"), "stored": tk._("stored on the portal")}.get(state, state)


@functools.lru_cache(maxsize=None)
def _catalogue(lang: str) -> NullTranslations:
    # Straight from our catalogue: the API answers in every offered language
    # at once, also outside a web request (jobs, CLI).
    return Translations.load(I18N, [lang], domain="ckanext-jena")


def in_languages(message: str) -> dict[str, str]:
    """{language: text} for every offered language."""
    langs = tk.config.get("ckan.locales_offered") or ["de", "en"]
    if isinstance(langs, str):
        langs = langs.split()
    return {lang: _catalogue(lang).gettext(message) for lang in langs}


def describe(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored indicator results with their label and hint in every offered
    language (the API's shape: {"de": …, "en": …})."""
    out = []
    for item in indicators:
        ind = BY_ID.get(item["id"])
        texts = ({"label": in_languages(ind.label), "hint": in_languages(ind.hint), "reads": ind.reads}
                 if ind else {})
        out.append(dict(item, **texts))
    return out
