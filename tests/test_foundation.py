"""The platform's foundation: configuration, set-up, the run script, the
harvester CLI's contract and packaging."""
import configparser
import grp
import os
import socket
import subprocess
import urllib.parse

import pytest
import redis
import yaml

import ckan.plugins as p
from ckan.cli.cli import ckan as ckan_cli
from ckan.common import config
from ckan.lib import api_token, jobs
from ckan.tests import factories, helpers

from .portal_process import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAR = os.path.join(ROOT, "var")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="bin/setup manages services as root")


def test_german_first_english_offered():
    assert config["ckan.locale_default"] == "de"
    assert config["ckan.locales_offered"] == ["de", "en"]


def test_our_plugins_are_loaded():
    assert p.plugin_loaded("jena") and p.plugin_loaded("jena_pgsearch")


def test_front_page_is_german_and_english_on_request(app):
    assert "Datensätze" in app.get("/").body
    assert "Datasets" in app.get("/en/").body


def test_no_secret_is_tracked_by_git():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert not [f for f in tracked if f.startswith("var/")]
    for path in ("test.ini", "config/ckan.ini.in", "config/test-secrets.ini.in"):
        parser = configparser.RawConfigParser()
        parser.read(os.path.join(ROOT, path))
        secret = parser.get("app:main", "SECRET_KEY", fallback="")
        assert secret in ("", "${SECRET_KEY}", "${TEST_SECRET_KEY}"), path


def test_generated_secrets_are_private():
    # Root's alone: the database/Redis secrets, the test config, the admin's
    # password and the harvesters' token.
    for name in ("secrets.env", "api-token", "admin-password", "test-secrets.ini"):
        st = os.stat(os.path.join(VAR, name))
        assert (st.st_mode & 0o777, st.st_uid) == (0o600, 0), f"var/{name} is {oct(st.st_mode & 0o777)}"
    # What the services need, readable by their group and nobody else.
    st = os.stat(os.path.join(VAR, "ckan.ini"))
    assert st.st_mode & 0o777 == 0o640 and st.st_uid == 0
    assert grp.getgrgid(st.st_gid).gr_name == "jena"


@needs_root
def test_the_service_user_writes_uploads_and_logs_but_reads_no_root_secret():
    def can(test, path):
        return subprocess.run(["setpriv", "--reuid=jena", "--regid=jena", "--init-groups", "--",
                               "test", test, path]).returncode == 0
    assert can("-w", os.path.join(VAR, "storage")) and can("-w", os.path.join(VAR, "log"))
    assert can("-r", os.path.join(VAR, "ckan.ini"))
    for secret in ("secrets.env", "api-token", "admin-password", "test-secrets.ini"):
        assert not can("-r", os.path.join(VAR, secret)), secret
    assert not can("-w", os.path.join(ROOT, "ckanext-jena", "ckanext", "jena"))


def test_redis_wants_a_password_and_listens_on_loopback_only():
    url = config["ckan.redis.url"]
    parsed = urllib.parse.urlsplit(url)
    assert parsed.password, "ckan.redis.url carries no password"
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host=parsed.hostname, port=parsed.port).ping()
    assert redis.Redis.from_url(url).config_get("bind") == {"bind": "127.0.0.1"}


def test_jobs_queue_and_run_through_the_password_protected_redis():
    # A queue of its own: jobs other tests left on the default queue are not this test's.
    job = jobs.enqueue(jobs.test_job, ["hallo"], queue="foundation")
    jobs.Worker(["foundation"]).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"


def _harvester_account(cli, tmp_path, sources, *options):
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources))
    token_file = tmp_path / "api-token"
    result = cli.invoke(ckan_cli, ["jena", "harvester-account", "--sources", str(path),
                                   "--token-file", str(token_file), *options])
    assert result.exit_code == 0, result.output
    return result.output, token_file


def _portal_setting(key):
    parser = configparser.RawConfigParser()
    parser.read(os.path.join(ROOT, "config", "ckan.ini.in"))
    return parser.get("app:main", key, fallback=None)


def test_the_portal_protects_the_extensions_forms_and_leaves_organisations_to_the_sysadmin():
    assert _portal_setting("ckan.csrf_protection.ignore_extensions") == "false"
    for key in ("user_create_organizations", "user_create_groups", "create_unowned_dataset"):
        assert _portal_setting(f"ckan.auth.{key}") == "false", key


@pytest.mark.usefixtures("clean_db", "clean_index")
# As in the portal's config/ckan.ini.in (test.ini keeps CKAN's defaults).
@pytest.mark.ckan_config("ckan.auth.user_create_organizations", False)
def test_the_harvesters_token_is_an_editors_of_their_organisations_only(cli, app, tmp_path):
    factories.Organization(name="stadt-jena")
    elsewhere = factories.Organization()  # no source publishes there
    sources = {"trees": {"jena": {"organization": "stadt-jena"}},
               "gis": {"geo": {"organization": "geodaten-neu", "layers": {"a": {}}}}}
    catalogue = tmp_path / "organizations.yaml"
    catalogue.write_text(yaml.safe_dump({"geodaten-neu": {"title": "Geodaten (neu)"}}))
    output, token_file = _harvester_account(cli, tmp_path, sources, "--organizations", str(catalogue))
    assert "organisation geodaten-neu created" in output
    assert os.stat(token_file).st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    user = api_token.get_user_from_token(token)
    assert user.name == "jena-harvester" and not user.sysadmin
    orgs = helpers.call_action("organization_list_for_user", id=user.id, permission="read")
    assert sorted((o["name"], o["capacity"]) for o in orgs) == [("geodaten-neu", "editor"), ("stadt-jena", "editor")]
    assert helpers.call_action("organization_show", id="geodaten-neu")["title"] == "Geodaten (neu)"
    # With that token a harvester publishes in its organisations and nowhere else.
    headers = {"Authorization": token}
    app.post("/api/3/action/package_create", headers=headers, status=200,
             json={"name": "geo-layer", "title": "Ebene", "notes": "Eine Ebene.", "owner_org": "geodaten-neu"})
    app.post("/api/3/action/package_create", headers=headers, status=403,
             json={"name": "fremd", "title": "Fremd", "notes": "Fremd.", "owner_org": elsewhere["id"]})
    app.post("/api/3/action/organization_create", headers=headers, status=403, json={"name": "eigene"})
    # A second run changes nothing and keeps the token.
    output, _ = _harvester_account(cli, tmp_path, sources)
    assert "is valid" in output and "created" not in output
    assert token_file.read_text().strip() == token


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_sysadmins_token_in_the_harvesters_file_is_replaced_and_revoked(cli, tmp_path):
    # Older set-ups gave the harvesters the sysadmin's token.
    admin = factories.Sysadmin()
    old = helpers.call_action("api_token_create", user=admin["name"], name="harvesters")["token"]
    (tmp_path / "api-token").write_text(old + "\n")
    output, token_file = _harvester_account(cli, tmp_path, {"s": {"x": {"organization": "org-a"}}})
    assert f"the token of {admin['name']}" in output and "revoked" in output
    assert api_token.get_user_from_token(old) is None
    assert api_token.get_user_from_token(token_file.read_text().strip()).name == "jena-harvester"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_harvesters_leave_organisations_no_source_publishes_to(cli, tmp_path):
    _harvester_account(cli, tmp_path, {"s": {"a": {"organization": "org-a"}, "b": {"organization": "org-b"}}})
    output, _ = _harvester_account(cli, tmp_path, {"s": {"a": {"organization": "org-a"}}})
    assert "removed from org-b" in output
    orgs = helpers.call_action("organization_list_for_user", id="jena-harvester", permission="read")
    assert [(o["name"], o["capacity"]) for o in orgs] == [("org-a", "editor")]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_sysadmin_whose_password_file_was_lost_gets_a_new_one(cli, tmp_path):
    # A database that outlived var/ (a re-used machine): set-up must leave a
    # password the operator can read, and it must be the account's.
    from ckan import model
    password_file = tmp_path / "admin-password"
    result = cli.invoke(ckan_cli, ["jena", "bootstrap-admin", "--password-file", str(password_file)])
    assert result.exit_code == 0 and "created" in result.output, result.output
    first = password_file.read_text().strip()
    password_file.unlink()
    result = cli.invoke(ckan_cli, ["jena", "bootstrap-admin", "--password-file", str(password_file)])
    assert result.exit_code == 0 and "a new password" in result.output, result.output
    second = password_file.read_text().strip()
    assert os.stat(password_file).st_mode & 0o777 == 0o600
    user = model.User.get("jena-admin")
    assert second != first and user.validate_password(second) and not user.validate_password(first)
    # With the file in place, a further run keeps the password.
    result = cli.invoke(ckan_cli, ["jena", "bootstrap-admin", "--password-file", str(password_file)])
    assert "exists" in result.output and password_file.read_text().strip() == second


@needs_root
def test_the_portals_harvester_token_is_not_a_sysadmins():
    result = subprocess.run([os.path.join(ROOT, ".venv/bin/ckan"), "-c", os.path.join(VAR, "ckan.ini"),
                             "jena", "token-owner", os.path.join(VAR, "api-token")],
                            capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if not k.startswith("CKAN_")})
    assert result.returncode == 0, result.stderr
    assert "user=jena-harvester sysadmin=no" in result.stdout
    assert "stadt-jena=editor" in result.stdout


def test_every_python_package_is_listed_in_setup_cfg():
    parser = configparser.RawConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    listed = set(parser.get("options", "packages").split())
    found = set()
    for top, prefix in (("ckanext-jena/ckanext/jena", "ckanext.jena"), ("etl", "etl"),
                        ("harvesters", "harvesters")):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            if "__init__.py" in files:
                rel = os.path.relpath(dirpath, os.path.join(ROOT, top))
                found.add(prefix if rel == "." else prefix + "." + rel.replace(os.sep, "."))
    assert found <= listed, f"add to setup.cfg [options] packages: {sorted(found - listed)}"


def test_harvester_cli_without_a_token_is_a_configuration_error():
    env = {k: v for k, v in os.environ.items() if not k.startswith("JENA_")}
    env["JENA_CKAN_URL"] = "http://127.0.0.1:9"
    result = subprocess.run([os.path.join(ROOT, ".venv/bin/jena-harvest"), "seed-demo"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "JENA_CKAN_API_TOKEN" in result.stderr


def test_harvester_cli_reports_an_unreachable_portal():
    env = dict(os.environ, JENA_CKAN_URL=f"http://127.0.0.1:{free_port()}",
               JENA_CKAN_API_TOKEN="not-a-real-token")
    result = subprocess.run([os.path.join(ROOT, ".venv/bin/jena-harvest"), "seed-demo"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "seed-demo failed" in result.stderr
    assert "not-a-real-token" not in result.stderr + result.stdout


@needs_root
def test_setup_is_idempotent():
    result = subprocess.run([os.path.join(ROOT, "bin/setup")], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert "requirements unchanged, nothing to install" in result.stdout
    assert "var/ckan.ini: unchanged" in result.stdout
    assert "sysadmin jena-admin exists" in result.stdout
    assert "API token of jena-harvester" in result.stdout and "is valid" in result.stdout
    assert "(password set, user jena)" in result.stdout  # Redis left running as it was
    assert "restarting Redis" not in result.stdout


def test_run_starts_populates_and_stops_cleanly():
    port = free_port()
    env = dict(os.environ, JENA_CKAN_PORT=str(port))
    result = subprocess.run([os.path.join(ROOT, "bin/run"), "--check"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check passed" in result.stdout
    with open(os.path.join(VAR, "run", f"{port}.pgids")) as f:
        groups = f.read().split()
    assert len(groups) == 3  # CKAN, the jobs worker, the sample map server
    assert "CKAN, the jobs worker and the map server run as jena" in result.stdout
    for pgid in groups:
        members = subprocess.run(["pgrep", "-g", pgid], capture_output=True, text=True).stdout
        assert members.strip() == "", f"process group {pgid} outlived bin/run"
    for listening in (port, int(os.environ.get("JENA_MAPSERVER_PORT", 5002))):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", listening)) != 0


def test_run_refuses_a_port_in_use():
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        env = dict(os.environ, JENA_CKAN_PORT=str(port))
        result = subprocess.run([os.path.join(ROOT, "bin/run"), "--check"], env=env,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"port {port} is already in use" in result.stderr
