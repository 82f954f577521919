"""What an operator's monitoring polls: /healthz answers 200 when the portal
can serve and get its background work done, 503 when a part it needs is
down, with one JSON entry per part (database, Redis, search backend,
DataStore, jobs worker), and the last harvest of each source (as its
runner reported it to jena_harvest). The output names parts and states,
never a URL, password, host or a harvest's message: the endpoint is public,
as monitoring needs it."""
from __future__ import annotations

import datetime as dt
import logging
import re
import time
from typing import Any, Callable

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import flask
import redis as redis_lib
import rq
import sqlalchemy as sa

log = logging.getLogger(__name__)

blueprint = flask.Blueprint("jena_health", __name__)

# A connection string's credentials, in case a driver puts one in a message.
_CREDENTIALS = re.compile(r"//[^/\s@]*@")


class Unhealthy(Exception):
    """A part answers but is not fit; `details` still go into the report."""

    def __init__(self, message: str, details: dict[str, Any]):
        super().__init__(message)
        self.details = details


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime) -> dt.datetime:
    # rq stores naive UTC datetimes.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _redis() -> redis_lib.Redis:
    # A client of its own with short timeouts: CKAN's pooled client would
    # wait for an unreachable Redis as long as the OS lets it.
    timeout = tk.config.get("ckanext.jena.health.timeout")
    return redis_lib.Redis.from_url(tk.config.get("ckan.redis.url"),
                                    socket_connect_timeout=timeout, socket_timeout=timeout)


def check_database() -> dict[str, Any]:
    import ckan.model as model
    # A connection of its own: the request's session may hold the user's objects.
    with model.meta.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return {}


def check_redis() -> dict[str, Any]:
    _redis().ping()
    return {}


def check_search() -> dict[str, Any]:
    from ckan.lib.search import query_for
    import ckan.model as model
    query = query_for(model.Package)
    query.run({"q": "*:*", "rows": 0, "fq": "+capacity:public"}, permission_labels=None)
    backend = "postgresql" if p.plugin_loaded("jena_pgsearch") else "solr"
    return {"backend": backend, "datasets": query.count}


def check_datastore() -> dict[str, Any] | None:
    if not p.plugin_loaded("datastore"):
        return None
    from ckanext.datastore.backend.postgres import get_read_engine
    with get_read_engine().connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return {}


def check_worker() -> dict[str, Any]:
    """A jobs worker of this site seen within the configured minutes (rq's
    worker registry: each worker renews its record while it lives), and
    how long the queues are."""
    from ckan.lib import jobs
    connection = _redis()
    prefix = jobs.add_queue_name_prefix("")
    max_age = dt.timedelta(minutes=tk.config.get("ckanext.jena.health.worker_max_age"))
    now = _utcnow()
    seen = []
    for worker in rq.Worker.all(connection=connection):
        if not any(name.startswith(prefix) for name in worker.queue_names()):
            continue  # another site's worker on the same Redis
        beat = worker.last_heartbeat or worker.birth_date
        if beat is not None:
            seen.append(now - _aware(beat))
    queues = {}
    for queue in rq.Queue.all(connection=connection):
        if not queue.name.startswith(prefix):
            continue
        entry: dict[str, Any] = {"jobs": queue.count}
        job_ids = queue.get_job_ids(0, 0)
        oldest = rq.job.Job.fetch(job_ids[0], connection=connection) if job_ids else None
        if oldest is not None and oldest.enqueued_at:
            entry["oldest_job_age_seconds"] = round((now - _aware(oldest.enqueued_at)).total_seconds())
        queues[jobs.remove_queue_name_prefix(queue.name)] = entry
    fresh = [age for age in seen if age <= max_age]
    result: dict[str, Any] = {"workers": len(fresh), "queues": queues}
    if seen:
        result["last_seen_seconds"] = round(min(seen).total_seconds())
    if not fresh:
        raise Unhealthy(f"no jobs worker seen within {max_age.total_seconds() / 60:g} minutes", result)
    return result


def check_harvests() -> dict[str, Any] | None:
    """Each source's last reported run: its state and when it ended. A
    failed harvest is news for the stewards (the dashboard, the alert mail),
    not a portal that cannot serve: it is listed, and /healthz stays 200."""
    if not p.plugin_loaded("jena_harvest"):
        return None
    from harvesters import states

    from .harvest import store
    now = _utcnow()
    sources: dict[str, Any] = {}
    for entry in store.sources(trend=1):
        last = entry["last"]
        item: dict[str, Any] = {"status": last["status"], "finished": last["finished"]}
        if last["finished"]:
            ended = _aware(dt.datetime.fromisoformat(last["finished"]))
            item["age_seconds"] = round((now - ended).total_seconds())
        sources[last["source"]] = item
    failing = sorted(name for name, item in sources.items() if states.code(item["status"]) not in states.GOOD)
    return {"sources": sources, "failing": failing}


CHECKS: dict[str, Callable[[], dict[str, Any] | None]] = {
    "database": check_database,
    "redis": check_redis,
    "search": check_search,
    "datastore": check_datastore,
    "jobs_worker": check_worker,
    "harvests": check_harvests,
}


def _message(error: Exception) -> str:
    """The full message for the log (credentials masked)."""
    text = _CREDENTIALS.sub("//***@", str(error).splitlines()[0] if str(error) else "")
    return f"{type(error).__name__}: {text}"[:300]


def _public_message(error: Exception) -> str:
    """For the public answer: our own verdicts in full, a driver's error by
    its kind only (its text names hosts and ports)."""
    return _message(error) if isinstance(error, Unhealthy) else type(error).__name__


def run_checks() -> tuple[bool, dict[str, Any]]:
    results: dict[str, Any] = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            details = check()
        except Exception as e:  # any failure of a part is the answer, not an error page
            log.warning("health: %s failed: %s", name, _message(e))
            healthy = False
            results[name] = {"ok": False, "error": _public_message(e), **getattr(e, "details", {})}
        else:
            if details is None:
                continue  # not part of this portal (e.g. no DataStore)
            results[name] = {"ok": True, **details}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return healthy, results


@blueprint.route("/healthz")
def healthz():
    healthy, checks = run_checks()
    body = {"status": "ok" if healthy else "failing", "checks": checks,
            "time": _utcnow().isoformat(timespec="seconds")}
    response = flask.jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
