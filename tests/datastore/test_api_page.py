"""The API page for consumers (/daten-api): German, with the worked examples
filled in with this portal's own tables, which answer as printed."""
import html
import json
import os
import re

import pytest

from ckan.tests import factories, helpers

from .conftest import load
from .marks import DATASTORE
from .test_loading import TREES_SCHEMA

pytestmark = DATASTORE

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def hourly_csv() -> tuple[str, dict]:
    with open(os.path.join(ROOT, "schemas", "tables", "sensor_hourly.json"), encoding="utf-8") as f:
        schema = json.load(f)
    lines = [",".join(f["name"] for f in schema["fields"])]
    for day in range(1, 11):
        for hour in (0, 12):
            lines.append(f"sensor.community:777,loc1,sensor.community,temperature,°C,"
                         f"2024-05-{day:02d}T{hour:02d}:00:00Z,2024-05-{day:02d}T{hour + 2:02d}:00:00+02:00,"
                         f"{10 + day}.5,9,12,12,100,,50.92,11.58")
    return "\n".join(lines) + "\n", schema


def trees_csv() -> str:
    return "id,genus,district,planting_year,height_m\n" + "".join(
        f"jena:{i},{['Acer', 'Quercus'][i % 2]},{['Lobeda', 'Ost'][i % 3 == 0]},1990,{10 + i % 5}.5\n"
        for i in range(30))


def publish(create_with_upload, admin, private=False):
    org = factories.Organization(user=admin)
    dataset = helpers.call_action("package_create", {"user": admin["name"]}, name="messwerte-und-baeume",
                                  title="Messwerte und Bäume", notes="Messwerte und Bäume in Jena", owner_org=org["id"], private=private)
    body, schema = hourly_csv()
    hours = create_with_upload(body, "stundenwerte.csv", package_id=dataset["id"], format="CSV",
                               table_schema=json.dumps(schema), context={"user": admin["name"]})
    trees = create_with_upload(trees_csv(), "baeume.csv", package_id=dataset["id"], format="CSV",
                               table_schema=json.dumps(TREES_SCHEMA), context={"user": admin["name"]})
    assert load(hours["id"])["status"] == "loaded" and load(trees["id"])["status"] == "loaded"
    return hours, trees


def examples(page: str) -> list[str]:
    return [html.unescape(block) for block in re.findall(r"<pre[^>]*><code>(.*?)</code></pre>", page, re.S)]


def test_the_examples_carry_the_portals_resource_ids_and_answer_as_printed(app, create_with_upload):
    admin = factories.Sysadmin()
    hours, trees = publish(create_with_upload, admin)
    page = app.get("/daten-api").body
    assert "<h1>Daten-API</h1>" in page
    assert "Alle Bäume einer Gattung in einem Stadtteil" in page
    assert 'href="https://docs.ckan.org/en/2.11/api/"' in page
    first, second, third = examples(page)
    assert "RESOURCE_ID" not in page
    # 1. a genus and a district that occur in the table
    assert f"resource_id={trees['id']}" in first
    filters = json.loads(re.search(r"'filters=(\{.*?\})'", first).group(1))
    assert filters == {"genus": "Acer", "district": "Ost"}  # the first row's
    assert "'fields=id,height_m'" in first  # the columns of this table among the example's
    found = app.get("/api/3/action/datastore_search", query_string={
        "resource_id": trees["id"], "filters": json.dumps(filters), "limit": 100}).json["result"]
    assert found["total"] > 0
    # 2. the station's latest week, as the SQL in the page says
    statement = re.search(r'"sql=(.*)"', second, re.S).group(1).replace('\\"', '"')
    assert hours["id"] in statement and "sensor.community:777" in statement
    week = app.get("/api/3/action/datastore_search_sql", query_string={"sql": statement}).json["result"]
    assert len(week["records"]) == 14  # 4 to 10 May, two hours a day
    assert week["records"][-1]["hour_start_utc"].startswith("2024-05-10T12:00:00")
    # 3. SQL over the trees table
    statement = re.search(r'"sql=(.*)"', third, re.S).group(1).replace('\\"', '"')
    genera = app.get("/api/3/action/datastore_search_sql", query_string={"sql": statement}).json["result"]
    assert sorted(g["genus"] for g in genera["records"]) == ["Acer", "Quercus"]


def test_a_private_datasets_tables_are_not_shown_to_consumers(app, create_with_upload):
    admin = factories.Sysadmin()
    hours, trees = publish(create_with_upload, admin, private=True)
    page = app.get("/daten-api").body
    assert trees["id"] not in page and hours["id"] not in page
    assert "RESOURCE_ID_OF_THE_TREES" in page and "RESOURCE_ID_OF_THE_HOURLY_VALUES" in page
    assert "Platzhalter" in page


@pytest.mark.usefixtures("clean_db")
def test_the_page_without_any_table_has_placeholders(app):
    page = app.get("/daten-api").body
    assert "datastore_search_sql" in page and "RESOURCE_ID_OF_THE_TREES" in page
