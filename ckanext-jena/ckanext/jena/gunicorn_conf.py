"""gunicorn settings of the portal (`gunicorn -c python:ckanext.jena.gunicorn_conf`),
shared by bin/run and the docker image. Each can be set from the environment:
JENA_WEB_WORKERS, JENA_WEB_THREADS, JENA_WEB_TIMEOUT, JENA_WEB_BIND,
JENA_ACCESS_LOG; command-line options given after -c win over these."""
from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("JENA_WEB_BIND", "127.0.0.1:5000")
# A page of CKAN spends much of its time in PostgreSQL (and Solr): more
# processes than cores keep the cores busy; gunicorn's rule of thumb.
workers = _int("JENA_WEB_WORKERS", 2 * cores + 1)
# Threads let a worker wait for a slow client or a keep-alive connection
# without idling a whole process; CKAN's database session is per thread.
worker_class = "gthread"
threads = _int("JENA_WEB_THREADS", 2)
# Each worker loads CKAN itself: loading it once in the master and forking
# would share the master's database connections between processes.
preload_app = False
# A request that runs longer than this is a stuck worker: it is replaced.
timeout = _int("JENA_WEB_TIMEOUT", 60)
graceful_timeout = 20
keepalive = 5
# Workers are replaced after a number of requests (with jitter, not all at
# once), so memory that a long-lived CKAN process accumulates is given back.
max_requests = _int("JENA_WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# Request line and headers: CKAN's search URLs with many facets stay well below.
limit_request_line = 8190

accesslog = os.environ.get("JENA_ACCESS_LOG", "-")
# Combined format with the time taken (microseconds), for the load figures.
access_log_format = '%(h)s - %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
errorlog = "-"
loglevel = "info"
# Behind nginx (docker/) the proxy's address is trusted for X-Forwarded-*;
# gunicorn reads FORWARDED_ALLOW_IPS from the environment itself.
proc_name = "ckan-jena"
