"""The DCAT-AP catalogue harvester (kind dcat_catalog) against catalogues on
loopback: GovData's test graphs, paged with Hydra as ckanext-dcat and piveau
page them, and our own export (a round trip)."""
import os

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from ckan.tests import factories, helpers

from harvesters import runner

# GovData's test graphs, vendored with the others (CC0; schemas/shacl/README.md).
SHACL_CASES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "dcat", "testcases")

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def catalogue(pages):
    """Hydra pages: [(path, turtle without paging, next path or None)]."""
    out = {}
    for path, body, following in pages:
        paging = b""
        if following:
            paging = (f'\n<{path}> a <http://www.w3.org/ns/hydra/core#PagedCollection> ; '
                      f'<http://www.w3.org/ns/hydra/core#next> <{following}> .\n').encode()
        out[path] = (body + paging, "text/turtle")
    return out


def config(url, **extra):
    return dict({"kind": "dcat_catalog", "organization": "import-org", "url": url, "timeout": 2,
                 "attempts": 1, "backoff": 0.01}, **extra)


def harvest(cfg, out, ckan, name="katalog"):
    return runner.run([name], {name: cfg}, str(out), ckan)


def by_title():
    found = helpers.call_action("package_search", q="*:*", include_private=True, rows=100)["results"]
    return {p["title"]: p for p in found if p["organization"]["name"] == "import-org"}


def _page_two(base):
    return f"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<{base}/ds/3> a dcat:Dataset ; dct:title "Spielplätze Weimar"@de ; dct:description "Alle Spielplätze."@de ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/EDUC>,
             <http://example.org/theme/unbekannt> ;
  dcat:distribution <{base}/dist/3> .
<{base}/dist/3> a dcat:Distribution ; dct:title "Spielplätze (CSV)" ;
  dcat:downloadURL <{base}/files/spielplaetze.csv> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
  dct:license <http://dcat-ap.de/def/licenses/dl-zero-de/2.0> .
""".encode()


@pytest.fixture
def page_two(loopback, harvester_portal):
    """Page two's catalogue alone at /c.ttl: (routes, its source's config,
    the harvesters' LocalCKAN, their user)."""
    routes, base = loopback
    ckan, user = harvester_portal("import-org")
    routes.clear()
    routes["/c.ttl"] = (_page_two(base), "text/turtle")
    return routes, config(f"{base}/c.ttl"), ckan, user


def test_a_paged_catalogue_becomes_datasets_then_changes_are_followed(loopback, tmp_path, harvester_portal):
    routes, base = loopback
    ckan, _ = harvester_portal("import-org")
    with open(os.path.join(SHACL_CASES, "rewritten-example-advanced.ttl"), "rb") as f:
        first_page = f.read()
    routes.clear()
    routes.update(catalogue([(f"{base}/catalog.ttl", first_page, f"{base}/catalog.ttl?page=2"),
                             (f"{base}/catalog.ttl?page=2", _page_two(base), None)]))
    for key in list(routes):  # the loopback server matches paths
        routes[key[len(base):]] = routes.pop(key)
    cfg = config(f"{base}/catalog.ttl")

    results = harvest(cfg, tmp_path, ckan)
    assert [r["status"] for r in results] == ["ok"] * 3, results
    datasets = by_title()
    assert set(datasets) == {"Gebietsgrenzen Polizeikommissariate", "Badegewässer (Daten) Hamburg",
                             "Spielplätze Weimar"}
    bathing = datasets["Badegewässer (Daten) Hamburg"]
    assert bathing["license_id"] == "dl-by-de/2.0"
    assert bathing["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/ENVI"]
    assert bathing["contributor_id"] == "http://dcat-ap.de/def/contributors/transparenzportalHamburg"
    assert bathing["update_method"] == "harvested" and bathing["source_system"] == cfg["url"]
    links = {r["name"]: r for r in bathing["resources"]}
    assert links["Download Badegewässer (Daten) Hamburg, 2004-2013 (GML)"]["url"] == \
        "http://daten-hamburg.de/umwelt_klima/badegewaesser/Badegewaesser_HH_2004-2013.zip"
    # The source's own record stays with the dataset, as documentation.
    assert links["dcat-datensatz.ttl"]["resource_type"] == "documentation"
    # A theme outside the EU vocabulary is left out of the field and named on the dataset.
    weimar = datasets["Spielplätze Weimar"]
    assert weimar["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/EDUC"]
    assert "http://example.org/theme/unbekannt" in weimar["harvest_message"]
    assert weimar["license_id"] == "dl-zero-de/2.0"

    # Nothing changed at the source: nothing is written.
    again = harvest(cfg, tmp_path, ckan)
    assert [r["published"]["changed"] for r in again] == [False] * 3, again

    # Page two's dataset leaves the catalogue: withdrawn, not deleted; the others stay.
    routes["/catalog.ttl"] = catalogue([("/catalog.ttl", first_page, None)])["/catalog.ttl"]
    third = harvest(cfg, tmp_path, ckan)
    withdrawn = [r for r in third if r["status"] == "withdrawn"]
    assert [r["published"]["dataset"] for r in withdrawn] == [weimar["name"]]
    assert helpers.call_action("package_show", id=weimar["name"])["harvest_status"] == "withdrawn"


def test_a_catalogue_that_fails_keeps_the_last_good_datasets(page_two, tmp_path):
    routes, cfg, ckan, _ = page_two
    assert [r["status"] for r in harvest(cfg, tmp_path, ckan)] == ["ok"]
    name = next(iter(by_title().values()))["name"]
    for body, ctype, expected in [
            (b"<!doctype html><html><body>Wartung</body></html>", "text/html", "returned an HTML page"),
            (b"@prefix dcat: <http://www.w3.org/ns/dcat#> . <x> a dcat:Dataset ;;; broken", "text/turtle",
             "is not readable as turtle"),
            (b'{"@context": "http://10.0.0.1/context.jsonld", "@id": "x"}', "application/ld+json",
             "remote JSON-LD @context"),
            (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
             b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>',
             "application/rdf+xml", "declares entities")]:
        routes["/c.ttl"] = (body, ctype)
        results = harvest(cfg, tmp_path, ckan)
        assert [r["status"] for r in results] == ["failed"] and expected in results[0]["message"], results
        assert results[0]["message"].startswith("katalog:")
        pkg = helpers.call_action("package_show", id=name)
        assert pkg["title"] == "Spielplätze Weimar" and pkg["state"] == "active"
        assert pkg["harvest_status"] == "failed" and expected in pkg["harvest_message"]


def test_a_dataset_of_that_name_not_created_by_this_source_is_left_untouched(page_two, tmp_path):
    _, cfg, ckan, user = page_two
    # Which name the source's dataset gets: from a dry run.
    unit = runner.run(["katalog"], {"katalog": cfg}, str(tmp_path / "dry"), None, dry_run=True)[0]["source"]
    org = helpers.call_action("organization_show", id="import-org")
    factories.Dataset(name=unit, title="Eigener Datensatz", owner_org=org["id"], notes="Von Hand.",
                      user={"name": user["name"]})
    results = harvest(cfg, tmp_path, ckan)
    assert results[0]["status"] == "failed" and "was not harvested from" in results[0]["message"], results
    pkg = helpers.call_action("package_show", id=unit)
    assert pkg["title"] == "Eigener Datensatz" and not pkg.get("harvest_status")


def _properties(graph: Graph, node, skip: set) -> frozenset:
    """A node's description as nested values, blank nodes by their content."""
    out = set()
    for p, o in graph.predicate_objects(node):
        if str(p) in skip:
            continue
        if isinstance(o, BNode):
            o = _properties(graph, o, skip)
        elif isinstance(o, Literal):
            o = (str(o), o.language)
        out.add((str(p), o))
    return frozenset(out)


DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
# What a second portal says differently of the same dataset by nature: its
# own identifiers and pages, its own metadata dates; distributions compared apart.
PORTAL_OWN = {DCT + "identifier", DCAT + "landingPage", DCAT + "distribution", DCT + "issued", DCT + "modified",
              "http://www.w3.org/ns/adms#identifier", "http://xmlns.com/foaf/0.1/homepage"}


def _exported(app, name):
    graph = Graph().parse(data=app.get(f"/dataset/{name}.ttl").body, format="turtle")
    node = next(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(DCAT + "Dataset")))
    distributions = {}
    for dist in graph.objects(node, URIRef(DCAT + "distribution")):
        url = graph.value(dist, URIRef(DCAT + "downloadURL")) or graph.value(dist, URIRef(DCAT + "accessURL"))
        distributions[str(url)] = _properties(graph, dist, {DCT + "identifier", DCT + "issued", DCT + "modified"})
    return graph, _properties(graph, node, PORTAL_OWN), distributions


def test_round_trip_export_import_export_keeps_our_properties(app, loopback, tmp_path, harvester_portal):
    routes, base = loopback
    ckan, _ = harvester_portal("import-org")
    org = factories.Organization(name="stadt-jena")
    admin = factories.Sysadmin()
    original = helpers.call_action(
        "package_create", context={"user": admin["name"], "ignore_auth": True}, name="spielplaetze-jena", title="Spielplätze Jena", owner_org=org["id"],
        notes="Alle öffentlichen Spielplätze der Stadt Jena.", tag_string="Spielplatz,Freizeit",
        theme=["http://publications.europa.eu/resource/authority/data-theme/EDUC"],
        license_id="dl-by-de/2.0", frequency="http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        contributor_id="http://dcat-ap.de/def/contributors/stadtJena",
        contact=[{"name": "Fachdienst Jugend", "email": "jugend@jena.example"}],
        maintainer="Fachdienst Jugend", maintainer_email="jugend@jena.example",
        temporal_coverage=[{"start": "2020-01-01", "end": "2024-12-31"}],
        resources=[{"name": "Spielplätze (CSV)", "url": f"{base}/files/spielplaetze.csv", "format": "CSV",
                    "mimetype": "text/csv", "description": "Alle Spielplätze als Tabelle."}])
    _, before, before_dists = _exported(app, original["name"])
    # The comparison below covers what our schema says of a dataset.
    assert {DCAT + "theme", DCT + "accrualPeriodicity", DCAT + "contactPoint", DCT + "temporal", DCT + "title",
            DCT + "description", DCAT + "keyword", "http://dcat-ap.de/def/dcatde/contributorID",
            "http://dcat-ap.de/def/dcatde/politicalGeocodingURI", DCT + "publisher"} <= {p for p, _ in before}
    assert {DCAT + "downloadURL", DCT + "format", DCT + "license", DCAT + "mediaType"} <= \
        {p for p, _ in before_dists[f"{base}/files/spielplaetze.csv"]}

    routes.clear()
    routes["/export.ttl"] = (app.get(f"/dataset/{original['name']}.ttl").body.encode(), "text/turtle")
    results = harvest(config(f"{base}/export.ttl"), tmp_path, ckan)
    assert [r["status"] for r in results] == ["ok"], results
    imported = results[0]["published"]["dataset"]
    assert imported != original["name"]

    _, after, after_dists = _exported(app, imported)
    # What the import made passes the DCAT-AP.de shapes, as the original does.
    from ckanext.jena.dcat import job
    for name in (original["name"], imported):
        result = job.run(helpers.call_action("package_show", id=name)["id"])
        assert result["violations"] == 0, (name, result)
    assert before - after == set() and after - before == set(), (before ^ after)
    url = f"{base}/files/spielplaetze.csv"
    assert url in after_dists and after_dists[url] == before_dists[url], (after_dists[url] ^ before_dists[url])
