"""Health of a jobs worker container: a CKAN worker of this container's
host name has renewed its record in Redis's rq worker registry lately
(the same record /healthz reads). Exit 0 if so, 1 if not."""
import datetime as dt
import os
import socket
import sys

import redis
import rq

connection = redis.Redis.from_url(os.environ["CKAN_REDIS_URL"], socket_connect_timeout=5, socket_timeout=5)
now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
host = socket.gethostname()
for worker in rq.Worker.all(connection=connection):
    beat = worker.last_heartbeat or worker.birth_date
    if worker.hostname == host and beat and now - beat < dt.timedelta(minutes=10):
        sys.exit(0)
sys.exit(f"no jobs worker of {host} seen in Redis within 10 minutes")
