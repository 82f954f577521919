"""Validation of big tables in parts on every core gives the report that one
frictionless pass over the whole file gives: same errors, same row numbers,
the primary key checked across the parts."""
import json

from etl import package, validate
from etl.validation.parts import split_points

SCHEMA = {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}},
                     {"name": "note", "type": "string"},
                     {"name": "height_m", "type": "number", "constraints": {"minimum": 0, "maximum": 60}}],
          "primaryKey": ["id"]}


def _package(tmp_path, rows):
    path = tmp_path / "t.csv"
    path.write_text("id,note,height_m\n" + "".join(rows), encoding="utf-8")
    descriptor = {"name": "t", "resources": [{
        "name": "t", "path": "t.csv", "format": "csv", "encoding": "utf-8", "schema": SCHEMA,
        "rows": len(rows), "hash": "sha256:" + package.sha256_file(str(path))}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    return tmp_path


def _both(directory, monkeypatch):
    monkeypatch.setattr(validate, "PARALLEL_ROWS", 10)
    monkeypatch.setattr(validate.os, "cpu_count", lambda: 3)
    parts = validate.validate(str(directory), "t")
    monkeypatch.setattr(validate, "PARALLEL_ROWS", 10 ** 9)
    whole = validate.validate(str(directory), "t")
    return parts, whole


def _key(report):
    return [(e["type"], e["row"], e["field"]) for e in report["errors"]]


def test_parts_report_what_the_whole_file_reports(tmp_path, monkeypatch):
    rows = [f"t{i},ok,{i % 50}.5\n" for i in range(300)]
    rows[20] = "t7,copy of an earlier id,3\n"          # duplicate within the first part
    rows[250] = "t3,copy across parts,3\n"             # duplicate in another part
    rows[150] = "t150,,zwei\n"                         # not a number
    rows[280] = "t280,,75\n"                           # above the maximum
    parts, whole = _both(_package(tmp_path, rows), monkeypatch)
    assert not parts["valid"]
    assert _key(parts) == _key(whole) == [
        ("primary-key", 22, None), ("type-error", 152, "height_m"),
        ("primary-key", 252, None), ("constraint-error", 282, "height_m")]


def test_a_quoted_line_break_is_never_cut(tmp_path, monkeypatch):
    # Long quoted values with line breaks everywhere, so every cut lands near one.
    rows = [f't{i},"Zeile eins\nZeile ""zwei""\n{"x" * (i % 17)}",{i % 60}\n' for i in range(120)]
    parts, whole = _both(_package(tmp_path, rows), monkeypatch)
    assert parts["valid"] and whole["valid"] and parts["errors"] == whole["errors"] == []
    assert [p["rows"] for p in parts["parts"] if "rows" in p] == [41, 40, 39]  # three processes, 120 rows
    cuts = split_points(str(tmp_path / "t.csv"), 3)
    data = (tmp_path / "t.csv").read_bytes()
    assert len(cuts) == 2 and all(data[c:c + 1] == b"t" and data[:c].count(b'"') % 2 == 0 for c in cuts)


def test_a_file_that_lost_rows_is_invalid(tmp_path, monkeypatch):
    directory = _package(tmp_path, [f"t{i},,1\n" for i in range(100)])
    with open(directory / "t.csv", "a", encoding="utf-8") as f:
        f.write("t100,,1\n")  # changed after datapackage.json was written
    parts, whole = _both(directory, monkeypatch)
    assert {e["type"] for e in parts["errors"]} == {"row-count", "hash-count"}
    assert not whole["valid"]


GERMAN = ("Baumnummer;Gattung;Höhe (m);Pflanzjahr;Stadtteil\r\n"
          "1001;Tilia;12,5;1985;Zentrum\r\n1002;Acer;9,75;1992;Lobeda\r\n1003;Quercus;18,2;1960;Wenigenjena\r\n")


def test_a_ragged_row_in_a_semicolon_file_with_decimal_commas_is_found(tmp_path):
    # csv's Sniffer (frictionless's) read such a file as ","-separated with the
    # first row as header: every field garbage, and the file "valid".
    from etl.validation import check_file
    ragged = tmp_path / "ragged.csv"
    ragged.write_bytes((GERMAN + "1004;Betula;7,3;2001;Winzerla;Schloßgasse\r\n").encode("cp1252"))
    report = check_file(str(ragged), "csv")
    assert report.status == "invalid" and [(e.type, e.row) for e in report.errors] == [("extra-cell", 5)]
    assert [f["name"] for f in report.inferred_schema["fields"]][:3] == ["Baumnummer", "Gattung", "Höhe (m)"]
    assert report.source["dialect"] == {"csv": {"delimiter": ";"}}
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(GERMAN.encode("cp1252"))
    assert check_file(str(fixed), "csv").status == "valid"
