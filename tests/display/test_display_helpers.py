"""The formatting helpers behind the German pages (ckanext/jena/display.py)."""
import pytest

from ckanext.jena import display

pytestmark = pytest.mark.usefixtures("with_request_context")


def test_numbers_in_german():
    assert display.jena_number(11.4) == "11,4"
    assert display.jena_number(336.1) == "336,1"
    assert display.jena_number(3361) == "3.361"
    assert display.jena_number(0, 1) == "0,0"
    assert display.jena_number("11.4") == "11,4"
    assert display.jena_number("unbekannt") == "unbekannt"


@pytest.mark.ckan_config("ckan.display_timezone", "Europe/Berlin")
def test_dates_in_german_local_time():
    # CKAN's timestamps are UTC without offset; Berlin is an hour ahead in winter
    assert display.jena_datetime("2026-11-30T23:15:00") == "1. Dezember 2026, 00:15 Uhr"
    assert display.jena_datetime("2026-07-01T10:00:00+00:00") == "1. Juli 2026, 12:00 Uhr"
    assert display.jena_datetime("2024-03-05") == "5. März 2024"
    assert display.jena_datetime("2026-11-30T23:15:00", with_time=False) == "1. Dezember 2026"
    assert display.jena_datetime("bald") == "bald"


def test_terms_and_geocoding_labels():
    eu = "http://publications.europa.eu/resource/authority/"
    assert display.jena_term("data-themes", eu + "data-theme/ENVI") == {
        "label": "Umwelt", "uri": eu + "data-theme/ENVI"}
    assert display.jena_term_label("harvest-states", "ok") == "erfolgreich"
    assert display.jena_geocoding_label(
        "http://dcat-ap.de/def/politicalGeocoding/districtKey/16071") == "Kreisschlüssel 16071"


def test_empty_values_get_no_row():
    assert not display.jena_filled([{"name": "", "uri": None}])
    assert not display.jena_filled("  ")
    assert display.jena_filled([{"name": "Stadt Jena", "uri": ""}])
    assert display.jena_filled(0)
