"""The phrase gap (store.GAP_POSITIONS) in the vectors of an existing index.

Since the gap a phrase matches within one value only ("Bäume Stadtgrün" no
longer finds a dataset tagged "Bäume" and "Stadtgrün"), but only rows
written since had it: on an upgraded portal every dataset that did not
change kept matching across its values until a `search-index rebuild`.
This makes each row's vector again from its stored document; rows already
made with the gap are not written. 100,000 rows took 171 s here (a
`search-index rebuild` of them 231 s); autovacuum then reclaims the old row
versions. The words and so the kept facet counts stay the same.

Revision ID: 0010_phrase_gap_in_vectors
Revises: 0009_facet_value_counts
Create Date: 2026-12-08
"""
from alembic import op

from ckanext.jena.pgsearch import store
from ckanext.jena.pgsearch.settings import text_config

revision = "0010_phrase_gap_in_vectors"
down_revision = "0009_facet_value_counts"
branch_labels = None
depends_on = None


def upgrade():
    store.rewrite_vectors(op.get_bind(), text_config())


def downgrade():
    # A vector with the gap is as good for the code before it.
    pass
