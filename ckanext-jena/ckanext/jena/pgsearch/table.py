"""The index table: every column with its type, what it holds and how a write
fills it, and every index — described once.

store.py builds its upsert from these columns, sql.py and translate.py find
the typed columns of a Solr field here, and migrations from 0004 on create
what they add from it (`ALTER TABLE … ADD COLUMN {column("x").ddl()}`,
`Index.ddl()`; 0001–0003 keep the SQL they were released with).
tests/pgsearch/test_table.py checks that the migrated table is exactly this
description. A new indexed column is one `Column` here plus a migration that
adds it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

TABLE = "jena_search_doc"
SEQUENCE = "jena_search_doc_seq"
# Facet values get small integer ids; rows keep the ids (see 0003).
FACETS = "jena_search_facet_value"
# Moves on after every change of the index (see 0005 and facet_cache.py):
# a statement trigger moves it inside the writing transaction, writes.py
# once more after the commit.
GENERATION = "jena_search_generation"
FACET_SEPARATOR = "\x1f"  # between field and value in FACETS.fv

# What a column holds, which decides how store.document_row fills it.
FIRST = "first"      # the first value of the Solr field of the same name
VALUES = "values"    # every value of that field (a text[])
BLOB = "blob"        # that field itself, kept out of the JSON document
DERIVED = "derived"  # computed from the whole document (see store.py)

# Sources of the weighted tsvector, mirroring CKAN's dismax
# qf "name^4 title^4 tags^2 groups^2 text": title/name > tags, groups,
# organisation > notes > every other field copied into Solr's `text`.
TEXT_WEIGHTS = {"A": ("name", "title"), "B": ("tags", "groups", "organization"),
                "C": ("notes",)}  # D: the rest
# ts_rank's weights for the labels D, C, B, A.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]

# The vector's lexemes from name and title (label A), with a GIN index of
# their own: sql.py pages a ranking by one word from the documents holding
# it there first. That is exact, not a heuristic: for one lexeme ts_rank is
# (w_max + sum over its other positions j of w_j / (j + 1)^2) / 1.64493406685
# (PostgreSQL's calc_rank_or), so a document with the word in its title
# ranks at least 1.0 / 1.645 = 0.61. The vector is A || B || C || D
# (_VECTOR), so a document without it there has its highest weight first and
# ranks at most 0.4 * (1 + 0.645) / 1.645 = 0.4: every title hit ranks above
# every other hit. (Positions stop at 16,383; a name, title and tags of more
# words than that would blur the order.)
TITLE_VECTOR = "ts_filter({}search_vector, '{{a}}'::\"char\"[])"
assert RANK_WEIGHTS[3] / 1.64493406685 > RANK_WEIGHTS[2], "title hits must outrank the rest"

# The documents every visitor may see: term_counts.py keeps the facet counts
# of these per common word ({a}: the table's alias and a dot, or nothing).
COUNTED = ("{a}state = 'active' AND {a}capacity = 'public' "
           "AND {a}permission_labels @> '{{public}}'::text[]")


def vector(text: str) -> str:
    """SQL of the weighted vector of a document's four texts (A-D): `text`
    gives the SQL of each from its label in lower case ("a" to "d")."""
    return " || ".join(
        f"setweight(to_tsvector(CAST(:cfg AS regconfig), {text.format(label.lower())}), '{label}')"
        for label in "ABCD")


_VECTOR = vector(":text_{}")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    holds: str = DERIVED
    not_null: bool = False
    default: Optional[str] = None
    # SQL the upsert writes (default: the bound parameter of the same name).
    value: Optional[str] = None
    # MAIN keeps values that every search scans inline (see 0003).
    storage: Optional[str] = None

    @property
    def write(self) -> str:
        return self.value or f":{self.name}"

    def ddl(self) -> str:
        out = f"{self.name} {self.type}"
        if self.not_null:
            out += " NOT NULL"
        if self.default is not None:
            out += f" DEFAULT {self.default}"
        return out


@dataclass(frozen=True)
class Index:
    name: str
    method: str
    columns: str
    # Columns stored in the index but not searched by it (index-only scans).
    include: str = ""
    # The rows of a partial index.
    where: str = ""

    def ddl(self) -> str:
        out = f"CREATE INDEX {self.name} ON {TABLE} USING {self.method} ({self.columns})"
        out += f" INCLUDE ({self.include})" if self.include else ""
        return out + (f" WHERE ({self.where})" if self.where else "")


COLUMNS = (
    Column("index_id", "text", FIRST, not_null=True),  # the primary key, as in Solr
    Column("id", "text", FIRST, not_null=True),
    Column("name", "text", FIRST),
    Column("site_id", "text", FIRST),
    Column("state", "text", FIRST),
    Column("capacity", "text", FIRST),
    Column("dataset_type", "text", FIRST),
    Column("entity_type", "text", FIRST),
    Column("organization", "text", FIRST),
    Column("metadata_created", "timestamp with time zone", FIRST),
    Column("metadata_modified", "timestamp with time zone", FIRST),
    # jena_quality's zero-padded score: the home page and the "Metadata
    # quality" sort order by it (see 0006).
    Column("quality_score", "text", FIRST),
    Column("permission_labels", "text[]", VALUES, not_null=True, default="'{}'::text[]",
           storage="main"),
    # The row's facet value ids: filters on a faceted field match them
    # (exact GIN index, translate.py).
    Column("facet_ids", "integer[]", not_null=True, default="'{}'::integer[]", storage="main",
           value=f"ARRAY(SELECT v.id FROM {FACETS} v "
                 f"WHERE v.fv = ANY(CAST(:facet_values AS text[])))"),
    # The same ids packed as 4-byte big-endian integers (see
    # 0004): a search concatenates them over its hits in one aggregate and
    # counts them in numpy, instead of one SQL row per id (issue 19).
    Column("facet_packed", "bytea", not_null=True, default="'\\x'::bytea", storage="main",
           value=f"(SELECT coalesce(string_agg(int4send(v.id), ''::bytea ORDER BY v.id), "
                 f"''::bytea) FROM {FACETS} v "
                 f"WHERE v.fv = ANY(CAST(:facet_values AS text[])))"),
    # Solr breaks ties by index order; a re-indexed document moves to the end.
    Column("seq", "bigint", not_null=True, value=f"nextval('{SEQUENCE}')"),
    Column("doc", "jsonb", not_null=True, value="CAST(:doc AS jsonb)"),
    # Field -> list of string values, for exact matches (GIN) and facets.
    Column("terms", "jsonb", not_null=True, value="CAST(:terms AS jsonb)"),
    Column("data_dict", "text", BLOB),
    Column("validated_data_dict", "text", BLOB),
    Column("search_vector", "tsvector", not_null=True, storage="main", value=_VECTOR),
    # Lower-cased catch-all text, for wildcard terms (not stemmed, as in Solr).
    Column("search_text", "text", not_null=True, default="''::text"),
    Column("geom", "geometry(Geometry,4326)",
           value="ST_SetSRID(ST_GeomFromWKB(CAST(:geom AS bytea)), 4326)"),
    Column("indexed_at", "timestamp with time zone", not_null=True, default="now()",
           value="now()"),
)
PRIMARY_KEY = "index_id"

INDEXES = (
    Index("jena_search_doc_id", "btree", "id"),
    Index("jena_search_doc_name", "btree", "name"),
    Index("jena_search_doc_organization", "btree", "organization"),
    Index("jena_search_doc_created", "btree", "metadata_created"),
    # Exactly sql.order_by's ORDER BY of metadata_modified desc (a page is
    # an index scan and a LIMIT; see 0004).
    Index("jena_search_doc_modified", "btree", "metadata_modified DESC NULLS LAST, seq"),
    # Exactly the ORDER BY of "quality_score desc, metadata_modified desc".
    Index("jena_search_doc_quality", "btree",
          'quality_score COLLATE "C" DESC NULLS LAST, metadata_modified DESC NULLS LAST, seq'),
    # The filters CKAN adds to every search, with what counting facets reads:
    # a search with no other condition counts them in an index-only scan.
    Index("jena_search_doc_filters", "btree", "site_id, state, capacity",
          include="facet_packed, permission_labels"),
    Index("jena_search_doc_labels", "gin", "permission_labels"),
    Index("jena_search_doc_facets", "gin", "facet_ids"),
    Index("jena_search_doc_terms", "gin", "terms jsonb_path_ops"),
    Index("jena_search_doc_fts", "gin", "search_vector"),
    # Only the title's lexemes: the first tier of a ranking by one word (see
    # TITLE_VECTOR and 0007).
    Index("jena_search_doc_title_fts", "gin", TITLE_VECTOR.format("")),
    Index("jena_search_doc_geom", "gist", "geom"),
    # The documents whose facets a search counts itself although its word's
    # counts are kept (term_counts.py): drafts, private and deleted ones.
    Index("jena_search_doc_uncounted", "btree", "seq", where=f"NOT ({COUNTED.format(a='')})"),
)
# Rows stay narrow: large values move out of line early (see 0003).
TABLE_OPTIONS = {"toast_tuple_target": "128"}

_BY_NAME = {c.name: c for c in COLUMNS}


def column(name: str) -> Optional[Column]:
    return _BY_NAME.get(name)


def index(name: str) -> Index:
    return next(i for i in INDEXES if i.name == name)


def holding(kind: str) -> tuple[Column, ...]:
    return tuple(c for c in COLUMNS if c.holds == kind)


def string_column(field: str) -> Optional[str]:
    """The SQL of the text column holding a single-valued Solr field."""
    c = _BY_NAME.get(field)
    return f"d.{c.name}" if c and c.holds == FIRST and c.type == "text" else None


def date_column(field: str) -> Optional[str]:
    c = _BY_NAME.get(field)
    return f"d.{c.name}" if c and c.holds == FIRST and c.type.startswith("timestamp") else None


def array_column(field: str) -> Optional[str]:
    c = _BY_NAME.get(field)
    return f"d.{c.name}" if c and c.holds == VALUES else None


BLOB_FIELDS = tuple(c.name for c in holding(BLOB))


def generation_ddl() -> list[str]:
    """The generation sequence and the trigger that moves it on every
    statement changing the index, TRUNCATE included: a write that does not
    go through this backend (SQL of an operator, a test's clean-up) also
    ends cached facet counts. CKAN's reset of a database drops the tables it
    finds but keeps sequences and functions, so both may exist already; the
    new table moves the generation on."""
    return [
        f"CREATE SEQUENCE IF NOT EXISTS {GENERATION}",
        f"CREATE OR REPLACE FUNCTION {GENERATION}_next() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM nextval('{GENERATION}'); RETURN NULL; END $$",
        f"CREATE TRIGGER {GENERATION}_next AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION {GENERATION}_next()",
        f"SELECT nextval('{GENERATION}')",
    ]


def create_table_ddl() -> list[str]:
    """The whole table as statements (for a fresh schema)."""
    cols = ", ".join(c.ddl() + (" PRIMARY KEY" if c.name == PRIMARY_KEY else "")
                     for c in COLUMNS)
    opts = ", ".join(f"{k} = {v}" for k, v in TABLE_OPTIONS.items())
    out = [f"CREATE TABLE {TABLE} ({cols}) WITH ({opts})"]
    out += [f"ALTER TABLE {TABLE} ALTER COLUMN {c.name} SET STORAGE {c.storage.upper()}"
            for c in COLUMNS if c.storage]
    return out + [i.ddl() for i in INDEXES] + generation_ddl()
