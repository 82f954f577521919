"""A PostgreSQL stand-in for the pysolr connection CKAN's search code uses.

CKAN builds Solr documents and Solr parameters itself (ckan.lib.search);
this object receives exactly those and answers from PostgreSQL, so every
path that indexes or searches (actions, CLI, views, other plugins' hooks)
keeps CKAN's own behaviour. Writes go through CKAN's SQLAlchemy session and
so commit or roll back together with the dataset change that caused them.
"""
from __future__ import annotations

import fnmatch
import json
import logging
import re
from typing import Any, Optional

import sqlalchemy as sa

import ckan.model as model
from . import schema as s
from . import store
from .settings import facet_patterns, text_config
from .translate import (Params, QueryTranslationError, Translator, TYPED_DATE_COLUMNS)

log = logging.getLogger(__name__)

TABLE = store.TABLE
# Solr parameters we answer; the scoring-only ones (tie, bf, boost, qf) are
# accepted and approximated by the weighted tsvector.
_KNOWN = {"wt", "tie", "bf", "boost", "qf", "extras", "fq_list", "q.op", "df",
            "defType", "mm", "facet", "facet.field", "facet.limit", "facet.mincount",
            "fl", "sort", "rows", "start", "q", "fq"}


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


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                return [str(v) for v in json.loads(value)]
            except ValueError:
                pass
        return [value] if value else []
    return [str(v) for v in value]


class PgSearchConnection:
    url = "postgresql (ckanext-jena pgsearch)"

    def __init__(self, decode_dates: bool = True):
        # CKAN asks for decoded dates on some calls; our documents keep the
        # ISO strings CKAN indexed, as Solr returns them to CKAN's JSON path.
        self.decode_dates = decode_dates

    @property
    def session(self):
        return model.Session

    # ---- writes -------------------------------------------------------
    def add(self, docs: list[dict[str, Any]], commit: bool = False, **_: Any) -> None:
        store.upsert(self.session, docs, text_config())

    def delete(self, id: Optional[str] = None, q: Optional[str] = None,
               commit: bool = False, **_: Any) -> None:
        params = Params()
        if id is not None:
            where = f"d.index_id = {params.bind(id)}"
        else:
            where = Translator(params, text_config(), q_op="AND").lucene(q or "")
        self.session.execute(sa.text(f"DELETE FROM {TABLE} d WHERE {where}"), params.values)

    def commit(self, **_: Any) -> None:
        self.session.commit()

    # ---- reads --------------------------------------------------------
    def search(self, q: str = "*:*", **params: Any) -> Results:
        unsupported = sorted(k for k in params if k not in _KNOWN
                             and not k.startswith(("hl", "spellcheck")))
        if unsupported:
            raise QueryTranslationError(
                f"parameters not supported by the PostgreSQL search backend: {unsupported}")
        sql_params = Params()
        lexeme_cache: dict[str, int] = {}

        def lexeme_count(term: str) -> int:
            if term not in lexeme_cache:
                lexeme_cache[term] = self.session.execute(
                    sa.text("SELECT numnode(plainto_tsquery(CAST(:c AS regconfig), :t))"),
                    {"c": text_config(), "t": term}).scalar()
            return lexeme_cache[term]

        tr = Translator(sql_params, text_config(), q_op=params.get("q.op", "AND"),
                        default_field=params.get("df", "text"), lexeme_count=lexeme_count)
        q = (q or "*:*").strip() or "*:*"
        def_type = params.get("defType", "lucene")
        if def_type in ("dismax", "edismax") and ":" not in q:
            conds = [tr.dismax(q, params.get("mm", "2<-1 5<80%"))]
        elif def_type in ("lucene", "dismax", "edismax"):
            conds = [tr.lucene(q)]
        else:
            raise QueryTranslationError(f"query parser {def_type!r} is not supported")
        for fq in _as_list(params.get("fq")):
            conds.append(tr.lucene(fq))
        where = " AND ".join(f"({c})" for c in conds)
        rank = tr.rank_expression()

        rows = int(params.get("rows", 10) or 0)
        start = int(params.get("start", 0) or 0)
        if rows < 0 or start < 0:
            raise QueryTranslationError("rows and start must not be negative")
        fields = [f for f in re.split(r"[\s,]+", params.get("fl") or "*") if f]
        order = self._order_by(params.get("sort"), rank)

        hits = self.session.execute(
            sa.text(f"SELECT count(*) FROM {TABLE} d WHERE {where}"), sql_params.values).scalar()
        docs: list[dict[str, Any]] = []
        if rows and hits > start:
            cols = ["d.doc", f"{rank} AS score"]
            wants_all = "*" in fields
            for blob in s.BLOB_FIELDS:
                cols.append(f"d.{blob}" if wants_all or blob in fields else f"NULL AS {blob}")
            page = dict(sql_params.values, _rows=rows, _start=start)
            result = self.session.execute(sa.text(
                f"SELECT {', '.join(cols)} FROM {TABLE} d WHERE {where} "
                f"ORDER BY {order} LIMIT :_rows OFFSET :_start"), page)
            for row in result:
                docs.append(self._project(row, fields, wants_all))

        facets = {}
        if str(params.get("facet", "false")).lower() == "true":
            facet_fields = _as_list(params.get("facet.field"))
            if facet_fields:
                facets = {"facet_fields": self._facets(
                    where, sql_params, facet_fields,
                    int(params.get("facet.limit", 50) or 50),
                    int(params.get("facet.mincount", 0) or 0))}
        return Results(docs, hits, facets)

    @staticmethod
    def _project(row, fields: list[str], wants_all: bool) -> dict[str, Any]:
        doc = row.doc
        for blob in s.BLOB_FIELDS:
            value = getattr(row, blob)
            if value is not None:
                doc[blob] = value
        if wants_all:
            out = dict(doc)
        else:
            out = {f: doc[f] for f in fields if f in doc}
        if "score" in fields:
            out["score"] = float(row.score)
        return out

    def _order_by(self, sort: Optional[str], rank: str) -> str:
        schema = s.solr_schema()
        keys = []
        for part in (sort or "score desc").split(","):
            bits = part.split()
            if not bits:
                continue
            if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
                raise QueryTranslationError(f"invalid sort {part.strip()!r}: use 'field asc|desc'")
            name, direction = bits[0], bits[1].upper()
            if name == "score":
                keys.append(f"score {direction}")
                continue
            if not re.fullmatch(r"[A-Za-z0-9_\-.]+", name):
                raise QueryTranslationError(f"cannot sort on {name!r}")
            f = schema.field(name)
            if f.multi:
                raise QueryTranslationError(f"cannot sort on multivalued field {name!r}")
            if f.kind in (s.TEXT, s.NGRAM):
                raise QueryTranslationError(
                    f"cannot sort on analysed text field {name!r} (use e.g. title_string)")
            # Field names are checked above and never interpolated as values:
            # the jsonb key is a quoted SQL literal built from that safe set.
            key = "'" + name.replace("'", "''") + "'"
            if name in TYPED_DATE_COLUMNS:
                expr = TYPED_DATE_COLUMNS[name]
            elif f.kind == s.DATE:
                expr = f"jena_pgsearch_ts(d.terms -> {key} ->> 0)"
            elif f.kind in (s.INT, s.FLOAT):
                expr = f"jena_pgsearch_num(d.terms -> {key} ->> 0)"
            else:
                expr = f"(d.terms -> {key} ->> 0) COLLATE \"C\""
            nulls = "LAST" if f.kind in (s.STRING, s.BOOL) or direction == "DESC" else "FIRST"
            keys.append(f"{expr} {direction} NULLS {nulls}")
        # Solr breaks ties by index order; seq is our index order.
        keys.append("d.seq ASC")
        return ", ".join(keys)

    def _facets(self, where: str, params: Params, fields: list[str],
                limit: int, mincount: int) -> dict[str, list[Any]]:
        patterns = facet_patterns()
        stored = [f for f in fields if any(fnmatch.fnmatchcase(f, p) for p in patterns)]
        counts: dict[str, dict[str, int]] = {f: {} for f in fields}
        if stored:
            # Count integer facet ids over the hits, then name them: a few
            # hundred distinct values, split in Python.
            sql = (f"SELECT v.fv, c.n FROM (SELECT fid, count(*) AS n "
                   f"FROM {TABLE} d, unnest(d.facet_ids) fid WHERE {where} GROUP BY fid) c "
                   f"JOIN {store.FACETS} v ON v.id = c.fid")
            wanted = set(stored)
            for fv, n in self.session.execute(sa.text(sql), params.values):
                field, _, value = fv.partition(s.FACET_SEPARATOR)
                if field in wanted:
                    counts[field][value] = n
        others = [f for f in fields if f not in stored]
        if others:
            sql = (f"SELECT f.field, v.value, count(*) FROM {TABLE} d "
                   f"CROSS JOIN unnest(CAST(:_ff AS text[])) AS f(field) "
                   f"CROSS JOIN LATERAL jsonb_array_elements_text("
                   f"coalesce(d.terms -> f.field, '[]'::jsonb)) AS v(value) "
                   f"WHERE {where} GROUP BY 1, 2")
            for field, value, n in self.session.execute(sa.text(sql), dict(params.values, _ff=others)):
                counts[field][value] = n
        out: dict[str, list[Any]] = {}
        for field in fields:
            # Solr's order: count descending, then value in code-point order.
            items = sorted(((v, n) for v, n in counts[field].items() if n >= mincount),
                           key=lambda item: (-item[1], item[0]))
            if limit >= 0:
                items = items[:limit]
            out[field] = [x for item in items for x in item]
        return out
