"""Where an index write goes, so that it takes effect as a write to Solr does.

CKAN indexes a dataset while it commits the change (the synchronous_search
hook runs in the session's before_commit): such a write joins CKAN's
transaction and so commits or rolls back with the change that caused it.
Every other write — `ckan search-index clear <id>` and `rebuild`, the
clean_index of tests, a plugin calling ckan.lib.search — has no commit of
CKAN's session coming after it (Solr would have committed it at once), so it
runs on a connection of its own and is committed at once (issue 22).
"""
from __future__ import annotations

import contextlib
from typing import Iterator, Optional

import logging

import sqlalchemy as sa
from sqlalchemy import event

import ckan.model as model

from . import table, term_counts

log = logging.getLogger(__name__)

_COMMITTING = "jena_pgsearch_committing"
_CHANGED = "jena_pgsearch_changed"
_WRITTEN = "jena_pgsearch_written"
# A writer of our own waits at most this long for a row CKAN's session holds
# (an index write and a concurrent edit of the same dataset).
LOCK_TIMEOUT = "10s"
_NEXT_GENERATION = f"SELECT nextval('{table.GENERATION}')"


def _before_commit(session) -> None:
    session.info[_COMMITTING] = session.get_transaction()


def _after_commit(session) -> None:
    session.info.pop(_COMMITTING, None)
    session.info.pop(_WRITTEN, None)
    if session.info.pop(_CHANGED, False):
        next_generation()
        _compact_now_and_then()


def _after_rollback(session, *_) -> None:
    session.info.pop(_COMMITTING, None)
    session.info.pop(_CHANGED, None)
    session.info.pop(_WRITTEN, None)


def next_generation(conn=None) -> None:
    """Move the index's generation on after a write has committed, so no
    search reuses facet counts it computed before the commit (the trigger
    of 0005 moved it inside the transaction, when a search could still
    count the old state; facet_cache.py). A sequence moves on outside any
    transaction, so this needs no commit of its own; `conn`: a connection
    whose transaction has just committed, else one from the pool."""
    try:
        if conn is not None:
            conn.exec_driver_sql(_NEXT_GENERATION)
            return
        with model.meta.engine.connect() as own:
            own.exec_driver_sql(_NEXT_GENERATION)
    except sa.exc.SQLAlchemyError as e:
        # The write itself stands; cached counts then live out their max age.
        log.warning("jena_pgsearch: the index generation could not move on after a "
                    "write (%s); cached facet counts may be old for a while", e)


def watch_commits() -> None:
    """Mark CKAN's session while it commits. Registered first, so the mark
    is set before CKAN's own before_commit hook indexes."""
    if event.contains(model.Session, "before_commit", _before_commit):
        return
    event.listen(model.Session, "before_commit", _before_commit, insert=True)
    event.listen(model.Session, "after_commit", _after_commit)
    event.listen(model.Session, "after_rollback", _after_rollback)


def in_ckan_commit() -> bool:
    session = model.Session()
    marked = session.info.get(_COMMITTING)
    return marked is not None and marked is session.get_transaction()


def written_in_commit() -> Optional[dict[str, bytes]]:
    """index_id -> digest of each document written in the CKAN commit under
    way, or None outside one. CKAN indexes a new dataset twice in the commit
    that creates it (once as new, once as the package of its new tags,
    resources and memberships, ckan/model/modification.py), and an edit of a
    dataset with its resources likewise: the same document, written twice."""
    if not in_ckan_commit():
        return None
    return model.Session().info.setdefault(_WRITTEN, {})


def forget_written() -> None:
    """A delete in the commit under way: the next write of any document
    must reach the table."""
    model.Session().info.pop(_WRITTEN, None)


@contextlib.contextmanager
def writer() -> Iterator[object]:
    """Something with .execute(statement, values) to write the index with."""
    if in_ckan_commit():
        session = model.Session()
        session.info[_CHANGED] = True
        yield session
        return
    with model.meta.engine.connect() as conn:
        with conn.begin():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            yield conn
        # After the commit, on the same connection (no second checkout).
        next_generation(conn)
    _compact_now_and_then()


def analyze() -> None:
    """Give the planner statistics of the index as it is now (the end of a
    bulk write: `search-index rebuild`, a commit of ckan.lib.search), and
    the visibility map. Right after a reindex autovacuum has not yet run:
    with the statistics of an empty or much smaller table the planner chose
    plans 2-3x slower, and without the visibility map the covering index of
    the filters (table.py) answers nothing without visiting the heap
    (issue 19). VACUUM ANALYZE samples the table and visits the pages
    changed since the last vacuum: about two seconds at 100,000 datasets;
    it blocks no reader or writer, and a lock it cannot get (a concurrent
    VACUUM or migration) only leaves the work to autovacuum."""
    try:
        # VACUUM cannot run inside a transaction block.
        with model.meta.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            try:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table.TABLE}, {table.FACETS}")
            finally:
                # The pooled connection goes back without our setting.
                conn.exec_driver_sql("RESET lock_timeout")
    except sa.exc.OperationalError as e:
        log.warning("jena_pgsearch: VACUUM ANALYZE of the search index skipped (%s); "
                    "autovacuum will do it", e)
    refresh_term_counts()


def refresh_term_counts() -> None:
    """The words whose facet counts are kept, from the statistics just
    gathered (term_counts.py), and their deltas summed up."""
    try:
        with model.meta.engine.connect() as conn:
            with conn.begin():
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                counted, filled = term_counts.refresh(conn)
                term_counts.compact(conn)
            log.info("jena_pgsearch: facet counts kept for %d words (%d new)", counted, filled)
    except sa.exc.OperationalError as e:
        log.warning("jena_pgsearch: the words with kept facet counts were not renewed (%s); "
                    "the old ones stay exact", e)


_commits_since_compact = 0
# Every write adds its deltas to the kept counts; summing them again after
# this many commits keeps a word's rows few (~20 ms at 100,000 datasets).
COMPACT_EVERY = 256


def _compact_now_and_then() -> None:
    global _commits_since_compact
    _commits_since_compact += 1
    if _commits_since_compact < COMPACT_EVERY:
        return
    _commits_since_compact = 0
    try:
        with model.meta.engine.begin() as conn:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            term_counts.compact(conn)
    except sa.exc.SQLAlchemyError as e:
        log.warning("jena_pgsearch: the kept facet counts were not compacted (%s)", e)
