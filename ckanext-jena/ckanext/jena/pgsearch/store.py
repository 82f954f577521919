"""Write CKAN's index documents into PostgreSQL.

CKAN builds the document it would send to Solr (after every
IPackageController.before_dataset_index hook); we keep it whole as JSON and
derive from it, per the Solr schema, the term map for exact matching and
facets, the weighted tsvector for free text, typed date columns for sorting
and a PostGIS geometry from the `spatial` GeoJSON.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import logging
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from dateutil.parser import isoparse
from shapely import make_valid, wkb
from shapely.geometry import shape

from . import schema as s
from . import table as t
from .datemath import solr_date, to_millis
from .settings import facet_patterns

log = logging.getLogger(__name__)


def _strings(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _strings(item)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, dict):
        return [json.dumps(value, sort_keys=True)]
    return [str(value)]


def _utc(value: Any) -> Optional[dt.datetime]:
    """A date value of the document as Solr stores it: UTC, milliseconds."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            value = str(value)
            parsed = isoparse(value.rstrip("Z")) if value.endswith("Z") else isoparse(value)
        except (ValueError, TypeError, OverflowError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    try:
        return to_millis(parsed.astimezone(dt.timezone.utc))
    except (ValueError, OverflowError):
        return None


def _solr_dates(value: Any) -> Any:
    """The document's value of a date field as Solr returns it (unreadable
    values are left as they are)."""
    if isinstance(value, (list, tuple)):
        return [_solr_dates(v) for v in value]
    parsed = _utc(value) if value not in (None, "") else None
    return solr_date(parsed) if parsed else value


def _geometry(doc: dict[str, Any]) -> Optional[bytes]:
    raw = doc.get("spatial")
    if not raw:
        return None
    try:
        geom = shape(json.loads(raw) if isinstance(raw, str) else raw)
        if not geom.is_valid:
            geom = make_valid(geom)
        if geom.is_empty:
            return None
        return wkb.dumps(geom)
    except Exception as e:  # a bad geometry must not block indexing
        log.warning("dataset %s: spatial is not usable GeoJSON (%s); not spatially indexed",
                    doc.get("id"), e)
        return None


# Solr keeps the values of a text field apart (positionIncrementGap): the
# phrase "Ausgaben Haushalt" does not match a title ending in "Ausgaben" and
# a description starting with "Haushalt". PostgreSQL's parser counts the
# positions of stop words without keeping them, so GAP_POSITIONS stop words
# of the text configuration before each value keep the values apart in the
# vector (the first word of _GAP_WORDS the configuration stops; a
# configuration without stop words gets no gap).
GAP_POSITIONS = 5
_GAP_WORDS = ("und", "and", "the", "le", "de", "el", "il")
_GAPS: dict[str, str] = {}


def gap(session, text_config: str) -> str:
    """The text between two values of a document's vector (cached per
    text configuration)."""
    if text_config not in _GAPS:
        word = session.execute(sa.text(
            "SELECT w FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS x(w, i) "
            "WHERE to_tsvector(CAST(:cfg AS regconfig), w) = ''::tsvector ORDER BY i LIMIT 1"),
            {"words": list(_GAP_WORDS), "cfg": text_config}).scalar()
        _GAPS[text_config] = " ".join([word] * GAP_POSITIONS) if word else ""
    return _GAPS[text_config]


def document_row(doc: dict[str, Any], gap: str = "") -> dict[str, Any]:
    """The bound values of the upsert for one index document; `gap` goes
    before each value of its text (see GAP_POSITIONS)."""
    schema = s.solr_schema()
    doc = dict(doc)
    blobs = {k: doc.pop(k, None) for k in t.BLOB_FIELDS}
    terms: dict[str, list[str]] = {}
    for key, value in list(doc.items()):
        is_date = schema.field(key).kind == s.DATE
        if is_date:
            doc[key] = value = _solr_dates(value)
        values = _strings(value)
        if is_date:
            # Only readable dates: Solr would refuse the document otherwise.
            values = [solr_date(d) for d in map(_utc, values) if d is not None]
        if values:
            terms[key] = values

    weighted = _weighted(doc)
    texts = _texts(weighted, gap)
    patterns = facet_patterns()
    facets = [f"{key}{t.FACET_SEPARATOR}{v}" for key, values in terms.items()
              if any(fnmatch.fnmatchcase(key, p) for p in patterns) for v in values]
    row: dict[str, Any] = {}
    for c in t.holding(t.FIRST):
        if c.type == "text":
            row[c.name] = (terms.get(c.name) or [None])[0]
        else:  # a timestamp
            row[c.name] = _utc(doc[c.name]) if doc.get(c.name) else None
    for c in t.holding(t.VALUES):
        row[c.name] = terms.get(c.name, [])
    row.update(blobs)
    row.update({
        "facet_values": facets,
        "doc": json.dumps(doc, default=str),
        "terms": json.dumps(terms),
        **{f"text_{k.lower()}": v for k, v in texts.items()},
        "search_text": "\n".join(v for values in weighted.values() for v in values).lower(),
        "geom": _geometry(doc),
    })
    return row


def _weighted(doc: dict[str, Any]) -> dict[str, list[str]]:
    """The values of the document's text, by weight label (TEXT_WEIGHTS)."""
    schema = s.solr_schema()
    weighted: dict[str, list[str]] = {"A": [], "B": [], "C": [], "D": []}
    for key in doc:
        if key == "text" or schema.copies_into_text(key):
            label = next((w for w, keys in t.TEXT_WEIGHTS.items() if key in keys), "D")
            weighted[label].extend(_strings(doc[key]))
    return weighted


def _texts(weighted: dict[str, list[str]], gap: str) -> dict[str, str]:
    return {k: "\n".join(f"{gap} {v}" if gap else v for v in values)
            for k, values in weighted.items()}


# The vectors of a batch of stored documents, made again from their texts.
_REVECTOR = sa.text(
    f"UPDATE {t.TABLE} AS d SET search_vector = n.vector FROM ("
    f"SELECT x.index_id, {t.vector('x.text_{}')} AS vector "
    f"FROM unnest(CAST(:index_ids AS text[]), CAST(:a AS text[]), CAST(:b AS text[]), "
    f"CAST(:c AS text[]), CAST(:d AS text[])) AS x(index_id, text_a, text_b, text_c, text_d)"
    f") n WHERE d.index_id = n.index_id AND d.search_vector IS DISTINCT FROM n.vector")


def rewrite_vectors(bind, text_config: str, batch: int = 500) -> int:
    """Make every row's vector again from its stored document, as a write of
    today's code makes it (for a migration: rows written before the phrase
    gap keep their old vectors until the dataset changes). Rows whose
    vector is already that are not written. Returns the rows rewritten."""
    gap_text = gap(bind, text_config)
    changed, after = 0, ""
    while True:
        rows = bind.execute(sa.text(
            f"SELECT index_id, doc FROM {t.TABLE} WHERE index_id > :after "
            f"ORDER BY index_id LIMIT :n"), {"after": after, "n": batch}).fetchall()
        if not rows:
            return changed
        texts = [_texts(_weighted(doc), gap_text) for _, doc in rows]
        changed += bind.execute(_REVECTOR, {
            "cfg": text_config, "index_ids": [index_id for index_id, _ in rows],
            **{label.lower(): [x[label] for x in texts] for label in "ABCD"}}).rowcount
        after = rows[-1][0]


def _upsert_sql() -> str:
    names = [c.name for c in t.COLUMNS]
    updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in names if n != t.PRIMARY_KEY)
    return (f"INSERT INTO {t.TABLE} AS d ({', '.join(names)}) "
            f"VALUES ({', '.join(c.write for c in t.COLUMNS)}) "
            f"ON CONFLICT ({t.PRIMARY_KEY}) DO UPDATE SET {updates}")


UPSERT = sa.text(_upsert_sql())

# Facet values get integer ids once; concurrent writers of the same new value
# meet in ON CONFLICT and then both see the committed row. Only values not yet
# there are inserted: each conflicting row of ON CONFLICT takes a sequence
# number too, and ids grew by ~9 a write (1,047 for 75 values after one bulk
# load), while a search counts them in an array as long as the largest id.
ADD_FACET_VALUES = sa.text(f"""
INSERT INTO {t.FACETS} (fv) SELECT n.fv FROM unnest(CAST(:facet_values AS text[])) AS n(fv)
WHERE NOT EXISTS (SELECT 1 FROM {t.FACETS} v WHERE v.fv = n.fv)
ON CONFLICT (fv) DO NOTHING
""")


def digest(doc: dict[str, Any]) -> bytes:
    return hashlib.blake2b(json.dumps(doc, sort_keys=True, default=str).encode(),
                           digest_size=16).digest()


def upsert(session, docs: Iterable[dict[str, Any]], text_config: str,
           written: Optional[dict[str, bytes]] = None) -> None:
    """Write `docs`; one whose digest `written` (index_id -> digest, of the
    transaction under way) already holds is that row already."""
    for doc in docs:
        if written is not None:
            key, seen = str(doc.get(t.PRIMARY_KEY)), digest(doc)
            if written.get(key) == seen:
                continue
        row = document_row(doc, gap=gap(session, text_config))
        row["cfg"] = text_config
        if row["facet_values"]:
            session.execute(ADD_FACET_VALUES, row)
        session.execute(UPSERT, row)
        if written is not None:
            written[key] = seen
