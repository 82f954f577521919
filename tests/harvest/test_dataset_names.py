"""A dataset's name is its identity on the portal: a harvest that names it
differently publishes a second dataset beside the first. Issue 24 made the
three slug rules (GIS layers, DCAT titles, the portal's titles) one function,
etl/names.py; these are the names each rule gave before, pinned: the bundled
sample sources, and inputs where the three rules differ (accents, `_`, runs of
dashes, compatibility forms, names cut at their length)."""
import json

from harvesters import runner
from harvesters.kinds import configure, kind_of
from harvesters.samples import mapserver_cgi

from ..loopback import serve

SAMPLE_NAMES = {
    "jena": ["baumkataster-jena"],
    "leipzig": ["baumkataster-leipzig"],
    "jena-luftdaten": ["sensordaten-jena-luftdaten"],
    "datenportal-jena": ["datenportal-jena-einwohner-nach-stadtbezirken-705e4ad7",
                         "datenportal-jena-haltestellen-des-nahverkehrs-1046f513",
                         "datenportal-jena-stadtratswahl-2024-ergebnisse-nach-wahlbezirken-d16fdba9"],
}
LAYERS = ["gruenflaechen", "haltestellen", "radwege", "spielplaetze", "stadtteile"]  # intern_* excluded

TITLES = ["Straßenbäume", "Café am Markt", "Bäume_2024 - Jena", "ﬁsche №5 ™", "ÄÖÜ ẞ äöü ß", "Ga\u0308rten",
          "Łódź / Kraków", "日本", "  -Spiel-plätze-  ", "x" * 58 + "-yz", "Haltestellen (ÖPNV) – Stand 2024"]
IDS = ["Bäume_2024 - Jena", "a--b__c", "Café", "ms:baeume", "Ga\u0308rten", "x" * 82 + "-yz", "y" * 100, "intern_x"]


def dataset_names(source, raw):
    config = configure(source, raw)
    return [unit.dataset for unit in kind_of(config).units(source, config)]


def test_the_bundled_register_feed_and_catalogue_keep_their_names():
    config = runner.load_config()
    assert {source: dataset_names(source, config[source]) for source in SAMPLE_NAMES} == SAMPLE_NAMES


def test_the_sample_services_layers_keep_their_names():
    config = runner.load_config()
    with mapserver_cgi.serve() as base:
        wfs = dict(config["geodaten-jena"], wfs=f"{base}/ows/jena", wms=f"{base}/ows/jena", attempts=1)
        api = dict(config["geodaten-jena-ogcapi"], url=f"{base}/ows/jena/ogcapi", attempts=1)
        assert sorted(dataset_names("geodaten-jena", wfs)) == [f"geodaten-jena-{layer}" for layer in LAYERS]
        assert sorted(dataset_names("geodaten-jena-ogcapi", api)) == [f"geodaten-jena-ogcapi-{layer}"
                                                                      for layer in LAYERS]


def test_catalogue_titles_keep_their_names(tmp_path):
    # Sorted by the records' URIs (ds/10 before ds/2); `_` and the capitals of № and ™ drop out.
    path = tmp_path / "katalog.ttl"
    records = "".join(f"<http://example.org/ds/{i}> a dcat:Dataset ; dct:title {json.dumps(title)}@de .\n"
                      for i, title in enumerate(TITLES))
    path.write_text("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
                    + records, encoding="utf-8")
    assert dataset_names("katalog", {"kind": "dcat_catalog", "organization": "o", "url": f"file:{path}"}) == [
        "katalog-strassenbaeume-6e8fa0eb", "katalog-cafe-am-markt-a32889a9",
        "katalog-haltestellen-oepnv-stand-2024-110f8f88", "katalog-baeume-2024-jena-8311c69b",
        "katalog-fische-o5-a8d298ab", "katalog-aeoeue-ss-aeoeue-ss-297ef416", "katalog-garten-8ed556d0",
        "katalog-odz-krakow-902b3776", "katalog-datensatz-1989dd5e", "katalog-spiel-plaetze-d7b2f3cd",
        "katalog-" + "x" * 58 + "-y-4270cbbb"]


def test_collection_ids_keep_their_names():
    # Layer names keep `_` and runs of dashes, do not fold accents (é and a combining
    # umlaut become dashes) and are cut at 90 without stripping the dash left there.
    landing = json.dumps({"title": "Dienst", "links": []}).encode()
    listing = json.dumps({"collections": [{"id": i} for i in IDS]}).encode()
    routes = {"/oapi*": lambda path: (listing if "/collections" in path else landing, "application/json")}
    with serve(routes) as base:
        names = dataset_names("dienst", {"kind": "ogcapi_features", "organization": "o", "url": f"{base}/oapi",
                                         "exclude": ["intern_*"], "attempts": 1})
    assert names == ["dienst-baeume_2024---jena", "dienst-a--b__c", "dienst-caf", "dienst-ms-baeume",
                     "dienst-ga-rten", "dienst-" + "x" * 82 + "-", "dienst-" + "y" * 83]


def test_portal_titles_keep_their_names():
    from ckanext.jena.names import name_from_title
    assert [name_from_title(t) for t in TITLES + IDS] == [
        "strassenbaeume", "cafe-am-markt", "baeume_2024-jena", "fische-no5-tm", "aeoeue-ss-aeoeue-ss", "garten",
        "odz-krakow", "", "spiel-plaetze", "x" * 58 + "-yz", "haltestellen-oepnv-stand-2024",
        "baeume_2024-jena", "a-b__c", "cafe", "ms-baeume", "garten", "x" * 82 + "-yz", "y" * 100, "intern_x"]
