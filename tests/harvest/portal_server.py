"""The test CKAN as a real web server (`ckan run`) on a free loopback port,
for tests in which the harvester talks HTTP to the portal as in production
(the `jena-harvest` CLI, RemoteCKAN, its token). It uses the test database,
Redis and storage of the pytest session (the CKAN_* environment)."""
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def ckan_server(timeout: float = 120.0):
    """Start the server; yields its base URL; stops it (its whole process group)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CKAN_SITE_URL=url)
    log = tempfile.NamedTemporaryFile("w+", prefix="ckan-server-", suffix=".log", delete=False)
    proc = subprocess.Popen([os.path.join(ROOT, ".venv", "bin", "ckan"), "-c", os.path.join(ROOT, "test.ini"),
                             "run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader", "--threaded"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"ckan run stopped (exit {proc.returncode}):\n{log.read()[-3000:]}")
            try:
                if requests.get(url + "/api/3/action/status_show", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ckan run did not answer within {timeout:g} s (log: {log.name})")
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        os.unlink(log.name)
