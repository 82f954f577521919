"""Issue 13: a file uploaded through the web form gets format, media type
and size like the same upload through the API ("Format: unbekannt" and the
checklist's "Dateigröße" at 0/5 before)."""
import io

import pytest

from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

CSV = "Baum-ID;Gattung;Höhe\n1;Tilia;11,5\n2;Acer;8,0\n".encode("cp1252")
# What the browser sends from the resource form: every field, most of them empty.
FORM = {"url": "", "name": "", "description": "", "resource_type": "", "format": "", "mimetype": "",
        "size": "", "license": "", "rights": "", "access_url": "", "download_url": "",
        "table_schema": "", "id": "", "save": "go-metadata"}


@pytest.fixture
def dataset(clean_db, clean_index, steward, org):
    return helpers.call_action("package_create", {"user": steward["name"]}, name="baeume",
                               title="Bäume", notes="Alle Straßenbäume.", owner_org=org["id"])


@pytest.fixture
def storage(ckan_config, monkeypatch, tmp_path):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))


def upload_by_form(app, as_steward, filename, body=CSV, **fields):
    data = dict(FORM, **fields, upload=(io.BytesIO(body), filename))
    response = app.post("/dataset/baeume/resource/new", data=data, extra_environ=as_steward,
                        content_type="multipart/form-data", follow_redirects=False)
    assert response.status_code == 302, response.body
    return helpers.call_action("package_show", id="baeume")["resources"][-1]


def upload_by_api(app, token, filename, body=CSV):
    response = app.post("/api/3/action/resource_create", headers={"Authorization": token},
                        data={"package_id": "baeume", "upload": (io.BytesIO(body), filename)},
                        content_type="multipart/form-data")
    return response.json["result"]


@pytest.mark.usefixtures("storage", "dataset")
def test_a_file_uploaded_through_the_form_gets_format_media_type_and_size(app, as_steward, token):
    by_form = upload_by_form(app, as_steward, "baeume.csv")
    by_api = upload_by_api(app, token, "baeume2.csv")
    expected = {"format": "CSV", "mimetype": "text/csv", "size": len(CSV), "url_type": "upload"}
    assert {k: by_form[k] for k in expected} == expected
    assert {k: by_api[k] for k in expected} == expected
    # The dataset page and the checklist see it too.
    html = app.get("/dataset/baeume", extra_environ=as_steward).body
    assert "unbekannt" not in html.split('id="dataset-resources"')[-1].split("</section>")[0]
    quality = {i["id"]: i for i in helpers.call_action("jena_quality_show", id="baeume")["indicators"]}
    assert quality["byte_size"]["points"] == quality["byte_size"]["max"]
    assert quality["format"]["points"] == quality["format"]["max"]


@pytest.mark.usefixtures("storage", "dataset")
@pytest.mark.parametrize("filename,fmt,mimetype", [
    ("strassen.geojson", "GEOJSON", "application/geo+json"),
    ("bericht.pdf", "PDF", "application/pdf"),
    ("tabelle.xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_the_format_follows_the_file_name_for_other_kinds(app, as_steward, filename, fmt, mimetype):
    res = upload_by_form(app, as_steward, filename, body=b"x" * 10)
    assert (res["format"], res["mimetype"], res["size"]) == (fmt, mimetype, 10)


@pytest.mark.usefixtures("storage", "dataset")
def test_what_the_steward_chose_is_kept(app, as_steward):
    res = upload_by_form(app, as_steward, "baeume.txt", format="CSV", mimetype="text/csv")
    assert (res["format"], res["mimetype"], res["size"]) == ("CSV", "text/csv", len(CSV))


@pytest.mark.usefixtures("storage", "dataset")
def test_a_new_file_through_the_edit_form_gets_its_own_size(app, as_steward):
    res = upload_by_form(app, as_steward, "baeume.csv")
    bigger = CSV + "3;Quercus;20,0\n".encode("cp1252")
    # The edit form sends back the stored values, among them the old size.
    data = dict(FORM, format="CSV", mimetype="text/csv", size=str(res["size"]), id=res["id"],
                save="", upload=(io.BytesIO(bigger), "baeume.csv"))
    response = app.post(f"/dataset/baeume/resource/{res['id']}/edit", data=data,
                        extra_environ=as_steward, content_type="multipart/form-data",
                        follow_redirects=False)
    assert response.status_code == 302, response.body
    assert helpers.call_action("resource_show", id=res["id"])["size"] == len(bigger)
