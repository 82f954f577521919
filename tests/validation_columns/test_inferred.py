"""Differential suite, second half: the column checker against frictionless where the schema is
inferred (no schema given: the validation job and the benches), and on what the first half does not
generate — ISO dates, a primary key, the error limit, a package's row count and hash. Reports must be
identical as a whole (to_dict: status, errors in frictionless's order, row_count, source,
schema_origin, inferred_schema), not just the same errors."""
import hashlib
import os
import random

from etl.validation import _columns, check_file, formats, table

COUNT = int(os.environ.get("VALID_DIFF_TABLES", "1000")) // 2
COLUMNS = {
    "integer": lambda rng: str(rng.randint(-50, 5000)),
    "german": lambda rng: f"{rng.uniform(0, 2000):.2f}".replace(".", ","),
    "dotted": lambda rng: f"{rng.uniform(0, 90):.3f}",
    "date": lambda rng: f"{rng.randint(1950, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "string": lambda rng: rng.choice(["Jena", "Lobeda", "Zwätzen", "Winzerla", "Ost"]),
    "boolean": lambda rng: rng.choice(["true", "false"]),
}
BAD = ["unbekannt", "", "2023-02-30", "12,5", "1.234,5", "n/a", "0999-01-01", "2024-1-5", "x"]


def _inferred_table(rng):
    kinds = [rng.choice(list(COLUMNS)) for _ in range(rng.randint(1, 5))]
    delimiter = rng.choice([",", ";", ";"])
    if "german" in kinds:
        delimiter = ";"
    lines = [delimiter.join(f"spalte_{i}" for i in range(len(kinds)))]
    bad = rng.choice([0, 0.002, 0.02, 0.1])
    for _ in range(rng.choice([0, 3, 50, 99, 150, 400])):
        lines.append(delimiter.join(rng.choice(BAD) if rng.random() < bad else COLUMNS[k](rng) for k in kinds))
    return "\n".join(lines) + "\n"


def _source(path):
    """The encoding and dialect check_file settles before it validates."""
    encoding = formats.detect_encoding(path)
    delimiter = formats.sniff_delimiter(path, encoding)
    return encoding, {"csv": {"delimiter": delimiter}} if delimiter and delimiter != "," else None


def test_inferred_reports_are_frictionless_reports(tmp_path):
    rng = random.Random(1919)
    handed, compared, invalid, dates, boms = 0, 0, 0, 0, 0
    for n in range(COUNT):
        path = str(tmp_path / f"i{n}.csv")
        with open(path, "wb") as f:
            f.write(_inferred_table(rng).encode(rng.choice(["utf-8", "cp1252", "utf-8-sig"])))
        encoding, dialect = _source(path)
        max_errors = rng.choice([1000, 1000, 5])
        ours = _columns(path, None, dialect, encoding, max_errors, None)
        if ours is None:
            handed += 1
            continue
        theirs = table.read(path, "csv", None, max_errors, encoding, dialect)
        assert ours.to_dict() == theirs.to_dict(), open(path, "rb").read()[:2000]
        compared += 1
        invalid += not ours.valid
        dates += any(f["type"] == "date" for f in ours.inferred_schema["fields"])
        boms += encoding == "utf-8-sig"
    print(f"inferred: {COUNT} tables, {compared} compared ({invalid} invalid, {dates} with dates, {boms} with a BOM), "
          f"{handed} handed over ({handed / COUNT:.0%})")
    assert compared >= COUNT // 2 and invalid >= compared // 5 and dates >= compared // 5 and boms >= compared // 5


def test_check_file_without_schema_gives_frictionless_report(tmp_path):
    """The whole entry the job uses: encoding and delimiter found, schema inferred, columns checked."""
    path = str(tmp_path / "baeume.csv")
    rows = ["baumnummer;höhe_m;pflanzdatum;art"] + [
        f"{i};{i % 30},5;20{i % 24:02d}-0{i % 9 + 1}-1{i % 9};{'Linde' if i % 2 else 'Eiche'}" for i in range(1, 300)]
    rows[150] = "150;unbekannt;2010-02-30;Linde"  # beyond frictionless's sample of 100 rows: two errors
    with open(path, "w", encoding="cp1252") as f:
        f.write("\n".join(rows) + "\n")
    ours = check_file(path, "csv", None)
    theirs = table.read(path, "csv", None, 1000, "cp1252", {"csv": {"delimiter": ";"}})
    assert ours.to_dict() == theirs.to_dict()
    assert ours.schema_origin == "inferred" and [e.type for e in ours.errors] == ["type-error", "type-error"]
    assert [f["type"] for f in ours.inferred_schema["fields"]] == ["integer", "number", "date", "string"]


KEYED = {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}},
                    {"name": "nummer", "type": "integer", "constraints": {"unique": True}},
                    {"name": "datum", "type": "date"},
                    {"name": "hoehe", "type": "number", "constraints": {"minimum": 0, "maximum": 60}}],
         "primaryKey": ["id"], "missingValues": [""]}
KEY_CELLS = {"id": ["a1", "a2", "a3", "a1", ""], "nummer": ["1", "2", "3", "2", "", "02"],
             "datum": ["2024-01-05", "1999-12-31", "2023-02-29", "", "2024-1-5", "05.01.2024", "0999-01-01"],
             "hoehe": ["3.5", "70", "", "-1", "12"]}


def test_keys_dates_limits_and_hash_as_frictionless(tmp_path):
    rng = random.Random(2019)
    handed, compared, invalid = 0, 0, 0
    for n in range(COUNT // 2):
        lines = ["id,nummer,datum,hoehe"]
        for _ in range(rng.randint(1, 12)):
            lines.append(",".join(rng.choice(KEY_CELLS[f["name"]]) for f in KEYED["fields"]))
        data = ("\n".join(lines) + "\n").encode()
        path = str(tmp_path / f"k{n}.csv")
        with open(path, "wb") as f:
            f.write(data)
        digest = hashlib.sha256(data).hexdigest() if rng.random() < 0.7 else "0" * 64
        expect = {"rows": rng.choice([len(lines) - 1, len(lines)]), "hash": "sha256:" + digest}
        max_errors = rng.choice([1000, 3])
        ours = _columns(path, KEYED, None, "utf-8", max_errors, expect)
        if ours is None:
            handed += 1
            continue
        theirs = table.read(path, "csv", KEYED, max_errors, "utf-8", None, expect)
        assert ours.to_dict() == theirs.to_dict(), data
        compared += 1
        invalid += not ours.valid
    print(f"keys: {COUNT // 2} tables, {compared} compared ({invalid} invalid), {handed} handed over")
    assert compared >= COUNT // 4 and invalid >= compared // 2
