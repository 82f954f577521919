"""Table Schema validation of a CSV at column speed (polars), for the common case.

Every cell is first judged by a vectorised test that only passes values
frictionless surely accepts; the few cells that do not pass are handed to
frictionless's own cell reader, so the errors found (type, row, field, note,
message) are frictionless's. Whatever this module cannot decide — a feature
it does not implement, an odd dialect or encoding, a table whose structure is
not clean (labels, ragged or blank rows) — makes check() return None and the
caller validates with frictionless as before: it never guesses.
supported() lists the schema/dialect decision; check() adds the file's.
"""
from __future__ import annotations

import codecs
import hashlib
import json
from typing import Any, Optional

from .report import Finding, Report

TYPES = {"string", "integer", "number", "boolean", "date"}
CONSTRAINTS = {"required", "unique", "minimum", "maximum", "minLength", "maxLength", "enum", "pattern"}
FIELD_KEYS = {"name", "type", "format", "title", "description", "constraints", "decimalChar", "groupChar",
              "trueValues", "falseValues", "example", "rdfType"}
ENCODINGS = {"utf-8", "utf8", "utf-8-sig", "ascii", "cp1252", "windows-1252", "latin-1", "latin1", "iso-8859-1"}


def supported(schema: Optional[dict], dialect: Optional[dict], encoding: Optional[str] = None) -> Optional[str]:
    """None when this module can validate with `schema` and `dialect`, else why not (the handover reason)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        return "no explicit schema"
    if set(schema) - {"fields", "missingValues", "$schema", "primaryKey"}:
        return "schema keys " + ", ".join(sorted(set(schema) - {"fields", "missingValues", "$schema", "primaryKey"}))
    if not all(isinstance(v, str) for v in schema.get("missingValues", [""])):
        return "missingValues not strings"
    for f in schema["fields"]:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            return "a field without a name"
        if set(f) - FIELD_KEYS:
            return f"field keys {sorted(set(f) - FIELD_KEYS)}"
        kind = f.get("type", "string")
        if kind not in TYPES or f.get("format", "default") != "default":
            return f"type {kind}/{f.get('format', 'default')}"
        c = f.get("constraints") or {}
        if not isinstance(c, dict) or set(c) - CONSTRAINTS:
            return "constraints " + str(sorted(set(c) - CONSTRAINTS) if isinstance(c, dict) else c)
        if c.get("unique") and kind not in ("string", "integer"):
            return f"unique on {kind}"
        if kind == "number" and (len(f.get("decimalChar", ".")) != 1 or len(f.get("groupChar", "")) > 1):
            return "multi-character decimalChar/groupChar"
    names = [f["name"] for f in schema["fields"]]
    if len(set(names)) != len(names):
        return "duplicate field names"
    key = primary_key(schema)
    if key is not None and (key not in names or next(
            f for f in schema["fields"] if f["name"] == key).get("type", "string") not in ("string", "integer")):
        return "primaryKey other than one string or integer field"
    if encoding and encoding.lower() not in ENCODINGS:
        return f"encoding {encoding}"
    dialect = dialect or {}
    csv = dialect.get("csv", {}) if isinstance(dialect, dict) else None
    if not isinstance(csv, dict) or set(dialect) - {"csv"} or set(csv) - {"delimiter"}:
        return "dialect other than a delimiter"
    if len(csv.get("delimiter", ",")) != 1 or csv.get("delimiter", ",") in '"\r\n':
        return "odd delimiter"
    return None


def primary_key(schema: dict) -> Optional[str]:
    """The one field of the primary key, None without one, "" for a key this module does not check."""
    key = schema.get("primaryKey")
    if key is None or key == []:
        return None
    if isinstance(key, str):
        return key
    if isinstance(key, list) and len(key) == 1 and isinstance(key[0], str):
        return key[0]
    return ""


def check(path: str, schema: dict, dialect: Optional[dict], encoding: Optional[str], max_errors: int,
          expect: Optional[dict] = None) -> Optional[Report]:
    """The Report frictionless would give, or None to hand over (see module doc)."""
    if supported(schema, dialect, encoding):
        return None
    import polars as pl
    body, sha256 = _body(path, encoding, bool(expect and expect.get("hash")))
    if body is None:
        return None
    delimiter = ((dialect or {}).get("csv") or {}).get("delimiter", ",")
    try:
        df = pl.read_csv(body, has_header=False, separator=delimiter, infer_schema=False,
                         empty_string_is_null=False, missing_columns="raise", quote_char='"')
    except Exception:  # ragged rows and the like: polars refuses, frictionless words it
        return None
    size, ends = len(body), body.endswith(b"\n")
    text = body.decode("utf-8") if b'"' in body else None
    del body  # the frame is what the checks need; a harvester's process keeps its memory bound
    fields = schema["fields"]
    if df.width != len(fields) or df.height == 0:
        return None
    # a short row reads as empty cells: every line must hold width-1 delimiters (quoted delimiters
    # and newlines are handed over by _stray_quotes)
    if text is not None:
        if _stray_quotes(text, delimiter):
            return None
        lines = pl.Series(text.rstrip("\n").split("\n"))
        del text
        if (lines.str.count_matches(delimiter, literal=True) != len(fields) - 1).any():
            return None
        del lines
    else:  # unquoted, the cells are the bytes between delimiters: a short row makes the sum short
        cells = sum(df.select(pl.all().str.len_bytes().sum()).row(0))
        per_row = (len(fields) - 1) * len(delimiter.encode()) + 1  # delimiters and the line end
        if cells + df.height * per_row - (not ends) != size:
            return None
    labels = df.row(0)
    if list(labels) != [f["name"] for f in fields]:
        return None
    data = df.slice(1).rename({c: f["name"] for c, f in zip(df.columns, fields)})
    if data.select(pl.all_horizontal(pl.all().is_in(schema.get("missingValues", [""])))).to_series().any():
        return None  # rows of missing values only: blank-row is frictionless's
    findings = _cells(data, schema, pl)
    if findings is None:
        return None
    findings.sort(key=lambda x: x[:-1])
    rows = data.height
    result = [x[-1] for x in findings]
    if max_errors and len(result) >= max_errors:
        # frictionless stops after the row that reaches the limit: it counted the rows up to there,
        # and hashed only the bytes it had read
        if expect and expect.get("hash"):
            return None
        result, rows = result[:max_errors], result[max_errors - 1].row - 1
    from .table import expected
    result += expected(expect, rows or None, sha256)
    return Report.verdict(result, max_errors, row_count=rows or None,
                          source={"format": "csv", "encoding": encoding or "utf-8",
                                  "dialect": dialect or {}}, schema_origin="resource")


def _body(path: str, encoding: Optional[str], hashed: bool) -> tuple:
    """The file as UTF-8 bytes with LF line ends and no BOM, and the sha256 of its bytes when
    `hashed`; (None, None) where frictionless is to judge (a BOM not read as utf-8-sig, bare CR line
    ends, blank rows, bytes the encoding does not decode). UTF-8 is checked in slices, never held
    as a Python string twice the file's size."""
    with open(path, "rb") as f:
        raw = f.read()
    sha256 = hashlib.sha256(raw).hexdigest() if hashed else None
    name = (encoding or "utf-8").lower().replace("_", "-")
    if raw.startswith(codecs.BOM_UTF8):  # a BOM read as utf-8-sig is no part of the first label
        if name != "utf-8-sig":
            return None, None  # read as utf-8 it is: the label mismatch is frictionless's to word
        raw = raw[3:]
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            return None, None
    if not raw.strip() or b"\n\n" in raw or raw.startswith(b"\n"):
        return None, None
    try:  # polars reads UTF-8 only: a single-byte table is transcoded, strictly like frictionless
        if name == "ascii":
            if not raw.isascii():
                return None, None
        elif name in ("utf-8", "utf8", "utf-8-sig"):
            decoder, view = codecs.getincrementaldecoder("utf-8")("strict"), memoryview(raw)
            for i in range(0, len(raw), 1 << 22):
                decoder.decode(view[i:i + (1 << 22)])
            decoder.decode(b"", True)
            del view
        else:
            raw = raw.decode(encoding).encode("utf-8")
    except (UnicodeDecodeError, LookupError):
        return None, None
    return raw, sha256


def _stray_quotes(text: str, delimiter: str) -> bool:
    """True when a quote appears other than around a whole cell (frictionless's csv module decides those)."""
    for line in text.splitlines():
        if '"' not in line:
            continue
        for part in line.split(delimiter):
            if '"' in part and not (part.startswith('"') and part.endswith('"') and len(part) > 1
                                    and '"' not in part[1:-1].replace('""', "")):
                return True
    return False


def _cells(data: Any, schema: dict, pl: Any) -> Optional[list]:
    """(row, phase, position, order, Finding) for every error, frictionless's words, sorted as it
    lists them in a row: frictionless reads the unique and primary key fields of a row first (to
    remember them), then the others; unique errors follow the cell errors, the key error comes last."""
    from frictionless import Schema, errors
    fschema = Schema.from_descriptor(json.loads(json.dumps(schema)))  # frictionless edits what it is given
    missing = schema.get("missingValues", [""])
    pk = primary_key(schema)
    fields = schema["fields"]
    first = [f["name"] for f in fields if (f.get("constraints") or {}).get("unique")]
    first += [pk] if pk and pk not in first else []
    position = {name: i for i, name in enumerate(first + [f["name"] for f in fields if f["name"] not in first])}
    out, tests = [], []
    for f in fields:  # all columns' tests in one pass (polars runs them side by side)
        c = f.get("constraints") or {}
        ok = _surely_ok(pl.col(f["name"]), f, f.get("type", "string"), c, pl)
        if ok is None:
            return None
        tests.append(pl.when(pl.col(f["name"]).is_in(missing)).then(pl.lit(not c.get("required")))
                     .otherwise(ok.fill_null(False)).not_().alias(f"_bad{len(tests)}"))
    try:
        bad = data.select(tests)
    except Exception:  # a pattern polars's regex engine does not take
        return None
    for number, f in enumerate(fields, start=1):
        name, kind, c = f["name"], f.get("type", "string"), f.get("constraints") or {}
        col = pl.col(name)
        is_missing = col.is_in(missing)
        mask = bad.get_column(f"_bad{number - 1}")
        suspects = data.select(name).with_row_index("_i").filter(mask) if mask.any() else data.clear()
        reader = fschema.get_field(name).create_cell_reader()
        for i, cell in suspects.iter_rows():
            value, notes = reader(cell)
            notes = dict(notes or {})
            type_note = notes.pop("type", None)
            row = i + 2
            if type_note:
                out.append((row, 0, position[name], 0, Finding.of(errors.TypeError(
                    note=type_note, cells=[], row_number=row, cell=str(cell), field_name=name,
                    field_number=number))))
            for order, note in enumerate(notes.values(), start=1):
                out.append((row, 0, position[name], order, Finding.of(errors.ConstraintError(
                    note=note, cells=[], row_number=row, cell=str(cell), field_name=name,
                    field_number=number))))
        if c.get("unique") or name == pk:
            key = col.cast(pl.Int64, strict=False) if kind == "integer" else col
            frame = data.with_row_index("_i").select("_i", key.alias("_k"), is_missing.alias("_m"))
            if kind == "integer" and frame.filter(~pl.col("_m") & pl.col("_k").is_null()).height:
                return None  # unparsed integers: frictionless skips them, keep it simple
            if name == pk:  # a missing key is an error of its own
                for (i,) in frame.filter(pl.col("_m")).select("_i").iter_rows():
                    out.append((i + 2, 2, 0, 0, Finding.of(errors.PrimaryKeyError(
                        note='cells composing the primary keys are all "None"', cells=[], row_number=i + 2))))
            frame = frame.filter(~pl.col("_m"))
            previous = frame.select("_i", "_k", pl.col("_i").shift(1).over("_k").alias("_p")).filter(
                pl.col("_p").is_not_null())
            for i, value, p in previous.iter_rows():  # the cell as frictionless words it: its value
                note = f"the same as in the row at position {p + 2}"
                if c.get("unique"):
                    out.append((i + 2, 1, number, 0, Finding.of(errors.UniqueError(
                        note=note, cells=[], row_number=i + 2, cell=str(value), field_name=name,
                        field_number=number))))
                if name == pk:
                    out.append((i + 2, 2, 0, 0, Finding.of(errors.PrimaryKeyError(
                        note=note, cells=[], row_number=i + 2))))
    return out


def _surely_ok(col: Any, f: dict, kind: str, c: dict, pl: Any) -> Any:
    """A polars expression true only where frictionless surely reads the cell without error."""
    ok = pl.lit(True)
    value = None
    if kind == "integer":
        ok = col.str.contains(r"^[+-]?[0-9]{1,18}$")
        value = col.cast(pl.Int64, strict=False)
    elif kind == "number":
        # frictionless drops every groupChar and reads decimalChar as "."; this is a subset of what it reads
        plain = col
        if f.get("groupChar"):
            plain = plain.str.replace_all(f["groupChar"], "", literal=True)
        if f.get("decimalChar", ".") != ".":
            plain = plain.str.replace_all(f["decimalChar"], ".", literal=True)
        ok = plain.str.contains(r"^[+-]?[0-9]{1,15}(\.[0-9]{1,15})?$")
        value = plain.cast(pl.Float64, strict=False)
    elif kind == "date":  # format "default" is strptime's %Y-%m-%d; years before 1000 go to the reader
        ok = (col.str.contains(r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$")
              & col.str.to_date("%Y-%m-%d", strict=False).is_not_null())
        if set(c) - {"required"}:
            return None
    elif kind == "boolean":
        ok = col.is_in(f.get("trueValues", ["true", "True", "TRUE", "1"])
                       + f.get("falseValues", ["false", "False", "FALSE", "0"]))
        if set(c) - {"required"}:
            return None
    if "minimum" in c or "maximum" in c:
        if value is None:
            return None
        if "minimum" in c:
            ok = ok & (value >= c["minimum"])
        if "maximum" in c:
            ok = ok & (value <= c["maximum"])
    if kind == "string":
        if "minLength" in c:
            ok = ok & (col.str.len_chars() >= c["minLength"])
        if "maxLength" in c:
            ok = ok & (col.str.len_chars() <= c["maxLength"])
        if "pattern" in c:
            ok = ok & col.str.contains("^(?:" + c["pattern"] + ")$")
    elif set(c) & {"minLength", "maxLength", "pattern"}:
        return None
    if "enum" in c:
        if kind != "string":
            return None
        ok = ok & col.is_in([str(v) for v in c["enum"]])
    return ok

