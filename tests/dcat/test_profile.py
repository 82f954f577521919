"""The dcat_ap_de profile: our datasets, made through our schema, in DCAT-AP.de 3.0 –
0 SHACL violations, each added property in the form GovData's valid test graph has
(and GovData's invalid value in its place is a violation), the paged catalogue."""
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from ckan.tests import helpers

from ckanext.dcat.processors import RDFParser
from ckanext.dcat.utils import resource_uri
from ckanext.jena.dcat import shacl
from ckanext.jena.dcat.namespaces import (DCAT, DCATDE, DCT, FOAF, GEODCATAP, HYDRA, RDF, SPDX,
                                          VCARD, XSD, qname)

from .conftest import CONFIG, CONTRIBUTOR, EU, create, full, govdata

pytestmark = [*CONFIG, pytest.mark.usefixtures("dcat_tables", "clean_index")]

JENA = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/16053000"
IANA = "https://www.iana.org/assignments/media-types/"
# Warnings every dataset of ours gets: the contributors list is not held offline (a
# recommendation, "SOLL, wenn passend"), and the DCAT-AP.de 2.0 properties we emit for
# GovData's harvester are deprecated in 3.0.
EXPECTED_WARNINGS = {"dcatde:contributorID", "dcatde:politicalGeocodingURI", "dcatde:maintainer",
                     "dcatde:originator"}


def graph_of(pkg):
    pkg = helpers.call_action("package_show", id=pkg["id"])
    return pkg, shacl.dataset_graph(pkg), URIRef(f"http://test.ckan.net/dataset/{pkg['id']}")


def violations(report, path=None):
    return [r for r in report["results"] if r["severity"] == "violation" and (path is None or r["path"] == path)]


def test_a_full_dataset_conforms(admin, org):
    pkg, graph, _ = graph_of(full(admin, org))
    report = shacl.validate_graph(graph)
    assert report["violations"] == 0, violations(report)
    assert {r["path"] for r in report["results"]} == EXPECTED_WARNINGS


def test_a_minimal_dataset_conforms_with_the_organisations_contact(admin, org):
    pkg, graph, ref = graph_of(create(admin, org))
    report = shacl.validate_graph(graph)
    assert report["violations"] == 0, violations(report)
    contact = graph.value(ref, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:umwelt@jena.example")
    assert str(graph.value(contact, VCARD.fn)) == "Umweltamt Jena"
    # The organisation is the publisher, a local authority.
    publisher = graph.value(ref, DCT.publisher)
    assert str(graph.value(publisher, FOAF.name)) == "Umweltamt Jena"
    assert graph.value(publisher, DCT.type) == URIRef("http://purl.org/adms/publishertype/LocalAuthority")


def test_an_uploaded_file_is_a_download(admin, org, create_with_upload):
    pkg = create(admin, org)
    create_with_upload(b"baum_id,art\n1,Linde\n", "baeume.csv", package_id=pkg["id"], format="CSV",
                       context={"user": admin["name"]})
    pkg, graph, ref = graph_of(pkg)
    distribution = graph.value(ref, DCAT.distribution)
    assert graph.value(distribution, DCAT.downloadURL) == URIRef(pkg["resources"][0]["url"])
    assert shacl.validate_graph(graph)["violations"] == 0


@pytest.mark.ckan_config("ckanext.jena.dcat.dcatde_2_properties", "false")
def test_without_the_2_0_properties_only_the_contributor_list_warns(admin, org):
    pkg, graph, ref = graph_of(full(admin, org))
    report = shacl.validate_graph(graph)
    assert report["violations"] == 0 and {r["path"] for r in report["results"]} == {"dcatde:contributorID"}
    assert (ref, DCATDE.politicalGeocodingURI, None) not in graph
    assert (ref, DCT.spatial, URIRef(JENA)) in graph
    assert (ref, GEODCATAP.custodian, None) in graph and (ref, DCATDE.maintainer, None) not in graph


def test_controlled_values_are_uris(admin, org):
    pkg, graph, ref = graph_of(full(admin, org))
    assert (ref, DCAT.theme, URIRef(EU + "data-theme/ENVI")) in graph
    assert (ref, DCT.accrualPeriodicity, URIRef(EU + "frequency/ANNUAL")) in graph
    assert (ref, DCT.language, URIRef(EU + "language/DEU")) in graph
    assert (ref, DCT.accessRights, URIRef(EU + "access-right/PUBLIC")) in graph
    by_name = {r["name"]: URIRef(resource_uri(r)) for r in pkg["resources"]}
    csv, geojson = by_name["baeume.csv"], by_name["baeume.geojson"]
    assert graph.value(csv, DCT["format"]) == URIRef(EU + "file-type/CSV")
    assert graph.value(csv, DCAT.mediaType) == URIRef(IANA + "text/csv")
    assert graph.value(geojson, DCAT.mediaType) == URIRef(IANA + "application/geo+json")
    assert graph.value(by_name["Karte (WMS)"], DCAT.mediaType) == URIRef(IANA + "image/png")
    # A resource's own licence overrides the dataset's, as a DCAT-AP.de URI.
    assert graph.value(geojson, DCT.license) == URIRef("http://dcat-ap.de/def/licenses/dl-zero-de/2.0")
    assert graph.value(csv, DCT.license) == URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")


def test_files_are_downloads_and_ogc_links_are_data_services(admin, org):
    pkg, graph, ref = graph_of(full(admin, org))
    by_name = {r["name"]: URIRef(resource_uri(r)) for r in pkg["resources"]}
    assert graph.value(by_name["baeume.csv"], DCAT.downloadURL) == URIRef("https://daten.jena.example/baeume.csv")
    for name, service, endpoint in (("WMS-Dienst", "WMS", "https://geo.jena.example/wms"),
                                    ("Karte (WMS)", "WMS", "https://geo.jena.example/wms"),
                                    ("WFS-Dienst", "WFS", "https://geo.jena.example/wfs")):
        distribution = by_name[name]
        assert (distribution, DCAT.downloadURL, None) not in graph
        node = graph.value(distribution, DCAT.accessService)
        assert (node, RDF.type, DCAT.DataService) in graph
        assert graph.value(node, DCAT.endpointURL) == URIRef(endpoint)
        description = str(graph.value(node, DCAT.endpointDescription))
        assert f"SERVICE={service}" in description and "REQUEST=GetCapabilities" in description
        assert "BBOX" not in description
        assert graph.value(node, DCT.publisher) == graph.value(ref, DCT.publisher)
        assert graph.value(node, DCAT.servesDataset) == ref


def test_the_extent_is_a_bounding_box(admin, org):
    triangle = '{"type": "Polygon", "coordinates": [[[11.5, 50.9], [11.6, 50.9], [11.55, 50.95], [11.5, 50.9]]]}'
    pkg, graph, ref = graph_of(create(admin, org, spatial=triangle))
    location = next(o for o in graph.objects(ref, DCT.spatial) if isinstance(o, BNode))
    assert str(graph.value(location, DCAT.bbox)).startswith("POLYGON ((11.5 50.9, 11.6 50.9")
    geometry = graph.value(location, URIRef("http://www.w3.org/ns/locn#geometry"))
    assert isinstance(geometry, BNode)   # the triangle itself, as a locn:Geometry node
    assert shacl.validate_graph(graph)["violations"] == 0


# ---- each added property against GovData's valid and invalid test graphs ----------

def _swap(graph, subject, predicate, value):
    bad = Graph()
    bad += graph
    bad.remove((subject, predicate, None))
    bad.add((subject, predicate, value))
    return shacl.validate_graph(bad)


def _kind(graph, node):
    if isinstance(node, Literal):
        return ("literal", node.datatype)
    return ("node", frozenset(graph.objects(node, RDF.type)) & {FOAF.Agent, SPDX.Checksum})


def _govdata(name, local, predicate):
    graph = govdata(name)
    subject = next(s for s in graph.subjects() if str(s).endswith(local))
    return graph, graph.value(subject, predicate)


@pytest.mark.parametrize("name,predicate,valid,invalid,on", [
    ("dataset-contributorID.ttl", DCATDE.contributorID, "01-P-working", "03-F-contributorID_wrong_type", "dataset"),
    ("dataset-politicalGeocodingLevelURI.ttl", DCATDE.politicalGeocodingLevelURI, "01-P-working",
     "04-F-politicalGeocodingLevelURI_wrong_type", "dataset"),
    ("distribution-licenseAttributionByText.ttl", DCATDE.licenseAttributionByText, "01-P-working",
     "04-F-wrong_typ", "distribution"),
    ("dataset-originator-maintainer-contributor-creator.ttl", GEODCATAP.originator, "01-P-working",
     "05-Fs-wrong_type_1", "dataset"),
    ("dataset-originator-maintainer-contributor-creator.ttl", GEODCATAP.custodian, "01-P-working",
     "05-Fs-wrong_type_1", "dataset"),
])
def test_added_property_as_govdata_tests_it(admin, org, name, predicate, valid, invalid, on):
    pkg, graph, ref = graph_of(full(admin, org))
    subject = ref if on == "dataset" else graph.value(ref, DCAT.distribution)
    ours = graph.value(subject, predicate)
    assert ours is not None
    # GovData writes the 2.0 agents as dcatde:originator/maintainer; 3.0 moved them.
    legacy = {GEODCATAP.originator: DCATDE.originator, GEODCATAP.custodian: DCATDE.maintainer}
    govdata_graph, good = _govdata(name, valid, legacy.get(predicate, predicate))
    assert _kind(graph, ours) == _kind(govdata_graph, good)
    assert not violations(shacl.validate_graph(graph), qname(predicate))
    _, bad = _govdata(name, invalid, legacy.get(predicate, predicate))
    report = _swap(graph, subject, predicate, bad)
    found = violations(report, qname(predicate))
    assert found and all(r["messages"]["de"] for r in found), report["results"]


def test_checksum_as_govdata_tests_it(admin, org):
    pkg, graph, ref = graph_of(full(admin, org))
    csv = URIRef(resource_uri(next(r for r in pkg["resources"] if r["name"] == "baeume.csv")))
    node = graph.value(csv, SPDX.checksum)
    govdata_graph, good = _govdata("distribution-checksum.ttl", "01-P-working", SPDX.checksum)
    assert _kind(graph, node) == _kind(govdata_graph, good) == ("node", frozenset({SPDX.Checksum}))
    assert graph.value(node, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    value = graph.value(node, SPDX.checksumValue)
    assert value.datatype == XSD.hexBinary == govdata_graph.value(good, SPDX.checksumValue).datatype
    assert str(value) == "0f" * 32        # the hex alone, not "sha256:…"
    assert not [r for r in shacl.validate_graph(graph)["results"] if r["path"].startswith("spdx:")]
    # GovData's algorithm outside the list: a warning.
    other_graph, other = _govdata("distribution-checksum.ttl", "02-I-not_in_list", SPDX.checksum)
    report = _swap(graph, node, SPDX.algorithm, other_graph.value(other, SPDX.algorithm))
    assert {r["severity"] for r in report["results"] if r["path"] == "spdx:algorithm"} == {"warning"}
    # What ckanext-dcat's euro profile wrote before: "sha256:…" as hexBinary, no algorithm.
    before = Graph()
    before += graph
    before.remove((node, SPDX.algorithm, None))
    before.remove((node, SPDX.checksumValue, None))
    before.add((node, SPDX.checksumValue, Literal("sha256:" + "0f" * 32, datatype=XSD.hexBinary)))
    report = shacl.validate_graph(before)
    assert {r["path"] for r in violations(report)} == {"spdx:algorithm", "spdx:checksumValue"}


def test_political_geocoding_as_govdata_tests_it(admin, org):
    pkg, graph, ref = graph_of(full(admin, org))
    govdata_graph, good = _govdata("dataset-politicalGeocodingURI.ttl", "01-P-working_district",
                                   DCATDE.politicalGeocodingURI)
    assert isinstance(good, URIRef) and graph.value(ref, DCATDE.politicalGeocodingURI) == URIRef(JENA)
    assert (ref, DCT.spatial, URIRef(JENA)) in graph and (URIRef(JENA), RDF.type, DCT.Location) in graph
    assert graph.value(ref, DCATDE.contributorID) == URIRef(CONTRIBUTOR)


# ---- back into our schema and the paged catalogue -------------------------------

def test_parsed_back_into_our_fields(admin, org):
    pkg, graph, ref = graph_of(full(admin, org))
    parser = RDFParser(profiles=["euro_dcat_ap_3", "dcat_ap_de"])
    parser.g = graph
    parsed = next(parser.datasets())
    for key in ("contributor_id", "political_geocoding_uri", "political_geocoding_level_uri",
                "license_attribution", "maintainer", "maintainer_email"):
        assert parsed[key] == pkg[key], key
    resources = {r["name"]: r for r in parsed["resources"]}
    assert resources["baeume.csv"]["format"] == "CSV"
    assert resources["baeume.csv"]["mimetype"] == "text/csv"
    assert resources["baeume.csv"]["hash"] == "sha256:" + "0f" * 32
    assert resources["baeume.geojson"]["license"] == "dl-zero-de/2.0"


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_catalogue_is_paged_and_conforms(app, admin, org):
    for name in ("alpha", "beta", "gamma"):
        full(admin, org, name=name)
    first = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    page = next(first.subjects(RDF.type, HYDRA.PagedCollection))
    assert str(first.value(page, HYDRA.totalItems)) == "3"
    assert "page=2" in str(first.value(page, HYDRA.nextPage))
    second = Graph().parse(data=app.get("/catalog.ttl?page=2").body, format="turtle")
    catalog = Graph()
    catalog += first
    catalog += second
    assert len(list(catalog.subjects(RDF.type, DCAT.Dataset))) == 3
    assert len(list(catalog.subjects(DCATDE.contributorID, URIRef(CONTRIBUTOR)))) == 3
    root = URIRef("http://test.ckan.net")
    assert (root, DCT.language, URIRef(EU + "language/DEU")) in catalog
    assert (root, DCT.publisher, None) in catalog
    report = shacl.validate_graph(catalog)
    assert report["violations"] == 0, violations(report)
    # One warning per dataset for a value they share (the contributor), not one per pair.
    assert report["warnings"] == 3 * len(EXPECTED_WARNINGS), report["results"]
    for suffix, rdf_format in ((".rdf", "xml"), (".jsonld", "json-ld")):
        other = Graph().parse(data=app.get("/catalog" + suffix).body, format=rdf_format)
        assert len(list(other.subjects(DCATDE.contributorID, URIRef(CONTRIBUTOR)))) == 2   # page 1


def test_the_demo_dataset_of_make_up_conforms(admin, org, create_with_upload):
    """What `jena-harvest seed-demo` publishes (bin/run), through our schema."""
    from harvesters.demo import DATASET, SAMPLE
    pkg = create(admin, org, **DATASET)
    with open(SAMPLE, "rb") as f:
        create_with_upload(f.read(), "baeume-demo.csv", package_id=pkg["id"], format="CSV",
                           mimetype="text/csv", hash="sha256:" + "ab" * 32,
                           rights="Datenlizenz Deutschland Namensnennung 2.0: Stadt Jena",
                           context={"user": admin["name"]})
    pkg, graph, ref = graph_of(pkg)
    report = shacl.validate_graph(graph)
    assert report["violations"] == 0, violations(report)
