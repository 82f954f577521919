"""Issue 13: what the dataset form and the API say about a steward's
spatial, title, name, date and e-mail input — one German message per
field, the typed value kept, nothing created that lacks its title."""
import json
import re

import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

JENA_POINT = {"type": "Point", "coordinates": [11.5892, 50.9271]}
UNCLOSED = {"type": "Polygon", "coordinates": [[[11.5, 50.9], [11.6, 50.9], [11.6, 51.0]]]}
TECHNICAL = ("Expecting", "delimiter", "np.", "numpy", "float", "GEOS", "IllegalArgument",
             "Missing value", "Date format", "Email", "Self-intersection")


def base(org, **fields):
    return {"name": "baeume", "title": "Bäume", "notes": "Alle Straßenbäume.",
            "owner_org": org["id"], **fields}


def errors(api, org, **fields):
    body = api("package_create", status=409, **base(org, **fields))
    assert body["error"]["__type"] == "Validation Error"
    return {k: v for k, v in body["error"].items() if k != "__type"}


def german(messages):
    text = json.dumps(messages, ensure_ascii=False)
    assert not any(t in text for t in TECHNICAL), text
    return text


# --- GeoJSON in the dataset's spatial field ----------------------------------

@pytest.mark.parametrize("geometry,expected", [
    ({"type": "Point", "coordinates": [681234, 5644321]}, "WGS 84"),
    ({"type": "Point", "coordinates": []}, "keine Koordinaten"),
    (UNCLOSED, "mindestens vier Positionen"),
    ({"type": "Polygon", "coordinates": [[[11.5, 50.9], [11.6, 50.9], [11.6, 51.0], [11.55, 51.0]]]},
     "nicht geschlossen"),
    ({"type": "Point", "coordinates": ["11,5", "50,9"]}, "zwei Zahlen"),
    ({"type": "LineString", "coordinates": [[11.5, 50.9]]}, "mindestens zwei Positionen"),
    ({"type": "Polygon", "coordinates": [[[11.5, 50.9], [11.6, 51.0], [11.6, 50.9], [11.5, 51.0],
                                          [11.5, 50.9]]]}, "kreuzt sich selbst"),
    ('{"type": "Point", "coordinates": [11.5 50.9]}', "kein GeoJSON"),
    ({"type": "Punkt", "coordinates": [11.5, 50.9]}, "Unbekannter Geometrietyp"),
])
def test_spatial_refuses_what_is_no_wgs84_geometry_in_german(api, org, geometry, expected):
    value = geometry if isinstance(geometry, str) else json.dumps(geometry)
    messages = errors(api, org, spatial=value)["spatial"]
    assert len(messages) == 1 and expected in messages[0], messages
    german(messages)


def test_spatial_takes_a_wgs84_point_and_jena(api, org):
    pkg = api("package_create", **base(org, spatial=json.dumps(JENA_POINT)))["result"]
    assert json.loads(pkg["spatial"]) == JENA_POINT


def test_the_form_refuses_an_unclosed_ring_and_keeps_it(app, org, as_steward):
    form = {"name": "ring", "title": "Ring", "notes": "x", "owner_org": org["id"],
            "spatial": json.dumps(UNCLOSED), "save": ""}
    response = app.post("/dataset/new", data=form, extra_environ=as_steward)
    assert "Der Polygonring braucht mindestens vier Positionen" in response.body
    assert "[11.6, 51.0]]]" in response.body  # the typed text is still in the field
    assert not helpers.call_action("package_search", q="name:ring", include_private=True)["count"]


# --- Title and name ----------------------------------------------------------

def test_an_empty_title_is_reported_as_missing_title_not_url(api, org):
    found = errors(api, org, title="", name="")
    assert list(found) == ["title"]
    assert found["title"] == ["Bitte geben Sie dem Datensatz einen Titel."]


def test_the_api_creates_no_dataset_without_title(api, org):
    assert list(errors(api, org, title="   ")) == ["title"]
    body = api("package_create", status=409, name="ohne-titel", notes="x", owner_org=org["id"])
    assert "title" in body["error"]
    assert not helpers.call_action("package_search", q="name:ohne-titel", include_private=True)["count"]


def test_the_form_without_title_says_so(app, org, as_steward):
    form = {"name": "", "title": "", "notes": "x", "owner_org": org["id"], "save": ""}
    body = app.post("/dataset/new", data=form, extra_environ=as_steward).body
    assert re.search(r"Titel:\s+Bitte geben Sie dem Datensatz einen Titel\.", body)
    assert "URL: Fehlender Wert" not in body


@pytest.mark.parametrize("title,name", [("Straßenbäume", "strassenbaeume"),
                                        ("Grünflächen", "gruenflaechen"),
                                        ("Öffentliche Toiletten – Übersicht", "oeffentliche-toiletten-uebersicht")])
def test_the_server_makes_german_names_from_titles(api, org, title, name):
    data = base(org, title=title)
    del data["name"]
    assert api("package_create", **data)["result"]["name"] == name


def test_the_form_without_javascript_gets_the_german_name(app, org, as_steward):
    form = {"name": "", "title": "Straßenbäume", "notes": "x", "owner_org": org["id"], "save": ""}
    response = app.post("/dataset/new", data=form, extra_environ=as_steward, follow_redirects=False)
    assert response.status_code == 302
    assert "/dataset/strassenbaeume" in response.headers["Location"]


@pytest.mark.parametrize("form", ["/dataset/new", "/organization/new"])
def test_the_forms_load_the_german_slug_script(app, org, form):
    sysadmin = factories.Sysadmin()
    html = app.get(form, extra_environ={"REMOTE_USER": sysadmin["name"]}).body
    assert "_slug_de.js" in html
    assert 'data-module="slug-preview-slug"' in html


# --- Dates -------------------------------------------------------------------

@pytest.mark.parametrize("field,value", [("issued", "31.05.2024"), ("modified", "2024-02-30")])
def test_a_bad_date_gets_one_german_error(api, org, field, value):
    messages = errors(api, org, **{field: value})[field]
    assert len(messages) == 1, messages
    german(messages)


def test_a_bad_period_date_gets_one_german_error(api, org):
    found = errors(api, org, temporal_coverage=[{"start": "Mai 2024", "end": "2024-13-01"}])
    messages = found["temporal_coverage"][0]
    assert [len(messages["start"]), len(messages["end"])] == [1, 1], messages
    german(messages)


def test_a_bad_date_typed_in_the_form_is_shown_again_with_its_error(app, org, as_steward):
    form = {"name": "datum", "title": "Datum", "notes": "x", "owner_org": org["id"],
            "issued": "31. Mai 2024", "temporal_coverage-0-start": "Mai 2024", "save": ""}
    body = app.post("/dataset/new", data=form, extra_environ=as_steward).body
    assert 'value="31. Mai 2024"' in body
    # as text: a browser's date input shows nothing of a value it cannot read
    assert re.search(r'<input id="field-issued" type="text"', body)
    assert 'value="Mai 2024"' in body
    assert "Bitte das Datum als JJJJ-MM-TT (ISO 8601) angeben" in body


def test_good_dates_are_kept(api, org):
    pkg = api("package_create", **base(org, issued="2024-05-31", modified="2024",
                                        temporal_coverage=[{"start": "2023-01-01", "end": "2023-12"}]))["result"]
    assert (pkg["issued"], pkg["modified"]) == ("2024-05-31", "2024")


# --- E-mail addresses --------------------------------------------------------

@pytest.mark.parametrize("fields,path", [
    ({"maintainer_email": "gruen@jena"}, ("maintainer_email",)),
    ({"contact": [{"name": "Grün", "email": "gruen@jena"}]}, ("contact", 0, "email")),
    ({"publisher": [{"name": "Stadt", "email": "stadt@"}]}, ("publisher", 0, "email")),
])
def test_an_address_without_a_dot_in_its_domain_is_refused(api, org, fields, path):
    found = errors(api, org, **fields)
    for step in path:
        found = found[step]
    assert found == ["Bitte eine vollständige E-Mail-Adresse mit Domain angeben, z. B. gruen@jena.de"]


def test_full_addresses_pass(api, org):
    pkg = api("package_create", **base(org, maintainer_email="gruen@jena.de",
                                        contact=[{"name": "Team", "email": "umwelt.team@stadt.jena.de"}]))
    assert pkg["result"]["maintainer_email"] == "gruen@jena.de"
