"""Browser tests: Debian's Chromium driven by Playwright (pytest-playwright)
against one real portal (web server + jobs worker) for the whole folder.
A failed test leaves a screenshot and the page's HTML in
var/test-artifacts/browser/."""
import os
import re
import shutil

import pytest

from .portal import ARTIFACTS, running_portal
from . import seed

CHROMIUM = os.environ.get("JENA_CHROMIUM", "/usr/bin/chromium")
# Playwright cannot download its own browser build here: Debian's, with the
# flags of a headless run as root that makes no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; bin/setup does)")
        for item in items:
            if "tests/browser/" in item.nodeid:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """The browser talks HTTP to the portal's processes: this process needs
    no plugins per test (the suite's with_plugins costs seconds a test)."""
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="package")
def portal(reset_db):
    """The portal with its data, started once for all browser tests and
    stopped after the last (its worker must not take other tests' jobs)."""
    import ckan.plugins
    from ckan.lib import jobs
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # this run's artefacts only
    ckan.plugins.load_all()  # as with_plugins does for a test: the first reset migrates our plugins' tables
    try:
        reset_db()
    finally:
        ckan.plugins.unload_non_system_plugins()
    for queue in jobs.get_all_queues():
        queue.empty()  # jobs for datasets the reset removed
    allow = {"JENA_OUTBOUND_ALLOW": "127.0.0.1"}  # the harvest source and the portal itself are on loopback
    saved = {k: os.environ.get(k) for k in allow}
    os.environ.update(allow)
    try:
        with running_portal(allow) as running:
            running.token = seed.admin_token()
            running.data = seed.populate(running)
            yield running
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def browser_context_args(browser_context_args, portal):
    return {**browser_context_args, "base_url": portal.url, "locale": "de-DE",
            "viewport": {"width": 1280, "height": 900}}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(page, request):
    """Playwright's page; on failure its screenshot and HTML are kept."""
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        os.makedirs(ARTIFACTS, exist_ok=True)
        base = os.path.join(ARTIFACTS, re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:])
        try:
            page.screenshot(path=base + ".png", full_page=True)
            with open(base + ".html", "w", encoding="utf-8") as f:
                f.write(page.content())
        except Exception as e:  # a crashed page still fails the test with its own error
            print(f"no artefact for {request.node.nodeid}: {e}")
