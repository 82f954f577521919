"""Differential suite: the column checker (etl.validation.columns) against frictionless.

Seeded random adversarial tables; for each, either columns hands over (None) or its
errors (type, row, field) are exactly frictionless's. VALID_DIFF_TABLES sets the count."""
import os
import random

from etl.validation import columns, table

COUNT = int(os.environ.get("VALID_DIFF_TABLES", "1000"))
CELLS = {
    "integer": ["1", "-7", "+3", "007", "12x", "", "1.0", " 4", "99999", "-0", "n/a", "1e3"],
    "number": ["1.234,56", "12,5", "1,5", "3.5", "-0,25", "", "abc", "1.234.567,8", "7", "n/a", "1..2", ",5"],
    "string": ["Jena", "Lobeda", "", "ab", "Zwätzen", "x y", "n/a", "A1", "zz", "Jena"],
    "boolean": ["true", "false", "ja", "nein", "1", "0", "", "TRUE", "x"],
}


def _schema(rng):
    fields = []
    for i in range(rng.randint(1, 4)):
        kind = rng.choice(list(CELLS))
        f = {"name": f"f{i}", "type": kind, "constraints": {}}
        if kind == "number" and rng.random() < 0.7:
            f.update(decimalChar=",", groupChar=".")
        if kind == "boolean" and rng.random() < 0.5:
            f.update(trueValues=["ja"], falseValues=["nein"])
        if rng.random() < 0.3:
            f["constraints"]["required"] = True
        if kind in ("integer", "number") and rng.random() < 0.4:
            f["constraints"][rng.choice(["minimum", "maximum"])] = rng.choice([0, 5, 100])
        if kind in ("string", "integer") and rng.random() < 0.3:
            f["constraints"]["unique"] = True
        if kind == "string" and rng.random() < 0.4:
            key = rng.choice(["minLength", "maxLength", "pattern", "enum"])
            f["constraints"][key] = {"minLength": 2, "maxLength": 4, "pattern": "[A-Z][a-z]+",
                                     "enum": ["Jena", "Lobeda"]}[key]
        fields.append(f)
    schema = {"fields": fields}
    if rng.random() < 0.3:
        schema["missingValues"] = ["", "n/a"]
    return schema


def _table(rng, schema, delimiter):
    names = [f["name"] for f in schema["fields"]]
    if rng.random() < 0.05:
        names = names[::-1] if len(names) > 1 else ["other"]
    lines = [delimiter.join(names)]
    for _ in range(rng.randint(0, 8)):
        cells = [rng.choice(CELLS[f["type"]]) for f in schema["fields"]]
        cells = ['"%s"' % c if delimiter in c or (rng.random() < 0.05) else c for c in cells]
        r = rng.random()
        if r < 0.03:
            cells = cells[:-1]
        elif r < 0.06:
            cells.append("extra")
        lines.append(delimiter.join(cells))
        if rng.random() < 0.02:
            lines.append("")
    text = "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")
    return ("\ufeff" if rng.random() < 0.03 else "") + text


def test_columns_agree_with_frictionless(tmp_path):
    rng = random.Random(19)
    handed, compared, invalid = 0, 0, 0
    for n in range(COUNT):
        schema = _schema(rng)
        delimiter = rng.choice([",", ";"])
        dialect = {"csv": {"delimiter": delimiter}} if delimiter != "," else None
        encoding = rng.choice(["utf-8", "utf-8", "utf-8", "cp1252"])
        path = tmp_path / f"t{n}.csv"
        path.write_bytes(_table(rng, schema, delimiter).encode(encoding, "replace"))
        ours = columns.check(str(path), schema, dialect, encoding, 1000)
        if ours is None:
            handed += 1
            continue
        theirs = table.read(str(path), "csv", schema, 1000, encoding, dialect)
        key = lambda r: sorted((e.type, e.row, e.field, e.note) for e in r.errors)
        assert (ours.status, key(ours)) == (theirs.status, key(theirs)), (path.read_text(encoding), schema)
        assert sorted(e.message for e in ours.errors) == sorted(e.message for e in theirs.errors)
        assert ours.row_count == theirs.row_count
        compared += 1
        invalid += not ours.valid
    print(f"differential: {COUNT} tables, {compared} compared ({invalid} invalid), {handed} handed over "
          f"({handed / COUNT:.0%})")
    assert compared >= COUNT // 3 and invalid >= compared // 4  # not everything handed over, errors exercised
