"""The record of a source's run for the portal's harvest dashboard
(action jena_harvest_run_create of the jena_harvest plugin).

One record per configured source and run: the units' entries of runs.jsonl
summed up (rows, new/removed/changed, numeric warnings by kind, repaired
geometries) with the worst state and every dataset touched. A record the
portal did not take (down, an error, a portal without the plugin) waits in
OUT/reports-pending.jsonl and goes first with the next run's; the harvest
itself never fails for it.
"""
from __future__ import annotations

import json
import logging
import os
import uuid
from typing import Any, Iterable, Optional

from . import states
from .folders import atomic_write

log = logging.getLogger(__name__)
PENDING = "reports-pending.jsonl"
MAX_PENDING = 500  # a portal that never takes them must not grow the file for ever
# Worst first: the state of a source's run is that of its worst unit.
_ORDER = [states.FAILED, states.INVALID, states.WITHDRAWN, states.OK]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _dataset(entry: dict[str, Any]) -> dict[str, Any]:
    published = entry.get("published") or {}
    return {k: v for k, v in {
        "name": published.get("dataset") or entry.get("dataset"), "unit": entry.get("source"),
        "status": entry.get("status"), "message": entry.get("message", ""), "rows": entry.get("rows"),
        "changed": published.get("changed"), "summary": published.get("summary"),
        "counts": published.get("counts") or None, "warnings": entry.get("warnings") or None,
    }.items() if v is not None}


def record(source: str, config: Any, entries: list[dict[str, Any]], started: str,
           trigger: str = "command") -> dict[str, Any]:
    """The portal's record of one run of `source` (a typed SourceConfig) from its units' entries."""
    status = min((e["status"] for e in entries), key=lambda s: _ORDER.index(s) if s in _ORDER else 0,
                 default=states.FAILED)
    counts = {"new": 0, "removed": 0, "changed": 0}
    warnings: dict[str, float] = {}
    rows = None
    for entry in entries:
        for key, value in ((entry.get("published") or {}).get("counts") or {}).items():
            if key in counts and _number(value):
                counts[key] += value
        for key, value in (entry.get("warnings") or {}).items():
            if _number(value):
                warnings[key] = warnings.get(key, 0) + value
        if _number(entry.get("rows")):
            rows = (rows or 0) + entry["rows"]
    bad = [e["message"] for e in entries if e["status"] not in states.GOOD]
    messages = bad or [e.get("message", "") for e in entries]
    return {
        "id": str(uuid.uuid4()), "source": source, "kind": config.kind, "organization": config.organization,
        "title": config.title or source, "started": started,
        "finished": max((e.get("finished") or started for e in entries), default=started),
        "status": status, "trigger": trigger, "rows": rows, **counts,
        "repaired": int(warnings.get("repaired", 0)), "warnings": warnings,
        "message": " | ".join(m for m in messages if m)[:4000],
        "datasets": [_dataset(e) for e in entries],
    }


def _pending(out: str) -> list[dict[str, Any]]:
    try:
        with open(os.path.join(out, PENDING), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return []


def _keep(out: str, records: Iterable[dict[str, Any]]) -> None:
    records = list(records)[-MAX_PENDING:]
    path = os.path.join(out, PENDING)
    if records:
        atomic_write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    elif os.path.exists(path):
        os.remove(path)


def send(ckan, out: str, new: Optional[dict[str, Any]] = None) -> list[str]:
    """Report the waiting records and `new` to the portal, oldest first;
    those it did not take wait for the next run. Never raises (the runner
    holds the lock, so nobody else writes the file meanwhile). Returns the
    ids the portal took."""
    import ckanapi
    waiting = _pending(out) + ([new] if new else [])
    taken: list[str] = []
    for number, entry in enumerate(waiting):
        try:
            ckan.action.jena_harvest_run_create(**entry)
        except (ckanapi.ValidationError, ckanapi.NotAuthorized) as e:
            # Refused for what it says: sending it again would block the ones after it.
            log.error("the portal refused the run record of %s (kept in runs.jsonl only): %s",
                      entry.get("source"), e)
            continue
        except Exception as e:  # the portal is down or fails: the harvest goes on
            log.warning("the portal did not take the run record of %s (%s: %s); %d record(s) wait in %s",
                        entry.get("source"), type(e).__name__, e, len(waiting) - number, PENDING)
            _keep(out, waiting[number:])
            return taken
        taken.append(entry["id"])
    _keep(out, [])
    return taken
