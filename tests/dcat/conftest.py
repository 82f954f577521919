"""Fixtures of the DCAT-AP.de tests: our plugins with jena_dcat and the dcat_ap_de
profile (each test module marks itself with CONFIG), its table, datasets made through
our schema, and GovData's test graphs (testcases/, CC0, see schemas/shacl/README.md)."""
import os

import pytest
from rdflib import Graph

from ckan.tests import factories, helpers

PLUGINS = ("jena jena_pgsearch jena_schema jena_quality jena_validation activity dcat "
           "scheming_datasets scheming_organizations jena_dcat")
PROFILES = "euro_dcat_ap_3 dcat_ap_de"
CONFIG = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
          pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", PROFILES)]
TESTCASES = os.path.join(os.path.dirname(__file__), "testcases")
CONTRIBUTOR = "http://dcat-ap.de/def/contributors/stadtJena"
EU = "http://publications.europa.eu/resource/authority/"


def govdata(name: str) -> Graph:
    return Graph().parse(os.path.join(TESTCASES, name))


@pytest.fixture
def dcat_tables(clean_db, migrate_db_for):
    """The jena_dcat table (CKAN's first reset drops every table of ours)."""
    migrate_db_for("jena_dcat")


@pytest.fixture
def org():
    return factories.Organization(name="umweltamt", title="Umweltamt Jena", contributor_id=CONTRIBUTOR,
                                  contact_email="umwelt@jena.example", website="https://www.jena.de/umwelt")


def create(user, org, name="baeume", **fields):
    data = {"name": name, "title": "Straßenbäume", "notes": "Alle Straßenbäume der Stadt Jena.",
            "owner_org": org["id"]}
    data.update(fields)
    return helpers.call_action("package_create", {"user": user["name"]}, **data)


def full(user, org, name="baeume", **fields):
    """A dataset with every property a steward or harvester fills, as our harvesters
    publish it: a hashed CSV, a GeoJSON, the WMS and WFS links."""
    data = dict(
        tag_string="Bäume,Umwelt", theme=["ENVI"], frequency="ANNUAL", language=["DEU"],
        temporal_coverage=[{"start": "2023-01-01", "end": "2023-12-31"}],
        contact=[{"name": "Team Offene Daten", "email": "opendata@jena.example",
                  "url": "https://www.jena.de/opendata"}],
        publisher=[{"name": "Stadt Jena", "uri": "https://www.jena.de/", "email": "stadt@jena.example"}],
        maintainer="Fachdienst Umwelt", maintainer_email="umwelt@jena.example",
        creator=[{"name": "Kommunalservice Jena", "uri": "https://www.ksj.de/"}],
        license_attribution="Stadt Jena, Fachdienst Umwelt", issued="2024-01-15", modified="2024-06-01",
        conforms_to=["https://specs.frictionlessdata.io/table-schema/"], provenance="Baumkataster des KSJ",
        resources=[
            {"name": "baeume.csv", "url": "https://daten.jena.example/baeume.csv", "format": "CSV",
             "mimetype": "text/csv", "size": 1234, "hash": "sha256:" + "0f" * 32},
            {"name": "baeume.geojson", "url": "https://daten.jena.example/baeume.geojson",
             "format": "GeoJSON", "mimetype": "application/geo+json", "license": "dl-zero-de/2.0"},
            {"name": "WMS-Dienst", "format": "WMS_SRVC", "mimetype": "application/xml",
             "url": "https://geo.jena.example/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"},
            {"name": "Karte (WMS)", "format": "WMS_SRVC", "mimetype": "image/png",
             "url": "https://geo.jena.example/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=baeume&CRS=CRS:84"
                    "&BBOX=11.48,50.85,11.70,50.99&WIDTH=800&HEIGHT=600&FORMAT=image/png"},
            {"name": "WFS-Dienst", "format": "WFS_SRVC", "mimetype": "application/xml",
             "url": "https://geo.jena.example/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"},
        ])
    data.update(fields)
    return create(user, org, name, **data)
