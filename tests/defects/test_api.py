"""Issue 23 and 13 for API users: format names clients send, the activity
comparison page without its parameters, and the score as a number."""
import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def dataset(api, org, name="dienste", **fields):
    return api("package_create", name=name, title=name.title(), notes="x", owner_org=org["id"],
               **fields)["result"]


@pytest.mark.parametrize("given,stored", [
    ("WMS", "WMS_SRVC"), ("wfs", "WFS_SRVC"), ("ESRI Shapefile", "SHP"), ("Shapefile", "SHP"),
    ("GeoJSON", "GEOJSON"), ("csv", "CSV"), ("http://publications.europa.eu/resource/authority/file-type/CSV", "CSV"),
    ("jpg", "JPEG"), ("TTL", "RDF_TURTLE"),
])
def test_common_format_names_are_accepted_and_stored_as_the_vocabulary_value(api, org, given, stored):
    pkg = dataset(api, org, resources=[{"url": "http://example.org/dienst", "format": given}])
    assert pkg["resources"][0]["format"] == stored


def test_a_refused_format_names_the_accepted_values(api, org):
    body = api("package_create", status=409, name="x", title="X", notes="x", owner_org=org["id"],
               resources=[{"url": "http://example.org/a", "format": "Kartendienst"}])
    message = body["error"]["resources"][0]["format"][0]
    assert message.startswith("„Kartendienst“ ist nicht im Vokabular")
    assert "erlaubt sind:" in message and "WMS_SRVC" in message and "SHP" in message


def test_a_service_by_its_alias_counts_as_a_service(api, org):
    dataset(api, org, resources=[{"url": "http://example.org/wms?SERVICE=WMS", "format": "WMS"}])
    indicators = {i["id"]: i for i in helpers.call_action("jena_quality_show", id="dienste")["indicators"]}
    # A service is not a data distribution: no download URL is expected of it.
    assert indicators["download_url"]["max"] == 20 and indicators["machine_readable"]["points"] == 0
    pkg = helpers.call_action("package_show", id="dienste")
    from ckanext.jena.quality.mqa import role
    assert role(pkg["resources"][0]) == "service"


@pytest.mark.parametrize("path", ["/dataset/changes_multiple", "/dataset/changes_multiple?new_id=x",
                                  "/organization/changes_multiple", "/group/changes_multiple?old_id="])
def test_comparing_versions_without_parameters_is_a_400_with_a_message(app, path):
    response = app.get(path, status=400)
    assert "Bitte zwei Versionen zum Vergleich wählen" in response.body


def test_comparing_unknown_versions_is_a_404(app):
    response = app.get("/dataset/changes_multiple?new_id=nichts&old_id=nix", status=404)
    assert "Eine der zu vergleichenden Versionen gibt es nicht" in response.body


def test_comparing_two_real_versions_still_works(app, api, org):
    dataset(api, org, name="versionen")
    api("package_patch", id="versionen", notes="neu")
    sysadmin = factories.Sysadmin()
    ids = [a["id"] for a in helpers.call_action("package_activity_list", {"user": sysadmin["name"]},
                                                 id="versionen")]
    response = app.get(f"/dataset/changes_multiple?new_id={ids[0]}&old_id={ids[-1]}",
                       extra_environ={"REMOTE_USER": sysadmin["name"]}, status=200)
    assert "neu" in response.body


@pytest.mark.parametrize("params", [{"fl": "name,quality_score"}, {"fl": "quality_score"}, {}])
def test_quality_score_comes_back_as_a_number(app, api, org, params):
    dataset(api, org, name="zahl")
    result = app.get("/api/3/action/package_search", query_string=params).json["result"]["results"][0]
    if "quality_score" in result or params:
        assert isinstance(result["quality_score"], int) and not isinstance(result["quality_score"], bool)
