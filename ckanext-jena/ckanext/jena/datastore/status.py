"""The load record of each resource, kept beside its table in the DataStore
database (schema jena_load, which no DataStore reader may use).

One row per resource: the state of the last attempt (pending, loading,
loaded, failed with a reason) and, apart from it, what is queryable now —
rows, time and fingerprint of the last good load — so a failed reload says
both why it failed and that the previous data is still there.
"""
from __future__ import annotations

import json
from typing import Any, Optional

import sqlalchemy as sa

DDL = """
CREATE TABLE IF NOT EXISTS jena_load.status (
    resource_id text PRIMARY KEY,
    status text NOT NULL,
    reason text NOT NULL DEFAULT '',
    message text NOT NULL DEFAULT '',
    params jsonb NOT NULL DEFAULT '{}',
    forced boolean NOT NULL DEFAULT false,
    sha256 text,
    fingerprint text,
    rows bigint,
    columns jsonb,
    loaded_at timestamptz,
    seconds double precision,
    updated timestamptz NOT NULL DEFAULT now()
)"""

_ready: set[str] = set()


def engine():
    from ckanext.datastore.backend.postgres import get_write_engine
    eng = get_write_engine()
    key = str(eng.url)
    if key not in _ready:
        with eng.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('jena_load.status'))"))
            conn.execute(sa.text(DDL))
        _ready.add(key)
    return eng


def _upsert(resource_id: str, **values: Any) -> None:
    values = {k: (json.dumps(v, ensure_ascii=False, default=str) if k in ("params", "columns") else v)
              for k, v in values.items()}
    names = list(values)
    casts = {"params": "CAST(:params AS jsonb)", "columns": "CAST(:columns AS jsonb)"}
    sql = (f"INSERT INTO jena_load.status (resource_id, {', '.join(names)}, updated) "
           f"VALUES (:resource_id, {', '.join(casts.get(n, ':' + n) for n in names)}, now()) "
           f"ON CONFLICT (resource_id) DO UPDATE SET "
           f"{', '.join(f'{n} = EXCLUDED.{n}' for n in names)}, updated = now()")
    with engine().begin() as conn:
        conn.execute(sa.text(sql), dict(values, resource_id=resource_id))


def pending(resource_id: str, forced: bool = False) -> None:
    _upsert(resource_id, status="pending", reason="", message="", params={}, forced=forced)


def loading(resource_id: str) -> None:
    _upsert(resource_id, status="loading")


def loaded(resource_id: str, *, rows: int, sha256: str, fingerprint: str, seconds: float,
           columns: list[dict[str, str]]) -> None:
    _upsert(resource_id, status="loaded", reason="", message="", params={}, forced=False, rows=rows,
            sha256=sha256, fingerprint=fingerprint, seconds=seconds, columns=columns)
    with engine().begin() as conn:
        conn.execute(sa.text("UPDATE jena_load.status SET loaded_at = now() WHERE resource_id = :id"),
                     {"id": resource_id})


def unchanged(resource_id: str) -> None:
    """The file is the one loaded last: nothing to do, the table stays."""
    _upsert(resource_id, status="loaded", reason="unchanged", message="the file has not changed",
            params={}, forced=False)


def failed(resource_id: str, reason: str, message: str, params: Optional[dict[str, Any]] = None) -> None:
    _upsert(resource_id, status="failed", reason=reason, message=message.replace("\x00", ""),
            params=params or {}, forced=False)


def delete(resource_id: str) -> None:
    with engine().begin() as conn:
        conn.execute(sa.text("DELETE FROM jena_load.status WHERE resource_id = :id"), {"id": resource_id})


def get(resource_id: str) -> Optional[dict[str, Any]]:
    with engine().connect() as conn:
        row = conn.execute(sa.text(
            "SELECT s.*, to_regclass(quote_ident(s.resource_id)) IS NOT NULL AS active, "
            "extract(epoch FROM now() - s.updated) AS age FROM jena_load.status s "
            "WHERE resource_id = :id"), {"id": resource_id}).mappings().first()
    if row is None:
        return None
    out = dict(row)
    for key in ("params", "columns"):  # CKAN's DataStore engine hands JSON over undecoded
        if isinstance(out[key], str):
            out[key] = json.loads(out[key])
    for key in ("loaded_at", "updated"):
        out[key] = out[key].isoformat() if out[key] else None
    return out


def public(record: Optional[dict[str, Any]], resource_id: str) -> dict[str, Any]:
    """What the API and the page show (no fingerprints)."""
    if record is None:
        return {"resource_id": resource_id, "status": "none", "active": False}
    keep = ("resource_id", "status", "reason", "message", "params", "rows", "columns", "loaded_at",
            "seconds", "updated", "active")
    return {k: record.get(k) for k in keep}
