"""Load one table file into the DataStore, typed by its Table Schema.

The new table is built in the schema jena_load, where no DataStore reader
looks: the file streams through COPY … FROM STDIN into a staging table of
text (PostgreSQL reads the encoding and the CSV dialect), one INSERT … SELECT
converts it into typed columns and fills _full_text, then the indexes are
built. Only then, in one short transaction, the old table is dropped and the
new one moved into its place under CKAN's names (table, indexes, sequence,
aliases, grants). A failure anywhere before leaves the old table as it was.

The result has CKAN's DataStore layout (_id serial, _full_text, the Data
Dictionary as column comments, the zfulltext trigger, CKAN's index names), so
datastore_search, _search_sql, _info, /datastore/dump and later
datastore_upsert calls work on it as on a table CKAN made.
"""
from __future__ import annotations

import codecs
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from .columns import (LOW_CARDINALITY_TYPES, TEMPORAL_TYPES, Column, Unsupported, check_lang, columns,
                      dictionary_info, full_text_sql, identifier, literal, primary_key)

log = logging.getLogger(__name__)

BUILD_SCHEMA = "jena_load"
COPY_CHUNK = 1 << 16
# PostgreSQL's names of the encodings validation settles on.
PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "utf8": "UTF8", "cp1252": "WIN1252",
                "windows-1252": "WIN1252", "latin-1": "LATIN1", "iso-8859-1": "LATIN1",
                "latin1": "LATIN1", "iso-8859-15": "LATIN9", "ascii": "UTF8", "us-ascii": "UTF8"}
LOCK_TIMEOUT = "30s"
# Below this a scan of the whole table is as fast as an index: only the
# primary key, _full_text and columns the schema marks filterable get one.
INDEX_FROM_ROWS = 10_000


class LoadError(Exception):
    """The file was not loaded; the old table (if any) stays. `reason` is a
    stable code (worded for people by the portal), `message` English."""

    def __init__(self, reason: str, message: str, **params: Any):
        super().__init__(message)
        self.reason, self.message, self.params = reason, message, params


@dataclass
class Source:
    path: str
    format: str                     # csv, tsv (COPY reads them) or what frictionless reads
    schema: dict[str, Any]
    encoding: Optional[str] = None
    dialect: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    rows: int
    seconds: float
    columns: list[dict[str, str]]
    indexes: list[str]
    steps: dict[str, float]


@dataclass
class Plan:
    """How the file reaches PostgreSQL: COPY options, or `rewrite` (the file
    is read by frictionless and written again as plain CSV)."""
    options: list[str]
    rewrite: bool = False
    encoding: Optional[str] = None  # a Python codec to transcode with (none: PostgreSQL reads it)


def copy_plan(source: Source) -> Plan:
    fmt = (source.format or "").lower()
    if fmt not in ("csv", "tsv"):
        return Plan(["FORMAT csv", "HEADER true"], rewrite=True)
    dialect = source.dialect or {}
    csv_ = dialect.get("csv") or {}
    header_rows = dialect.get("headerRows", [1])
    header = dialect.get("header", True)
    if header and header_rows != [1] or dialect.get("commentChar") or dialect.get("commentRows"):
        return Plan(["FORMAT csv", "HEADER true"], rewrite=True)
    options = ["FORMAT csv", f"HEADER {'true' if header else 'false'}"]
    if fmt == "tsv":
        # TSV has no quoting; a byte that never occurs stands in for the quote.
        options += ["DELIMITER E'\\t'", "QUOTE E'\\x01'"]
    else:
        delimiter = csv_.get("delimiter", ",")
        quote = csv_.get("quoteChar", '"')
        if len(delimiter.encode()) != 1 or len(quote.encode()) != 1:
            return Plan(["FORMAT csv", "HEADER true"], rewrite=True)
        options += [f"DELIMITER {literal(delimiter)}", f"QUOTE {literal(quote)}"]
        if csv_.get("doubleQuote", True) is False:
            escape = csv_.get("escapeChar")
            if not escape or len(escape.encode()) != 1:
                return Plan(["FORMAT csv", "HEADER true"], rewrite=True)
            options.append(f"ESCAPE {literal(escape)}")
    encoding = (source.encoding or "utf-8").lower()
    pg = PG_ENCODINGS.get(encoding)
    if pg:
        options.append(f"ENCODING '{pg}'")
        return Plan(options)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise LoadError("encoding", f"unknown encoding {encoding}", encoding=encoding)
    options.append("ENCODING 'UTF8'")
    return Plan(options, encoding=encoding)


class _Stream:
    """The file as COPY reads it: bytes in chunks, a UTF-8 BOM left out (in a
    header-less file it would end up in the first cell), optionally
    transcoded to UTF-8."""

    def __init__(self, path: str, encoding: Optional[str]):
        self.file = open(path, "rb")
        head = self.file.read(3)
        if head != codecs.BOM_UTF8:
            self.file.seek(0)
        self.decoder = codecs.getincrementaldecoder(encoding)() if encoding else None
        self.bytes = 0

    def read(self, size: int = COPY_CHUNK) -> bytes:
        block = self.file.read(size)
        self.bytes += len(block)
        if self.decoder is not None:
            return self.decoder.decode(block, final=not block).encode("utf-8")
        return block

    def close(self) -> None:
        self.file.close()


def build_name(table: str) -> str:
    return "b_" + table


def _read_role(read_url: Optional[str]) -> Optional[str]:
    if not read_url:
        return None
    from sqlalchemy.engine import make_url
    return make_url(read_url).username


def _ckan_index_name(table: str, fields_sql: str) -> str:
    from ckanext.datastore.backend.postgres import _generate_index_name
    return _generate_index_name(table, fields_sql)


def load(engine, table: str, source: Source, *, fts_lang: str, read_url: Optional[str] = None,
         max_low_cardinality: Optional[int] = None, workers: int = 2) -> Result:
    """Build `table` from `source` beside the current one and swap it in.
    `engine`: SQLAlchemy engine of the DataStore's write URL; `workers`:
    connections that convert rows and build indexes side by side."""
    started = time.perf_counter()
    steps: dict[str, float] = {}
    check_lang(fts_lang)
    try:
        cols = columns(source.schema)
    except (Unsupported, ValueError) as e:
        raise LoadError("unsupported", f"the Table Schema cannot become a DataStore table: {e}",
                        detail=str(e))
    plan = copy_plan(source)
    if not all(c.expression for c in cols):
        plan = Plan(["FORMAT csv", "HEADER true"], rewrite=True)
    build = build_name(table)
    raw = engine.raw_connection()
    try:
        conn = raw.connection if hasattr(raw, "connection") else raw
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", ("jena_load:" + table,))
        if not cur.fetchone()[0]:
            raise LoadError("busy", "another load of this table is running")
        try:
            _check_build_schema(cur)
            _drop_build(cur, build)  # what a crashed run left
            try:
                rows = _fill(engine, conn, build, cols, source, plan, fts_lang, workers, steps)
                t = time.perf_counter()
                cur.execute(f"VACUUM (ANALYZE) {BUILD_SCHEMA}.{identifier(build)}")
                steps["vacuum_analyze"] = time.perf_counter() - t
                indexes = _index(engine, cur, table, build, cols, source.schema, rows,
                                 max_low_cardinality, workers, steps)
                t = time.perf_counter()
                conn.autocommit = False
                _swap(cur, table, build, cols, indexes, _read_role(read_url))
                conn.commit()
                steps["swap"] = time.perf_counter() - t
            except BaseException:
                conn.rollback()
                conn.autocommit = True
                _drop_build(cur, build)
                raise
        finally:
            conn.autocommit = True
            cur.execute("SELECT pg_advisory_unlock(hashtext(%s))", ("jena_load:" + table,))
            conn.autocommit = False  # as the pool hands it out
    except LoadError:
        raise
    except Exception as e:
        raise _explain(e) from e
    finally:
        raw.close()
    return Result(rows=rows, seconds=time.perf_counter() - started,
                  columns=[{"id": c.name, "type": c.pg_type} for c in cols],
                  indexes=[name for name, _ in indexes], steps=steps)


def _drop_build(cur, build: str) -> None:
    cur.execute(f"DROP TABLE IF EXISTS {BUILD_SCHEMA}.{identifier(build)}, "
                f"{BUILD_SCHEMA}.{identifier(staging_name(build))}")


def staging_name(build: str) -> str:
    return "s" + build[1:]


def _check_build_schema(cur) -> None:
    cur.execute("SELECT has_schema_privilege(%s, 'CREATE')"
                " FROM pg_namespace WHERE nspname = %s", (BUILD_SCHEMA, BUILD_SCHEMA))
    row = cur.fetchone()
    if not row or not row[0]:
        raise LoadError("setup", f"the DataStore database has no schema {BUILD_SCHEMA} the write role "
                        "may create in (run bin/setup-datastore)")


def _side_by_side(engine, jobs: list[list[str]]) -> None:
    """Run each list of statements in a transaction of its own connection,
    the lists at the same time (PostgreSQL works on them in parallel)."""
    jobs = [j for j in jobs if j]
    if len(jobs) <= 1:
        jobs = [[s for j in jobs for s in j]]
    errors: list[BaseException] = []

    def run(statements: list[str]) -> None:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            try:
                for statement in statements:
                    cur.execute(statement)
                raw.commit()
            except BaseException as e:
                raw.rollback()
                errors.append(e)
        finally:
            raw.close()

    threads = [threading.Thread(target=run, args=(j,), daemon=True) for j in jobs[1:]]
    for thread in threads:
        thread.start()
    run(jobs[0])
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _fill(engine, conn, build: str, cols: list[Column], source: Source, plan: Plan, fts_lang: str,
          workers: int, steps: dict[str, float]) -> int:
    """COPY the file into a staging table of text (numbered in file order),
    then convert it into the build table: `workers` INSERT … SELECT, each
    on its share of the rows, _id the row's number in the file."""
    cur = conn.cursor()
    staging = f"{BUILD_SCHEMA}.{identifier(staging_name(build))}"
    target = f"{BUILD_SCHEMA}.{identifier(build)}"
    text_cols = ", ".join(f"c{i} text" for i in range(len(cols)))
    cur.execute(f"CREATE UNLOGGED TABLE {staging} (n integer GENERATED ALWAYS AS IDENTITY, {text_cols})")
    options = list(plan.options)
    missing = [""] if plan.rewrite else source.schema.get("missingValues", [""])
    if "" not in missing:
        # An empty cell is a value here, not a NULL.
        options.append("FORCE_NOT_NULL (" + ", ".join(f"c{i}" for i in range(len(cols))) + ")")
    path, encoding = source.path, plan.encoding
    if plan.rewrite:
        from .rewrite import rewrite
        path, encoding = rewrite(source, cols), None
    t = time.perf_counter()
    stream = _Stream(path, encoding)
    try:
        names = ", ".join(f"c{i}" for i in range(len(cols)))
        cur.copy_expert(f"COPY {staging} ({names}) FROM STDIN WITH ({', '.join(options)})", stream,
                        size=COPY_CHUNK)
    finally:
        stream.close()
        if plan.rewrite:
            os.unlink(path)
    cur.execute(f"SELECT count(*) FROM {staging}")
    rows = cur.fetchone()[0]
    steps["copy"] = time.perf_counter() - t
    t = time.perf_counter()
    # _id as CKAN makes it (serial); the primary key comes with the indexes.
    defs = ["_id serial", "_full_text tsvector"] + [
        f"{identifier(c.name)} {c.pg_type}{' NOT NULL' if c.required else ''}" for c in cols]
    cur.execute(f"CREATE TABLE {target} ({', '.join(defs)})")
    exprs = [f"s.c{i}" if plan.rewrite and c.pg_type == "text" else
             (f"(s.c{i})::{c.pg_type}" if plan.rewrite else c.expression) for i, c in enumerate(cols)]
    if plan.rewrite:
        # The rewritten file has '' for missing cells and plain values otherwise.
        exprs = [f"CASE WHEN s.c{i} = '' THEN NULL ELSE {e} END" for i, e in enumerate(exprs)]
    names = ", ".join(identifier(c.name) for c in cols)
    share = max(1, min(workers, rows // 50_000 + 1))  # small files: one connection
    insert = (f"INSERT INTO {target} (_id, {names}, _full_text) "
              f"SELECT s.n, {', '.join(exprs)}, {full_text_sql(cols, fts_lang)} FROM {staging} s")
    settings = ["SET LOCAL TimeZone = 'UTC'", "SET LOCAL DateStyle = 'ISO, DMY'"]
    _side_by_side(engine, [settings + [insert + (f" WHERE s.n % {share} = {k}" if share > 1 else "")]
                           for k in range(share)])
    cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, '_id'), greatest(%s, 1))", (target, rows))
    cur.execute(f"DROP TABLE {staging}")
    steps["convert"] = time.perf_counter() - t
    return rows


def _index(engine, cur, table: str, build: str, cols: list[Column], schema: dict[str, Any], rows: int,
           max_low_cardinality: Optional[int], workers: int, steps: dict[str, float]) -> list[tuple[str, str]]:
    """Build the indexes under temporary names; returns (CKAN name,
    temporary name) pairs. The _id primary key, the primary key of the
    schema (unique, as CKAN's primary_key), _full_text (GIN), and btree on
    the columns the schema marks filterable, on date/time columns and on
    columns with few distinct values. The GIN index, the slowest, is built
    on one connection while the others are built on the rest."""
    target = f"{BUILD_SCHEMA}.{identifier(build)}"
    planned: list[tuple[str, str, str]] = []  # (CKAN name, temporary name, statement)

    def add(fields_sql: str, statement: str) -> None:
        temp = f"{build[:40]}_i{len(planned)}"
        planned.append((_ckan_index_name(table, fields_sql), temp, statement.format(
            name=identifier(temp), table=target)))

    key = primary_key(schema)
    if key:
        fields_sql = ", ".join(identifier(k) for k in key)
        add(fields_sql, f"CREATE UNIQUE INDEX {{name}} ON {{table}} ({fields_sql})")
    distinct = _distinct_counts(cur, build)
    limit = max_low_cardinality if max_low_cardinality is not None else max(100, rows // 100)
    large = rows >= INDEX_FROM_ROWS
    for c in cols:
        if [c.name] == key:
            continue
        n = distinct.get(c.name)
        few = c.type in LOW_CARDINALITY_TYPES and n is not None and 1 < n <= limit
        if c.filterable or large and (c.type in TEMPORAL_TYPES or few):
            add(identifier(c.name), f"CREATE INDEX {{name}} ON {{table}} ({identifier(c.name)})")
    memory = "SET LOCAL maintenance_work_mem = '256MB'"
    columns_job = [memory, f"ALTER TABLE {target} ADD CONSTRAINT {identifier(build + '_pkey')} "
                           f"PRIMARY KEY (_id)"] + [statement for _, _, statement in planned]
    add(identifier("_full_text"), "CREATE INDEX {name} ON {table} USING gin (_full_text)")
    full_text_job = [memory, planned[-1][2]]
    t = time.perf_counter()
    try:
        _side_by_side(engine, [full_text_job, columns_job] if workers > 1 and large
                      else [columns_job + full_text_job[1:]])
    except Exception as e:
        if getattr(e, "pgcode", None) == "23505":
            raise LoadError("duplicate-key", f"the primary key ({', '.join(key)}) has duplicates",
                            fields=key) from e
        raise
    steps["indexes"] = time.perf_counter() - t
    return [(name, temp) for name, temp, _ in planned]


def _distinct_counts(cur, build: str) -> dict[str, int]:
    """Distinct values per column as ANALYZE estimated them (a negative
    n_distinct is a share of the rows)."""
    cur.execute("SELECT s.attname, s.n_distinct, c.reltuples FROM pg_stats s "
                "JOIN pg_class c ON c.relname = s.tablename "
                "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname "
                "WHERE s.schemaname = %s AND s.tablename = %s", (BUILD_SCHEMA, build))
    out = {}
    for name, n_distinct, reltuples in cur.fetchall():
        out[name] = int(n_distinct if n_distinct >= 0 else -n_distinct * max(reltuples, 0))
    return out


def _swap(cur, table: str, build: str, cols: list[Column], indexes: list[tuple[str, str]],
          read_role: Optional[str]) -> None:
    cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    t = identifier(table)
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{t}",))
    exists = cur.fetchone()[0]
    previous_info: dict[str, Any] = {}
    aliases: list[str] = []
    if exists:
        cur.execute(f"LOCK TABLE public.{t} IN ACCESS EXCLUSIVE MODE")
        previous_info = _column_info(cur, table)
        cur.execute("SELECT DISTINCT v.relname FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
                    "JOIN pg_class v ON v.oid = r.ev_class "
                    "WHERE d.refobjid = %s::regclass AND v.oid <> d.refobjid AND v.relkind = 'v'",
                    (f"public.{t}",))
        aliases = [r[0] for r in cur.fetchall()]
        for alias in aliases:
            cur.execute(f"DROP VIEW public.{identifier(alias)}")
        cur.execute(f"DROP TABLE public.{t}")
    cur.execute(f"ALTER TABLE {BUILD_SCHEMA}.{identifier(build)} SET SCHEMA public")
    cur.execute(f"ALTER TABLE public.{identifier(build)} RENAME TO {t}")
    cur.execute(f"ALTER INDEX public.{identifier(build + '_pkey')} RENAME TO {identifier(table + '_pkey')}")
    cur.execute(f"ALTER SEQUENCE public.{identifier(build + '__id_seq')} "
                f"RENAME TO {identifier(table + '__id_seq')}")
    for name, temp in indexes:
        cur.execute(f"ALTER INDEX public.{identifier(temp)} RENAME TO {identifier(name)}")
    for c in cols:
        comment = {"_info": dictionary_info(c, previous_info.get(c.name))}
        # ' ' first: CKAN's mark of its current comment format.
        cur.execute(f"COMMENT ON COLUMN public.{t}.{identifier(c.name)} IS %s",
                    (" " + json.dumps(comment, ensure_ascii=False, separators=(",", ":")),))
    cur.execute("SELECT to_regprocedure('populate_full_text_trigger()') IS NOT NULL")
    if cur.fetchone()[0]:
        # CKAN's trigger: rows added later through datastore_upsert get _full_text too.
        cur.execute(f"CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON public.{t} "
                    "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()")
    for alias in aliases:
        cur.execute(f"CREATE VIEW public.{identifier(alias)} AS SELECT * FROM public.{t}")
    if read_role:
        for name in [table, *aliases]:
            cur.execute(f"GRANT SELECT ON public.{identifier(name)} TO {identifier(read_role)}")


def _column_info(cur, table: str) -> dict[str, Any]:
    """The Data Dictionary of the current table (what stewards edited)."""
    cur.execute("SELECT a.attname, d.description FROM pg_attribute a "
                "JOIN pg_description d ON d.objoid = a.attrelid AND d.objsubid = a.attnum "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0", (f"public.{identifier(table)}",))
    out = {}
    for name, text in cur.fetchall():
        try:
            out[name] = (json.loads(text) or {}).get("_info") or {}
        except (TypeError, ValueError, AttributeError):
            continue
    return out


# PostgreSQL error classes → stable reasons.
_REASONS = {"22P02": "value", "22003": "value", "22007": "value", "22008": "value", "22P05": "encoding",
            "22021": "encoding", "22P04": "format", "23502": "missing", "23505": "duplicate-key",
            "55P03": "busy", "57014": "timeout"}


def _explain(e: Exception) -> LoadError:
    pgcode = getattr(e, "pgcode", None) or getattr(getattr(e, "orig", None), "pgcode", None)
    diag = getattr(e, "diag", None)
    text = (getattr(diag, "message_primary", None) or str(e)).strip()
    where = getattr(diag, "context", None) or ""
    line = None
    if where and "line " in where:
        try:
            line = int(where.split("line ", 1)[1].split(",", 1)[0].split(":", 1)[0])
        except ValueError:
            line = None
    reason = _REASONS.get(pgcode or "", "database")
    params: dict[str, Any] = {"detail": text}
    if line:
        params["line"] = line
    if reason == "missing" and getattr(diag, "column_name", None):
        params["field"] = diag.column_name
    return LoadError(reason, text, **params)
