"""Every ckanext.jena.* option is declared once, in the YAML setup.cfg ships
(issue 24), so `ckan config declaration` documents it and CKAN validates it."""
import configparser
import os
import re

import yaml

from ckan.common import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "ckanext-jena", "ckanext", "jena")
READ = re.compile(r"""config\.get\(\s*["'](ckanext\.jena\.[a-z_]+\.[a-z_]+)["']""")


def _declared():
    with open(os.path.join(PACKAGE, "config_declaration.yaml"), encoding="utf-8") as f:
        return [o["key"] for g in yaml.safe_load(f)["groups"] for o in g["options"]]


def test_setup_cfg_ships_the_declaration_it_names():
    parser = configparser.RawConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    shipped = parser.get("options.package_data", "ckanext.jena").split()
    assert "config_declaration.yaml" in shipped
    assert os.path.isfile(os.path.join(PACKAGE, "config_declaration.yaml"))


def test_every_option_the_code_reads_is_declared_once():
    read = set()
    for top in (PACKAGE, os.path.join(ROOT, "etl"), os.path.join(ROOT, "harvesters")):
        for dirpath, _, files in os.walk(top):
            for name in files:
                if name.endswith(".py"):
                    with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                        read |= set(READ.findall(f.read()))
    declared = _declared()
    assert len(declared) == len(set(declared))
    assert read and read <= set(declared), sorted(read - set(declared))
    assert {"ckanext.jena.outbound.allow", "ckanext.jena.outbound.max_bytes",
            "ckanext.jena.outbound.deadline"} <= set(declared)


def test_declared_defaults_reach_the_running_config():
    # Loaded by the enabled plugins: typed values, not strings.
    assert config.get("ckanext.jena.outbound.allow") == []
    assert config.get("ckanext.jena.outbound.max_bytes") == 100 << 20
    assert config.get("ckanext.jena.quality.url_recheck_hours") == 24
    assert config.get("ckanext.jena.quality.url_timeout") == 2  # test.ini
