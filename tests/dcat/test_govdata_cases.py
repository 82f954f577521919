"""GovData's per-property test graphs (valid and invalid) through our validator.

GovData names each test node by its expected outcome: P (passes), I (nothing to
report), F (fails: a violation), W (a warning), with suffixes for the convention
profile (PsFk: passes the specification, fails the conventions – we validate the
specification). The graphs are fragments (a dataset with one property), so only the
results on the property under test count. Some were written for DCAT-AP.de 2.0; where
3.0 changed the rule the expectation says so.
"""
import re

import pytest
from rdflib import URIRef

from ckanext.jena.dcat import shacl

from .conftest import CONFIG, govdata

pytestmark = CONFIG

PROPERTIES = {
    "dataset-contributorID.ttl": {"dcatde:contributorID"},
    "dataset-politicalGeocodingLevelURI.ttl": {"dcatde:politicalGeocodingLevelURI"},
    "dataset-politicalGeocodingURI.ttl": {"dcatde:politicalGeocodingURI"},
    "distribution-licenseAttributionByText.ttl": {"dcatde:licenseAttributionByText"},
    "dataset-originator-maintainer-contributor-creator.ttl": {
        "dcatde:originator", "dcatde:maintainer", "dct:contributor", "dct:creator", "foaf:name"},
    "distribution-checksum.ttl": {"spdx:checksum", "spdx:algorithm", "spdx:checksumValue"},
}
# DCAT-AP.de 3.0 against the 2.0 labels of these nodes.
CHANGED_IN_3_0 = {
    # No recommendation for a missing level or geocoding URI any more.
    ("dataset-politicalGeocodingLevelURI.ttl", "03-W-No_politicalGeocodingLevelURI"): "nothing",
    ("dataset-politicalGeocodingURI.ttl", "07-W-No_politicalGeocodingURI"): "nothing",
    # The property is deprecated: its values are no longer checked, its use is a warning.
    ("dataset-politicalGeocodingURI.ttl", "08-F-multiple_one_wrong_type"): "warning",
}


def _expected(code: str) -> str:
    if code.startswith("F"):
        return "violation"
    if code.startswith("W"):
        return "warning"
    return "no violation"  # P, Ps…, I


def _cases():
    for name in PROPERTIES:
        graph = govdata(name)
        for node in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}):
            local = re.split(r"[#/]", str(node))[-1]
            match = re.match(r"^\d\d-([A-Za-z]+)-", local)
            if match:
                expected = CHANGED_IN_3_0.get((name, local), _expected(match.group(1)))
                yield pytest.param(name, str(node), expected, id=f"{name[:-4]}:{local}")


@pytest.fixture(scope="module")
def reports():
    return {name: shacl.validate_graph(govdata(name)) for name in PROPERTIES}


@pytest.mark.parametrize("name,node,expected", list(_cases()))
def test_govdata_case(reports, name, node, expected):
    about = [r for r in reports[name]["results"] if r["path"] in PROPERTIES[name] and (
        r["focus"] == node or any(step.get("uri") == node for step in r["where"]))]
    severities = {r["severity"] for r in about}
    if expected == "violation":
        assert "violation" in severities, about
        # A steward reads why, in German (the shapes' own messages).
        assert all(r["messages"].get("de") for r in about if r["severity"] == "violation")
    elif expected == "warning":
        assert severities == {"warning"}, about
    elif expected == "nothing":
        assert not about, about
    else:
        assert "violation" not in severities, about


def test_govdata_complete_3_0_example_conforms():
    """GovData's quick test of DCAT-AP.de 3.0 (catalogue, service, series, dataset,
    distribution, record, agent, contact, period, attribution) has no violations:
    our offline vocabularies stand in for the imports. What is left are the two lists
    we do not hold (contributors, dataset types), which are recommendations."""
    report = shacl.validate_graph(govdata("v3.0_shapes/quicktest.ttl"))
    assert report["violations"] == 0, report["results"]
    assert {r["path"] for r in report["results"]} == {"dcatde:contributorID", "dct:type"}


def test_govdata_deprecated_terms_are_warnings():
    report = shacl.validate_graph(govdata("v3.0_shapes/deprecated.ttl"))
    assert report["violations"] == 0, report["results"]
    deprecated = {r["path"] for r in report["results"] if r["messages"]["de"].startswith("Deprecated")}
    assert {"dcatde:politicalGeocodingURI", "dcatde:maintainer", "dcatde:originator",
            "dcatde:legalBasis", "spdx:algorithm"} <= deprecated
