"""The portal served by gunicorn (ckanext.jena.wsgi) on a free loopback port,
as a separate process against the test database of this run."""
from __future__ import annotations

import contextlib
import os

from ..portal_process import BIN, ROOT, free_port, started


@contextlib.contextmanager
def gunicorn(env: dict | None = None, workers: int = 2, access_log: str | None = None,
             ini: str = "test.ini"):
    """Yields (base URL, process); the environment of the test run (its
    CKAN_SQLALCHEMY_URL etc.) plus `env` reaches the server."""
    port = free_port()
    args = [os.path.join(BIN, "gunicorn"), "-c", "python:ckanext.jena.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", "ckanext.jena.wsgi:application"]
    if access_log:
        args[3:3] = ["--access-logfile", access_log]
    env = {"CKAN_INI": os.path.join(ROOT, ini), "JENA_WEB_WORKERS": str(workers), **(env or {})}
    with started({"gunicorn": args}, port, env, log_prefix="jena-gunicorn") as server:
        yield server.url, server.procs["gunicorn"]
