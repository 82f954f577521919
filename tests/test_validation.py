"""Frictionless validation of resources, run through the real job queue, on
real files shaped like German open data."""
import json

import openpyxl
import pytest

from ckan.lib.jobs import Worker
from ckan.tests import factories, helpers
import ckan.logic as logic

from .publishing import create_dataset, link_file


pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker"),
              # the loopback data provider is an internal address: allowed here as an operator would
              pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1")]

HEADER = "baumnummer;gattung;höhe;umfang\n"


def german_rows(n, bad=()):
    rows = []
    for i in range(1, n + 1):
        height = "zwölf" if i in bad else f"{8 + i % 20},{i % 10}"
        rows.append(f"{i};{'Linde' if i % 2 else 'Ahorn'};{height};{90 + i}\n")
    return "".join(rows)


@pytest.fixture
def dataset(admin, org):
    return create_dataset(admin, org)


def validate():
    Worker().work(burst=True)


def report(resource):
    return helpers.call_action("resource_validation_show", resource_id=resource["id"])


def test_german_csv_windows_1252_semicolons_decimal_commas(admin, dataset, loopback):
    res = link_file(admin, dataset, loopback, "/baeume.csv",
                   (HEADER + german_rows(40)).encode("cp1252"), format="CSV")
    assert report(res)["status"] == "pending"
    validate()
    result = report(res)
    assert result["status"] == "valid", result
    assert result["row_count"] == 40
    assert result["source"]["encoding"] == "cp1252"
    assert result["source"]["dialect"]["csv"]["delimiter"] == ";"
    fields = {f["name"]: f for f in result["inferred_schema"]["fields"]}
    assert fields["höhe"]["type"] == "number" and fields["höhe"]["decimalChar"] == ","
    pkg = helpers.call_action("package_show", id=dataset["id"])
    assert pkg["validation_status"] == "valid"


def test_errors_are_reported_by_row_field_and_type(admin, dataset, loopback):
    res = link_file(admin, dataset, loopback, "/fehler.csv", HEADER + german_rows(40, bad=(17, 33)),
                   format="CSV")
    validate()
    result = report(res)
    assert result["status"] == "invalid" and result["error_count"] == 2
    group = result["errors_by_type"][0]
    assert group["type"] == "type-error" and group["count"] == 2
    assert [(e["row"], e["field"], e["cell"]) for e in group["errors"]] == [(18, "höhe", "zwölf"),
                                                                          (34, "höhe", "zwölf")]
    assert helpers.call_action("package_show", id=dataset["id"])["validation_status"] == "invalid"


def test_utf8_bom_is_not_part_of_the_first_column(admin, dataset, loopback):
    res = link_file(admin, dataset, loopback, "/bom.csv",
                   b"\xef\xbb\xbf" + (HEADER + german_rows(5)).encode("utf-8"), format="CSV")
    validate()
    result = report(res)
    assert result["status"] == "valid"
    assert result["inferred_schema"]["fields"][0]["name"] == "baumnummer"


def test_excel_against_its_table_schema(admin, dataset, create_with_upload, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["baumnummer", "höhe"])
    for i in range(1, 11):
        sheet.append([i, "unbekannt" if i == 7 else 5.5 + i])
    path = tmp_path / "baeume.xlsx"
    book.save(path)
    schema = {"fields": [{"name": "baumnummer", "type": "integer", "constraints": {"required": True}},
                         {"name": "höhe", "type": "number", "constraints": {"maximum": 60}}]}
    res = create_with_upload(path.read_bytes(), "baeume.xlsx", package_id=dataset["id"],
                             format="XLSX", table_schema=json.dumps(schema),
                             context={"user": admin["name"]})
    validate()
    result = report(res)
    assert result["status"] == "invalid" and result["error_count"] == 1
    assert result["errors_by_type"][0]["errors"][0]["row"] == 8
    assert result["schema_origin"] == "resource" and not result["inferred_schema"]


def test_constraints_of_the_table_schema(admin, dataset, loopback):
    schema = {"fields": [{"name": "baumnummer", "type": "integer", "constraints": {"unique": True}},
                         {"name": "gattung", "type": "string", "constraints": {"required": True}},
                         {"name": "höhe", "type": "number", "decimalChar": ",",
                          "constraints": {"maximum": 20}},
                         {"name": "umfang", "type": "integer"}]}
    body = HEADER + "1;Linde;12,5;100\n1;;25,0;100\n"
    res = link_file(admin, dataset, loopback, "/regeln.csv", body, format="CSV",
                   table_schema=json.dumps(schema))
    validate()
    result = report(res)
    kinds = {g["type"]: g["count"] for g in result["errors_by_type"]}
    assert result["status"] == "invalid"
    assert kinds.get("constraint-error") == 2 and kinds.get("unique-error") == 1


def test_geojson_with_a_broken_geometry(admin, dataset, loopback):
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 1},
         "geometry": {"type": "Point", "coordinates": [11.58, 50.93]}},
        {"type": "Feature", "properties": {"id": 2}, "geometry": {"type": "Polygon", "coordinates": [
            [[11.59, 50.91], [11.61, 50.93], [11.61, 50.91], [11.59, 50.93], [11.59, 50.91]]]}}]}
    res = link_file(admin, dataset, loopback, "/flaechen.geojson", json.dumps(collection),
                   ctype="application/geo+json", format="GeoJSON")
    validate()
    result = report(res)
    assert result["status"] == "invalid" and result["row_count"] == 2
    assert result["errors_by_type"][0]["type"] == "geometry-error"
    assert result["errors_by_type"][0]["errors"][0]["row"] == 2


def test_geojson_in_utm_metres_or_without_coordinates_is_invalid(admin, dataset, loopback, app):
    # issue 13: both passed as valid
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 1}, "geometry": {"type": "Point", "coordinates": [11.58, 50.93]}},
        {"type": "Feature", "properties": {"id": 2}, "geometry": {"type": "Point", "coordinates": [681234, 5644321]}},
        {"type": "Feature", "properties": {"id": 3}, "geometry": {"type": "Point", "coordinates": []}}]}
    res = link_file(admin, dataset, loopback, "/punkte.geojson", json.dumps(collection),
                   ctype="application/geo+json", format="GeoJSON")
    validate()
    result = report(res)
    assert result["status"] == "invalid" and [e["row"] for e in result["errors"]] == [2, 3]
    page = app.get(f"/dataset/baeume/resource/{res['id']}/validation").body
    assert "Koordinaten außerhalb von WGS 84" in page and "leere Koordinaten" in page


@pytest.mark.parametrize("path,body,ctype,fields,reason", [
    ("/seite.csv", "<html><body>Wartung</body></html>", "text/html; charset=utf-8", {"format": "CSV"},
     "web page"),
    ("/bild.bin", bytes(range(256)) * 40, "application/octet-stream", {"format": ""}, ""),
], ids=["html-instead-of-csv", "binary"])
def test_what_is_not_a_table_gets_a_clear_report(admin, dataset, loopback, path, body, ctype, fields,
                                                 reason):
    res = link_file(admin, dataset, loopback, path, body, ctype=ctype, **fields)
    validate()
    result = report(res)
    assert result["status"] == "error", result
    assert result["message"] and reason in result["message"]
    assert helpers.call_action("package_show", id=dataset["id"])["validation_status"] == "error"


def test_missing_link_is_reported(admin, dataset, loopback):
    _, base = loopback
    res = helpers.call_action("resource_create", {"user": admin["name"]}, package_id=dataset["id"],
                              url=base + "/weg.csv", format="CSV")
    validate()
    result = report(res)
    assert result["status"] == "error" and "404" in result["message"]


@pytest.mark.ckan_config("ckanext.jena.validation.max_size_mb", "0")
def test_files_over_the_size_limit_are_not_read(admin, dataset, loopback):
    res = link_file(admin, dataset, loopback, "/gross.csv", HEADER + german_rows(5), format="CSV")
    validate()
    result = report(res)
    assert result["status"] == "error" and "0 MB" in result["message"]


def test_non_tabular_formats_are_not_queued(admin, dataset):
    res = helpers.call_action("resource_create", {"user": admin["name"]}, package_id=dataset["id"],
                              url="http://127.0.0.1:9/plan.pdf", format="PDF")
    with pytest.raises(logic.NotFound):
        report(res)


def test_auth_read_for_viewers_rerun_for_editors(admin, dataset, loopback):
    res = link_file(admin, dataset, loopback, "/a.csv", HEADER + german_rows(3), format="CSV")
    validate()
    anonymous = {"user": "", "ignore_auth": False}
    assert helpers.call_action("resource_validation_show", anonymous, resource_id=res["id"])["status"] == "valid"
    outsider = factories.User()
    with pytest.raises(logic.NotAuthorized):
        helpers.call_action("resource_validation_run", {"user": outsider["name"], "ignore_auth": False},
                            resource_id=res["id"])
    rerun = helpers.call_action("resource_validation_run", {"user": admin["name"], "ignore_auth": False},
                                resource_id=res["id"])
    assert rerun["status"] == "pending"
    helpers.call_action("package_patch", {"user": admin["name"]}, id=dataset["id"], private=True)
    with pytest.raises(logic.NotAuthorized):
        helpers.call_action("resource_validation_show", anonymous, resource_id=res["id"])


@pytest.mark.ckan_config("ckanext.jena.validation.block_invalid", "true")
def test_block_invalid_keeps_the_dataset_private(admin, dataset, loopback):
    link_file(admin, dataset, loopback, "/b.csv", HEADER + german_rows(30, bad=(5,)), format="CSV")
    validate()
    pkg = helpers.call_action("package_show", id=dataset["id"])
    assert pkg["private"] is True and pkg["validation_status"] == "invalid"
    with pytest.raises(logic.ValidationError) as err:
        helpers.call_action("package_patch", {"user": admin["name"]}, id=dataset["id"], private=False)
    assert "private" in err.value.error_dict


def test_report_page_badge_and_adopting_the_inferred_schema(app, admin, dataset, loopback):
    res = link_file(admin, dataset, loopback, "/c.csv", HEADER + german_rows(30, bad=(9,)), format="CSV")
    validate()
    html = app.get(f"/dataset/baeume/resource/{res['id']}").body
    assert "Validierung" in html and "ungültig" in html
    token = helpers.call_action("api_token_create", {"user": admin["name"]}, user=admin["name"],
                                name="t")["token"]
    page = app.get(f"/dataset/baeume/resource/{res['id']}/validation", headers={"Authorization": token}).body
    assert "Falscher Datentyp (1)" in page and "zwölf" in page and "Schema übernehmen" in page
    # each error as a German sentence, not frictionless's English text (issue 13)
    assert "In Spalte „höhe“ wird eine Zahl erwartet, nicht „zwölf“." in page
    assert "does not conform" not in page and "Row at position" not in page
    app.post(f"/dataset/baeume/resource/{res['id']}/validation/adopt-schema",
             headers={"Authorization": token}, follow_redirects=False)
    adopted = helpers.call_action("resource_show", id=res["id"])
    assert json.loads(adopted["table_schema"])["fields"][2]["decimalChar"] == ","
    validate()  # adopting re-validates against the adopted schema
    result = report(res)
    assert result["schema_origin"] == "resource" and result["error_count"] == 1


def test_old_excel_format(admin, dataset, create_with_upload, tmp_path):
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("Bäume")
    for col, label in enumerate(["baumnummer", "höhe"]):
        sheet.write(0, col, label)
    for row in range(1, 6):
        sheet.write(row, 0, row)
        sheet.write(row, 1, 4.5 + row)
    path = tmp_path / "baeume.xls"
    book.save(str(path))
    res = create_with_upload(path.read_bytes(), "baeume.xls", package_id=dataset["id"], format="XLS",
                             context={"user": admin["name"]})
    validate()
    result = report(res)
    assert result["status"] == "valid" and result["row_count"] == 5


def test_latin1_file_with_bytes_windows_1252_lacks(admin, dataset, loopback):
    # 0x81 is undefined in Windows-1252: such a file can only be Latin-1.
    body = (HEADER + german_rows(5)).encode("latin-1") + "6;Linde;7,5;99\n".encode("latin-1") + b""
    body = body.replace(b"Ahorn", b"Ahorn\x81")
    res = link_file(admin, dataset, loopback, "/latin1.csv", body, format="CSV")
    validate()
    result = report(res)
    assert result["status"] == "valid" and result["source"]["encoding"] == "latin-1"


def test_a_job_that_times_out_is_reported_not_left_pending(admin, dataset, loopback):
    from rq.job import Job
    from rq.timeouts import JobTimeoutException
    from ckan.lib.redis import connect_to_redis
    from ckanext.jena.validation import job as validation_job
    res = link_file(admin, dataset, loopback, "/langsam.csv", HEADER + german_rows(3), format="CSV")
    assert report(res)["status"] == "pending"
    rq_job = Job.create(validation_job.validate_resource, args=[res["id"]], connection=connect_to_redis())
    validation_job.on_failure(rq_job, None, JobTimeoutException, JobTimeoutException("600 s"), None)
    result = report(res)
    # a sentence, not the exception's name (issue 13)
    assert result["status"] == "error" and result["reason"] == "stopped"
    assert "stopped after 600 seconds" in result["message"] and "Exception" not in result["message"]
