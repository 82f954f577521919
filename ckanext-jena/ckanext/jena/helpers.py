"""Template helpers of the jena_schema plugin (vocabularies and their labels)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.jena.vocabularies import vocabulary


def jena_vocabulary_choices(field: dict) -> list[dict]:
    """scheming choices_helper: the choices of the field's vocabulary."""
    return vocabulary(field["vocabulary"]).choices(field.get("vocabulary_value", "uri"))


def jena_text(value: Any) -> str:
    """A {de: …, en: …} label in the page's language (German first)."""
    if isinstance(value, dict):
        lang = tk.h.lang() or "de"
        return value.get(lang) or value.get("de") or value.get("en") or ""
    return value or ""


def get_helpers() -> dict[str, Any]:
    return {"jena_vocabulary_choices": jena_vocabulary_choices, "jena_text": jena_text}
