"""A real portal for the browser tests: `ckan run` and `ckan jobs worker`
on the test database, Redis and storage of the run (the CKAN_* environment
or test.ini), on a free loopback port with ckan.site_url set to it, and the
data a visitor and a steward meet, created through the action API over HTTP
as the harvester and a steward create it."""
import contextlib
import os
import time

import requests

from ..portal_process import ROOT, TEST_INI, ckan, ckan_web, free_port, started, tail

# JENA_BROWSER_INI: another configuration for the portal (e.g. an older one for "before" screenshots).
INI = os.environ.get("JENA_BROWSER_INI") or TEST_INI
ARTIFACTS = os.path.join(ROOT, "var", "test-artifacts", "browser")


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
        return tail(self.logs[which], chars)


@contextlib.contextmanager
def running_portal(extra_env: dict = None, port: int = None, timeout: float = 120.0):
    """Start web server and jobs workers; yields a Portal; stops them (with
    their children) at the end. Their logs stay in the temporary folder."""
    port = port or free_port()
    os.makedirs(ARTIFACTS, exist_ok=True)
    # Two workers: each job forks and loads the plugins (seconds), so the
    # harvested package's jobs (validation, DataStore, SHACL) finish sooner.
    commands = {"web": ckan_web(port, INI), "worker": ckan(INI, "jobs", "worker"),
                "worker2": ckan(INI, "jobs", "worker")}
    with started(commands, port, extra_env, timeout, log_prefix="jena-browser", keep_logs=True) as running:
        yield Portal(running.url, running.logs)
