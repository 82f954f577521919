"""The DCAT-AP.de dataset schema: defaults, vocabularies, validators, the
steward's form and the API's field errors."""
import json

import pytest

from ckan.tests import factories, helpers
import ckan.logic as logic

EU = "http://publications.europa.eu/resource/authority/"
JENA_KEY = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/16053000"

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def org():
    return factories.Organization(contributor_id="http://dcat-ap.de/def/contributors/stadtJena")


def create(user, org, **fields):
    data = {"name": "baeume", "title": "Bäume", "notes": "Alle Straßenbäume.", "owner_org": org["id"]}
    data.update(fields)
    return helpers.call_action("package_create", {"user": user["name"], "ignore_auth": False}, **data)


@pytest.fixture
def errors_of(app, steward, org):
    """Field errors of a package_create through the HTTP API, as a client
    (and the German-speaking steward) sees them."""
    token = helpers.call_action("api_token_create", {"user": steward["name"]},
                                user=steward["name"], name="t")["token"]

    def post(**fields):
        data = {"name": "baeume", "title": "Bäume", "notes": "Alle Straßenbäume.",
                "owner_org": org["id"], **fields}
        response = app.post("/api/3/action/package_create", headers={"Authorization": token},
                            json=data, status=409)
        assert response.json["error"]["__type"] == "Validation Error"
        return response.json["error"]
    return post


def test_defaults_for_a_dataset_of_jena(steward, org):
    pkg = create(steward, org)
    assert pkg["license_id"] == "dl-by-de/2.0"
    assert pkg["license_title"] == "Datenlizenz Deutschland Namensnennung 2.0"
    assert pkg["political_geocoding_uri"] == JENA_KEY
    assert pkg["political_geocoding_level_uri"] == "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
    assert pkg["language"] == [EU + "language/DEU"]
    assert pkg["access_rights"] == EU + "access-right/PUBLIC"
    assert json.loads(pkg["spatial"])["type"] == "Polygon"
    assert pkg["contributor_id"] == "http://dcat-ap.de/def/contributors/stadtJena"
    assert pkg["update_method"] == "manual"


def test_vocabulary_values_given_by_id_uri_or_label_are_stored_as_uri(steward, org):
    pkg = create(steward, org, theme=["ENVI", EU + "data-theme/TRAN", "Bildung, Kultur und Sport"],
                 frequency="monthly",
                 resources=[{"url": "http://x.example/b.geojson", "format": "GeoJSON",
                             "mimetype": "application/geo+json"}])
    # scheming keeps the vocabulary's order
    assert pkg["theme"] == [EU + "data-theme/EDUC", EU + "data-theme/ENVI", EU + "data-theme/TRAN"]
    assert pkg["frequency"] == EU + "frequency/MONTHLY"
    assert pkg["resources"][0]["format"] == "GEOJSON"


@pytest.mark.parametrize("fields,field,message", [
    ({"theme": ["Bäume"]}, "theme", "ist nicht im Vokabular"),
    ({"license_id": "cc-by-nc"}, "license_id", "ist nicht im Vokabular"),
    ({"frequency": "sometimes"}, "frequency", "ist nicht im Vokabular"),
    ({"issued": "31.05.2024"}, "issued", "JJJJ-MM-TT"),
    ({"issued": "2024-02-30"}, "issued", "kein Kalenderdatum"),
    ({"spatial": "{\"type\": \"Point\"}"}, "spatial", "keine Koordinaten"),
    ({"spatial": "{\"type\": \"Point\", \"coordinates\": [681000, 5645000]}"}, "spatial", "WGS 84"),
    ({"spatial": json.dumps({"type": "Polygon", "coordinates": [[[11.59, 50.91], [11.61, 50.93], [11.61, 50.91],
                                                                [11.59, 50.93], [11.59, 50.91]]]})},
     "spatial", "kreuzt sich selbst"),
    ({"political_geocoding_uri": "Jena"}, "political_geocoding_uri", "http://"),
    ({"conforms_to": ["keine URI"]}, "conforms_to", "http://"),
])
def test_wrong_values_get_german_field_errors(errors_of, fields, field, message):
    errors = errors_of(**fields)
    assert field in errors, errors
    assert message in json.dumps(errors[field], ensure_ascii=False)


def test_temporal_end_not_before_start(errors_of, steward, org):
    errors = errors_of(temporal_coverage=[{"start": "2024-06-01", "end": "2024-01-01"}])
    assert "Ende darf nicht vor dem Beginn" in json.dumps(errors, ensure_ascii=False)
    pkg = create(steward, org, temporal_coverage=[{"start": "2024-01-01", "end": "2024-06-01"}])
    assert pkg["temporal_coverage"][0]["end"] == "2024-06-01"


def test_contact_email_is_checked(errors_of):
    errors = errors_of(contact=[{"name": "Team", "email": "kein-at-zeichen"}])
    assert "contact" in errors


def test_table_schema_is_checked(errors_of):
    errors = errors_of(resources=[{"url": "http://x.example/a.csv", "format": "CSV",
                                                 "table_schema": '{"fields": [{"name": 1}]}'}])
    assert "resources" in errors


def test_a_table_schema_cannot_make_the_portal_fetch_a_url(errors_of, loopback):
    """A schema typed as a JSON string or with its own profile is a URL
    frictionless would fetch from inside the portal (issue 12)."""
    routes, base = loopback
    asked = []
    routes["/schema.json"] = lambda path: asked.append(path) or (b'{"fields": []}', "application/json")
    for schema in (json.dumps(base + "/schema.json"),
                   json.dumps({"$schema": base + "/schema.json", "fields": [{"name": "a"}]})):
        errors = errors_of(resources=[{"url": "http://x.example/a.csv", "format": "CSV", "table_schema": schema}])
        assert "resources" in errors
    assert asked == []


def test_validation_status_is_system_owned(steward, org):
    pkg = create(steward, org, validation_status="valid")
    assert "validation_status" not in pkg
    system = factories.Sysadmin()
    helpers.call_action("package_patch", {"jena_system": True, "user": system["name"]},
                        id=pkg["id"], validation_status="invalid (3 errors)")
    helpers.call_action("package_patch", {"user": steward["name"], "ignore_auth": False},
                        id=pkg["id"], validation_status="valid", title="Neu")
    shown = helpers.call_action("package_show", id=pkg["id"])
    assert shown["validation_status"] == "invalid (3 errors)"
    assert shown["title"] == "Neu"


def test_api_answers_409_with_field_errors(app, steward, org):
    token = helpers.call_action("api_token_create", {"user": steward["name"]},
                                user=steward["name"], name="t")["token"]
    response = app.post("/api/3/action/package_create", headers={"Authorization": token},
                        json={"name": "x1", "title": "X", "notes": "n", "owner_org": org["id"],
                              "theme": ["Bäume"]}, status=409)
    body = response.json
    assert body["success"] is False
    assert "theme" in body["error"]


def test_form_keeps_what_the_steward_typed_and_shows_the_error(app, steward, org):
    token = helpers.call_action("api_token_create", {"user": steward["name"]},
                                user=steward["name"], name="t")["token"]
    response = app.post("/dataset/new", headers={"Authorization": token}, data={
        "title": "Baumpflanzungen 2025", "name": "baumpflanzungen-2025",
        "notes": "Neu gepflanzte Bäume", "owner_org": org["id"],
        "issued": "gestern", "license_attribution": "Stadt Jena, Fachdienst Umwelt",
        "save": "continue"}, status=200)
    html = response.body
    assert "JJJJ-MM-TT" in html                              # the error, in German
    assert 'value="Baumpflanzungen 2025"' in html            # typed values kept
    assert "Stadt Jena, Fachdienst Umwelt" in html
    assert 'value="gestern"' in html                         # the wrong value too, to fix it


def test_dcat_output_maps_our_fields(app, steward, org):
    create(steward, org, theme=["ENVI"], frequency="ANNUAL",
           contact=[{"name": "Team Offene Daten", "email": "opendata@jena.example"}],
           resources=[{"url": "http://x.example/b.csv", "format": "CSV"}])
    ttl = app.get("/dataset/baeume.ttl").body
    assert EU + "data-theme/ENVI" in ttl
    assert EU + "frequency/ANNUAL" in ttl
    assert "http://dcat-ap.de/def/licenses/dl-by-de/2.0" in ttl
    assert "opendata@jena.example" in ttl


def test_organization_schema():
    ctx = {"user": factories.Sysadmin()["name"]}
    with pytest.raises(logic.ValidationError) as err:
        helpers.call_action("organization_create", ctx, name="amt", contact_email="nicht-gueltig")
    assert "contact_email" in err.value.error_dict
    with pytest.raises(logic.ValidationError) as err:  # issue 13: no dot, no mail
        helpers.call_action("organization_create", ctx, name="amt1", contact_email="amt@jena")
    assert "contact_email" in err.value.error_dict
    org = helpers.call_action("organization_create", ctx, name="amt2", contact_email="amt@jena.example",
                              contributor_id="http://dcat-ap.de/def/contributors/stadtJena")
    assert org["contact_email"] == "amt@jena.example"


def test_dataset_form_offers_german_labels(app, steward):
    token = helpers.call_action("api_token_create", {"user": steward["name"]},
                                user=steward["name"], name="t")["token"]
    html = app.get("/dataset/new", headers={"Authorization": token}).body
    assert "Kategorien" in html and "Umwelt" in html and "Aktualisierungsintervall" in html


def test_harvest_fields_survive_a_stewards_edit(steward, org):
    pkg = create(steward, org)
    system = factories.Sysadmin()
    helpers.call_action("package_patch", {"user": system["name"]}, id=pkg["id"], harvest_status="ok",
                        harvest_message="Erstveröffentlichung.", harvest_time="2026-11-24T08:00:00+00:00")
    # The form does not send these fields: a full update without them keeps them.
    shown = helpers.call_action("package_show", id=pkg["id"])
    data = {k: v for k, v in shown.items() if not k.startswith("harvest_")}
    helpers.call_action("package_update", {"user": steward["name"], "ignore_auth": False},
                        **dict(data, title="Neu"))
    after = helpers.call_action("package_show", id=pkg["id"])
    assert after["harvest_message"] == "Erstveröffentlichung." and after["title"] == "Neu"


def test_kind_of_resource_is_a_vocabulary_value(steward, org, errors_of):
    """resource_type says what the quality score judges a resource as: data,
    a service (dcat:DataService) or documentation (a preview, a page)."""
    pkg = create(steward, org, resources=[
        {"url": "http://x.example/wms?REQUEST=GetCapabilities", "format": "WMS_SRVC",
         "resource_type": "http://www.w3.org/ns/dcat#DataService"},
        {"url": "http://x.example/vorschau.png", "format": "PNG", "resource_type": "Dokumentation oder Vorschau"}])
    assert [r["resource_type"] for r in pkg["resources"]] == ["service", "documentation"]
    errors = errors_of(resources=[{"url": "http://x.example/a.png", "resource_type": "Karte"}])
    assert "ist nicht im Vokabular" in json.dumps(errors["resources"], ensure_ascii=False)


@pytest.mark.parametrize("licence,title", [
    ("dl-by-de/1.0", "Datenlizenz Deutschland Namensnennung 1.0"),
    ("cc-by-de/3.0", "Creative Commons Namensnennung 3.0 Deutschland (CC BY 3.0 DE)"),
])
def test_older_german_licences_of_city_registers(app, steward, org, licence, title):
    """Frankfurt's trees are under DL-DE-BY-1.0, Ulm's under CC BY 3.0 DE: a
    steward can say so, and the catalogue gives the licence's DCAT-AP.de URI."""
    pkg = create(steward, org, license_id=licence, resources=[{"url": "http://x.example/b.csv", "format": "CSV"}])
    assert pkg["license_title"] == title
    assert "http://dcat-ap.de/def/licenses/" + licence in app.get("/dataset/baeume.ttl").body
    from etl.licences import recognise_licence
    assert recognise_licence({"dl-by-de/1.0": "Datenlizenz Deutschland – Namensnennung – Version 1.0",
                              "cc-by-de/3.0": "CC BY 3.0 DE"}[licence]) == licence
