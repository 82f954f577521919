"""The harvest tables (plugin migration jena_harvest): runs, open alerts,
run-now triggers. Rows come back as dicts, timestamps in ISO 8601."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable, Optional

import sqlalchemy as sa

import ckan.model as model

RUN_COLUMNS = ("id", "source", "kind", "organization_id", "title", "started", "finished", "status",
               "trigger", "rows", "new", "removed", "changed", "repaired", "warnings", "message",
               "datasets", "reported_by", "reported")
# A trigger in one of these still owns its source (a second one is refused).
ACTIVE = ("queued", "running")


def _dict(row) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}


def add_run(run: dict[str, Any]) -> bool:
    """Store a reported run; False if its id is known already (sent twice)."""
    values = {k: run.get(k) for k in RUN_COLUMNS if k != "reported"}
    values["warnings"] = json.dumps(run.get("warnings") or {}, ensure_ascii=False)
    values["datasets"] = json.dumps(run.get("datasets") or [], ensure_ascii=False)
    names = [k for k in values]
    placeholders = [f"CAST(:{k} AS jsonb)" if k in ("warnings", "datasets") else f":{k}" for k in names]
    result = model.Session.execute(sa.text(
        f"INSERT INTO jena_harvest_run ({', '.join(names)}) VALUES ({', '.join(placeholders)}) "
        "ON CONFLICT (id) DO NOTHING"), values)
    return result.rowcount == 1


def run(run_id: str) -> Optional[dict[str, Any]]:
    row = model.Session.execute(sa.text(
        f"SELECT {', '.join(RUN_COLUMNS)} FROM jena_harvest_run WHERE id = :id"), {"id": run_id}).mappings().first()
    return _dict(row) if row else None


def runs(source: Optional[str] = None, organizations: Optional[Iterable[str]] = None,
         limit: int = 20, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(how many, the page) of runs, newest first; `organizations`: only
    theirs (None: every organisation's)."""
    where, params = [], {"limit": limit, "offset": offset}
    if source is not None:
        where.append("source = :source")
        params["source"] = source
    if organizations is not None:
        where.append("organization_id = ANY(:orgs)")
        params["orgs"] = list(organizations)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = model.Session.execute(sa.text(f"SELECT count(*) FROM jena_harvest_run {clause}"), params).scalar()
    rows = model.Session.execute(sa.text(
        f"SELECT {', '.join(RUN_COLUMNS)} FROM jena_harvest_run {clause} "
        "ORDER BY started DESC, reported DESC LIMIT :limit OFFSET :offset"), params).mappings()
    return total, [_dict(r) for r in rows]


def sources(organizations: Optional[Iterable[str]] = None, trend: int = 10) -> list[dict[str, Any]]:
    """Each source with a reported run: its last run and the rows of its last
    `trend` runs (oldest first, None for runs without rows)."""
    params: dict[str, Any] = {"trend": trend}
    clause = ""
    if organizations is not None:
        clause = "WHERE organization_id = ANY(:orgs)"
        params["orgs"] = list(organizations)
    rows = model.Session.execute(sa.text(f"""
        SELECT * FROM (
            SELECT {', '.join(RUN_COLUMNS)},
                   row_number() OVER (PARTITION BY source ORDER BY started DESC, reported DESC) AS age
            FROM jena_harvest_run {clause}) ranked
        WHERE age <= :trend ORDER BY source, age"""), params).mappings()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = _dict(row)
        entry = found.setdefault(item["source"], {"last": item, "trend": []})
        entry["trend"].insert(0, {"started": item["started"], "rows": item["rows"], "status": item["status"]})
    return [dict(source=name, **entry) for name, entry in found.items()]


def recent(source: str, limit: int) -> list[dict[str, Any]]:
    return runs(source, None, limit)[1]


# --- alerts ---------------------------------------------------------------------

def alert(source: str) -> Optional[dict[str, Any]]:
    row = model.Session.execute(sa.text(
        "SELECT source, reason, run_id, baseline_rows, recipient, since FROM jena_harvest_alert "
        "WHERE source = :source"), {"source": source}).mappings().first()
    return _dict(row) if row else None


def open_alert(source: str, reason: str, run_id: str, baseline_rows: Optional[int], recipient: str) -> None:
    model.Session.execute(sa.text(
        "INSERT INTO jena_harvest_alert (source, reason, run_id, baseline_rows, recipient) "
        "VALUES (:source, :reason, :run_id, :baseline, :recipient) ON CONFLICT (source) DO NOTHING"),
        {"source": source, "reason": reason, "run_id": run_id, "baseline": baseline_rows, "recipient": recipient})


def close_alert(source: str) -> None:
    model.Session.execute(sa.text("DELETE FROM jena_harvest_alert WHERE source = :source"), {"source": source})


# --- run-now triggers -------------------------------------------------------------

TRIGGER_COLUMNS = ("id", "source", "organization_id", "user_id", "state", "done", "total", "current",
                   "message", "created", "updated")


def add_trigger(trigger_id: str, source: str, organization_id: str, user_id: str) -> None:
    model.Session.execute(sa.text(
        "INSERT INTO jena_harvest_trigger (id, source, organization_id, user_id, state) "
        "VALUES (:id, :source, :org, :user, 'queued')"),
        {"id": trigger_id, "source": source, "org": organization_id, "user": user_id})


def update_trigger(trigger_id: str, **values: Any) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in values)
    model.Session.execute(sa.text(f"UPDATE jena_harvest_trigger SET {sets}, updated = now() WHERE id = :id"),
                          dict(values, id=trigger_id))


def trigger(trigger_id: str) -> Optional[dict[str, Any]]:
    row = model.Session.execute(sa.text(
        f"SELECT {', '.join(TRIGGER_COLUMNS)} FROM jena_harvest_trigger WHERE id = :id"),
        {"id": trigger_id}).mappings().first()
    return _dict(row) if row else None


def last_trigger(source: str) -> Optional[dict[str, Any]]:
    row = model.Session.execute(sa.text(
        f"SELECT {', '.join(TRIGGER_COLUMNS)} FROM jena_harvest_trigger WHERE source = :source "
        "ORDER BY created DESC LIMIT 1"), {"source": source}).mappings().first()
    return _dict(row) if row else None
