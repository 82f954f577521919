"""Table Schema fields as DataStore columns: the PostgreSQL type of each and
the SQL that turns the file's text into it.

The file is copied as text into a staging table and converted by one
INSERT … SELECT, so German decimals, true/false words and date patterns are
read by PostgreSQL itself, not row by row in Python. A value the expression
cannot read fails the whole load (the old table stays): validation has
accepted the file, so that means the two disagree, and a guess would hide it.

Types (Table Schema → PostgreSQL):
  string, any → text          integer → integer, or bigint beyond its bounds
  number → numeric (exact)    boolean → boolean
  date → date                 time → time
  datetime → timestamptz for ISO values (the spec's default is UTC, "Z"; a
      value without offset is read as UTC), timestamp for a pattern without
      %z (wall-clock time as written)
  year → integer              yearmonth → text ("2024-05")
  duration → interval         geopoint → text ("lon, lat" as given)
  geojson, object, array → jsonb
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

INT4 = (-2**31, 2**31 - 1)
TEXT_TYPES = {"string", "any"}
# Columns considered for an index when they have few distinct values.
LOW_CARDINALITY_TYPES = {"string", "integer", "year", "boolean", "date"}
TEMPORAL_TYPES = {"date", "datetime", "year"}


class Unsupported(Exception):
    """The Table Schema asks for what a DataStore table cannot have."""


class NotInSQL(Exception):
    """A field SQL cannot read (a date pattern PostgreSQL has no equivalent
    for): the loader has frictionless read the file instead."""


def literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""').replace("\0", "") + '"'


@dataclass
class Column:
    name: str
    type: str          # Table Schema type
    pg_type: str
    expression: str    # SQL over the staging column {v}
    required: bool = False
    label: str = ""
    notes: str = ""
    filterable: bool = False
    in_key: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def in_full_text(self) -> bool:
        # Key values ("jena:1001") are looked up with filters, not words.
        return self.type in TEXT_TYPES and not self.in_key


# strftime directives → PostgreSQL to_date/to_timestamp patterns.
PATTERNS = {"Y": "YYYY", "y": "YY", "m": "MM", "d": "DD", "H": "HH24", "I": "HH12", "p": "AM",
            "M": "MI", "S": "SS", "f": "US", "j": "DDD", "b": "Mon", "B": "Month",
            "z": "TZHTZM", "%": "%"}


def pg_pattern(fmt: str) -> str:
    out, literal_text = [], []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            directive = fmt[i + 1].lstrip("-#")
            if directive not in PATTERNS:
                raise NotInSQL(f"date pattern directive %{directive}")
            if literal_text:
                out.append('"' + "".join(literal_text).replace('"', '\\"') + '"')
                literal_text = []
            out.append(PATTERNS[directive])
            i += 2
        else:
            literal_text.append(fmt[i])
            i += 1
    if literal_text:
        out.append('"' + "".join(literal_text).replace('"', '\\"') + '"')
    return "".join(out)


def _number(v: str, spec: dict[str, Any], cast: str) -> str:
    expr = f"btrim({v})"
    if spec.get("bareNumber") is False:
        # frictionless strips what is around the number: "12,5 %" → "12,5"
        expr = f"regexp_replace({expr}, '^[^-+0-9]*|[^0-9]*$', '', 'g')"
    group = spec.get("groupChar") or ""
    decimal = spec.get("decimalChar") or "."
    if group:
        expr = f"replace({expr}, {literal(group)}, '')"
    if decimal != "." and cast == "numeric":
        expr = f"replace({expr}, {literal(decimal)}, '.')"
    return f"({expr})::{cast}"


def _integer_type(spec: dict[str, Any]) -> str:
    constraints = spec.get("constraints") or {}
    low, high = constraints.get("minimum"), constraints.get("maximum")
    fits = all(isinstance(x, int) and INT4[0] <= x <= INT4[1] for x in (low, high))
    return "integer" if fits else "bigint"


def _boolean(v: str, spec: dict[str, Any]) -> str:
    true = spec.get("trueValues") or ["true", "True", "TRUE", "1"]
    false = spec.get("falseValues") or ["false", "False", "FALSE", "0"]
    # ELSE: PostgreSQL's own reading, which refuses what it does not know.
    return (f"CASE WHEN {v} IN ({', '.join(map(literal, true))}) THEN true "
            f"WHEN {v} IN ({', '.join(map(literal, false))}) THEN false ELSE ({v})::boolean END")


def temporal_type(kind: str, fmt: str) -> str:
    if kind in ("date", "time"):
        return kind
    if fmt in ("default", "") or "%z" in fmt:
        return "timestamptz"
    return "timestamp"


def _temporal(v: str, kind: str, fmt: str) -> tuple[str, str]:
    pg_type = temporal_type(kind, fmt)
    if fmt in ("default", "any", ""):
        return pg_type, f"(btrim({v}))::{pg_type}"
    pattern = literal(pg_pattern(fmt))
    if kind == "date":
        return pg_type, f"to_date(btrim({v}), {pattern})"
    if pg_type == "timestamptz":
        return pg_type, f"to_timestamp(btrim({v}), {pattern})"
    return pg_type, f"(to_timestamp(btrim({v}), {pattern}))::{pg_type}"


def convert(kind: str, spec: dict[str, Any], v: str) -> tuple[str, str]:
    """(PostgreSQL type, expression) of a field; `v` is the text column."""
    if kind in TEXT_TYPES or kind in ("yearmonth", "geopoint"):
        return "text", v
    if kind == "integer":
        cast = _integer_type(spec)
        return cast, _number(v, spec, cast)
    if kind == "number":
        return "numeric", _number(v, spec, "numeric")
    if kind == "boolean":
        return "boolean", _boolean(v, spec)
    if kind in ("date", "time", "datetime"):
        return _temporal(v, kind, spec.get("format") or "default")
    if kind == "year":
        return "integer", f"(btrim({v}))::integer"
    if kind == "duration":
        return "interval", f"(btrim({v}))::interval"
    if kind in ("geojson", "topojson", "object", "array"):
        return "jsonb", f"({v})::jsonb"
    return "text", v  # a type this version does not know: kept as written


def columns(schema: dict[str, Any]) -> list[Column]:
    """The DataStore columns of a Table Schema; raises Unsupported. A column
    SQL cannot read has no expression (the file is then rewritten)."""
    fields = schema.get("fields") or []
    if not fields:
        raise ValueError("the Table Schema has no fields")
    primary = primary_key(schema)
    missing = schema.get("missingValues", [""])
    out = []
    for index, spec in enumerate(fields):
        name = spec.get("name")
        if not name or name.startswith("_") or len(name.encode("utf-8")) > 63:
            # CKAN keeps _-names for itself; PostgreSQL cuts names at 63 bytes.
            raise Unsupported(f"column name {name!r}")
        kind = spec.get("type") or "string"
        v = f"s.c{index}"
        try:
            pg_type, expression = convert(kind, spec, v)
        except NotInSQL:
            pg_type, expression = temporal_type(kind, spec.get("format") or "default"), ""
        if missing and expression:
            nulls = ", ".join(literal(m) for m in missing)
            expression = f"CASE WHEN {v} IS NULL OR {v} IN ({nulls}) THEN NULL ELSE {expression} END"
        out.append(Column(
            name=name, type=kind, pg_type=pg_type, expression=expression,
            required=bool((spec.get("constraints") or {}).get("required")) or name in primary,
            label=spec.get("title") or "", notes=spec.get("description") or "",
            filterable=bool(spec.get("filterable") or spec.get("jena:filterable")),
            in_key=name in primary))
    if len({c.name for c in out}) != len(out):
        raise Unsupported("two columns of the same name")
    return out


def primary_key(schema: dict[str, Any]) -> list[str]:
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def is_default_format(schema: dict[str, Any]) -> bool:
    """Whether every field reads as PostgreSQL reads it (the frictionless path
    writes such a file)."""
    return all((f.get("format") or "default") == "default" for f in schema.get("fields") or [])


def normalised(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a file frictionless rewrote from typed values: ISO dates,
    decimal points, true/false, JSON for objects."""
    fields = []
    for spec in schema.get("fields") or []:
        f = {k: v for k, v in spec.items()
             if k not in ("format", "decimalChar", "groupChar", "bareNumber", "trueValues", "falseValues")}
        fields.append(f)
    return dict(schema, fields=fields, missingValues=[""])


def full_text_sql(cols: list[Column], lang: str) -> str:
    """_full_text: the text columns as written in the file, without the
    primary key (numbers, coordinates and ids would only fill the index);
    all columns if none is text."""
    chosen = [c for c in cols if c.in_full_text] or cols
    parts = ", ".join(f"s.c{cols.index(c)}" for c in chosen)
    return f"to_tsvector({literal(lang)}, concat_ws(' ', {parts}))"


_SAFE_LANG = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def check_lang(lang: str) -> str:
    if not _SAFE_LANG.match(lang or ""):
        raise ValueError(f"not a text search configuration name: {lang!r}")
    return lang


def dictionary_info(column: Column, previous: Optional[dict[str, Any]]) -> dict[str, Any]:
    """The Data Dictionary entry: the schema's title and description; what a
    steward wrote into the dictionary stays where the schema says nothing."""
    info = dict(previous or {})
    if column.label or "label" not in info:
        info["label"] = column.label
    if column.notes or "notes" not in info:
        info["notes"] = column.notes
    info.setdefault("type_override", "")
    return info
