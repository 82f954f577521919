"""Multiple-choice fields of the scheming schemas, indexed value by value.

ckanext-scheming stores a multiple choice (theme, language, …) as one JSON
text, '["http://…/data-theme/ENVI", …]', and CKAN indexes that text, so a
filter on one value (fq=theme:"http://…/ENVI") found nothing (issue 23).
Indexed as the list it is, each value is an exact string of the field, as in
a multi-valued Solr string field: filters, facets and `theme:*ENVI` work.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p

_MULTIPLE = ("scheming_multiple_choice", "scheming_multiple_text")


def multiple_choice_fields(dataset_type: str) -> list[str]:
    if not p.plugin_loaded("scheming_datasets"):
        return []
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    schema = scheming_get_dataset_schema(dataset_type) or {}
    out = []
    for f in schema.get("dataset_fields", []):
        validators = f"{f.get('validators', '')} {f.get('output_validators', '')}"
        if any(v in validators for v in _MULTIPLE):
            out.append(f["field_name"])
    return out


def index_values(doc: dict[str, Any]) -> dict[str, Any]:
    """Turn the JSON lists of multiple-choice fields into lists of values."""
    for name in multiple_choice_fields(doc.get("dataset_type") or doc.get("type") or "dataset"):
        value = doc.get(name)
        if isinstance(value, str) and value.lstrip().startswith("["):
            try:
                values = json.loads(value)
            except ValueError:
                continue
            if isinstance(values, list) and all(isinstance(v, str) for v in values):
                doc[name] = values
    return doc
