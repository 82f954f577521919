"""The one validation report, whoever validates (harvester or portal).

A report is data: a status, the errors grouped by type with row, field, cell
and message, and a flat list of the same errors for the harvesters' run
records. When there is no verdict (status "error") `reason` says why as a
stable code with its `params`, so that each side words it in its own language
(the portal in German, through its translations); `message` is the English
default for logs and run records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

ERRORS_PER_TYPE = 50  # listed per type; all are counted (up to max_errors)


@dataclass
class Finding:
    type: str
    message: str
    row: Optional[int] = None
    field: Optional[str] = None
    cell: Any = None
    title: str = ""
    description: str = ""
    note: str = ""  # the specific part of the message (frictionless's note), e.g. 'constraint "maximum" is "20"'

    @classmethod
    def of(cls, error: Any) -> "Finding":
        """From a frictionless error."""
        cell = getattr(error, "cell", None)
        if cell is not None and not isinstance(cell, (str, int, float, bool)):
            cell = str(cell)  # dates and times of spreadsheets: the report is JSON
        return cls(type=error.type, message=error.message, row=getattr(error, "row_number", None),
                   field=getattr(error, "field_name", None), cell=cell,
                   title=error.title, description=error.description, note=getattr(error, "note", "") or "")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        return cls(**{k: d.get(k) for k in ("type", "message", "row", "field", "cell", "title", "description",
                                            "note") if d.get(k) is not None})

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "row": self.row, "field": self.field, "cell": self.cell,
                "message": self.message, "title": self.title, "description": self.description, "note": self.note}


@dataclass
class Report:
    status: str  # valid | invalid | error (no verdict: see reason)
    errors: list[Finding] = field(default_factory=list)
    row_count: Optional[int] = None
    truncated: bool = False
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    schema_origin: str = ""  # resource | inferred | profile (a descriptor) | geojson
    inferred_schema: Optional[dict[str, Any]] = None
    parts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    @classmethod
    def failed(cls, reason: str, message: str, **params: Any) -> "Report":
        """No verdict: the file could not be read as what it claims to be."""
        return cls(status="error", reason=reason, message=message, params=params)

    @classmethod
    def verdict(cls, errors: list[Finding], max_errors: int, **extra: Any) -> "Report":
        return cls(status="invalid" if errors else "valid", errors=errors[:max_errors],
                   truncated=len(errors) >= max_errors, **extra)

    def grouped(self) -> list[dict[str, Any]]:
        groups: dict[str, dict[str, Any]] = {}
        for e in self.errors:
            g = groups.setdefault(e.type, {"type": e.type, "title": e.title, "description": e.description,
                                           "count": 0, "errors": []})
            g["count"] += 1
            if len(g["errors"]) < ERRORS_PER_TYPE:
                g["errors"].append({"row": e.row, "field": e.field, "cell": e.cell, "message": e.message,
                                    "note": e.note})
        return sorted(groups.values(), key=lambda g: -g["count"])

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "valid": self.valid, "reason": self.reason, "params": self.params,
                "message": self.message, "error_count": len(self.errors), "row_count": self.row_count,
                "truncated": self.truncated, "errors_by_type": self.grouped(),
                "errors": [{"type": e.type, "row": e.row, "field": e.field, "cell": e.cell, "message": e.message}
                           for e in self.errors],
                "source": self.source, "schema_origin": self.schema_origin,
                "inferred_schema": self.inferred_schema, "parts": self.parts}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Report":
        """Back from a child process (which sends to_json())."""
        return cls(status=d["status"], errors=[Finding.from_dict(e) for e in d.get("findings", [])],
                   row_count=d.get("row_count"), truncated=d.get("truncated", False),
                   reason=d.get("reason", ""), params=d.get("params") or {}, message=d.get("message", ""),
                   source=d.get("source") or {}, schema_origin=d.get("schema_origin", ""),
                   inferred_schema=d.get("inferred_schema"), parts=d.get("parts") or [])

    def to_json(self) -> dict[str, Any]:
        """Everything, titles included, for a parent process to rebuild the report."""
        return dict(self.to_dict(), findings=[e.to_dict() for e in self.errors])
