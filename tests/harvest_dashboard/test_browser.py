"""The dashboard in Chromium (Playwright, Debian's /usr/bin/chromium as in
tests/browser/) against a real portal: `ckan run` and two `ckan jobs worker`
with the harvest folder and sources configured. The tree register is
harvested over HTTP with the harvesters' editor token, as cron does; a
steward reads /ernte, another organisation's steward finds nothing, the
organisation's admin clicks "Jetzt ernten" and watches the job run."""
import contextlib
import os
import re
import tempfile

import pytest
import yaml
from ckanapi import RemoteCKAN
from playwright.sync_api import expect

from ckan.tests import factories, helpers

from harvesters import runner

from ..browser.conftest import CHROMIUM, CHROMIUM_ARGS
from ..loopback import serve
from ..portal_process import ckan as ckan_command, ckan_web, free_port, started
from ..harvest.conftest import sample
from ..portal_process import ROOT
from .conftest import harvest_ini

PASSWORD = "Ernte-Dashboard-2026!"
SHOTS = os.path.join(ROOT, "var", "test-artifacts", "harvest_dashboard")  # what the pages looked like
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")


@contextlib.contextmanager
def _portal(ini, env):
    """Web server and two workers (one takes run-now jobs first), on a free loopback port."""
    port = free_port()
    commands = {"web": ckan_web(port, ini), "worker": ckan_command(ini, "jobs", "worker", "jena_harvest", "default"),
                "worker2": ckan_command(ini, "jobs", "worker", "default")}
    with started(commands, port, env, timeout=180, log_prefix="jena-dashboard") as running:
        yield running.url


@pytest.fixture(scope="module")
def portal(reset_db):
    """The portal with stadt-jena's people and one harvest of its register."""
    import ckan.plugins
    from ckan.lib import jobs
    ckan.plugins.load_all()  # the first reset migrates our plugins' tables; the schemas apply
    try:
        reset_db()
        for name in ("jena-harvester", "steward-jena", "admin-jena", "steward-leipzig"):
            factories.User(name=name, password=PASSWORD, email=f"{name}@jena.example")
        admin = factories.Sysadmin()
        factories.Organization(name="stadt-jena", title="Stadt Jena", contact_email="baum@jena.example", user=admin,
                               users=[{"name": "jena-harvester", "capacity": "editor"},
                                      {"name": "steward-jena", "capacity": "editor"},
                                      {"name": "admin-jena", "capacity": "admin"}])
        factories.Organization(name="stadt-leipzig-beispiel", user=admin,
                               users=[{"name": "steward-leipzig", "capacity": "editor"}])
        token = helpers.call_action("api_token_create", {"user": "jena-harvester"}, user="jena-harvester",
                                    name="harvest")["token"]
    finally:
        ckan.plugins.unload_non_system_plugins()
    for queue in jobs.get_all_queues():
        queue.empty()
    routes = {"/jena.csv": (sample("jena_baumkataster.csv"), "text/csv; charset=windows-1252", 0)}
    allow = {"JENA_OUTBOUND_ALLOW": "127.0.0.1"}
    saved = os.environ.get("JENA_OUTBOUND_ALLOW")
    os.environ.update(allow)
    with serve(routes) as base, tempfile.TemporaryDirectory(prefix="jena-dashboard-") as folder:
        config = runner.load_config()
        entry = dict(config["jena"], url=base + "/jena.csv", timeout=10, attempts=2, backoff=0.01)
        sources_file = os.path.join(folder, "sources.yaml")
        with open(sources_file, "w", encoding="utf-8") as f:
            yaml.safe_dump({"trees": {"jena": entry}}, f, allow_unicode=True)
        out = os.path.join(folder, "harvest")
        os.makedirs(out)
        try:
            ini = harvest_ini(folder, out=out, sources=sources_file, user="jena-harvester", queue="jena_harvest",
                              schedule="\n    * 30 4 * * *")
            with _portal(ini, allow) as url:
                # As cron runs it: over HTTP, with the editor's token, into the same folder.
                result = runner.run(["jena"], {"jena": entry}, out, RemoteCKAN(url, apikey=token))[0]
                assert result["status"] == "ok", result
                yield url
        finally:
            if saved is None:
                os.environ.pop("JENA_OUTBOUND_ALLOW", None)
            else:
                os.environ["JENA_OUTBOUND_ALLOW"] = saved


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def browser_context_args(browser_context_args, portal):
    return {**browser_context_args, "base_url": portal, "locale": "de-DE", "viewport": {"width": 1280, "height": 900}}


def login(page, name):
    page.goto("/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("form:has(#field-login) button[type=submit]").click()
    expect(page.locator(".account").first).to_have_class(re.compile(r"\bauthed\b"))


def test_a_steward_sees_the_source_its_run_and_the_next_one(page):
    login(page, "steward-jena")
    page.goto("/ernte")
    expect(page.locator("article h1")).to_have_text("Ernte")
    row = page.locator("tr.jena-harvest-source", has_text="Baumkataster Jena")
    expect(row).to_have_count(1)
    expect(row.locator(".jena-harvest-status")).to_have_text("erfolgreich")  # the light says it in words too
    expect(row).to_contain_text("3.000")
    expect(row).to_contain_text("04:30 Uhr")  # next run, from the schedule in the config
    expect(row.get_by_role("link", name="baumkataster-jena")).to_have_attribute("href", "/dataset/baumkataster-jena")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "ernte.png"), full_page=True)
    row.get_by_role("link", name="Baumkataster Jena").click()
    expect(page).to_have_url(re.compile(r"/ernte/jena$"))
    history = page.locator("#jena-harvest-runs tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Erstveröffentlichung.")
    expect(page.get_by_role("button", name="Jetzt ernten")).to_have_count(0)  # editors do not start runs


def test_another_organisations_steward_sees_nothing(page):
    login(page, "steward-leipzig")
    page.goto("/ernte")
    expect(page.locator("article")).to_contain_text("Noch keine Erntequellen")
    expect(page.locator("article")).not_to_contain_text("Baumkataster Jena")
    response = page.goto("/ernte/jena")
    assert response.status == 403


def test_the_organisations_admin_runs_the_harvest_now(page):
    login(page, "admin-jena")
    page.goto("/ernte/jena")
    page.get_by_role("button", name="Jetzt ernten").click()
    progress = page.locator("#jena-harvest-progress")
    expect(progress).to_contain_text(re.compile("Warteschlange|Läuft|[Bb]eendet"))
    # The page follows the job and reloads when it is over: the run is in the history.
    expect(page.locator("#jena-harvest-runs tbody tr")).to_have_count(2, timeout=180_000)
    newest = page.locator("#jena-harvest-runs tbody tr").first
    expect(newest).to_contain_text("im Portal gestartet")
    expect(newest).to_contain_text("unverändert")
    expect(progress).to_contain_text("beendet")
    page.screenshot(path=os.path.join(SHOTS, "ernte-quelle.png"), full_page=True)
