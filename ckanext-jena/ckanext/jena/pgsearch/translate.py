"""Translate Solr/Lucene queries (as CKAN builds them) into SQL conditions.

The query text is parsed with luqum into a tree; each node becomes an SQL
boolean expression over one row `d` of the index table. Every value (and
every field name) reaches SQL as a bound parameter, never as SQL text. What
cannot be translated faithfully raises QueryTranslationError, which the API
turns into a 409 with the reason: a wrong answer is worse than an error.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Optional

import numpy

from luqum import tree
from luqum.exceptions import ParseError
# PLY's lexer keeps its state in the module: luqum.thread gives each thread
# its own (gunicorn's threads parsed each other's queries: valid ones were 500s).
from luqum.thread import parse as lucene_parse

from ckan.lib.search.common import SearchError

from . import schema as s
from . import table
from .datemath import DateMathError, parse_date
from .settings import stored_facet

TRUE, FALSE = "TRUE", "FALSE"
CONSTANT_RANK = "0"  # the rank of a search without text: every score equal
_WILDCARD = re.compile(r"(?<!\\)[*?]")
_ESCAPE = re.compile(r"\\(.)")
_ENVELOPE = re.compile(
    r"^\s*Intersects\(\s*ENVELOPE\(\s*([-+\d.eE]+)\s*,\s*([-+\d.eE]+)\s*,"
    r"\s*([-+\d.eE]+)\s*,\s*([-+\d.eE]+)\s*\)\s*\)\s*$", re.I)


class QueryTranslationError(SearchError):
    """A query the PostgreSQL backend cannot answer as Solr would. CKAN's API
    answers it with a 409 and this message, its /dataset page with "error
    while searching"."""

    def about(self, param: str) -> "QueryTranslationError":
        """The same error, its message naming the search parameter."""
        message = str(self)
        if message.startswith("parameter "):
            return self
        return QueryTranslationError(f"parameter {param!r}: {message}")


class Params:
    """Collects bound parameters and hands out their placeholders."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def bind(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"


# Solr's default maxBooleanClauses: a bound on the SQL one query may produce.
MAX_CLAUSES = 1024


def _count_nodes(node: tree.Item) -> int:
    return 1 + sum(_count_nodes(c) for c in node.children)


class Unparsable(QueryTranslationError):
    """Text the query parser cannot read at all (dismax takes it literally)."""


_MODIFIERS = (tree.Plus, tree.Prohibit, tree.Not)


def _check_modifiers(node: tree.Item, query: str) -> None:
    # Lucene takes one of +, -, NOT before a clause: "--included" and
    # "+-x" are syntax errors there (luqum would nest them).
    if isinstance(node, _MODIFIERS) and isinstance(node.a, _MODIFIERS):
        raise QueryTranslationError(
            f"cannot parse query {query!r}: two operators in a row ({node})")
    for child in node.children:
        _check_modifiers(child, query)


def parse(query: str) -> tree.Item:
    if len(query) > 20 * MAX_CLAUSES:
        raise QueryTranslationError(f"query too long ({len(query)} characters)")
    try:
        node = lucene_parse(query)
    except (ParseError, Exception) as e:  # luqum raises several kinds
        raise Unparsable(f"cannot parse query {query!r}: {e}") from e
    if _count_nodes(node) > MAX_CLAUSES:
        raise QueryTranslationError(f"too many clauses in query (at most {MAX_CLAUSES})")
    _check_modifiers(node, query)
    return node


# Solr's dismax drops operators it cannot use before parsing
# (SolrPluginUtils.stripIllegalOperators): runs of +/- after a space, and
# trailing ones.
_CONSECUTIVE_OPS = re.compile(r"\s+[+-](?:\s*[+-]+)+")
_DANGLING_OPS = re.compile(r"\s+[-+\s]+$")


def strip_illegal_operators(query: str) -> str:
    return _DANGLING_OPS.sub("", _CONSECUTIVE_OPS.sub(" ", query))


def unescape(value: str) -> str:
    return _ESCAPE.sub(r"\1", value)


def _phrase_text(node: tree.Phrase) -> str:
    return unescape(node.value[1:-1])


def all_of(parts: list[str]) -> str:
    parts = [p for p in parts if p != TRUE]
    if FALSE in parts:
        return FALSE
    return "(" + " AND ".join(parts) + ")" if parts else TRUE


def any_of(parts: list[str]) -> str:
    parts = [p for p in parts if p != FALSE]
    if TRUE in parts:
        return TRUE
    return "(" + " OR ".join(parts) + ")" if parts else FALSE


def _wildcard_to_like(value: str) -> str:
    out = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\\" + nxt if nxt in "%_\\" else nxt)
            i += 2
            continue
        out.append({"*": "%", "?": "_", "%": "\\%", "_": "\\_"}.get(c, c))
        i += 1
    return "".join(out)


def _wildcard_to_regex(value: str) -> str:
    out = []
    for part in re.split(r"((?<!\\)[*?])", value):
        if part == "*":
            out.append(r"\w*")
        elif part == "?":
            out.append(r"\w")
        else:
            out.append(re.escape(unescape(part)))
    return r"\m" + "".join(out) + r"\M"


def _bound_reader(read, errors, message):
    """A range bound read with `read`; what it cannot read is the query's
    error, in the words message(value, error) gives."""
    def conv(value):
        try:
            return read(value)
        except errors as e:
            raise QueryTranslationError(message(value, e)) from e
    return conv


class Translator:
    """Builds SQL for one search: the q and every fq share its parameters."""

    def __init__(self, params: Params, text_config: str, q_op: str = "AND",
                 default_field: str = "text",
                 lexeme_count: Optional[Callable[[str], int]] = None,
                 facet_id: Optional[Callable[[str], Optional[int]]] = None):
        self.params = params
        self.schema = s.solr_schema()
        self.cfg = f"CAST({params.bind(text_config)} AS regconfig)"
        self.q_op = (q_op or "AND").upper()
        self.default_field = default_field or "text"
        self._negated = 0
        self._lexeme_count = lexeme_count
        self._facet_id = facet_id
        # tsqueries that matched positively against the catch-all field: the
        # relevance score ranks by them.
        self.rank_queries: list[str] = []
        # The words of the plainto_tsquery()s among them, by their SQL.
        self._plain_words: dict[str, str] = {}

    # ---- entry points -------------------------------------------------
    def lucene(self, query: str) -> str:
        if not query or not query.strip():
            return TRUE
        return self._node(parse(query), None)

    def dismax(self, query: str, mm: str = "2<-1 5<80%") -> str:
        """CKAN's free-text search: every term against the weighted catch-all
        field, with dismax's minimum-should-match rule."""
        try:
            node = parse(strip_illegal_operators(query))
        except Unparsable:
            # dismax treats unbalanced syntax as literal text, as Solr does.
            words = re.findall(r"[^\s\"()\[\]{}]+", query)
            if len(words) > MAX_CLAUSES:
                raise QueryTranslationError(f"too many words in query (at most {MAX_CLAUSES})")
            node = tree.UnknownOperation(*[tree.Word(w) for w in words])
        must: list[str] = []
        should: list[str] = []
        must_not: list[str] = []
        self._dismax_clauses(node, must, should, must_not, required=False)
        tsqueries = must + should
        if not tsqueries and not must_not:
            return FALSE
        for tsq in tsqueries:
            self.rank_queries.append(tsq)
        conds = [f"d.search_vector @@ {q}" for q in must]
        if should:
            need = min_should_match(mm, len(should))
            if need >= len(should):
                conds += [f"d.search_vector @@ {q}" for q in should]
            elif need > 0:
                hits = " + ".join(f"(d.search_vector @@ {q})::int" for q in should)
                # The OR of all terms lets the GIN index narrow the rows first.
                conds.append("d.search_vector @@ (" + " || ".join(should) + ")")
                conds.append(f"({hits}) >= {self.params.bind(need)}")
        expr = all_of(conds)
        for q in must_not:
            expr = all_of([expr, f"NOT (d.search_vector @@ {q})"])
        return expr

    def single_word_rank(self) -> Optional[str]:
        """The tsquery the score ranks by if it is one word that is one
        lexeme (no phrase, no prefix, no second term), else None: sql.py
        pages such a ranking from the documents with the word in their
        title first (table.TITLE_VECTOR)."""
        found = self.single_word()
        return found[0] if found else None

    def single_word(self) -> Optional[tuple[str, str]]:
        """(tsquery, word) of single_word_rank."""
        if len(self.rank_queries) != 1 or self._lexeme_count is None:
            return None
        word = self._plain_words.get(self.rank_queries[0])
        if word is None or self._lexeme_count(word) != 1:
            return None
        return self.rank_queries[0], word

    def adopt_ranks(self, other: "Translator") -> None:
        """The rank queries of a sub-translator (local parameters)."""
        self.rank_queries.extend(other.rank_queries)
        self._plain_words.update(other._plain_words)

    def rank_expression(self) -> str:
        if not self.rank_queries:
            return CONSTANT_RANK
        weights = self.params.bind(table.RANK_WEIGHTS)
        combined = " || ".join(self.rank_queries)
        return f"ts_rank(CAST({weights} AS float4[]), d.search_vector, {combined})"

    # ---- dismax -------------------------------------------------------
    def _dismax_clauses(self, node, must, should, must_not, required):
        if isinstance(node, (tree.UnknownOperation, tree.OrOperation, tree.AndOperation)):
            req = isinstance(node, tree.AndOperation)
            for child in node.children:
                self._dismax_clauses(child, must, should, must_not, req)
        elif isinstance(node, tree.Plus):
            self._dismax_clauses(node.a, must, must, must_not, True)
        elif isinstance(node, (tree.Prohibit, tree.Not)):
            sink: list[str] = []
            self._dismax_clauses(node.a, sink, sink, sink, True)
            must_not.extend(sink)
        elif isinstance(node, (tree.Group, tree.FieldGroup)):
            self._dismax_clauses(node.expr, must, should, must_not, required)
        elif isinstance(node, tree.Boost):
            self._dismax_clauses(node.expr, must, should, must_not, required)
        elif isinstance(node, tree.Fuzzy):
            raise QueryTranslationError(f"fuzzy queries ({node}) are not supported")
        elif isinstance(node, tree.Proximity):
            # A phrase with slop: matching it as a plain phrase would
            # silently find fewer datasets than asked for (issue 13).
            raise QueryTranslationError(f"proximity queries ({node}) are not supported")
        else:
            if isinstance(node, tree.Phrase):
                text, phrase = _phrase_text(node), True
            else:
                text, phrase = unescape(str(node)), False
            if self._lexeme_count and not self._lexeme_count(text):
                return  # only stop words: dismax drops the clause
            tsq = self._tsquery(text, phrase)
            (must if required else should).append(tsq)

    # ---- lucene ------------------------------------------------------
    def _node(self, node: tree.Item, field: Optional[str]) -> str:
        if isinstance(node, tree.SearchField):
            if field is not None and field != self.default_field:
                raise QueryTranslationError(
                    f"nested field {node.name!r} inside field {field!r}")
            if node.name == "*":
                if isinstance(node.expr, tree.Word) and node.expr.value == "*":
                    return TRUE
                raise QueryTranslationError("the field '*' only takes '*' (as in *:*)")
            return self._node(node.expr, unescape(node.name))
        if isinstance(node, tree.AndOperation):
            return self._bool(node.children, field, True)
        if isinstance(node, tree.OrOperation):
            return self._bool(node.children, field, False)
        if isinstance(node, tree.UnknownOperation):
            return self._bool(node.children, field, self.q_op == "AND")
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self._node(node.expr, field)
        if isinstance(node, (tree.Plus,)):
            return self._node(node.a, field)
        if isinstance(node, (tree.Prohibit, tree.Not)):
            return self._not(node.a, field)
        if isinstance(node, tree.Boost):
            return self._node(node.expr, field)
        if isinstance(node, tree.Fuzzy):
            raise QueryTranslationError(f"fuzzy queries ({node}) are not supported")
        if isinstance(node, tree.Proximity):
            raise QueryTranslationError(f"proximity queries ({node}) are not supported")
        if isinstance(node, tree.Regex):
            raise QueryTranslationError(f"regular expression queries ({node}) are not supported")
        if isinstance(node, (tree.Word, tree.Phrase, tree.Range)):
            return self._term(field or self.default_field, node)
        raise QueryTranslationError(f"unsupported query element {node!s}")

    def _not(self, node, field) -> str:
        self._negated += 1
        try:
            inner = self._node(node, field)
        finally:
            self._negated -= 1
        return FALSE if inner == TRUE else (TRUE if inner == FALSE else f"NOT {inner}")

    def _bool(self, children, field, default_required: bool) -> str:
        must, should, must_not = [], [], []
        for child in children:
            if isinstance(child, tree.Plus):
                must.append(self._node(child.a, field))
            elif isinstance(child, (tree.Prohibit, tree.Not)):
                must_not.append(self._not(child.a, field))
            elif default_required:
                must.append(self._node(child, field))
            else:
                should.append(self._node(child, field))
        parts = list(must)
        if should and not must:
            parts.append(any_of(should))
        return all_of(parts + must_not)

    # ---- terms -------------------------------------------------------
    def _term(self, field: str, node) -> str:
        if field == "spatial_geom":
            return self._spatial(node)
        f = self.schema.field(field)
        if f.kind == s.TEXT:
            return self._text_term(field, node)
        if f.kind == s.NGRAM:
            return self._ngram_term(field, node)
        if isinstance(node, tree.Range):
            return self._range(f, node)
        value = _phrase_text(node) if isinstance(node, tree.Phrase) else node.value
        if isinstance(node, tree.Word) and value == "*":
            return f"jsonb_exists(d.terms, {self.params.bind(field)})"
        if isinstance(node, tree.Word) and _WILDCARD.search(value):
            if f.kind != s.STRING:
                raise QueryTranslationError(f"wildcards are not supported on {f.kind} field {field!r}")
            pattern = self.params.bind(_wildcard_to_like(value))
            return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.terms -> {self.params.bind(field)}) v"
                    f" WHERE v LIKE {pattern})")
        if isinstance(node, tree.Word):
            value = unescape(value)
        if f.kind == s.DATE:
            return self._date_range(field, value, value, True, True)
        if f.kind in (s.INT, s.FLOAT):
            return self._number_range(field, value, value, True, True)
        if f.kind == s.BOOL:
            value = value.lower()
        column = table.string_column(field)
        if column:
            return f"{column} = {self.params.bind(value)}"
        column = table.array_column(field)
        if column:
            return f"{column} @> ARRAY[CAST({self.params.bind(value)} AS text)]"
        if stored_facet(field):
            # The same set as the term map's, without it: its index is lossy
            # and each candidate's term map (out of line) was read to recheck
            # it (168 ms for a tag of 6,500 of 100,000 datasets, issue 19);
            # the facet id index is exact. A value no dataset has has no id:
            # ARRAY[NULL] is contained in no row's ids.
            fv = f"{field}{table.FACET_SEPARATOR}{value}"
            if self._facet_id is not None:
                # The id itself, not a subselect: with a literal the planner
                # estimates the hits from the index's statistics (a subselect
                # it guesses at 0.5%), and for a tag of 6,500 of 100,000
                # datasets walks the sort order's index for 20 rows (1 ms)
                # instead of sorting all 6,500 (13 ms, issue 19).
                found = self._facet_id(fv)
                return FALSE if found is None else f"d.facet_ids @> ARRAY[{int(found)}]"
            return (f"d.facet_ids @> ARRAY[(SELECT v.id FROM {table.FACETS} v "
                    f"WHERE v.fv = {self.params.bind(fv)})]")
        return f"d.terms @> CAST({self.params.bind(json.dumps({field: [value]}))} AS jsonb)"

    def _range(self, f: s.Field, node: tree.Range) -> str:
        low, high = unescape(node.low.value), unescape(node.high.value)
        low = None if low == "*" else low
        high = None if high == "*" else high
        if f.kind == s.DATE:
            return self._date_range(f.name, low, high, node.include_low, node.include_high)
        if f.kind in (s.INT, s.FLOAT):
            return self._number_range(f.name, low, high, node.include_low, node.include_high)
        # Strings compare as Solr does: by code point.
        return self._values_between(f.name, "v COLLATE \"C\"", low, high,
                                    node.include_low, node.include_high, lambda v: v)

    def _date_range(self, field, low, high, inc_low, inc_high) -> str:
        conv = _bound_reader(parse_date, DateMathError, lambda v, e: f"field {field!r}: {e}")
        column = table.date_column(field)
        if column:
            return all_of(self._bounds(column, low, high, inc_low, inc_high, conv))
        return self._values_between(field, "jena_pgsearch_ts(v)", low, high, inc_low, inc_high, conv)

    def _number_range(self, field, low, high, inc_low, inc_high) -> str:
        conv = _bound_reader(float, ValueError, lambda v, e: f"field {field!r} is numeric, {v!r} is not a number")
        return self._values_between(field, "jena_pgsearch_num(v)", low, high, inc_low, inc_high, conv)

    def _bounds(self, expr, low, high, inc_low, inc_high, conv) -> list[str]:
        conds = []
        if low is not None:
            conds.append(f"{expr} {'>=' if inc_low else '>'} {self.params.bind(conv(low))}")
        if high is not None:
            conds.append(f"{expr} {'<=' if inc_high else '<'} {self.params.bind(conv(high))}")
        return conds

    def _values_between(self, field, expr, low, high, inc_low, inc_high, conv) -> str:
        conds = self._bounds(expr, low, high, inc_low, inc_high, conv) or ["TRUE"]
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.terms -> {self.params.bind(field)}) v"
                f" WHERE {' AND '.join(conds)})")

    def _tsquery(self, text: str, phrase: bool) -> str:
        fn = "phraseto_tsquery" if phrase else "plainto_tsquery"
        tsq = f"{fn}({self.cfg}, {self.params.bind(text)})"
        if not phrase:
            self._plain_words[tsq] = text
        return tsq

    def _text_term(self, field: str, node) -> str:
        if field == "text":
            vector, raw = "d.search_vector", "d.search_text"
        else:
            vector = f"jsonb_to_tsvector({self.cfg}, coalesce(d.doc -> {self.params.bind(field)}, '[]'), '[\"string\"]')"
            raw = f"lower(coalesce(d.doc ->> {self.params.bind(field)}, ''))"
        if isinstance(node, tree.Range):
            raise QueryTranslationError(f"range queries on text field {field!r} are not supported")
        if isinstance(node, tree.Phrase):
            tsq = self._tsquery(_phrase_text(node), True)
        else:
            value = node.value
            if value == "*":
                return "TRUE" if field == "text" else f"jsonb_exists(d.terms, {self.params.bind(field)})"
            wild = [m.start() for m in _WILDCARD.finditer(value)]
            if wild == [len(value) - 1] and value.endswith("*") and len(value) > 1:
                # A trailing * is a prefix query on the analysed words.
                words = re.findall(r"\w+", unescape(value[:-1]))
                if not words:
                    raise QueryTranslationError(f"empty prefix query {value!r}")
                prefix = " & ".join("'" + w.lower().replace("'", "''") + "':*" for w in words)
                tsq = f"to_tsquery({self.cfg}, {self.params.bind(prefix)})"
            elif wild:
                # Solr does not stem wildcard terms either: match raw words.
                regex = self.params.bind(_wildcard_to_regex(value.lower()))
                return f"({raw} ~ {regex})"
            else:
                tsq = self._tsquery(unescape(value), False)
        if field == "text" and not self._negated:
            self.rank_queries.append(tsq)
        return f"({vector} @@ {tsq})"

    def _ngram_term(self, field: str, node) -> str:
        """Solr's text_ngram: every whitespace token of the query (2..10
        characters, lower-cased) must be a substring of the source field."""
        if isinstance(node, tree.Range):
            raise QueryTranslationError(f"range queries on n-gram field {field!r} are not supported")
        text = _phrase_text(node) if isinstance(node, tree.Phrase) else unescape(node.value)
        sources = self.schema.copy_sources(field) or [field]
        tokens = text.lower().split()
        if not tokens or any(not 2 <= len(t) <= 10 for t in tokens):
            return FALSE
        per_source = []
        for src in sources:
            value = f"lower(coalesce(d.doc ->> {self.params.bind(src)}, ''))"
            per_source.append(all_of([f"strpos({value}, {self.params.bind(t)}) > 0" for t in tokens]))
        return any_of(per_source)

    def _spatial(self, node) -> str:
        text = _phrase_text(node) if isinstance(node, tree.Phrase) else unescape(str(node))
        m = _ENVELOPE.match(text)
        if not m:
            raise QueryTranslationError(
                "spatial_geom takes \"Intersects(ENVELOPE(minx, maxx, maxy, miny))\"")
        minx, maxx, maxy, miny = (float(g) for g in m.groups())
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise QueryTranslationError(f"invalid bounding box {minx},{miny},{maxx},{maxy}")
        b = self.params.bind
        box = f"ST_MakeEnvelope({b(minx)}, {b(miny)}, {b(maxx)}, {b(maxy)}, 4326)"
        # Never NULL (so NOT works); && lets the GiST index find the rows.
        # A geometry inside the box intersects it without ST_Intersects
        # (~1 µs a row, half of bbox + text's facet count at 100,000
        # datasets, issue 19): `@` compares float4 boxes, the geometry's
        # rounded outwards, so against a box of float4 values inside ours
        # it never says inside where the geometry is not.
        inner = _float4_inside(minx, maxx), _float4_inside(miny, maxy)
        if inner[0] is None or inner[1] is None:
            return f"(d.geom IS NOT NULL AND ST_Intersects(d.geom, {box}))"
        (ix0, ix1), (iy0, iy1) = inner
        # CASE, not OR: the test comes first, and the planner does not
        # scan the index a second time for it.
        return (f"(d.geom IS NOT NULL AND d.geom && {box} AND CASE WHEN d.geom @ "
                f"ST_MakeEnvelope({b(ix0)}, {b(iy0)}, {b(ix1)}, {b(iy1)}, 4326) "
                f"THEN TRUE ELSE ST_Intersects(d.geom, {box}) END)")


def _float4_inside(low: float, high: float) -> Optional[tuple[float, float]]:
    """The widest interval of float4 values within [low, high], or None."""
    lo, hi = numpy.float32(low), numpy.float32(high)
    if float(lo) < low:
        lo = numpy.nextafter(lo, numpy.float32(numpy.inf))
    if float(hi) > high:
        hi = numpy.nextafter(hi, numpy.float32(-numpy.inf))
    return (float(lo), float(hi)) if lo <= hi else None


_MM_VALUE = re.compile(r"^-?\d+%?$")
_MM_CONDITION = re.compile(r"^\d+<-?\d+%?$")


def check_mm(spec: str) -> None:
    """Refuse what Solr's mm parser refuses: a number or percentage, or
    conditions "n<value" separated by spaces."""
    spec = (spec or "").strip()
    if not spec:
        return
    parts = spec.split()
    ok = (len(parts) == 1 and _MM_VALUE.match(spec)) or all(_MM_CONDITION.match(p) for p in parts)
    if not ok:
        raise QueryTranslationError(
            f"invalid minimum-should-match {spec!r}: use e.g. 2, 75%, -1 or '2<-1 5<80%'")


def min_should_match(spec: str, optional: int) -> int:
    """Solr's mm rule, e.g. "2<-1 5<80%": how many of `optional` clauses
    must match."""
    check_mm(spec)
    spec = (spec or "").strip()
    if not spec:
        return optional
    chosen = None
    if "<" in spec:
        for cond in spec.split():
            limit, value = cond.split("<", 1)
            if optional > int(limit):
                chosen = value
        if chosen is None:
            return optional
    else:
        chosen = spec
    if chosen.endswith("%"):
        pct = int(chosen[:-1])
        n = int(optional * abs(pct) / 100)
        need = optional - n if pct < 0 else n
    else:
        n = int(chosen)
        need = optional + n if n < 0 else n
    return max(0, min(optional, need)) or (1 if optional else 0)
