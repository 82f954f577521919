"""One row of a plugin's own result table (jena_shacl, jena_quality,
jena_validation) by its key, as the plugins' load() hand it on: a dict,
timestamps in ISO 8601."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, Sequence

import sqlalchemy as sa

import ckan.model as model


def row(table: str, key: str, value: str, columns: Sequence[str]) -> Optional[dict[str, Any]]:
    # Table and column names are the callers' constants; only the value is bound.
    found = model.Session.execute(sa.text(
        f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = :key"), {"key": value}).mappings().first()
    if found is None:
        return None
    return {c: v.isoformat() if isinstance(v, datetime) else v for c, v in found.items()}
