"""One shape for every kind: typed configurations checked before any work,
the runner's one ending (descriptor, validation, plan) for every kind, and
a new kind as one module (the README's worked example)."""
import json
import os
import subprocess

import pytest
import yaml

from harvesters import kinds, runner
from harvesters.samples.sensors.generate import feed

from . import example_kind

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, ".venv", "bin", "jena-harvest")


def run_cli(tmp_path, sources, *args):
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources, allow_unicode=True))
    return subprocess.run([CLI, "--config", str(path), *args], capture_output=True, text=True)


@pytest.mark.parametrize("change, message", [
    ({"delimeter": ";"}, "source jena: unknown key delimeter (did you mean delimiter?)"),
    ({"timeout": "lange"}, "source jena: timeout must be float, not 'lange'"),
    ({"columns": {"height": "baumhoehe", "x": "rechtswert", "y": "hochwert"}},
     "source jena: columns: unknown field height"),
])
def test_a_mistyped_source_entry_is_a_configuration_error_naming_source_and_key(tmp_path, change, message):
    entry = dict(runner.load_config()["jena"], **change)
    done = run_cli(tmp_path, {"trees": {"jena": entry}}, "run", "jena", "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "out" / "jena").exists()  # refused before any work


def test_a_layer_override_and_a_sensor_api_are_checked_too(tmp_path):
    service = dict(runner.load_config()["geodaten-jena"], layers={"radwege": {"titel": "Radwege"}})
    done = run_cli(tmp_path, {"gis": {"geodaten-jena": service}}, "list")
    assert done.returncode == 2
    assert "source geodaten-jena: unknown key layers.radwege.titel (did you mean layers.radwege.title?)" in done.stderr
    feed_entry = dict(runner.load_config()["jena-luftdaten"], api="luftdaten.info")
    done = run_cli(tmp_path, {"sensors": {"jena-luftdaten": feed_entry}}, "list")
    assert done.returncode == 2 and "source jena-luftdaten: api must be one of sensor.community" in done.stderr


def test_defaults_live_in_the_kinds_configuration():
    config = kinds.configure("x", {"kind": "ogc_service", "organization": "o", "wms": "http://geo.example/wms"})
    assert (config.page_size, config.max_features, config.include, config.wfs_version) == (10_000, 1_000_000, ["*"],
                                                                                          "2.0.0")
    sensors = kinds.configure("s", {"kind": "sensor_feed", "organization": "o", "api": "sensorthings",
                                    "url": "http://sta.example/v1.1"})
    assert (sensors.window_hours, sensors.keep_days, sensors.licence, sensors.frequency) == (24, 3, "odbl", "HOURLY")


def test_every_kind_describes_its_package_the_same_way(sources, loopback, tmp_path):
    routes, base, config = sources
    routes["/data.json"] = (json.dumps(feed()).encode(), "application/json")
    sensor = dict(runner.load_config()["jena-luftdaten"], url=base + "/data.json", timeout=1, attempts=1)
    results = runner.run(["jena", "jena-luftdaten"], {**config, "jena-luftdaten": sensor}, str(tmp_path))
    assert [r["status"] for r in results] == ["ok", "ok"], results
    described = set()
    for name in ("jena", "jena-luftdaten"):
        plan = json.loads((tmp_path / name / "current" / "publish.json").read_text())
        described |= {f["description"] for f in plan["files"] if f["name"] == "datapackage.json"}
        # every table of the plan carries the schema it was validated with
        descriptor = json.loads((tmp_path / name / "current" / "datapackage.json").read_text())
        schemas = {r["path"]: r["schema"] for r in descriptor["resources"] if "schema" in r}
        assert schemas and {f["name"]: json.loads(f["table_schema"]) for f in plan["files"]
                            if "table_schema" in f} == schemas
    assert len(described) == 1


def test_a_new_kind_is_one_module(loopback, tmp_path, monkeypatch):
    """The README's example: the kind only extracts, transforms and plans;
    package, validation, plan file and run record come from the runner."""
    routes, base = loopback
    monkeypatch.setitem(kinds.KINDS, example_kind.KIND.name, example_kind.KIND)
    fountains = [{"id": n, "name": f"Brunnen {n}", "lon": 11.58 + n / 1000, "lat": 50.92} for n in range(1, 6)]
    routes["/brunnen.json"] = (json.dumps(fountains).encode(), "application/json")
    entry = {"kind": "fountains", "url": base + "/brunnen.json", "organization": "stadt-jena", "title": "Trinkbrunnen",
             "attempts": 1}
    result = runner.run(["jena-brunnen"], {"jena-brunnen": entry}, str(tmp_path))[0]
    assert (result["status"], result["rows"]) == ("ok", 5), result
    current = tmp_path / "jena-brunnen" / "current"
    plan = json.loads((current / "publish.json").read_text())
    assert plan["dataset"]["name"] == "trinkbrunnen-jena-brunnen" and plan["dataset"]["license_id"] == "dl-zero-de/2.0"
    assert [f["name"] for f in plan["files"]] == ["trinkbrunnen.csv", "datapackage.json"]
    assert json.loads(plan["files"][0]["table_schema"]) == example_kind.SCHEMA
    # the runner validates the kind's table against its schema: a duplicate id is caught
    routes["/brunnen.json"] = (json.dumps(fountains + fountains[:1]).encode(), "application/json")
    again = runner.run(["jena-brunnen"], {"jena-brunnen": entry}, str(tmp_path))[0]
    assert again["status"] == "invalid" and "primary-key" in {e["type"] for e in again["errors"]}
    assert json.loads((current / "publish.json").read_text()) == plan  # the last good package stays
