"""Validation results per resource (plugin migration jena_validation)."""
from __future__ import annotations

import json
from typing import Any, Optional

import sqlalchemy as sa

import ckan.model as model

from ckanext.jena import records

UPSERT = sa.text("""
INSERT INTO jena_validation (resource_id, package_id, status, error_count, row_count, message,
                             report, updated)
VALUES (:resource_id, :package_id, :status, :error_count, :row_count, :message,
        CAST(:report AS jsonb), now())
ON CONFLICT (resource_id) DO UPDATE SET package_id = EXCLUDED.package_id,
    status = EXCLUDED.status, error_count = EXCLUDED.error_count, row_count = EXCLUDED.row_count,
    message = EXCLUDED.message, report = EXCLUDED.report, updated = EXCLUDED.updated
""")


def save(resource_id: str, package_id: str, result: dict[str, Any]) -> None:
    model.Session.execute(UPSERT, {
        "resource_id": resource_id, "package_id": package_id, "status": result["status"],
        "error_count": result.get("error_count", 0), "row_count": result.get("row_count"),
        "message": result.get("message", "").replace("\x00", ""),
        # PostgreSQL's jsonb cannot hold NUL characters, which binary "cells" carry.
        "report": json.dumps(result, ensure_ascii=False, default=str).replace("\\u0000", "")})


def pending(resource_id: str, package_id: str, fingerprint: str = "") -> None:
    save(resource_id, package_id, {"status": "pending", "message": "", "fingerprint": fingerprint})


def load(resource_id: str) -> Optional[dict[str, Any]]:
    row = records.row("jena_validation", "resource_id", resource_id,
                      ("status", "error_count", "row_count", "message", "report", "updated"))
    return None if row is None else dict(row.pop("report") or {}, **row, resource_id=resource_id)


def of_package(package_id: str) -> dict[str, str]:
    """(status, error count) of the dataset's active resources: a deleted
    resource's verdict no longer counts."""
    rows = model.Session.execute(sa.text(
        "SELECT v.resource_id, v.status, v.error_count FROM jena_validation v "
        "JOIN resource r ON r.id = v.resource_id AND r.state = 'active' WHERE v.package_id = :id"),
        {"id": package_id})
    return {r.resource_id: (r.status, r.error_count) for r in rows}


def fingerprints(package_id: str) -> dict[str, str]:
    """What each resource looked like when it was last queued (see job.fingerprint)."""
    rows = model.Session.execute(sa.text(
        "SELECT resource_id, report->>'fingerprint' AS fp FROM jena_validation WHERE package_id = :id"),
        {"id": package_id})
    return {r.resource_id: r.fp or "" for r in rows}


def forget(package_id: str, keep: list[str]) -> int:
    """Drop the reports of resources the dataset no longer has; how many."""
    return model.Session.execute(sa.text(
        "DELETE FROM jena_validation WHERE package_id = :id AND NOT (resource_id = ANY(:keep))"),
        {"id": package_id, "keep": list(keep)}).rowcount
