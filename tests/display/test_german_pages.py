"""German dataset and resource pages, activity and feeds (issue 13): what a
visitor of a realistic harvested dataset reads is German, with labels where
URIs are stored, decimal commas, German dates in the portal's time zone, no
raw GeoJSON and none of CKAN's bookkeeping rows."""
import html as htmllib
import json
import re

import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

EU = "http://publications.europa.eu/resource/authority/"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/16053000"


@pytest.fixture
def dataset(admin):
    """A tree register as the harvesters publish it, with a CSV resource."""
    org = factories.Organization(user=admin, name="stadt-jena", title="Stadt Jena")
    pkg = helpers.call_action(
        "package_create", {"user": admin["name"]},
        name="baumkataster", title="Baumkataster Jena", owner_org=org["id"],
        notes="Alle Straßenbäume der Stadt Jena.", license_id="dl-by-de/2.0",
        tags=[{"name": "Bäume"}], theme=[EU + "data-theme/ENVI"],
        frequency=EU + "frequency/ANNUAL",
        temporal_coverage=[{"start": "2023-01-01", "end": "2023-12-31"}],
        contact=[{"name": "Team Offene Daten", "email": "opendata@jena.example"}],
        publisher=[{"name": "Stadt Jena", "url": "https://www.jena.de"}],
        issued="2024-03-05", political_geocoding_uri=GEOCODING,
        update_method="harvested", harvest_status="ok",
        harvest_message="Seit dem letzten Abgleich: 3 neu",
        harvest_time="2026-11-30T23:15:00+00:00",
        source_system="Baumkataster", positional_accuracy="± 1 m",
        resources=[{"name": "baeume.csv", "url": "https://daten.jena.example/baeume.csv",
                    "format": "CSV", "mimetype": "text/csv", "size": 3361,
                    "table_schema": json.dumps({"fields": [{"name": "baum_id", "type": "integer"},
                                                           {"name": "gattung", "type": "string"}]})}])
    return pkg


def _text(html: str) -> str:
    """What the reader sees: the page's text without tags, scripts and styles."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", html)))


def _section(html: str, start: str, end: str = "</table>") -> str:
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


def test_dataset_page_speaks_german(app, dataset, token):
    html = app.get("/dataset/baumkataster", headers={"Authorization": token}).body
    text = _text(html)
    # CKAN's follow button is plain English text in its template
    assert "Folgen" in text
    assert not re.search(r"\bFollow\b", text)
    info = _text(_section(html, 'class="additional-info"'))
    # the last harvest as a sentence, the time in Europe/Berlin, the state's label
    assert "Am 1. Dezember 2026, 00:15 Uhr: erfolgreich. Seit dem letzten Abgleich: 3 neu" in info
    assert "2026-11-30" not in info and "T23:15" not in info
    assert "5. März 2024" in info
    assert "Status aktiv" in info and "active" not in info


def test_dataset_page_shows_labels_not_uris(app, dataset):
    html = app.get("/dataset/baumkataster").body
    table = _section(html, 'class="additional-info"')
    info = _text(table)
    assert "Jena (Gemeindeschlüssel 16053000)" in info
    assert "Umwelt" in info and "jährlich" in info and "Deutsch" in info
    # the URIs stay as link targets, never as the text
    assert f'href="{GEOCODING}"' in table
    assert f'href="{EU}data-theme/ENVI"' in table
    assert "http://" not in info.replace("https://www.jena.de", "")


def test_dataset_page_hides_empty_rows_and_raw_geojson(app, dataset):
    table = _section(app.get("/dataset/baumkataster").body, 'class="additional-info"')
    info = _text(table)
    # the default extent is stored, but as a map, not as text
    assert "coordinates" not in info and "Polygon" not in info
    assert "Räumlicher Bezug" not in info
    # fields without a value get no row, a publisher without URI no "URI" line
    for label in ("Bekannte Einschränkungen", "Herkunft", "Urheber", "Vollständigkeit",
                  "Verwaltet von", "Entspricht Standard"):
        assert label not in info, label
    assert " URI " not in info
    # one period of time is not numbered "Zeitraum 1"
    assert "Zeitraum 1" not in info and "Beginn 1. Januar 2023" in info


def test_quality_numbers_have_decimal_commas(app, dataset):
    panel = _text(_section(app.get("/dataset/baumkataster").body, 'id="metadata-quality"',
                           "</section>"))
    assert re.search(r"\d+,\d/\d+", panel), panel
    assert not re.search(r"\d+\.\d/\d+", panel), panel


def test_quality_overview_average_has_decimal_comma(app, admin, dataset):
    helpers.call_action("package_create", {"user": admin["name"]}, name="mager",
                        title="Mager", notes="Wenig.", owner_org=dataset["owner_org"])
    text = _text(app.get("/qualitaet").body)
    averages = re.findall(r"im Durchschnitt (\S+) Punkte", text)
    assert averages and "," in averages[0] and "." not in averages[0], text[:400]


def test_resource_page_shows_only_meaningful_rows(app, dataset, token):
    res = dataset["resources"][0]
    html = app.get(f"/dataset/baumkataster/resource/{res['id']}",
                   headers={"Authorization": token}).body
    info = _text(html[html.index("Zusätzliche Informationen"):])
    for raw in ("Has views", "Package id", "Url type", "Datastore active", "Position",
                "Mimetype", "State", "False"):
        assert raw not in info, raw
    assert "3.361 Byte (3,2 KiB)" in info
    assert f"Kennung der Ressource (ID) {res['id']}" in info
    assert re.search(r"Erstellt \d{1,2}\. \w+ \d{4}, \d\d:\d\d Uhr", info), info[:600]
    # the Table Schema as its columns, not as JSON
    assert "2 Spalten: baum_id, gattung" in info and '"fields"' not in info
    # empty schema fields get no row
    for label in ("Abweichende Lizenz", "Rechtehinweis", "Zugangs-URL", "Art der Ressource"):
        assert label not in info, label


def test_activity_filter_in_german(app, dataset, token):
    text = _text(app.get("/dataset/activity/baumkataster", headers={"Authorization": token}).body)
    assert "Neuer Datensatz" in text and "Datensatz gefolgt" in text
    assert "New Package" not in text and "Follow Dataset" not in text


def test_atom_feed_is_german(app, dataset):
    xml = app.get("/feeds/dataset.atom").body
    assert 'xml:lang="de"' in xml
    assert "<subtitle>Neue und geänderte Datensätze auf Offene Daten Jena (Test)</subtitle>" in xml
    assert "Recently created" not in xml


def test_atom_feed_of_a_search_is_german_and_links_it(app, dataset):
    xml = app.get("/feeds/custom.atom?q=Baum").body
    assert 'xml:lang="de"' in xml
    assert "zur Suche „Baum“" in xml and "Custom query" not in xml
    # CKAN writes its paging and search links as "?query=KEY&query=VALUE"
    assert "query=" not in xml
    assert 'href="/dataset/?q=Baum" rel="alternate"' in xml


def test_atom_feed_in_english_for_english_pages(app, dataset):
    xml = app.get("/en/feeds/dataset.atom").body
    assert 'xml:lang="en"' in xml and "New and changed datasets" in xml


def test_activity_changes_name_fields_by_label(app, admin, dataset, token):
    helpers.call_action("package_patch", {"user": admin["name"]}, id="baumkataster",
                        positional_accuracy="± 2 m", harvest_status="failed")
    activity = helpers.call_action("package_activity_list", id="baumkataster")[0]
    text = _text(app.get(f"/dataset/changes/{activity['id']}",
                         headers={"Authorization": token}).body)
    assert "Wert des Feldes Lagegenauigkeit geändert zu ± 2 m" in text
    assert "Wert des Feldes Letzter Abgleich geändert zu fehlgeschlagen" in text
    assert "positional_accuracy geändert" not in text and "zu failed" not in text
    # CKAN's catalogue says "Auf <date>" for "On <date>"
    assert re.search(r"\bAm \d{1,2}\. \w+ \d{4}", text)
    assert not re.search(r"\bAuf \d{1,2}\.", text)
    assert "Änderungen anzeigen von" in text and "View changes" not in text
    assert "Unterschiede der Metadaten anzeigen" in text and "metadata diff" not in text
