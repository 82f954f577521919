"""Every error the validation core can produce has a German title and a German
sentence (issue 13): the types are taken from frictionless's own baseline
check and from the core, the findings from real files run through the core."""
import json

import pytest

from etl.validation import check_file, table
from etl.validation.descriptor import check_package

from ..texts import assert_says

# what frictionless writes into its messages: none of it may be in a German sentence
ENGLISH_WORDS = ("Row at position", "does not conform", "type is", "constraint", "field at position",
                 "label", "header", "is not followed", "points outside", "required property", "feature ",
                 "Self-intersection", "values", "lookup table", "the same as")

CORE_OWN = {"geometry-error", "descriptor-error", "row-count", "hash-count", "field-error"}


def frictionless_types():
    from frictionless import errors
    from frictionless.checks import baseline
    titles = {E.type: E.title for E in baseline.Errors}
    for name in dir(errors):  # the reading errors table.py reports, with their English titles
        kind = getattr(errors, name)
        if isinstance(kind, type) and getattr(kind, "type", None) in table.UNREADABLE:
            titles[kind.type] = kind.title
    return titles


@pytest.fixture
def german(app):
    with app.flask_app.test_request_context("/"):
        from ckanext.jena.validation import errortext
        yield errortext


def test_every_type_the_core_can_produce_has_a_german_title(german):
    english = frictionless_types()
    produced = set(english) | set(table.UNREADABLE) | CORE_OWN
    assert produced <= german.known_types(), produced - german.known_types()
    for kind in produced:
        title, description = german.error_title(kind), german.error_description(kind)
        assert title and title != english.get(kind) and title != "Sonstiger Fehler", kind
        assert description and not description.startswith(("The ", "A ", "This ")), (kind, description)
    assert german.error_title("type-error") == "Falscher Datentyp"
    assert german.error_title("a-type-nobody-knows") == "Sonstiger Fehler"


def _findings(tmp_path):
    """Real findings of the core for files with every kind of table error."""
    schema = {"fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "art", "type": "string", "constraints": {"enum": ["Linde", "Ahorn"], "minLength": 2}},
        {"name": "hoehe", "type": "number", "decimalChar": ",", "constraints": {"maximum": 40}},
        {"name": "datum", "type": "date", "format": "%d.%m.%Y"}], "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["hoehe"], "reference": {"resource": "", "fields": ["id"]}}]}
    files = {"cells.csv": "id;art;hoehe;datum\n1;Linde;1;01.02.2020\n1;Eiche;zwölf;2020-01-01\n;x;99;01.01.2020\n"
                          "\n3;Ahorn;1\n4;Ahorn;1;01.01.2020;extra\n",
             "labels.csv": "id;art;id;;foo\n1;Linde;1;2;3\n",
             "renamed.csv": "id;sorte;hoehe;datum\n1;Linde;1;01.01.2020\n",
             "few.csv": "id;art\n1;Linde\n"}
    found = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="cp1252")
        report = check_file(str(path), "csv", schema, dialect={"csv": {"delimiter": ";"}},
                            expect={"rows": 99, "hash": "sha256:" + "0" * 64})
        found += [e.to_dict() for e in report.errors]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [681234, 5644321]}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}]}
    path = tmp_path / "flaechen.geojson"
    path.write_text(json.dumps(collection))
    found += [e.to_dict() for e in check_file(str(path), "geojson").errors]
    descriptor = {"name": "Bad Name!", "profile": "http://example.org/p.json",
                  "resources": [{"path": "../x.csv", "schema": "http://example.org/s.json"}, {"name": 3}]}
    found += [e.to_dict() for e in check_package(descriptor).errors]
    return found


def test_real_findings_become_german_sentences(german, tmp_path):
    findings = _findings(tmp_path)
    kinds = {f["type"] for f in findings}
    # the files above really produce the kinds a steward meets
    assert {"type-error", "constraint-error", "unique-error", "primary-key", "foreign-key", "blank-row",
            "missing-cell", "extra-cell", "extra-label", "duplicate-label", "blank-label", "incorrect-label",
            "missing-label", "row-count", "hash-count", "geometry-error", "descriptor-error"} <= kinds, kinds
    for f in findings:
        text = german.error_message(f["type"], f)
        assert text and text != f["message"], f
        for word in ENGLISH_WORDS:
            assert word not in text, (word, text, f)
        if f["type"] in ("type-error", "constraint-error", "unique-error", "missing-cell", "missing-label"):
            assert f"„{f['field']}“" in text, (text, f)
    sentences = {german.error_message(f["type"], f) for f in findings}
    assert_says(sentences, "Die Spalte „id“ braucht hier einen Wert.",
                "„Eiche“ verletzt die Regel der Spalte „art“: einer der erlaubten Werte „Linde“, „Ahorn“.",
                "„1“ in Spalte „id“ steht schon in Zeile 2.",
                "In Spalte „datum“ wird ein Datum in der Form TT.MM.JJJJ erwartet, nicht „2020-01-01“.",
                "Die Zeile hat eine Zelle mehr, als es Spalten gibt („extra“, Spalte 5).",
                "Spalte 2 heißt „sorte“; das Table Schema erwartet „art“.",
                "Die Spalte „hoehe“ des Table Schemas (Spalte 3) fehlt in der Datei.",
                "Die Datei hat 1 Zeilen; ihr Datenpaket nennt 99.",
                "keine Geometrie",
                "der Umriss überschneidet sich selbst bei 0.5 0.5",
                "Der Pfad '../x.csv' zeigt aus dem Paket heraus. (bei „resources/0/path“)",
                "Die Angabe „name“ fehlt.")


def test_a_refused_table_schema_is_explained_in_german(german, tmp_path):
    from ckanext.jena.validation import messages
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1;2\n")
    report = check_file(str(path), "csv", {"fields": [{"name": "a", "type": "zahl"}]}).to_dict()
    assert messages.explain(report) == ("Das Table Schema der Ressource ist ungültig: "
                                        "Der Feldtyp „zahl“ wird nicht unterstützt.")
    empty = tmp_path / "leer.csv"
    empty.write_text("")
    assert messages.explain(check_file(str(empty), "csv").to_dict()) == \
        "Die Datei konnte nicht als Tabelle gelesen werden (Datei nicht lesbar)."
