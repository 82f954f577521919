"""Validated tables into the real DataStore, through the job queue, as
consumers then query them with datastore_search and datastore_search_sql."""
import json

import pytest
import sqlalchemy as sa

from ckan.tests import helpers

from ..publishing import create_dataset, link_file
from .conftest import load, work
from .marks import DATASTORE

pytestmark = DATASTORE


@pytest.fixture
def dataset(admin, org):
    return create_dataset(admin, org)


def add_link(admin, dataset, loopback, path, body, **fields):
    return link_file(admin, dataset, loopback, path, body, format="CSV", **fields)


def search(resource_id, **params):
    return helpers.call_action("datastore_search", resource_id=resource_id, **params)


def sql(statement):
    return helpers.call_action("datastore_search_sql", sql=statement)["records"]


TYPED = {"fields": [
    {"name": "nr", "type": "integer", "title": "Baumnummer", "description": "Nummer im Kataster"},
    {"name": "gattung", "type": "string", "title": "Gattung"},
    {"name": "hoehe", "type": "number"},
    {"name": "gesund", "type": "boolean", "trueValues": ["ja"], "falseValues": ["nein"]},
    {"name": "gepflanzt", "type": "date", "format": "%d.%m.%Y"},
    {"name": "gemessen", "type": "datetime"},
    {"name": "jahr", "type": "year"},
    {"name": "dauer", "type": "duration"},
    {"name": "lage", "type": "geopoint"},
    {"name": "extra", "type": "object"},
], "primaryKey": ["nr"]}

TYPED_CSV = (
    "nr,gattung,hoehe,gesund,gepflanzt,gemessen,jahr,dauer,lage,extra\n"
    '1,Linde,12.5,ja,01.04.1990,2024-05-01T10:00:00Z,1990,P1Y2M,"11.58, 50.92","{""a"": 1}"\n'
    '2,Ahorn,-3.25,nein,15.10.2001,2024-05-01T12:30:00+02:00,2001,PT3H,"11.6, 50.9","{""a"": 2}"\n'
    "3,Eiche,100,,,,,,,\n"
)


def test_every_table_schema_type_becomes_its_postgresql_type(admin, dataset, loopback):
    res = add_link(admin, dataset, loopback, "/typen.csv", TYPED_CSV, table_schema=json.dumps(TYPED))
    state = load(res["id"])
    assert state["status"] == "loaded" and state["rows"] == 3, state
    result = search(res["id"], sort="hoehe desc")
    types = {f["id"]: f["type"] for f in result["fields"]}
    assert types == {"_id": "int", "nr": "int8", "gattung": "text", "hoehe": "numeric", "gesund": "bool",
                     "gepflanzt": "date", "gemessen": "timestamptz", "jahr": "int4", "dauer": "interval",
                     "lage": "text", "extra": "jsonb"}
    first, second, third = result["records"]
    # numbers sort as numbers (100 > 12.5 > -3.25), not as text
    assert [r["nr"] for r in result["records"]] == [3, 1, 2]
    assert second["hoehe"] == 12.5 and third["hoehe"] == -3.25
    assert second["gesund"] is True and third["gesund"] is False and first["gesund"] is None
    assert second["gepflanzt"] == "1990-04-01"
    assert second["extra"] == {"a": 1}
    # 12:30 at +02:00 is 10:30 UTC: the offset is kept, not dropped
    assert second["gemessen"].startswith("2024-05-01T10:00:00")
    assert third["gemessen"].startswith("2024-05-01T10:30:00")
    assert sql(f'SELECT sum(hoehe) AS s FROM "{res["id"]}"')[0]["s"] in (109.25, "109.25")
    # the Data Dictionary holds the schema's titles and descriptions
    info = {f["id"]: f.get("info", {}) for f in
            helpers.call_action("datastore_info", id=res["id"])["fields"]}
    assert info["nr"]["label"] == "Baumnummer" and info["nr"]["notes"] == "Nummer im Kataster"
    assert info["gattung"]["label"] == "Gattung"


GERMAN = "Baumnummer;Gattung;Straße;Höhe\n" + "".join(
    f"{i};{'Linde' if i % 2 else 'Rosskastanie'};{'Löbdergraben' if i % 3 else 'Straße des 17. Juni'};"
    f"{i % 30},{i % 10}\n" for i in range(1, 41)) + "41;Ahorn;Am Anger;1.234,5\n"


def test_german_decimals_and_windows_1252_as_validation_read_them(admin, dataset, loopback):
    res = add_link(admin, dataset, loopback, "/baeume.csv", GERMAN.encode("cp1252"))
    state = load(res["id"])
    assert state["status"] == "loaded" and state["rows"] == 41, state
    result = search(res["id"], filters={"Baumnummer": 41})
    assert {f["id"]: f["type"] for f in result["fields"]}["Höhe"] == "numeric"
    assert result["records"][0]["Höhe"] == 1234.5
    assert result["records"][0]["Gattung"] == "Ahorn"
    # umlauts and ß arrive intact, and the German full text finds them
    hits = search(res["id"], q="Löbdergraben", limit=100)
    assert hits["total"] == 27 and hits["records"][0]["Straße"] == "Löbdergraben"
    assert search(res["id"], q="Strasse")["total"] == 13  # jena_german: ß = ss, as the portal search
    assert sql(f'SELECT max("Höhe") AS m FROM "{res["id"]}"')[0]["m"] in (1234.5, "1234.5")


def test_a_failed_reload_keeps_the_old_table_queryable(admin, dataset, loopback, datastore_db):
    schema = json.dumps({"fields": [{"name": "nr", "type": "integer"}, {"name": "gattung", "type": "string"}],
                         "primaryKey": "nr"})
    files, _ = loopback
    res = add_link(admin, dataset, loopback, "/wechsel.csv", "nr,gattung\n1,Linde\n2,Ahorn\n",
                   table_schema=schema)
    assert load(res["id"])["rows"] == 2
    # Valid for frictionless (integers have no bound there), beyond PostgreSQL's bigint:
    files["/wechsel.csv"] = (b"nr,gattung\n1,Linde\n99999999999999999999,Eiche\n3,Birke\n", "text/csv")
    helpers.call_action("resource_validation_run", resource_id=res["id"])
    state = load(res["id"])
    assert helpers.call_action("resource_validation_show", resource_id=res["id"])["status"] == "valid"
    assert state["status"] == "failed" and state["reason"] == "value", state
    assert "out of range" in state["message"]
    assert state["active"] and state["rows"] == 2  # what is still queryable
    assert [r["gattung"] for r in search(res["id"])["records"]] == ["Linde", "Ahorn"]
    with datastore_db.connect() as conn:  # nothing left over beside it
        assert conn.execute(sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'jena_load' "
                                    "AND tablename <> 'status'")).scalar() == 0


def test_an_invalid_file_is_never_loaded(admin, dataset, loopback):
    schema = json.dumps({"fields": [{"name": "nr", "type": "integer"}, {"name": "hoehe", "type": "number"}]})
    files, _ = loopback
    res = add_link(admin, dataset, loopback, "/hoehen.csv", "nr,hoehe\n1,12.5\n", table_schema=schema)
    assert load(res["id"])["status"] == "loaded"
    files["/hoehen.csv"] = (b"nr,hoehe\n1,12.5\n2,zw\xc3\xb6lf\n", "text/csv")
    helpers.call_action("resource_validation_run", resource_id=res["id"])
    state = load(res["id"], force=True)
    assert helpers.call_action("resource_validation_show", resource_id=res["id"])["status"] == "invalid"
    assert state["status"] == "failed" and state["reason"] == "not-valid"
    assert search(res["id"])["records"][0]["hoehe"] == 12.5 and search(res["id"])["total"] == 1


def _oid(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT to_regclass(:t)::oid"), {"t": f'public."{table}"'}).scalar()


def test_reloaded_only_when_the_file_changed(admin, dataset, loopback, datastore_db):
    files, _ = loopback
    res = add_link(admin, dataset, loopback, "/stand.csv", "nr,gattung\n1,Linde\n")
    assert load(res["id"])["rows"] == 1
    built = _oid(datastore_db, res["id"])
    helpers.call_action("resource_validation_run", resource_id=res["id"])
    state = load(res["id"])  # validated again, same file
    assert state["status"] == "loaded" and state["reason"] == "unchanged"
    assert _oid(datastore_db, res["id"]) == built  # the table was not rebuilt
    files["/stand.csv"] = (b"nr,gattung\n1,Linde\n2,Ahorn\n", "text/csv")
    helpers.call_action("resource_validation_run", resource_id=res["id"])
    state = load(res["id"])
    assert state["status"] == "loaded" and state["rows"] == 2 and state["reason"] == ""
    assert _oid(datastore_db, res["id"]) != built
    assert search(res["id"])["total"] == 2


TREES_SCHEMA = {"fields": [
    {"name": "id", "type": "string", "constraints": {"required": True}},
    {"name": "genus", "type": "string", "title": "Gattung"},
    {"name": "district", "type": "string", "title": "Ortsteil"},
    {"name": "planting_year", "type": "integer", "constraints": {"minimum": 1700, "maximum": 2100}},
    {"name": "height_m", "type": "number"},
], "primaryKey": ["id"], "missingValues": [""]}


def test_a_harvested_upload_with_its_table_schema_is_queryable_with_a_table_view(
        admin, dataset, create_with_upload, datastore_db):
    rows = "".join(f"jena:{i},{['Tilia', 'Acer', 'Quercus'][i % 3]},{['Nord', 'Ost'][i % 2]},"
                   f"{1950 + i % 70},{i % 25}.5\n" for i in range(12_000))
    res = create_with_upload("id,genus,district,planting_year,height_m\n" + rows, "baeume.csv",
                             package_id=dataset["id"], format="CSV", table_schema=json.dumps(TREES_SCHEMA),
                             context={"user": admin["name"]})
    state = load(res["id"])
    assert state["status"] == "loaded" and state["rows"] == 12_000, state
    found = search(res["id"], filters={"genus": "Tilia", "district": "Nord"}, limit=5)
    assert found["total"] == 2000 and all(r["genus"] == "Tilia" for r in found["records"])
    # the resource is marked as in the DataStore and gets CKAN's table view
    assert helpers.call_action("resource_show", id=res["id"])["datastore_active"] is True
    views = helpers.call_action("resource_view_list", id=res["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]
    # primary key as CKAN's primary key (upserts by it), indexes on the filter columns
    with datastore_db.connect() as conn:
        indexed = conn.execute(sa.text(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(:t)"), {"t": f'"{res["id"]}"'})
        assert {"id", "genus", "district", "planting_year"} <= set(indexed.scalars())
    helpers.call_action("datastore_upsert", resource_id=res["id"], method="upsert", force=True,
                        records=[{"id": "jena:1", "height_m": 30}])
    assert search(res["id"], filters={"id": "jena:1"})["records"][0]["height_m"] == 30
    assert search(res["id"])["total"] == 12_000


def test_a_spreadsheet_is_loaded_from_frictionless_rows(admin, dataset, create_with_upload, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["nr", "hoehe", "gepflanzt"])
    import datetime
    for i in range(1, 6):
        sheet.append([i, 5.5 + i, datetime.date(2000 + i, 1, 2)])
    path = tmp_path / "baeume.xlsx"
    book.save(path)
    schema = {"fields": [{"name": "nr", "type": "integer"}, {"name": "hoehe", "type": "number"},
                         {"name": "gepflanzt", "type": "date"}]}
    res = create_with_upload(path.read_bytes(), "baeume.xlsx", package_id=dataset["id"], format="XLSX",
                             table_schema=json.dumps(schema), context={"user": admin["name"]})
    state = load(res["id"])
    assert state["status"] == "loaded" and state["rows"] == 5, state
    record = search(res["id"], filters={"nr": 3})["records"][0]
    assert record["hoehe"] == 8.5 and record["gepflanzt"] == "2003-01-02"


def test_the_consumers_examples_answer(admin, dataset, create_with_upload, app):
    """The three worked examples of the DataStore documentation, over HTTP
    as curl sends them."""
    import os
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(here, "schemas", "tables", "sensor_hourly.json"), encoding="utf-8") as f:
        hourly = json.load(f)
    header = ",".join(f["name"] for f in hourly["fields"])
    lines = [header]
    for day in range(1, 11):
        for hour in (0, 12):
            for station in ("sensor.community:12345", "sensor.community:777"):
                lines.append(f"{station},loc1,sensor.community,temperature,°C,2024-05-{day:02d}T{hour:02d}:00:00Z,"
                             f"2024-05-{day:02d}T{hour + 2:02d}:00:00+02:00,{10 + day}.5,9,12,12,100,,50.92,11.58")
    hours = create_with_upload("\n".join(lines) + "\n", "stundenwerte.csv", package_id=dataset["id"],
                               format="CSV", table_schema=json.dumps(hourly), context={"user": admin["name"]})
    trees = create_with_upload(
        "id,genus,district,planting_year,height_m\n" + "".join(
            f"jena:{i},{['Tilia', 'Acer'][i % 2]},{['Nord', 'Ost'][i % 3 == 0]},1990,{10 + i % 5}.5\n"
            for i in range(30)), "baeume.csv", package_id=dataset["id"], format="CSV",
        table_schema=json.dumps(TREES_SCHEMA), context={"user": admin["name"]})
    assert load(hours["id"])["status"] == "loaded" and load(trees["id"])["status"] == "loaded"
    api = "/api/3/action/"
    # 1. all trees of a genus in a district
    found = app.get(api + "datastore_search", query_string={
        "resource_id": trees["id"], "filters": json.dumps({"genus": "Tilia", "district": "Ost"}),
        "limit": 100}).json["result"]
    assert found["total"] == 5 and {r["genus"] for r in found["records"]} == {"Tilia"}
    # 2. the hours of one station for a week
    week = app.get(api + "datastore_search_sql", query_string={"sql": (
        f'SELECT hour_start_utc, mean FROM "{hours["id"]}" WHERE station_id = \'sensor.community:12345\' '
        "AND phenomenon = 'temperature' AND hour_start_utc >= '2024-05-01' AND hour_start_utc < '2024-05-08' "
        "ORDER BY hour_start_utc")}).json["result"]["records"]
    assert len(week) == 14 and week[0]["hour_start_utc"].startswith("2024-05-01T00:00:00")
    assert week[-1]["mean"] == 17.5
    # 3. SQL over the trees table
    genera = app.get(api + "datastore_search_sql", query_string={"sql": (
        f'SELECT genus, count(*) AS n, round(avg(height_m), 1) AS hoehe FROM "{trees["id"]}" '
        "GROUP BY genus ORDER BY n DESC, genus")}).json["result"]["records"]
    assert [(g["genus"], g["n"]) for g in genera] == [("Acer", 15), ("Tilia", 15)]


def test_a_date_pattern_sql_cannot_read_is_read_by_frictionless(admin, dataset, loopback):
    schema = {"fields": [{"name": "nr", "type": "integer"},
                         {"name": "gefaellt", "type": "date", "format": "%A, %d.%m.%Y"}]}
    body = "nr;gefaellt\n1;Monday, 01.04.2024\n2;Friday, 03.05.2024\n3;\n"
    res = add_link(admin, dataset, loopback, "/faellungen.csv", body.encode("cp1252"),
                   table_schema=json.dumps(schema))
    state = load(res["id"])
    assert state["status"] == "loaded" and state["rows"] == 3, state
    result = search(res["id"], sort="nr")
    assert {f["id"]: f["type"] for f in result["fields"]}["gefaellt"] == "date"
    assert [r["gefaellt"] for r in result["records"]] == ["2024-04-01", "2024-05-03", None]
