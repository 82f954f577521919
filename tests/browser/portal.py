"""A real portal for the browser tests: `ckan run` and `ckan jobs worker`
on the test database, Redis and storage of the run (the CKAN_* environment
or test.ini), on a free loopback port with ckan.site_url set to it, and the
data a visitor and a steward meet, created through the action API over HTTP
as the harvester and a steward create it."""
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CKAN = os.path.join(ROOT, ".venv", "bin", "ckan")
# JENA_BROWSER_INI: another configuration for the portal (e.g. an older one for "before" screenshots).
TEST_INI = os.environ.get("JENA_BROWSER_INI") or os.path.join(ROOT, "test.ini")
ARTIFACTS = os.path.join(ROOT, "var", "test-artifacts", "browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    """The running portal: its URL, its processes' logs, and the action API."""

    def __init__(self, url: str, logs: dict):
        self.url = url
        self.logs = logs
        self.token = None  # a sysadmin's API token, set by the fixture

    def action(self, _action: str, _token: str = None, _files=None, **data):
        """Call the action API over HTTP (as a sysadmin unless `_token` says whom)."""
        headers = {"Authorization": _token or self.token}
        if _files:
            resp = requests.post(f"{self.url}/api/3/action/{_action}", data=data, files=_files,
                                 headers=headers, timeout=60)
        else:
            resp = requests.post(f"{self.url}/api/3/action/{_action}", json=data, headers=headers, timeout=60)
        body = resp.json()
        if not body.get("success"):
            raise AssertionError(f"{_action}: {resp.status_code} {body.get('error')}")
        return body["result"]

    def wait_for(self, check, timeout: float = 90.0, what: str = "a condition"):
        """Poll `check()` until it returns something true (jobs run in the
        worker process: their end is observed, never slept for)."""
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; "
                                     f"worker logs:\n{self.log_tail('worker')}\n{self.log_tail('worker2')}")
            time.sleep(0.3)

    def wait_validated(self, resource_id: str, timeout: float = 120.0) -> dict:
        """The validation report once the worker has decided (not pending)."""
        return self.wait_for(
            lambda: (lambda r: r if r["status"] not in ("pending", "running") else None)(
                self.action("resource_validation_show", resource_id=resource_id)),
            timeout, f"the validation of resource {resource_id}")

    def wait_settled(self, dataset: str, timeout: float = 120.0) -> dict:
        """The dataset once its DCAT-AP.de check (a job after each change,
        part of the score) has finished: a score read then stays."""
        def check():
            try:
                found = self.action("jena_shacl_show", id=dataset)
            except AssertionError:  # not checked yet
                return None
            return found if found["status"] != "pending" else None
        return self.wait_for(check, timeout, f"the DCAT-AP.de check of {dataset}")

    def log_tail(self, which: str, chars: int = 4000) -> str:
        try:
            with open(self.logs[which], encoding="utf-8", errors="replace") as f:
                return f.read()[-chars:]
        except OSError:
            return ""


def _stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def running_portal(extra_env: dict = None, port: int = None, timeout: float = 120.0):
    """Start web server and jobs worker, each in its own process group;
    yields a Portal; stops both (with their children) at the end."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CKAN_SITE_URL=url, **(extra_env or {}))
    os.makedirs(ARTIFACTS, exist_ok=True)
    # Two workers: each job forks and loads the plugins (seconds), so the
    # harvested package's jobs (validation, DataStore, SHACL) finish sooner.
    commands = {"web": ["run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader", "--threaded"],
                "worker": ["jobs", "worker"], "worker2": ["jobs", "worker"]}
    logs = {which: os.path.join(tempfile.gettempdir(), f"jena-browser-{which}-{port}.log") for which in commands}
    procs = []
    try:
        for which, args in commands.items():
            with open(logs[which], "w") as log:
                procs.append(subprocess.Popen([CKAN, "-c", TEST_INI, *args], cwd=ROOT, env=env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        portal = Portal(url, logs)
        deadline = time.monotonic() + timeout
        while True:
            for proc, which in zip(procs, commands):
                if proc.poll() is not None:
                    raise RuntimeError(f"ckan {which} stopped (exit {proc.returncode}):\n{portal.log_tail(which)}")
            try:
                if requests.get(url + "/api/3/action/status_show", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ckan run did not answer within {timeout:g} s:\n{portal.log_tail('web')}")
            time.sleep(0.5)
        yield portal
    finally:
        for proc in procs:
            _stop(proc)
