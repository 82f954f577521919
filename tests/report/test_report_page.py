"""The validation report as a steward reads it (issues 13 and 23): German
titles and sentences naming row, column and value, no English text of
frictionless on a German page, English on the English one, and the Table
Schema as a table of fields with its JSON behind a "Details" toggle."""
import html
import json
import re

import pytest

from ckan.lib.jobs import Worker

from ..publishing import create_dataset, link_file
from ..texts import assert_never_says, assert_says

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker"),
              pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1")]

HEADER = "baumnummer;gattung;höhe;pflanzdatum\n"
# what frictionless writes (titles and message templates) and must not reach a German page
ENGLISH = ["Type Error", "Constraint Error", "Missing Cell", "Extra Cell", "Blank Row", "Unique Error",
           "PrimaryKey Error", "does not conform", "Row at position", "type is", "constraint \"",
           "has a missing cell", "has an extra value", "is completely blank", "Label \"", "Extra Label",
           "Missing Label", "Blank Label", "Duplicate Label", "Incorrect Label", "in the header"]


def rows(bad=()):
    out = []
    for i in range(1, 31):
        height = "zwölf" if i in bad else f"{8 + i % 20},{i % 10}"
        out.append(f"{i};{'Linde' if i % 2 else 'Ahorn'};{height};2019-03-0{1 + i % 9}\n")
    return "".join(out)


@pytest.fixture
def dataset(admin, org):
    return create_dataset(admin, org, "strassenbaeume", "Straßenbäume", "Alle Straßenbäume")


def publish(admin, dataset, loopback, path, body, **fields):
    res = link_file(admin, dataset, loopback, path, body, format="CSV", **fields)
    Worker().work(burst=True)
    return res


def page(app, res, token, lang=""):
    prefix = f"/{lang}" if lang else ""
    body = app.get(f"{prefix}/dataset/strassenbaeume/resource/{res['id']}/validation",
                   headers={"Authorization": token}).body
    return html.unescape(re.sub(r"\s+", " ", body))


def schema_table(text):
    """The rows of the Table Schema's field table as lists of cell texts."""
    section = text[text.index('class="jena-table-schema"'):]
    body = section[section.index("<tbody>"):section.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_cp1252_csv_with_errors_reads_in_german(app, admin, token, dataset, loopback):
    # a Windows export: cp1252, semicolons, decimal commas, a date column
    body = (HEADER + rows(bad=(7,)) + "31;Eiche;12,5;2019-03-01;überzählig\n\n").encode("cp1252")
    res = publish(admin, dataset, loopback, "/baeume.csv", body)
    text = page(app, res, token)
    assert "Prüfbericht" in text and "Zeichenkodierung Windows-1252, Trennzeichen „;“" in text
    # German titles with counts, and sentences naming column and value; rows in the row column
    row = "<td>8</td><td>höhe</td><td>zwölf</td><td>In Spalte „höhe“ wird eine Zahl erwartet, nicht „zwölf“.</td>"
    assert_says(text, "Falscher Datentyp (1)", row,
                "Überzählige Zelle (1)", "Die Zeile hat eine Zelle mehr, als es Spalten gibt („überzählig“, Spalte 5).",
                "Leere Zeile (1)", "Die Zeile ist leer.")
    assert_never_says(text, *ENGLISH)


def test_inferred_schema_is_a_german_table_with_the_json_behind_details(app, admin, token, dataset, loopback):
    res = publish(admin, dataset, loopback, "/gut.csv", (HEADER + rows()).encode("cp1252"))
    text = page(app, res, token)
    assert "Abgeleitetes Table Schema" in text
    table = schema_table(text)
    assert [r[0] for r in table] == ["baumnummer", "gattung", "höhe", "pflanzdatum"]
    types = {r[0]: (r[2], r[3]) for r in table}
    assert types["baumnummer"][0] == "Ganzzahl" and types["gattung"][0] == "Text"
    assert types["höhe"] == ("Dezimalzahl", "Dezimalkomma, Tausendertrennzeichen „.“")
    assert types["pflanzdatum"] == ("Datum", "")
    # the JSON one click away, in a native (keyboard-operable) disclosure
    details = re.search(r'<details class="jena-schema-json"[^>]*>\s*<summary>(.*?)</summary>\s*<pre>(.*?)</pre>', text)
    assert details and details.group(1).startswith("Details")
    assert json.loads(details.group(2))["fields"][2]["decimalChar"] == ","
    assert "<pre>{" not in text[:text.index("<details")]  # no raw JSON outside the toggle
    assert "Schema übernehmen" in text


def test_declared_schema_with_constraints_in_german(app, admin, token, dataset, loopback):
    schema = {"fields": [
        {"name": "baumnummer", "title": "Baumnummer", "type": "integer",
         "constraints": {"required": True, "unique": True}},
        {"name": "gattung", "type": "string", "constraints": {"enum": ["Linde", "Ahorn"], "pattern": "[A-Z].*"}},
        {"name": "höhe", "type": "number", "decimalChar": ",", "constraints": {"minimum": 1, "maximum": 20}},
        {"name": "pflanzdatum", "type": "date", "format": "%d.%m.%Y"}],
        "primaryKey": ["baumnummer"]}
    body = HEADER + "1;Linde;12,5;01.03.2019\n1;Eiche;25,0;01.03.2019\n;Linde;3,0;2019-03-01\n"
    res = publish(admin, dataset, loopback, "/regeln.csv", body.encode("cp1252"),
                  table_schema=json.dumps(schema))
    text = page(app, res, token)
    assert "Table Schema der Ressource" in text and "Abgeleitetes Table Schema" not in text
    table = {r[0]: r for r in schema_table(text)}
    assert table["baumnummer"][1] == "Baumnummer"
    assert table["baumnummer"][4] == "Primärschlüssel, Pflichtangabe, eindeutig"
    assert table["gattung"][4] == "einer von: „Linde“, „Ahorn“, Muster: [A-Z].*"
    assert table["höhe"][4] == "mindestens 1, höchstens 20"
    assert table["pflanzdatum"][2:] == ["Datum", "TT.MM.JJJJ", ""]
    # the errors name the rule, the row it repeats and the expected form of a date
    assert_says(text, "„Eiche“ verletzt die Regel der Spalte „gattung“: einer der erlaubten Werte „Linde“, „Ahorn“.",
                "„25,0“ verletzt die Regel der Spalte „höhe“: höchstens 20.",
                "„1“ in Spalte „baumnummer“ steht schon in Zeile 2.",
                "Der Schlüssel dieser Zeile steht schon in Zeile 2.",
                "Die Spalte „baumnummer“ braucht hier einen Wert.",
                "In Spalte „pflanzdatum“ wird ein Datum in der Form TT.MM.JJJJ erwartet, nicht „2019-03-01“.")
    assert "Schema übernehmen" not in text  # nothing to adopt: the schema is the resource's
    assert_never_says(text, *ENGLISH)


def test_column_names_against_the_schema_in_german(app, admin, token, dataset, loopback):
    schema = {"fields": [{"name": n, "type": "string"} for n in ("baumnummer", "gattung", "höhe", "alter")]}
    body = "baumnummer;art;baumnummer;\n1;Linde;1;x\n"
    res = publish(admin, dataset, loopback, "/spalten.csv", body.encode("cp1252"), table_schema=json.dumps(schema))
    text = page(app, res, token)
    assert_says(text, "Spalte 2 heißt „art“; das Table Schema erwartet „gattung“.",
                "Spalte 3 heißt „baumnummer“ wie schon Spalte 1.",
                "Spalte 4 hat keinen Namen (im Table Schema heißt sie „alter“).")
    assert_never_says(text, *ENGLISH)


def test_english_page_shows_english(app, admin, token, dataset, loopback):
    res = publish(admin, dataset, loopback, "/en.csv", (HEADER + rows(bad=(4,))).encode("cp1252"))
    text = page(app, res, token, lang="en")
    assert "Wrong data type (1)" in text and "“zwölf” is not a number (column “höhe”)." in text
    table = {r[0]: r for r in schema_table(text)}
    assert table["höhe"][2:4] == ["Decimal number", "decimal comma, thousands separator “.”"]
    assert table["pflanzdatum"][2] == "Date"
    assert "Falscher Datentyp" not in text and "Dezimalzahl" not in text
