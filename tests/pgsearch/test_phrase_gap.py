"""Migration 0010: rows written before the phrase gap (store.GAP_POSITIONS)
get it, so an upgraded portal's phrases stop matching across two values
without a reindex."""
import pytest

import ckan.model as model
from ckan.cli.db import _run_migrations
from ckan.tests import factories, helpers

from ckanext.jena.pgsearch import store
from ckanext.jena.pgsearch.settings import text_config

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _names(q):
    return sorted(r["name"] for r in helpers.call_action("package_search", q=q)["results"])


def test_0010_gives_rows_written_before_it_the_phrase_gap(monkeypatch):
    org = factories.Organization()
    factories.Dataset(name="baeume", title="Baumkataster", owner_org=org["id"],
                      notes="Standorte der Straßenbäume",
                      tags=[{"name": "Bäume"}, {"name": "Stadtgrün"}])
    factories.Dataset(name="parks", title="Parks", owner_org=org["id"],
                      tags=[{"name": "Stadtgrün"}])
    assert _names('"Bäume Stadtgrün"') == []
    engine = model.meta.engine
    try:
        # CKAN's migration environment re-initialises the model without a pool.
        _run_migrations("jena_pgsearch", "0009_facet_value_counts", forward=False)
        model.init_model(engine)
        # The rows as the code before the gap wrote them.
        with monkeypatch.context() as m:
            m.setattr(store, "_GAPS", {text_config(): ""})
            assert store.rewrite_vectors(model.Session.connection(), text_config()) == 2
        model.Session.commit()
        assert _names('"Bäume Stadtgrün"') == ["baeume"]
        _run_migrations("jena_pgsearch", "head", forward=True)
    finally:
        model.init_model(engine)
    assert _names('"Bäume Stadtgrün"') == []
    assert _names('"Standorte der Straßenbäume"') == ["baeume"]
    assert _names("Stadtgrün") == ["baeume", "parks"]
    # Every row has the vector a write makes now: nothing left to rewrite.
    assert store.rewrite_vectors(model.Session.connection(), text_config()) == 0
