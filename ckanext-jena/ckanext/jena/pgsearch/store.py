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
import json
import logging
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from dateutil.parser import isoparse
from shapely import make_valid, wkb
from shapely.geometry import shape

from . import schema as s
from .settings import facet_patterns

log = logging.getLogger(__name__)

TABLE = "jena_search_doc"
FACETS = "jena_search_facet_value"


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


def _utc(value: str) -> Optional[dt.datetime]:
    try:
        parsed = isoparse(value.rstrip("Z")) if value.endswith("Z") else isoparse(value)
    except (ValueError, TypeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


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


def document_row(doc: dict[str, Any]) -> dict[str, Any]:
    """The table row for one index document."""
    schema = s.solr_schema()
    doc = dict(doc)
    blobs = {k: doc.pop(k, None) for k in s.BLOB_FIELDS}
    terms: dict[str, list[str]] = {}
    for key, value in doc.items():
        values = _strings(value)
        if not values:
            continue
        if schema.field(key).kind == s.DATE:
            # Only readable dates: Solr would refuse the document otherwise.
            values = [d.isoformat() for d in map(_utc, values) if d is not None]
        if values:
            terms[key] = values

    weighted: dict[str, list[str]] = {"A": [], "B": [], "C": [], "D": []}
    for key in doc:
        if key == "text" or schema.copies_into_text(key):
            label = ("A" if key in s.WEIGHT_A else "B" if key in s.WEIGHT_B
                     else "C" if key in s.WEIGHT_C else "D")
            weighted[label].extend(_strings(doc[key]))
    texts = {k: "\n".join(v) for k, v in weighted.items()}
    patterns = facet_patterns()
    facets = [f"{key}{s.FACET_SEPARATOR}{v}" for key, values in terms.items()
              if any(fnmatch.fnmatchcase(key, p) for p in patterns) for v in values]
    columns = {c: (terms.get(c) or [None])[0] for c in s.COLUMN_STRINGS}
    return {
        **columns,
        "index_id": doc["index_id"],
        "permission_labels": terms.get("permission_labels", []),
        "facet_values": facets,
        "doc": json.dumps(doc, default=str),
        "terms": json.dumps(terms),
        "data_dict": blobs["data_dict"],
        "validated_data_dict": blobs["validated_data_dict"],
        "text_a": texts["A"], "text_b": texts["B"], "text_c": texts["C"], "text_d": texts["D"],
        "search_text": "\n".join(texts.values()).lower(),
        "metadata_created": _utc(doc["metadata_created"]) if doc.get("metadata_created") else None,
        "metadata_modified": _utc(doc["metadata_modified"]) if doc.get("metadata_modified") else None,
        "geom": _geometry(doc),
    }


UPSERT = sa.text(f"""
INSERT INTO {TABLE} AS d (index_id, id, name, site_id, state, capacity,
    dataset_type, entity_type, organization, permission_labels, facet_ids,
    seq, doc, terms, data_dict, validated_data_dict, search_vector, search_text,
    metadata_created, metadata_modified, geom, indexed_at)
VALUES (:index_id, :id, :name, :site_id, :state, :capacity, :dataset_type,
    :entity_type, :organization, :permission_labels,
    ARRAY(SELECT v.id FROM {FACETS} v WHERE v.fv = ANY(CAST(:facet_values AS text[]))),
    nextval('{TABLE}_seq'), CAST(:doc AS jsonb),
    CAST(:terms AS jsonb), :data_dict, :validated_data_dict,
    setweight(to_tsvector(CAST(:cfg AS regconfig), :text_a), 'A') ||
    setweight(to_tsvector(CAST(:cfg AS regconfig), :text_b), 'B') ||
    setweight(to_tsvector(CAST(:cfg AS regconfig), :text_c), 'C') ||
    setweight(to_tsvector(CAST(:cfg AS regconfig), :text_d), 'D'),
    :search_text, :metadata_created, :metadata_modified,
    ST_SetSRID(ST_GeomFromWKB(CAST(:geom AS bytea)), 4326), now())
ON CONFLICT (index_id) DO UPDATE SET
    id = EXCLUDED.id, name = EXCLUDED.name, site_id = EXCLUDED.site_id,
    state = EXCLUDED.state, capacity = EXCLUDED.capacity,
    dataset_type = EXCLUDED.dataset_type, entity_type = EXCLUDED.entity_type,
    organization = EXCLUDED.organization,
    permission_labels = EXCLUDED.permission_labels,
    facet_ids = EXCLUDED.facet_ids, seq = EXCLUDED.seq,
    doc = EXCLUDED.doc, terms = EXCLUDED.terms, data_dict = EXCLUDED.data_dict,
    validated_data_dict = EXCLUDED.validated_data_dict,
    search_vector = EXCLUDED.search_vector, search_text = EXCLUDED.search_text,
    metadata_created = EXCLUDED.metadata_created,
    metadata_modified = EXCLUDED.metadata_modified, geom = EXCLUDED.geom,
    indexed_at = EXCLUDED.indexed_at
""")


# Facet values get integer ids once; concurrent writers of the same new value
# meet in ON CONFLICT and then both see the committed row.
ADD_FACET_VALUES = sa.text(f"""
INSERT INTO {FACETS} (fv) SELECT unnest(CAST(:facet_values AS text[]))
ON CONFLICT (fv) DO NOTHING
""")


def upsert(session, docs: Iterable[dict[str, Any]], text_config: str) -> None:
    for doc in docs:
        row = document_row(doc)
        row["cfg"] = text_config
        if row["facet_values"]:
            session.execute(ADD_FACET_VALUES, row)
        session.execute(UPSERT, row)
