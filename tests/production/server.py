"""The portal served by gunicorn (ckanext.jena.wsgi) on a free loopback port,
as a separate process against the test database of this run."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict | None = None, workers: int = 2, access_log: str | None = None,
             ini: str = "test.ini"):
    """Yields (base URL, process); the environment of the test run (its
    CKAN_SQLALCHEMY_URL etc.) plus `env` reaches the server."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, "CKAN_INI": os.path.join(ROOT, ini), "CKAN_SITE_URL": base,
                "JENA_WEB_WORKERS": str(workers), **(env or {})}
    args = [os.path.join(VENV_BIN, "gunicorn"), "-c", "python:ckanext.jena.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", "ckanext.jena.wsgi:application"]
    if access_log:
        args[3:3] = ["--access-logfile", access_log]
    output = tempfile.TemporaryFile()
    proc = subprocess.Popen(args, cwd=ROOT, env=full_env, stdout=output,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def tail() -> str:
        output.seek(0)
        return output.read().decode(errors="replace")[-6000:]
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/api/3/action/status_show", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start:\n" + tail())
                time.sleep(0.5)
        try:
            yield base, proc
        except BaseException:
            # What the server said is the useful part of a failure.
            sys.stderr.write("gunicorn output:\n" + tail())
            raise
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        output.close()
