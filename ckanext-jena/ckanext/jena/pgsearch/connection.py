"""A PostgreSQL stand-in for the pysolr connection CKAN's search code uses.

CKAN builds Solr documents and Solr parameters itself (ckan.lib.search);
this object receives exactly those, has params.py check them, sql.py turn
them into statements and store.py write documents, and answers in pysolr's
shapes. So every path that indexes or searches (actions, CLI, views, other
plugins' hooks) keeps CKAN's own behaviour. A write takes effect as a write
to Solr does (writes.py): inside CKAN's commit it joins that transaction,
otherwise it commits at once, whatever `commit=` says.
"""
from __future__ import annotations

import functools
import io
import logging
import struct
from typing import Any, Optional

import pysolr
import sqlalchemy as sa

import ckan.model as model
from ckan.lib.search.common import solr_datetime_decoder

from . import params as solr_params
from . import facet_cache, sql, store, table, writes
from .settings import facet_cache_seconds, facet_patterns, text_config
from .translate import Params

log = logging.getLogger(__name__)


_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
# No parallel workers for a search's statements: on our 2-core machine
# starting them cost more than they saved (bbox + text at 100,000 datasets:
# facet statement 58 ms with two workers, 16 ms without; p95 of the bench's
# shapes equal or lower without, issue 19). A web worker's statements are
# short, and parallel ones compete with the other requests for the cores.
PARALLEL_WORKERS = "0"


def copy_row(data: bytes) -> tuple[Optional[bytes], int, Optional[bytes]]:
    """The one (bytea, bigint, bytea or text) row of PostgreSQL's binary COPY
    output, as (bytes, int, bytes)."""
    if not data.startswith(_COPY_SIGNATURE):
        raise ValueError("not PostgreSQL binary COPY output")
    pos = len(_COPY_SIGNATURE) + 4  # flags
    (extension,) = struct.unpack_from(">i", data, pos)
    pos += 4 + extension
    (fields,) = struct.unpack_from(">h", data, pos)
    if fields != 3:
        raise ValueError(f"expected one row of 3 fields, got {fields}")
    pos += 2
    out: list[Any] = []
    for kind in "bqb":
        (size,) = struct.unpack_from(">i", data, pos)
        pos += 4
        if kind == "q":
            out.append(struct.unpack_from(">q", data, pos)[0])
        else:
            out.append(None if size < 0 else data[pos:pos + size])
        pos += max(size, 0)
    return out[0], out[1], out[2]


class Results:
    """What pysolr.Results offers to CKAN: docs, hits and facets."""

    def __init__(self, docs: list[dict[str, Any]], hits: int,
                 facets: Optional[dict[str, Any]] = None):
        self.docs = docs
        self.hits = hits
        self.facets = facets or {}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


class PgSearchConnection:
    url = "postgresql (ckanext-jena pgsearch)"

    def __init__(self, decode_dates: bool = True):
        # As CKAN's pysolr connection: with decode_dates, date strings in the
        # documents come back as datetimes (CKAN's own decoder); without it
        # (CKAN's search and show paths) as the ISO strings Solr returns.
        self.decode_dates = decode_dates

    @property
    def session(self):
        return model.Session

    def _run(self, statement: str, values: dict[str, Any]):
        return self.session.execute(sa.text(statement), values)

    def _fetch_bytes(self, statement: str, values: dict[str, Any]):
        """One row (bytea, bigint, text) of `statement`, read through binary COPY
        in the session's transaction: as a result row PostgreSQL sends bytea
        as hex text, and at 100,000 hits the packed facet ids (3.5 MB) took
        longer to encode, send and decode than to aggregate (~90 vs ~45 ms,
        issue 19). COPY takes no bound parameters: the driver quotes the
        values into the statement (psycopg2's mogrify, as it does for every
        statement it sends)."""
        compiled = sa.text(statement).compile(dialect=self.session.bind.dialect)
        dbapi = self.session.connection().connection
        with dbapi.cursor() as cursor:
            sql = cursor.mogrify(compiled.string, {k: values[k] for k in compiled.params})
            out = io.BytesIO()
            cursor.copy_expert(b"COPY (" + sql + b") TO STDOUT (FORMAT binary)", out)
        return copy_row(out.getvalue())

    # ---- writes -------------------------------------------------------
    def add(self, docs: list[dict[str, Any]], commit: bool = False, **_: Any) -> None:
        try:
            with writes.writer() as target:
                store.upsert(target, docs, text_config(), writes.written_in_commit())
        except sa.exc.SQLAlchemyError as e:
            # As a failed Solr update: CKAN turns it into a SearchIndexError
            # and fails the change instead of logging and going on.
            raise pysolr.SolrError(f"index write failed: {e}") from e

    def delete(self, id: Optional[str] = None, q: Optional[str] = None,
               commit: bool = False, **_: Any) -> None:
        params = Params()
        where = sql.delete_where(params, text_config(), id=id, q=q)
        with writes.writer() as target:
            target.execute(sa.text(f"DELETE FROM {table.TABLE} d WHERE {where}"), params.values)
            writes.forget_written()

    def commit(self, **_: Any) -> None:
        """Nothing is pending: every write took effect when it was made. CKAN
        commits after bulk writes (the end of `search-index rebuild` and
        rebuild-fast, clearing the index), so this is where the planner gets
        statistics of the new index."""
        writes.analyze()

    # ---- reads --------------------------------------------------------
    def search(self, q: str = "*:*", **params: Any) -> Results:
        request = solr_params.read(q, params)

        # Lookups the query's translation needs, once per value of a search.
        @functools.cache
        def lexeme_count(term: str) -> int:
            return self._run("SELECT numnode(plainto_tsquery(CAST(:c AS regconfig), :t))",
                             {"c": text_config(), "t": term}).scalar()

        @functools.cache
        def facet_id(value: str) -> Optional[int]:
            return self._run(f"SELECT id FROM {table.FACETS} WHERE fv = :fv",
                             {"fv": value}).scalar()

        search = sql.Search(request, text_config(), lexeme_count, facet_id)
        # At 100,000 datasets the planner's costs pass jit_above_cost and
        # PostgreSQL compiled each statement first: 56-154 ms of JIT for a
        # statement of 70-90 ms (bench --explain, issue 19). Our statements
        # are short; off for the rest of this transaction only.
        # Parallel workers off likewise (PARALLEL_WORKERS).
        # The generation: the sequence's oid (a database reset makes it anew)
        # and its value (facet_cache.py).
        generation = tuple(self._run(
            f"SELECT set_config('jit', 'off', true), "
            f"set_config('max_parallel_workers_per_gather', :_workers, true), "
            f"CAST(CAST('{table.GENERATION}' AS regclass) "
            f"AS oid), g.last_value, g.is_called FROM {table.GENERATION} g",
            {"_workers": PARALLEL_WORKERS}).one())[2:]
        facets = {}
        if request.facet and request.facet_fields:
            facets = {"facet_fields": self._facets(search, request, generation)}
        hits = search.count(self._run)
        docs: list[dict[str, Any]] = []
        if request.rows and hits > request.start:
            blobs = table.BLOB_FIELDS if request.wants_all_fields else request.fields
            for row in search.page(self._run, blobs):
                docs.append(self._project(row, request))
        return Results(docs, hits, facets)

    def _facets(self, search: sql.Search, request: solr_params.SearchRequest,
                generation: tuple) -> dict[str, list[Any]]:
        """The facet counts, and the hits with them: reused from an earlier
        search of the same index generation if one had them."""
        max_age = facet_cache_seconds()
        patterns = facet_patterns()
        if max_age <= 0:
            # Counting the facets counts the hits in the same scan.
            return search.facets(self._run, patterns, self._fetch_bytes)
        key = facet_cache.key(generation, search.where, search.params.values,
                              request.facet_fields, request.facet_limit,
                              request.facet_mincount, patterns)
        cached = facet_cache.CACHE.get(key, max_age)
        if cached is not None:
            facets, search.hits = cached
            return facets
        facets = search.facets(self._run, patterns, self._fetch_bytes)
        facet_cache.CACHE.put(key, facets, search.hits)
        return facets

    def _project(self, row, request: solr_params.SearchRequest) -> dict[str, Any]:
        doc = row.doc
        for blob in table.BLOB_FIELDS:
            value = getattr(row, blob)
            if value is not None:
                doc[blob] = value
        if request.wants_all_fields:
            out = dict(doc)
        else:
            out = {f: doc[f] for f in request.fields if f in doc}
        if "score" in request.fields:
            out["score"] = float(row.score)
        return solr_datetime_decoder(out) if self.decode_dates else out
