"""/healthz: 200 with every part fine and a jobs worker alive, 503 naming
the part that is down; no secret in the answer."""
import datetime as dt

import pytest
import rq.utils
from ckan.lib import jobs
from ckan.tests import factories

from ..portal_process import free_port


@pytest.fixture
def worker():
    """A jobs worker's record in Redis, as `ckan jobs worker` leaves it while
    it lives (rq's worker registry); removed as a stopping worker removes it."""
    w = jobs.Worker()
    w.register_birth()
    yield w
    w.register_death()


def _check(app, status):
    response = app.get("/healthz", status=status)
    assert "no-store" in response.headers["Cache-Control"]
    return response.json


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_all_parts_fine_answers_200(app, worker):
    factories.Dataset(owner_org=factories.Organization()["id"])
    body = _check(app, 200)
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "redis", "search", "datastore", "jobs_worker", "harvests"}
    assert all(c["ok"] for c in checks.values())
    assert checks["search"] == {**checks["search"], "backend": "postgresql", "datasets": 1}
    assert checks["jobs_worker"]["workers"] == 1
    assert "default" in checks["jobs_worker"]["queues"] or checks["jobs_worker"]["queues"] == {}


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_last_harvest_of_each_source_is_reported_without_its_message(app, worker):
    """A failed harvest is listed for monitoring; the portal itself stays healthy."""
    from ckan.plugins import toolkit as tk
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    now = dt.datetime.now(dt.timezone.utc)
    for source, status, hours, message in (("baeume", "ok", 30, "ok"), ("baeume", "failed", 2, "Quelle antwortet mit HTML"),
                                           ("geodaten", "ok", 1, "ok")):
        tk.get_action("jena_harvest_run_create")({"user": editor["name"]}, {
            "source": source, "kind": "tree_register", "organization": org["name"], "status": status,
            "started": (now - dt.timedelta(hours=hours, minutes=5)).isoformat(),
            "finished": (now - dt.timedelta(hours=hours)).isoformat(), "message": message, "rows": 10})
    body = _check(app, 200)
    harvests = body["checks"]["harvests"]
    assert harvests["ok"] is True and harvests["failing"] == ["baeume"]
    assert harvests["sources"]["baeume"]["status"] == "failed"
    assert 2 * 3600 - 60 <= harvests["sources"]["baeume"]["age_seconds"] <= 2 * 3600 + 600
    assert harvests["sources"]["geodaten"]["status"] == "ok"
    assert "HTML" not in str(body)


def test_no_worker_seen_answers_503(app):
    body = _check(app, 503)
    assert body["status"] == "failing"
    assert body["checks"]["jobs_worker"]["ok"] is False
    assert "no jobs worker seen within 10 minutes" in body["checks"]["jobs_worker"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


def test_worker_silent_too_long_answers_503(app, worker):
    old = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(minutes=11)
    worker.connection.hset(worker.key, "last_heartbeat", rq.utils.utcformat(old))
    body = _check(app, 503)
    assert body["checks"]["jobs_worker"]["ok"] is False
    assert body["checks"]["jobs_worker"]["last_seen_seconds"] >= 660


def test_redis_unreachable_answers_503_without_secrets(app, monkeypatch):
    from ckan.common import config
    # After the app is made: CKAN_REDIS_URL of the test run would override
    # a config option set before.
    port = free_port()
    monkeypatch.setitem(config, "ckan.redis.url", f"redis://:geheim-4711@127.0.0.1:{port}/0")
    response = app.get("/healthz", status=503)
    body = response.json
    assert body["checks"]["redis"]["ok"] is False
    # The kind of failure, not the driver's text with host and port.
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    assert str(port) not in response.body
    assert body["checks"]["database"]["ok"] is True
    assert "geheim-4711" not in response.body
    for key in ("sqlalchemy.url", "ckan.datastore.read_url"):
        password = config[key].split("@")[0].rsplit(":", 1)[-1]
        assert password not in response.body
