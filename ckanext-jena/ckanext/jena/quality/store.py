"""Stored quality results and URL check results (plugin migration jena_quality)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

import sqlalchemy as sa

import ckan.model as model

from ckanext.jena import records

from .mqa import DIMENSIONS

SAVE = sa.text("""
INSERT INTO jena_quality (package_id, owner_org, score, rating, dimensions, indicators,
                          computed_at, watched)
VALUES (:package_id, :owner_org, :score, :rating, CAST(:dimensions AS jsonb),
        CAST(:indicators AS jsonb), now(), CAST(:watched AS jsonb))
ON CONFLICT (package_id) DO UPDATE SET owner_org = EXCLUDED.owner_org,
    score = EXCLUDED.score, rating = EXCLUDED.rating, dimensions = EXCLUDED.dimensions,
    indicators = EXCLUDED.indicators, computed_at = EXCLUDED.computed_at,
    watched = EXCLUDED.watched
""")
# Texts are not stored: labels.describe adds them in the reader's languages.
STORED = ("id", "dimension", "points", "max", "met", "share")


def save(package_id: str, owner_org: Optional[str], result: dict[str, Any],
         watched: Optional[dict[str, Any]] = None) -> None:
    """The dataset's quality, and what its link check last saw (visibility
    and URLs, urlcheck.watched)."""
    indicators = [{k: i[k] for k in STORED} for i in result["indicators"]]
    model.Session.execute(SAVE, {
        "package_id": package_id, "owner_org": owner_org, "score": result["score"],
        "rating": result["rating"], "dimensions": json.dumps(result["dimensions"]),
        "indicators": json.dumps(indicators), "watched": json.dumps(watched)})


def watched(package_id: str) -> Optional[dict[str, Any]]:
    return model.Session.execute(sa.text(
        "SELECT watched FROM jena_quality WHERE package_id = :id"), {"id": package_id}).scalar()


def load(package_id: str) -> Optional[dict[str, Any]]:
    return records.row("jena_quality", "package_id", package_id,
                       ("score", "rating", "dimensions", "indicators", "computed_at"))


def url_status(urls: Iterable[str]) -> dict[str, Optional[int]]:
    urls = [u for u in set(urls) if u]
    if not urls:
        return {}
    rows = model.Session.execute(sa.text(
        "SELECT url, status FROM jena_url_check WHERE url = ANY(:urls)"), {"urls": urls})
    return {r.url: r.status for r in rows}


def url_checks(urls: Iterable[str]) -> dict[str, dict[str, Any]]:
    urls = [u for u in set(urls) if u]
    if not urls:
        return {}
    rows = model.Session.execute(sa.text(
        "SELECT url, status, error, checked_at FROM jena_url_check WHERE url = ANY(:urls)"),
        {"urls": urls})
    return {r.url: {"status": r.status, "error": r.error, "checked_at": r.checked_at.isoformat()}
            for r in rows}


def checked_since(urls: Iterable[str], since: datetime) -> set[str]:
    urls = [u for u in set(urls) if u]
    if not urls:
        return set()
    rows = model.Session.execute(sa.text(
        "SELECT url FROM jena_url_check WHERE url = ANY(:urls) AND checked_at >= :since"),
        {"urls": urls, "since": since})
    return {r.url for r in rows}


def save_url_check(url: str, status: Optional[int], error: Optional[str]) -> None:
    model.Session.execute(sa.text("""
        INSERT INTO jena_url_check (url, status, error, checked_at) VALUES (:url, :status, :error, :now)
        ON CONFLICT (url) DO UPDATE SET status = EXCLUDED.status, error = EXCLUDED.error,
            checked_at = EXCLUDED.checked_at"""),
        {"url": url, "status": status, "error": error, "now": datetime.now(timezone.utc)})


def commit() -> None:
    model.Session.commit()


SUMMARY_BY_ORG = sa.text("""
SELECT g.name, g.title, count(*) AS datasets, avg(q.score) AS average,
       count(*) FILTER (WHERE q.rating = 'excellent') AS excellent,
       count(*) FILTER (WHERE q.rating = 'good') AS good,
       count(*) FILTER (WHERE q.rating = 'sufficient') AS sufficient,
       count(*) FILTER (WHERE q.rating = 'bad') AS bad
FROM jena_quality q
JOIN package p ON p.id = q.package_id AND p.state = 'active' AND NOT p.private
LEFT JOIN "group" g ON g.id = p.owner_org
GROUP BY g.name, g.title
ORDER BY avg(q.score) DESC, g.name
""")

SUMMARY_DIMENSIONS = sa.text("""
SELECT d.key AS dimension, avg((d.value ->> 'points')::float) AS average,
       max((d.value ->> 'max')::int) AS max
FROM jena_quality q
JOIN package p ON p.id = q.package_id AND p.state = 'active' AND NOT p.private,
     jsonb_each(q.dimensions) d
GROUP BY d.key
""")


def summary() -> dict[str, Any]:
    orgs = [dict(r._mapping) for r in model.Session.execute(SUMMARY_BY_ORG)]
    ratings = {k: sum(o[k] for o in orgs) for k in ("excellent", "good", "sufficient", "bad")}
    total = sum(o["datasets"] for o in orgs)
    average = (sum(o["average"] * o["datasets"] for o in orgs) / total) if total else None
    rows = {r.dimension: {"average": round(r.average, 1), "max": r.max}
            for r in model.Session.execute(SUMMARY_DIMENSIONS)}
    dims = {d: rows[d] for d in DIMENSIONS if d in rows}  # the MQA's order
    for o in orgs:
        o["average"] = round(float(o["average"]), 1)
        o["ratings"] = {k: o.pop(k) for k in ("excellent", "good", "sufficient", "bad")}
    return {"datasets": total, "average_score": round(float(average), 1) if average is not None else None,
            "ratings": ratings, "dimensions": dims, "organizations": orgs}
