"""The worked examples of the API page (/daten-api) with this portal's own
resources: a loaded table with the trees' columns and one with the sensor
hours' columns, found by their load records, if an anonymous consumer may
read them; values (a genus and district that occur, a station and its
latest week) are taken from the tables so the examples answer with rows.
Without such tables the examples keep placeholders, as in the README."""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from . import status

log = logging.getLogger(__name__)

TREES = ("genus", "district", "height_m")
# The columns the first example asks for, as far as the table has them.
TREE_FIELDS = ("id", "botanical_name", "height_m", "longitude", "latitude")
HOURS = ("station_id", "hour_start_utc", "phenomenon", "mean", "min", "max")


def _candidates(conn, columns: tuple[str, ...]) -> list[tuple[str, Any]]:
    wanted = [{"id": c} for c in columns]
    return conn.execute(sa.text(
        "SELECT resource_id, columns FROM jena_load.status WHERE status = 'loaded' "
        "AND columns @> CAST(:wanted AS jsonb) AND to_regclass(quote_ident(resource_id)) IS NOT NULL "
        "ORDER BY rows DESC NULLS LAST, resource_id LIMIT 20"), {"wanted": json.dumps(wanted)}).all()


def _public(resource_id: str) -> bool:
    """Whether a consumer without an API token may read the table."""
    try:
        tk.check_access("resource_show", {"user": "", "ignore_auth": False}, {"id": resource_id})
        tk.get_action("resource_show")({"user": "", "ignore_auth": False}, {"id": resource_id})
        return True
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


def _first_public(conn, columns: tuple[str, ...]) -> tuple[Optional[str], list[str]]:
    """A public table with these columns, and all its columns."""
    for resource_id, cols in _candidates(conn, columns):
        if _public(resource_id):
            cols = json.loads(cols) if isinstance(cols, str) else cols
            return resource_id, [c["id"] for c in cols]
    return None, []


def _trees(conn, resource_id: str, cols: list[str]) -> dict[str, Any]:
    table = '"' + resource_id.replace('"', '""') + '"'
    genus, district = "Tilia", "Nord"
    found = conn.execute(sa.text(f"SELECT 1 FROM {table} WHERE genus = :g AND district = :d LIMIT 1"),
                         {"g": genus, "d": district}).first()
    if not found:
        row = conn.execute(sa.text(f"SELECT genus, district FROM {table} WHERE genus IS NOT NULL "
                                   f"AND district IS NOT NULL ORDER BY _id LIMIT 1")).first()
        if row:
            genus, district = row
    return {"resource_id": resource_id, "genus": genus, "district": district,
            "fields": ",".join(c for c in TREE_FIELDS if c in cols)}


def _hours(conn, resource_id: str) -> dict[str, Any]:
    table = '"' + resource_id.replace('"', '""') + '"'
    out: dict[str, Any] = {"resource_id": resource_id}
    row = conn.execute(sa.text(f"SELECT station_id, hour_start_utc FROM {table} "
                               f"WHERE hour_start_utc IS NOT NULL ORDER BY hour_start_utc DESC LIMIT 1")).first()
    if row and row[1] is not None:
        last = row[1].date() if isinstance(row[1], datetime.datetime) else row[1]
        out.update(station_id=row[0], start=(last - datetime.timedelta(days=6)).isoformat(),
                   end=(last + datetime.timedelta(days=1)).isoformat())
    return out


def find() -> dict[str, dict[str, Any]]:
    """{"trees": {...}, "hours": {...}} with what was found (empty dicts
    where the portal has no such public table)."""
    defaults = {"trees": {"genus": "Tilia", "district": "Nord", "fields": ",".join(TREE_FIELDS)},
                "hours": {"station_id": "sensor.community:12345", "start": "2024-05-01", "end": "2024-05-08"}}
    found: dict[str, dict[str, Any]] = {"trees": {}, "hours": {}}
    try:
        with status.engine().begin() as conn:  # SET LOCAL needs a transaction
            conn.execute(sa.text("SET LOCAL statement_timeout = '2s'"))  # the page never waits on this
            trees, cols = _first_public(conn, TREES)
            if trees:
                found["trees"] = _trees(conn, trees, cols)
            hours, _ = _first_public(conn, HOURS)
            if hours:
                found["hours"] = _hours(conn, hours)
    except Exception:
        log.warning("the API page's examples fall back to placeholders", exc_info=True)
    return {k: dict(defaults[k], **v) for k, v in found.items()}
