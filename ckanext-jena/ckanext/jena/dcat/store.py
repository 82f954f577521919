"""SHACL results per dataset (plugin migration jena_dcat: `ckan db upgrade -p jena_dcat`)."""
from __future__ import annotations

import json
from typing import Any, Optional

import sqlalchemy as sa

import ckan.model as model

from ckanext.jena import records

UPSERT = sa.text("""
INSERT INTO jena_shacl (package_id, status, conforms, violations, warnings, message, report, updated)
VALUES (:package_id, :status, :conforms, :violations, :warnings, :message, CAST(:report AS jsonb), now())
ON CONFLICT (package_id) DO UPDATE SET status = EXCLUDED.status, conforms = EXCLUDED.conforms,
    violations = EXCLUDED.violations, warnings = EXCLUDED.warnings, message = EXCLUDED.message,
    report = EXCLUDED.report, updated = EXCLUDED.updated
""")


def save(package_id: str, report: dict[str, Any]) -> None:
    """A finished validation (status done)."""
    model.Session.execute(UPSERT, {
        "package_id": package_id, "status": "done", "conforms": report["conforms"],
        "violations": report["violations"], "warnings": report["warnings"], "message": "",
        "report": json.dumps(report, ensure_ascii=False, default=str)})


def failed(package_id: str, message: str) -> None:
    """The validation could not run; `message` names the error (shown translated).
    The last finished result stays: a crash says nothing about the metadata."""
    model.Session.execute(sa.text(
        "INSERT INTO jena_shacl (package_id, status, message, updated) VALUES (:id, 'error', :message, now()) "
        "ON CONFLICT (package_id) DO UPDATE SET status = 'error', message = EXCLUDED.message, "
        "updated = now()"), {"id": package_id, "message": message})


def pending(package_id: str) -> None:
    """A change is being validated: the previous report stays readable meanwhile."""
    model.Session.execute(sa.text(
        "INSERT INTO jena_shacl (package_id, status, updated) VALUES (:id, 'pending', now()) "
        "ON CONFLICT (package_id) DO UPDATE SET status = 'pending', updated = now()"),
        {"id": package_id})


def delete(package_id: str) -> None:
    model.Session.execute(sa.text("DELETE FROM jena_shacl WHERE package_id = :id"), {"id": package_id})


def load(package_id: str) -> Optional[dict[str, Any]]:
    row = records.row("jena_shacl", "package_id", package_id,
                      ("status", "conforms", "violations", "warnings", "message", "report", "updated"))
    return None if row is None else dict(row.pop("report") or {}, package_id=package_id, **row)
