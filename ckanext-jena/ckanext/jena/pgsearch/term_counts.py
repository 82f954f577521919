"""Facet counts of a search for one common word or one common facet value,
kept as the index changes.

Counting the facets of a word that two thirds of 100,000 datasets hold is
one pass over ~65,000 rows: ~90-110 ms on our 2-core machine, of a ~130 ms
free-text search (issue 19), whatever the plan (seq scan, GIN bitmap,
narrower rows). Solr answers it from per-term structures; this is ours:
for each *counted term* (a lexeme in at least COUNT_FROM_DOCS documents
when the index was last analysed) the table TERM_FACETS holds, per site and
dataset type, how many counted documents with the lexeme carry each facet
value id (id 0: the documents themselves, the hit count). A facet value of
at least as many documents (a tag, format or organisation a visitor clicks
on the /dataset page) is a counted term too, keyed by its id after
FACET_MARK, so the facet counts of a filter by it are kept the same way.

- **Counted documents** are those every visitor may see: active, public
  and labelled "public" (COUNTED). A search adds the few others it may see
  (drafts of an editor, private datasets of a member) by counting them
  (`lookup`), found through a partial index of exactly them.
- **Kept in the writing transaction**: statement triggers with transition
  tables add the change of every statement on the index table as deltas
  (+1 of the new rows, -1 of the old), grouped, so a reader sees the counts
  of the same snapshot as the documents. Deltas are only inserted, never
  updated: concurrent writers never wait for each other on a counter row.
  `compact` sums them again now and then.
- **Which terms**: `refresh` (at the end of a bulk write, with the planner's
  statistics, writes.analyze) takes the lexemes and facet value ids whose
  share in pg_stats' most common elements of the vector and of the facet
  ids makes them that frequent, and fills
  the counts of new ones while it holds a lock that writers wait for
  (readers do not): no write falls between the fill and the first delta.
- An index emptied (TRUNCATE, a DELETE of every row) forgets its terms:
  the documents that come back are counted again at the next refresh.

A search uses the counts only when its WHERE is exactly the word, or no
text and one facet value, and the filters CKAN adds (`scope`); anything
else counts its hits as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa

from . import table

TERM_FACETS = "jena_search_term_facet"
TERMS = "jena_search_counted_term"
HITS_ID = 0  # the "facet id" that counts the documents themselves
# The term every counted document has: the counts of a search without text.
EVERY = ""
# A word of fewer documents is counted row by row in a few milliseconds
# (sql.TITLE_TIER_FROM_HITS is the same figure for ranking).
COUNT_FROM_DOCS = 2000
COUNTED = table.COUNTED
UNCOUNTED_INDEX = "jena_search_doc_uncounted"
# Before a facet value's id in its term: the text parser splits words at
# control characters, so no lexeme of a document's vector holds one.
FACET_MARK = "\x01"
_FACET_TERMS = "ARRAY(SELECT chr(1) || x FROM unnest(d.facet_ids) x)"
_DELTA_FN = f"{TERM_FACETS}_delta"
_FORGET_FN = f"{TERM_FACETS}_forget"


def _rows_of(rows: str, sign: int, only: Optional[str] = None, facets: bool = True) -> str:
    """(term, site, type, facet id, sign) of each counted term (or each
    term of the array `only`) and facet id of every counted document in
    `rows`; its terms are its lexemes, EVERY and (`facets`) its facet
    values'."""
    terms = (f"JOIN {TERMS} c ON c.lexeme = l " if only is None else "")
    values = f" || {_FACET_TERMS}" if facets else ""
    return (f"SELECT l AS lexeme, coalesce(d.site_id, '') AS site_id, "
            f"coalesce(d.dataset_type, '') AS dataset_type, f AS facet_id, {sign} AS n "
            f"FROM {rows} d CROSS JOIN LATERAL "
            f"unnest(tsvector_to_array(d.search_vector) || CAST('{EVERY}' AS text){values}) l "
            f"{terms}CROSS JOIN LATERAL unnest(d.facet_ids || {HITS_ID}) f "
            f"WHERE {COUNTED.format(a='d.')}" + (f" AND l = ANY({only})" if only else ""))


def _add(select: str) -> str:
    return (f"INSERT INTO {TERM_FACETS} (lexeme, site_id, dataset_type, facet_id, n) "
            f"SELECT lexeme, site_id, dataset_type, facet_id, sum(n) FROM ({select}) x "
            f"GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0")


_FORGET = f"DELETE FROM {TERM_FACETS}; DELETE FROM {TERMS} WHERE lexeme <> '{EVERY}';"


def ddl() -> list[str]:
    """The two tables and the triggers (for a fresh schema and migration
    0008, which also adds the index table's UNCOUNTED_INDEX)."""
    return [
        f"CREATE TABLE {TERMS} (lexeme text PRIMARY KEY)",
        f"CREATE TABLE {TERM_FACETS} (lexeme text NOT NULL, site_id text NOT NULL, "
        f"dataset_type text NOT NULL, facet_id integer NOT NULL, n integer NOT NULL)",
        f"CREATE INDEX {TERM_FACETS}_key ON {TERM_FACETS} (lexeme, site_id, dataset_type)",
        f"INSERT INTO {TERMS} VALUES ('{EVERY}')",
        *function_ddl(),
        f"CREATE TRIGGER {TERM_FACETS}_insert AFTER INSERT ON {table.TABLE} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {_DELTA_FN}()",
        f"CREATE TRIGGER {TERM_FACETS}_update AFTER UPDATE ON {table.TABLE} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_DELTA_FN}()",
        f"CREATE TRIGGER {TERM_FACETS}_delete AFTER DELETE ON {table.TABLE} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {_DELTA_FN}()",
        f"CREATE TRIGGER {TERM_FACETS}_truncate AFTER TRUNCATE ON {table.TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FORGET_FN}()",
    ]


def function_ddl(facets: bool = True) -> list[str]:
    """The trigger functions; `facets`: facet values are terms (migration
    0009; before it only the lexemes were)."""
    def rows(name: str, sign: int) -> str:
        return _rows_of(name, sign, facets=facets)
    return [
        # Transition tables need one trigger per event; one function serves them.
        f"CREATE OR REPLACE FUNCTION {_DELTA_FN}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM {TERMS}) THEN RETURN NULL; END IF; "
        f"IF TG_OP = 'INSERT' THEN {_add(rows('new_rows', 1))}; "
        f"ELSIF TG_OP = 'UPDATE' THEN "
        f"{_add(rows('new_rows', 1) + ' UNION ALL ' + rows('old_rows', -1))}; "
        f"ELSIF NOT EXISTS (SELECT 1 FROM {table.TABLE}) THEN {_FORGET} "
        f"ELSE {_add(rows('old_rows', -1))}; "
        f"END IF; RETURN NULL; END $$",
        f"CREATE OR REPLACE FUNCTION {_FORGET_FN}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_FORGET} RETURN NULL; END $$",
    ]


def drop_ddl() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {TERM_FACETS}_{e} ON {table.TABLE}"
            for e in ("insert", "update", "delete", "truncate")] + [
        f"DROP FUNCTION IF EXISTS {_DELTA_FN}()", f"DROP FUNCTION IF EXISTS {_FORGET_FN}()",
        f"DROP TABLE IF EXISTS {TERM_FACETS}", f"DROP TABLE IF EXISTS {TERMS}"]


# ---- keeping the terms ----------------------------------------------------
_FREQUENT = (
    "SELECT CASE WHEN s.attname = 'facet_ids' THEN chr(1) || e ELSE e END "
    "FROM pg_stats s, pg_class c, "
    "unnest(CAST(CAST(s.most_common_elems AS text) AS text[]), s.most_common_elem_freqs) "
    "AS x(e, f) "
    f"WHERE s.schemaname = current_schema() AND s.tablename = '{table.TABLE}' "
    "AND s.attname IN ('search_vector', 'facet_ids') "
    f"AND c.oid = CAST('{table.TABLE}' AS regclass) AND e IS NOT NULL "
    "AND f * c.reltuples >= :least")
# Refreshes and compactions take turns (a compaction's re-inserted sums are
# invisible to a concurrent refresh's delete).
_TURN = f"SELECT pg_advisory_xact_lock(hashtext('{TERM_FACETS}'))"
_COMPACT = (f"WITH gone AS (DELETE FROM {TERM_FACETS} RETURNING *) "
            + _add("SELECT * FROM gone"))


def compact(conn) -> None:
    """Sum the deltas of every term (in the caller's transaction)."""
    conn.exec_driver_sql(_TURN)
    conn.exec_driver_sql(_COMPACT)


def refresh(conn, least: Optional[int] = None) -> tuple[int, int]:
    """Count the lexemes of at least `least` documents (by the planner's
    statistics, which the caller has just gathered) and no others, on the
    SQLAlchemy connection `conn` in its transaction; returns (terms now
    counted, terms newly filled). A change of the terms locks out writers
    of the index and other refreshes (readers not) until the caller
    commits."""
    def run(sql: str, **values: Any):
        return conn.execute(sa.text(sql), values)

    def counted() -> set[str]:
        # Counted documents without counts were written before the table of
        # counts existed: every term is then to be filled.
        filled = run(f"SELECT EXISTS (SELECT 1 FROM {TERM_FACETS} WHERE lexeme = '{EVERY}') "
                     f"OR NOT EXISTS (SELECT 1 FROM {table.TABLE} d "
                     f"WHERE {COUNTED.format(a='d.')})").scalar()
        return {r[0] for r in run(f"SELECT lexeme FROM {TERMS}")} if filled else set()

    least = COUNT_FROM_DOCS if least is None else least
    chosen = sorted({r[0] for r in run(_FREQUENT, least=least)} | {EVERY})
    if counted() == set(chosen):
        return len(chosen), 0
    run(f"LOCK TABLE {table.TABLE} IN SHARE ROW EXCLUSIVE MODE")
    run(_TURN)
    have = counted()
    new = [lexeme for lexeme in chosen if lexeme not in have]
    for name in (TERM_FACETS, TERMS):
        run(f"DELETE FROM {name} WHERE lexeme <> ALL(CAST(:keep AS text[])) "
            f"OR lexeme = ANY(CAST(:new AS text[]))", keep=chosen, new=new)
    if new:
        run(f"INSERT INTO {TERMS} SELECT unnest(CAST(:new AS text[]))", new=new)
        run(_add(_rows_of(table.TABLE, 1, only="CAST(:new AS text[])")), new=new)
    return len(chosen), len(new)


# ---- a search's use of them -------------------------------------------------
_VALUE = r'(?:"[^"\\]*"|[\w.\-]+)'
_CLAUSE = re.compile(rf'(\+?)(\w+):({_VALUE}|\(\s*{_VALUE}(?:\s+OR\s+{_VALUE})*\s*\))')
# The clauses CKAN adds to a visitor's search (package_search, query.run).
_CKANS = {"site_id", "state", "capacity", "permission_labels", "dataset_type"}


@dataclass(frozen=True)
class Facet:
    """The one filter of the visitor's own in a Scope: field:value in the
    fq numbered `fq`, which holds `clauses` clauses in all."""
    field: str
    value: str
    fq: int
    clauses: int


@dataclass(frozen=True)
class Scope:
    """The filters of a search the counts can answer: CKAN's own, and at
    most one facet value."""
    site_id: str
    dataset_type: Optional[str]
    facet: Optional[Facet] = None


def _values(raw: str) -> list[str]:
    raw = raw.strip()
    if raw.startswith("("):
        raw = raw[1:-1]
    return [v.strip('"') for v in re.split(r"\s+OR\s+", raw.strip())]


def scope(fqs: list[str]) -> Optional[Scope]:
    """The Scope of these fq if every clause of them is one CKAN adds to a
    search — site, active state, public capacity, permission labels that
    include "public", one dataset type — but for at most one field:value
    of another field; else None. Whether that one is required (the
    parser's q.op) the caller sees in the translation (sql.Search)."""
    seen: dict[str, list[str]] = {}
    facet: Optional[Facet] = None
    for i, fq in enumerate(fqs):
        if _CLAUSE.sub("", fq).strip():
            return None
        clauses = list(_CLAUSE.finditer(fq))
        for m in clauses:
            plus, field, raw = m.groups()
            if field in _CKANS and plus:
                seen.setdefault(field, []).append(raw)
                continue
            values = _values(raw)
            if facet is not None or len(values) != 1:
                return None
            facet = Facet(field, values[0], i, len(clauses))
    if any(len(v) != 1 for v in seen.values()):
        return None
    values = {field: _values(v[0]) for field, v in seen.items()}
    site, state = values.get("site_id", []), values.get("state", [])
    if len(site) != 1 or state != ["active"]:
        return None
    if values.get("capacity", ["public"]) != ["public"]:
        return None
    if "permission_labels" in values and "public" not in values["permission_labels"]:
        return None
    types = values.get("dataset_type")
    if types is not None and len(types) != 1:
        return None
    return Scope(site[0], types[0] if types else None, facet)


def every() -> str:
    """The term of a search without text (for lookup)."""
    return f"SELECT CAST('{EVERY}' AS text) AS lexeme"


def of_word(tsquery: str, text_config_sql: str, word_sql: str) -> str:
    """The term of a search for one word: the word's only lexeme, if it
    matches the search's tsquery (for lookup)."""
    lexeme = (f"(SELECT CASE WHEN count(*) = 1 THEN min(l) END FROM "
              f"unnest(tsvector_to_array(to_tsvector({text_config_sql}, {word_sql}))) l)")
    return (f"SELECT x.lexeme FROM (SELECT {lexeme} AS lexeme) x "
            f"WHERE CASE WHEN x.lexeme IS NULL THEN FALSE "
            f"ELSE array_to_tsvector(ARRAY[x.lexeme]) @@ {tsquery} END")


def facet_term(facet_id: int) -> str:
    """The term of a facet value id (a bound value for of_facet)."""
    return f"{FACET_MARK}{int(facet_id)}"


def of_facet(term_sql: str) -> str:
    """The term of a search by one facet value (for lookup)."""
    return f"SELECT CAST({term_sql} AS text) AS lexeme"


def lookup(where: str, scope_: Scope, term: str) -> str:
    """One statement, one snapshot: a marker row (part 0) if the search's
    term (the statement of every, of_word or of_facet) is a counted one,
    its counts (part 1) and the counts of the uncounted documents the
    search may see (part 2), as (part, facet id, count)."""
    by_type = " AND t.dataset_type = :_tc_type" if scope_.dataset_type is not None else ""
    return (f"WITH w AS ({term}) "
            f"SELECT 0, 0, CAST(0 AS bigint) FROM w JOIN {TERMS} c ON c.lexeme = w.lexeme "
            f"UNION ALL SELECT 1, t.facet_id, sum(t.n) FROM w JOIN {TERM_FACETS} t "
            f"ON t.lexeme = w.lexeme WHERE t.site_id = :_tc_site{by_type} GROUP BY t.facet_id "
            f"UNION ALL SELECT 2, f, count(*) FROM {table.TABLE} d "
            f"CROSS JOIN LATERAL unnest(d.facet_ids || {HITS_ID}) f "
            f"WHERE ({where}) AND NOT ({COUNTED.format(a='d.')}) GROUP BY f")


def lookup_values(scope_: Scope) -> dict[str, Any]:
    out: dict[str, Any] = {"_tc_site": scope_.site_id}
    if scope_.dataset_type is not None:
        out["_tc_type"] = scope_.dataset_type
    return out
