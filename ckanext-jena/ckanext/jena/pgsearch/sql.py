"""The SQL of a search: WHERE (from q and fq, via translate.py), ORDER BY,
paging and facet counts, and the WHERE of a delete by query.

Pure functions of a checked SearchRequest (params.py) and the index table
(table.py); the statements run through a `run(sql, values)` callable the
connection gives, so this module never holds a session.
"""
from __future__ import annotations

import fnmatch
import re
from typing import Any, Callable, Iterable, Optional

import numpy

from . import schema as s
from . import table, term_counts
from .localparams import LocalParams, split_local_params
from .params import SearchRequest
from .settings import stored_facet
from .translate import CONSTANT_RANK, FALSE, TRUE, Params, QueryTranslationError, Translator, all_of, any_of

Run = Callable[[str, dict[str, Any]], Iterable[Any]]
# Below this many hits (known when the facets counted them) ranking them all
# costs less than a first statement for the title hits (~1.5 ms a thousand).
TITLE_TIER_FROM_HITS = 2000
# A page ranked by score comes from the rows the statement counting the
# facets has just found, not from the indexes again: for a common word and
# two facets of 100,000 datasets (1,100 hits) the page's second BitmapAnd of
# three index scans was 15 of its 19 ms, and two common words (44,000 hits)
# visited every hit's heap page twice, 116 ms to count and 129 ms to rank
# (issue 19). Without a title tier the facet statement ranks the hits itself
# and returns the page's row ids; with one, the ids of all hits up to
# TITLE_TIER_FROM_HITS, which the page ranks.
PAGE_FROM_FACET_ROWS = True
_ARRAY_INDEX_MAX = 2 ** 31 - 1  # PostgreSQL's array subscripts are integers
# Runs a statement of one row (bytea, bigint, text), returns it as
# (bytes, int, bytes).
FetchBytes = Callable[[str, dict[str, Any]], tuple[Optional[bytes], int, Optional[bytes]]]


class Search:
    """One search: its WHERE and rank are built once, then counted, paged
    and faceted with the same bound parameters."""

    def __init__(self, request: SearchRequest, text_config: str,
                 lexeme_count: Optional[Callable[[str], int]] = None,
                 facet_id: Optional[Callable[[str], Optional[int]]] = None):
        self.request = request
        self.params = Params()
        self.hits: Optional[int] = None
        self._text_config = text_config
        self._lexeme_count = lexeme_count
        self._facet_id = facet_id
        tr = Translator(self.params, text_config, q_op=request.q_op,
                        default_field=request.df, lexeme_count=lexeme_count,
                        facet_id=facet_id)
        conds = [self._query("q", request.q, tr, request.def_type)]
        conds += [self._query("fq", fq, tr, "lucene") for fq in request.fq]
        self.where = " AND ".join(f"({c})" for c in conds)
        self.rank = tr.rank_expression()
        try:
            self.order = order_by(request.sort, self.rank)
        except QueryTranslationError as e:
            raise e.about("sort") from e
        # Row ids (the text of a tid[]) from the facet statement: with a
        # title tier of every hit, without one of the page's own rows,
        # ranked there.
        self._ranks_hits = re.search(r"\bscore\b", self.order) is not None
        self._row_ids: Optional[str] = None
        # A page ranked by one word comes from the title hits first if they
        # fill it (table.TITLE_VECTOR): at 100,000 datasets a common word has
        # ~65,000 hits to rank, its title hits a few thousand (issue 19).
        single = tr.single_word()
        word = single[0] if single else None
        # q is that word and nothing else.
        q_is_word = word is not None and _is(conds[0], f"d.search_vector @@ {word}")
        self.title_tier: Optional[str] = None
        if word and self.order.startswith("score DESC"):
            title = f"{table.TITLE_VECTOR.format('d.')} @@ {word}"
            # A title hit of one lexeme is a hit: the tier's WHERE needs no
            # second index scan for the word.
            self.title_tier = " AND ".join(
                [f"({title})" if q_is_word else f"({conds[0]}) AND ({title})"]
                + [f"({c})" for c in conds[1:]])
        # The word alone, or no text and at most one facet value, with CKAN's
        # filters: the facet counts are kept (term_counts.py) unless the
        # word or value is rare.
        self._term_lookup: Optional[tuple[str, dict[str, Any]]] = None
        self._term_counts: Optional[dict[int, int]] = None
        scope = term_counts.scope(request.fq)
        if scope is None:
            return
        if q_is_word and scope.facet is None:
            self._term_lookup = (
                term_counts.lookup(self.where, scope,
                                   term_counts.of_word(word, tr.cfg, ":_tc_word")),
                dict(term_counts.lookup_values(scope), _tc_word=single[1]))
        elif _is(conds[0], TRUE):
            if scope.facet is None:
                term, values = term_counts.every(), {}
            else:
                key = self._facet_term(scope.facet, conds[1 + scope.facet.fq])
                if key is None:
                    return
                term, values = term_counts.of_facet(":_tc_term"), {"_tc_term": key}
            self._term_lookup = (term_counts.lookup(self.where, scope, term),
                                 dict(term_counts.lookup_values(scope), **values))

    def _facet_term(self, facet: term_counts.Facet, cond: str) -> Optional[str]:
        """The counted term of the facet value if `cond`, the translation
        of its fq, requires it: one conjunct per clause of the fq, one of
        them the value's (a clause the parser's q.op left optional is no
        conjunct, or the conjuncts are not the clauses)."""
        if self._facet_id is None or not stored_facet(facet.field):
            return None
        id_ = self._facet_id(f"{facet.field}{table.FACET_SEPARATOR}{facet.value}")
        if id_ is None:
            return None
        parts = _conjuncts(cond)
        if parts is None or len(parts) != facet.clauses:
            return None
        column = table.string_column(facet.field)
        for part in parts:
            inner = _conjuncts(part)
            part = inner[0] if inner and len(inner) == 1 else part
            if part == f"d.facet_ids @> ARRAY[{int(id_)}]":
                return term_counts.facet_term(id_)
            m = re.fullmatch(r"(d\.\w+) = :(\w+)", part)
            if m and m.group(1) == column and self.params.values.get(m.group(2)) == facet.value:
                return term_counts.facet_term(id_)
        return None

    def _query(self, param: str, text: str, tr: Translator, def_type: str) -> str:
        """One q or fq: its local parameters ({!lucene q.op=OR}…) if it has
        them, else the parser defType names."""
        try:
            local, rest = split_local_params(text)
            if local is not None:
                return self._local(local, rest, tr)
            if def_type in ("dismax", "edismax") and ":" not in text:
                return tr.dismax(text, self.request.mm)
            return tr.lucene(text)
        except QueryTranslationError as e:
            raise e.about(param) from e

    def _local(self, local: LocalParams, text: str, tr: Translator) -> str:
        if local.parser == "lucene":
            q_op = (local.get("q.op") or tr.q_op).upper()
            if q_op not in ("AND", "OR"):
                raise QueryTranslationError(f"local parameter q.op must be AND or OR, not {q_op!r}")
            sub = Translator(self.params, self._text_config, q_op=q_op,
                             default_field=local.get("df") or tr.default_field,
                             lexeme_count=self._lexeme_count, facet_id=self._facet_id)
            expr = sub.lucene(local.get("v", text))
            tr.adopt_ranks(sub)
            return expr
        # Solr's bool parser: every clause is a query of the standard parser;
        # must and filter are required, must_not excluded, should optional
        # (one of them required when nothing is).
        must = [tr.lucene(v) for v in local.all("must") + local.all("filter")]
        should = [tr.lucene(v) for v in local.all("should")]
        must_not = [tr.lucene(v) for v in local.all("must_not")]
        if not (must or should):
            return FALSE
        parts = must + ([] if must else [any_of(should)])
        return all_of(parts + [f"NOT ({c})" for c in must_not])

    # ---- statements ---------------------------------------------------
    def _counts_of_term(self, run: Run) -> Optional[dict[int, int]]:
        """facet id -> count of the hits (term_counts.HITS_ID: the hits) from
        the kept counts of the search's word, or None if they are not kept;
        the first read sets self.hits."""
        if self._term_lookup is None:
            return None
        if self._term_counts is None:
            statement, values = self._term_lookup
            counted, counts = False, {}
            for part, id_, n in run(statement, dict(self.params.values, **values)):
                if part == 0:
                    counted = True
                else:
                    counts[id_] = counts.get(id_, 0) + int(n)
            if not counted:
                self._term_lookup = None
                return None
            self._term_counts = counts
            self.hits = counts.get(term_counts.HITS_ID, 0)
        return self._term_counts

    def count(self, run: Run) -> int:
        """The number of hits (counted with the facets if they were)."""
        if self.hits is None and self._counts_of_term(run) is None:
            self.hits = next(iter(run(f"SELECT count(*) FROM {table.TABLE} d WHERE {self.where}",
                                      self.params.values)))[0]
        return self.hits

    def page(self, run: Run, blobs: Iterable[str]) -> Iterable[Any]:
        """The rows of the requested page: doc, score and the blob columns
        in `blobs` (NULL for the others)."""
        wanted = set(blobs)
        cols = ["d.doc", f"{self.rank} AS score"]
        cols += [f"d.{b}" if b in wanted else f"NULL AS {b}" for b in table.BLOB_FIELDS]
        values = dict(self.params.values, _rows=self.request.rows, _start=self.request.start)
        select = f"SELECT {', '.join(cols)} FROM {table.TABLE} d WHERE"
        paging = f"ORDER BY {self.order} LIMIT :_rows OFFSET :_start"
        if self.title_tier and (self.hits is None or self.hits > TITLE_TIER_FROM_HITS):
            # Every title hit ranks above every other hit: if they fill the
            # page, it is the page of all hits.
            rows = list(run(f"{select} {self.title_tier} {paging}", values))
            if len(rows) == self.request.rows:
                return rows
        if self._row_ids is not None:
            # The rows the facets counted, as this statement's snapshot sees
            # them (the WHERE again). A row written in between has a new id:
            # a page short of one is made again from the indexes.
            own = paging if self.title_tier else f"ORDER BY {self.order} LIMIT :_rows"
            rows = list(run(f"{select} d.ctid = ANY(CAST(:_row_ids AS tid[])) "
                            f"AND {self.where} {own}", dict(values, _row_ids=self._row_ids)))
            if len(rows) == min(self.request.rows, max(0, (self.hits or 0) - self.request.start)):
                return rows
        return run(f"{select} {self.where} {paging}", values)

    def _stored_counts(self, run: Run, fetch_bytes: Optional[FetchBytes]
                       ) -> list[tuple[str, int]]:
        """(field SEPARATOR value, count) of every facet value of the hits,
        and self.hits. One aggregate concatenates the hits' packed ids
        (table.py) and numpy counts them: unnesting each id into an SQL
        row and grouping those cost 0.3 µs an id, ~270 ms for 100,000 hits
        (issue 19); this is ~5 ms of counting plus the scan. The same scan
        counts the hits, so count() need not scan them again. fetch_bytes,
        if given, runs that statement returning (bytes, count) without the
        hex text PostgreSQL sends bytea in otherwise (connection.py)."""
        kept = self._counts_of_term(run)
        if kept is not None:
            return _named(run, {id_: n for id_, n in kept.items()
                                if n > 0 and id_ != term_counts.HITS_ID})
        row_ids = "CAST(NULL AS text)"
        if self._ranks_hits and PAGE_FROM_FACET_ROWS and self.request.rows:
            if self.title_tier:
                row_ids = (f"CASE WHEN count(*) <= {int(TITLE_TIER_FROM_HITS)} "
                           f"THEN CAST(array_agg(d.ctid) AS text) END")
            elif self.request.start + self.request.rows <= _ARRAY_INDEX_MAX:
                # The page's rows in the page's order: the rank in place of
                # its alias, the slice of start + 1 to start + rows (a page
                # past what an array index reaches has no hits to show).
                order = re.sub(r"\bscore\b", f"({self.rank})", self.order)
                first = int(self.request.start) + 1
                row_ids = (f"CAST((array_agg(d.ctid ORDER BY {order}))"
                           f"[{first}:{first + int(self.request.rows) - 1}] AS text)")
        statement = (f"SELECT string_agg(d.facet_packed, ''::bytea), count(*), {row_ids} "
                     f"FROM {table.TABLE} d WHERE {self.where}")
        if fetch_bytes is not None:
            packed, hits, ids = fetch_bytes(statement, self.params.values)
        else:
            packed, hits, ids = next(iter(run(statement, self.params.values)))
        self.hits = hits
        if ids is not None:
            self._row_ids = ids if isinstance(ids, str) else bytes(ids).decode()
        if not packed:
            return []
        counts = numpy.bincount(numpy.frombuffer(packed, dtype=">i4"))
        return _named(run, {int(id_): int(counts[id_]) for id_ in numpy.flatnonzero(counts)})

    def facets(self, run: Run, stored_patterns: Iterable[str],
               fetch_bytes: Optional[FetchBytes] = None) -> dict[str, list[Any]]:
        """Solr's facet_fields: [value, count, value, count, …] per field."""
        fields = self.request.facet_fields
        patterns = tuple(stored_patterns)
        stored = [f for f in fields if any(fnmatch.fnmatchcase(f, p) for p in patterns)]
        counts: dict[str, dict[str, int]] = {f: {} for f in fields}
        if stored:
            wanted = set(stored)
            for fv, n in self._stored_counts(run, fetch_bytes):
                field, _, value = fv.partition(table.FACET_SEPARATOR)
                if field in wanted:
                    counts[field][value] = n
        others = [f for f in fields if f not in stored]
        if others:
            sql = (f"SELECT f.field, v.value, count(*) FROM {table.TABLE} d "
                   f"CROSS JOIN unnest(CAST(:_ff AS text[])) AS f(field) "
                   f"CROSS JOIN LATERAL jsonb_array_elements_text("
                   f"coalesce(d.terms -> f.field, '[]'::jsonb)) AS v(value) "
                   f"WHERE {self.where} GROUP BY 1, 2")
            for field, value, n in run(sql, dict(self.params.values, _ff=others)):
                counts[field][value] = n
        out: dict[str, list[Any]] = {}
        limit, mincount = self.request.facet_limit, self.request.facet_mincount
        for field in fields:
            # Solr's order: count descending, then value in code-point order.
            items = sorted(((v, n) for v, n in counts[field].items() if n >= mincount),
                           key=lambda item: (-item[1], item[0]))
            if limit >= 0:
                items = items[:limit]
            out[field] = [x for item in items for x in item]
        return out


def _is(cond: str, expr: str) -> bool:
    """cond is expr, bare or in the parentheses all_of puts around it."""
    return cond in (expr, f"({expr})")


def _conjuncts(cond: str) -> Optional[list[str]]:
    """The top-level AND parts of `cond` (inside the parentheses all_of
    puts around it), or None if it is not a conjunction of parts (an OR
    at the top, unbalanced parentheses)."""
    while cond.startswith("(") and _closing(cond, 0) == len(cond) - 1:
        cond = cond[1:-1]
    parts, depth, start, i = [], 0, 0, 0
    while i < len(cond):
        depth += {"(": 1, ")": -1}.get(cond[i], 0)
        if depth < 0 or (depth == 0 and cond.startswith(" OR ", i)):
            return None
        if depth == 0 and cond.startswith(" AND ", i):
            parts.append(cond[start:i])
            start = i = i + 5
            continue
        i += 1
    return parts + [cond[start:]] if depth == 0 else None


def _closing(text: str, at: int) -> int:
    """Where the parenthesis opened at `at` closes (-1: nowhere)."""
    depth = 0
    for i in range(at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _named(run: Run, counts: dict[int, int]) -> list[tuple[str, int]]:
    """(field SEPARATOR value, count) of facet value id -> count."""
    if not counts:
        return []
    names = run(f"SELECT id, fv FROM {table.FACETS} WHERE id = ANY(:_ids)",
                {"_ids": list(counts)})
    return [(fv, counts[id_]) for id_, fv in names]


def order_by(sort: Optional[str], rank: str) -> str:
    """Solr's sort ("field asc, other desc") as ORDER BY over the index row."""
    schema = s.solr_schema()
    keys = []
    for part in (sort or "score desc").split(","):
        bits = part.split()
        if not bits:
            continue
        if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
            raise QueryTranslationError(
                f"invalid sort {part.strip()!r}: use 'field asc|desc'")
        name, direction = bits[0], bits[1].upper()
        if name == "score":
            # Without a text query every score is the same (Solr's 1.0):
            # ordering by it is no order, and leaving it out lets the
            # planner walk an index of the next key (metadata_modified).
            if rank != CONSTANT_RANK:
                keys.append(f"score {direction}")
            continue
        if not re.fullmatch(r"[A-Za-z0-9_\-.]+", name):
            raise QueryTranslationError(f"cannot sort on {name!r}")
        f = schema.field(name)
        if f.multi:
            raise QueryTranslationError(
                f"cannot sort on multivalued field {name!r}")
        if f.kind in (s.TEXT, s.NGRAM):
            raise QueryTranslationError(
                f"cannot sort on analysed text field {name!r} (use e.g. title_string)")
        # Field names are checked above and never interpolated as values:
        # the jsonb key is a quoted SQL literal built from that safe set.
        key = "'" + name.replace("'", "''") + "'"
        column = table.date_column(name)
        string = table.string_column(name) if f.kind == s.STRING else None
        if column:
            expr = column
        elif string:
            expr = f'{string} COLLATE "C"'
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


def delete_where(params: Params, text_config: str, id: Optional[str] = None,
                 q: Optional[str] = None) -> str:
    """The WHERE of pysolr's delete(id=…) or delete(q=…)."""
    if id is not None:
        return f"d.{table.PRIMARY_KEY} = {params.bind(id)}"
    return Translator(params, text_config, q_op="AND").lucene(q or "")
