"""Template helpers of the jena plugins."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.jena.quality import labels, mqa, score
from ckanext.jena.validation.labels import status_label
from ckanext.jena.vocabularies import vocabulary


def jena_vocabulary_choices(field: dict) -> list[dict]:
    """scheming choices_helper: the choices of the field's vocabulary."""
    return vocabulary(field["vocabulary"]).choices(field.get("vocabulary_value", "uri"))


def jena_quality(pkg: dict) -> Optional[dict[str, Any]]:
    """For a page that already shows (so may see) the dataset dict `pkg`."""
    return score.quality_of(pkg) if pkg and pkg.get("id") else None


def jena_text(value: Any) -> str:
    """A {de: …, en: …} label in the page's language (German first)."""
    if isinstance(value, dict):
        lang = tk.h.lang() or "de"
        return value.get(lang) or value.get("de") or value.get("en") or ""
    return value or ""


def get_helpers() -> dict[str, Any]:
    return {"jena_vocabulary_choices": jena_vocabulary_choices, "jena_quality": jena_quality,
            "jena_text": jena_text, "jena_rating_label": labels.rating_label,
            "jena_dimension_label": labels.dimension_label,
            "jena_quality_max": lambda: mqa.MAX_POINTS,
            "jena_validation_label": status_label}
