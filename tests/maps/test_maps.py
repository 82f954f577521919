"""Maps and previews as a visitor meets them: the extent map on the dataset
page, the map search (ext_bbox answered by PostGIS), the GeoJSON map preview
and the table preview of a table loaded into the DataStore."""
import json
import re

import pytest

from ckan.tests import helpers

from tests.datastore.conftest import load
from tests.datastore.marks import DATASTORE

# A part of Jena's centre and one of Berlin: the box below holds the first only.
JENA = {"type": "Polygon", "coordinates": [[[11.58, 50.92], [11.60, 50.92], [11.60, 50.935],
                                            [11.58, 50.935], [11.58, 50.92]]]}
BERLIN = {"type": "Polygon", "coordinates": [[[13.3, 52.45], [13.5, 52.45], [13.5, 52.55],
                                             [13.3, 52.55], [13.3, 52.45]]]}
JENA_BOX = "11.55,50.90,11.65,50.95"

GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "Linde am Markt"},
     "geometry": {"type": "Point", "coordinates": [11.5892, 50.9280]}}]})


def create(admin, org, name, spatial=None, **fields):
    data = {"name": name, "title": name.capitalize(), "notes": "Testdaten", "owner_org": org["id"], **fields}
    if spatial is not None:
        data["spatial"] = json.dumps(spatial)
    return helpers.call_action("package_create", {"user": admin["name"]}, **data)


def served_scripts(html):
    return re.findall(r'<script[^>]+src="([^"]+)"', html)


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestExtentMap:
    def test_dataset_page_shows_its_extent_on_a_map(self, app, admin, org):
        create(admin, org, "baeume", JENA)
        page = app.get("/dataset/baeume").body
        m = re.search(r'<div class="dataset-map" data-module="dataset-map" data-extent="([^"]+)"', page)
        assert m, "no extent map on the dataset page"
        extent = json.loads(m.group(1).replace("&#34;", '"').replace("&quot;", '"'))
        assert extent == JENA
        assert 'id="dataset-map-container"' in page
        assert "Räumlicher Bezug" in page  # the map's heading, in German
        # in the sidebar, under the dataset's info
        assert page.index('data-module="dataset-map"') > page.index('class="secondary')

    def test_leaflet_comes_from_the_portal_not_a_cdn(self, app, admin, org):
        create(admin, org, "baeume", JENA)
        page = app.get("/dataset/baeume").body
        scripts = served_scripts(page)
        assert scripts and all(s.startswith("/") and not s.startswith("//") for s in scripts), scripts
        bundle = [s for s in scripts if "dataset_map" in s]
        assert bundle, scripts
        js = app.get(bundle[0]).body
        assert "Leaflet" in js and "dataset-map" in js

    def test_base_map_is_configured_and_reaches_the_map(self, app, admin, org):
        create(admin, org, "baeume", JENA)
        page = app.get("/dataset/baeume").body
        m = re.search(r'data-module-map_config="([^"]+)"', page)
        config = json.loads(m.group(1).replace("&#34;", '"').replace("&quot;", '"'))
        assert config["type"] == "custom" and "{z}/{x}/{y}" in config["custom_url"]


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestMapSearch:
    @pytest.fixture
    def two(self, admin, org):
        create(admin, org, "baeume-jena", JENA)
        create(admin, org, "baeume-berlin", BERLIN)

    def test_api_box_finds_the_dataset_inside_only(self, app, two):
        result = app.get("/api/3/action/package_search", params={"ext_bbox": JENA_BOX}).json["result"]
        assert [r["name"] for r in result["results"]] == ["baeume-jena"]
        result = app.get("/api/3/action/package_search", params={"ext_bbox": "13.0,52.3,13.8,52.7"}).json["result"]
        assert [r["name"] for r in result["results"]] == ["baeume-berlin"]

    def test_search_page_box_lists_the_dataset_inside_only(self, app, two):
        page = app.get("/dataset/", params={"ext_bbox": JENA_BOX}).body
        assert 'href="/dataset/baeume-jena"' in page
        assert 'href="/dataset/baeume-berlin"' not in page
        # without a box both are listed
        page = app.get("/dataset/").body
        assert 'href="/dataset/baeume-jena"' in page and 'href="/dataset/baeume-berlin"' in page

    def test_search_page_has_the_map_widget_and_keeps_the_sort_options(self, app, two):
        page = app.get("/dataset/").body
        assert 'data-module="spatial-query"' in page
        assert "Nach Ort filtern" in page and "Filter by location" not in page
        # without a mouse: the area the map shows (moved with the keyboard) is searched
        assert re.search(r'<button type="button" id="jena-map-search-visible"[^>]*>\s*'
                         r'Im gezeigten Kartenausschnitt suchen', page)
        # opens on Jena, not on the whole world
        m = re.search(r'data-default_extent="([^"]+)"', page)
        (south, west), (north, east) = json.loads(m.group(1).replace("&#34;", '"'))
        assert 50.8 < south < north < 51.0 and 11.4 < west < east < 11.8
        assert any("spatial_query" in s for s in served_scripts(page))
        assert 'value="quality_score desc, metadata_modified desc"' in page

    def test_search_map_shows_where_the_listed_datasets_lie(self, app, two):
        page = app.get("/dataset/", params={"ext_bbox": JENA_BOX}).body
        m = re.search(r'data-jena-result-extents="([^"]+)"', page)
        listed = json.loads(m.group(1).replace("&#34;", '"').replace("&quot;", '"'))
        assert [(title, json.loads(extent)) for title, extent in listed] == [("Baeume-jena", JENA)]
        # drawn by the portal's own script, with a scale, on ckanext-spatial's Leaflet
        script = [s for s in served_scripts(page) if "jena_maps" in s]
        assert script and page.index(script[0]) > page.index("spatial_query.js")
        js = app.get(script[0]).body
        assert "addInitHook" in js and "data-jena-result-extents" in js

    def test_a_bad_box_is_a_clean_error(self, app, two):
        response = app.get("/api/3/action/package_search", params={"ext_bbox": "1,2,3"}, status=409)
        assert "ext_bbox" in json.dumps(response.json["error"])


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_uploaded_geojson_resource_gets_a_map_preview(app, admin, org, create_with_upload):
    pkg = create(admin, org, "baeume", JENA)
    res = create_with_upload(GEOJSON, "baeume.geojson", package_id=pkg["id"], format="GeoJSON",
                             context={"user": admin["name"]})
    views = helpers.call_action("resource_view_list", id=res["id"])
    geo = [v for v in views if v["view_type"] == "geojson_view"]
    assert geo, views
    page = app.get(f"/dataset/{pkg['id']}/resource/{res['id']}/view/{geo[0]['id']}").body
    assert 'data-module="geojsonpreview"' in page
    assert any("geojson" in s for s in served_scripts(page))
    # the preview reads the file from the portal itself
    assert json.loads(app.get(res["url"].replace("http://test.ckan.net", "")).body) == json.loads(GEOJSON)


TABLE_SCHEMA = {"fields": [
    {"name": "nr", "type": "integer"},
    {"name": "gattung", "type": "string"},
    {"name": "hoehe", "type": "number"},
], "primaryKey": ["nr"]}


@pytest.mark.usefixtures(*DATASTORE[-1].args)
@pytest.mark.ckan_config("ckan.plugins", "jena jena_pgsearch jena_schema jena_quality jena_validation "
                         "datastore jena_datastore datatables_view activity dcat scheming_datasets "
                         "scheming_organizations spatial_metadata geojson_view")
@pytest.mark.ckan_config("ckan.views.default_views", "datatables_view geojson_view")
@pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1")
def test_a_csv_loaded_into_the_datastore_gets_a_table_preview_that_answers(app, admin, org, create_with_upload):
    pkg = create(admin, org, "baeume", JENA)
    csv = "nr,gattung,hoehe\n1,Linde,12.5\n2,Ahorn,8\n3,Eiche,21\n"
    res = create_with_upload(csv, "baeume.csv", package_id=pkg["id"], format="CSV",
                             table_schema=json.dumps(TABLE_SCHEMA), context={"user": admin["name"]})
    state = load(res["id"])
    assert state["status"] == "loaded", state
    views = [v for v in helpers.call_action("resource_view_list", id=res["id"])
             if v["view_type"] == "datatables_view"]
    assert views
    page = app.get(f"/dataset/{pkg['id']}/resource/{res['id']}/view/{views[0]['id']}").body
    assert "gattung" in page
    # the rows the table asks for as it is shown (DataTables' server-side call)
    rows = json.loads(app.post(f"/datatables/ajax/{views[0]['id']}", data={
        "draw": "1", "start": "0", "length": "10", "search[value]": "",
        "order[0][column]": "1", "order[0][dir]": "asc"}).body)
    assert rows["recordsTotal"] == 3
    assert [r["gattung"] for r in rows["data"]] == ["Linde", "Ahorn", "Eiche"]


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config("ckan.plugins", "jena jena_pgsearch jena_schema activity dcat scheming_datasets "
                         "scheming_organizations")
def test_pages_without_the_map_plugins_have_no_map_and_no_error(app, admin, org):
    create(admin, org, "baeume", JENA)
    assert 'data-module="dataset-map"' not in app.get("/dataset/baeume").body
    assert 'data-module="spatial-query"' not in app.get("/dataset/").body
