"""The platform's foundation: configuration, set-up, the run script, the
harvester CLI's contract and packaging."""
import configparser
import os
import socket
import subprocess

import pytest

import ckan.plugins as p
from ckan.common import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAR = os.path.join(ROOT, "var")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="bin/setup manages services as root")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    for name in ("secrets.env", "api-token", "ckan.ini", "test-secrets.ini"):
        mode = os.stat(os.path.join(VAR, name)).st_mode & 0o777
        assert mode == 0o600, f"var/{name} is {oct(mode)}"


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
    env = dict(os.environ, JENA_CKAN_URL=f"http://127.0.0.1:{_free_port()}",
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
    assert "is valid" in result.stdout


def test_run_starts_populates_and_stops_cleanly():
    port = _free_port()
    env = dict(os.environ, JENA_CKAN_PORT=str(port))
    result = subprocess.run([os.path.join(ROOT, "bin/run"), "--check"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check passed" in result.stdout
    with open(os.path.join(VAR, "log", f"run-{port}.pgids")) as f:
        groups = f.read().split()
    assert len(groups) == 3  # CKAN, the jobs worker, the sample map server
    for pgid in groups:
        members = subprocess.run(["pgrep", "-g", pgid], capture_output=True, text=True).stdout
        assert members.strip() == "", f"process group {pgid} outlived bin/run"
    for listening in (port, 5002):
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
