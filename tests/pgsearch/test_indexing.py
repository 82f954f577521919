"""Every path through which CKAN indexes writes to our PostgreSQL table."""
import uuid

import pytest

import ckan.lib.search as search
import ckan.model as model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def dataset(org, admin):
    def make(**kwargs):
        return factories.Dataset(owner_org=org["id"], user=admin, **kwargs)
    return make


@pytest.fixture
def act(admin):
    def call(action, **kwargs):
        return helpers.call_action(action, {"user": admin["name"]}, **kwargs)
    return call


def names(**params):
    params.setdefault("rows", 1000)
    return sorted(r["name"] for r in helpers.call_action("package_search", **params)["results"])


def index_rows(package_id=None):
    """Rows of the index (of one dataset): background jobs of other tests may
    index their own datasets meanwhile, so a test about one dataset counts its rows."""
    if package_id:
        return model.Session.execute("SELECT count(*) FROM jena_search_doc WHERE id = :id",
                                     {"id": package_id}).scalar()
    return model.Session.execute("SELECT count(*) FROM jena_search_doc").scalar()


def test_create_update_patch_delete(dataset, act):
    pkg = dataset(name="pegel", title="Saale-Pegel")
    assert names(q="Saale") == ["pegel"]
    act("package_update", **dict(pkg, title="Wasserstand der Saale"))
    assert names(q="Wasserstand") == ["pegel"]
    act("package_patch", id=pkg["id"], title="Hochwassermeldungen")
    assert names(q="Wasserstand") == []
    assert names(q="Hochwasser*") == [] and names(q="title:Hochwasser*") == ["pegel"]
    assert index_rows(pkg["id"]) == 1
    act("package_delete", id=pkg["id"])
    assert names(q="*:*") == []
    assert index_rows(pkg["id"]) == 0


def test_resource_changes_reindex_the_dataset(dataset, act):
    pkg = dataset(name="haushalt")
    res = act("resource_create", package_id=pkg["id"], url="http://x.example/h.xlsx",
                              format="XLSX", name="Haushaltsplan 2025")
    assert names(fq="res_format:XLSX") == ["haushalt"]
    assert names(q="res_name:Haushaltsplan") == ["haushalt"]
    act("resource_patch", id=res["id"], format="CSV")
    assert names(fq="res_format:XLSX") == []
    assert names(fq="res_format:CSV") == ["haushalt"]
    act("resource_delete", id=res["id"])
    assert names(fq="res_format:CSV") == []


def test_group_membership_reindexes(dataset, act, admin):
    pkg = dataset(name="parks")
    group = factories.Group(name="stadtgruen", user=admin)
    assert names(fq="groups:stadtgruen") == []
    act("member_create", id=group["id"], object=pkg["id"], object_type="package",
                        capacity="public")
    assert names(fq="groups:stadtgruen") == ["parks"]
    act("member_delete", id=group["id"], object=pkg["id"], object_type="package")
    assert names(fq="groups:stadtgruen") == []


def test_making_a_dataset_private_hides_it_from_outsiders(dataset, act):
    pkg = dataset(name="intern")
    outsider = factories.User()
    ctx = {"user": outsider["name"], "ignore_auth": False}
    assert [r["name"] for r in helpers.call_action("package_search", ctx, include_private=True)["results"]] == ["intern"]
    act("package_patch", id=pkg["id"], private=True)
    assert helpers.call_action("package_search", ctx, include_private=True)["results"] == []


def test_document_is_stored_after_before_dataset_index_hooks(dataset, act):
    dataset(name="besucht", extras=[{"key": "test_views", "value": "42"}])
    doc = search.show("besucht")
    assert doc["views_total"] == 42  # added by the test plugin's hook
    assert doc["extras_test_views"] == "42"
    assert doc["name"] == "besucht" and "validated_data_dict" in doc


def test_package_show_is_served_from_the_index(dataset, act):
    pkg = dataset(name="zwischenspeicher", title="Original")
    # Change the stored document behind CKAN's back: package_show must read it.
    model.Session.execute(
        "UPDATE jena_search_doc SET validated_data_dict = "
        "replace(validated_data_dict, '\"Original\"', '\"Aus dem Index\"')")
    model.Session.commit()
    assert helpers.call_action("package_show", id=pkg["id"])["title"] == "Aus dem Index"


def test_cli_clear_rebuild_check_show(cli, ckan_config, dataset, act):
    dataset(name="eins")
    dataset(name="zwei")
    result = cli.invoke(ckan_cli, ["search-index", "clear"])
    assert not result.exit_code, result.output
    assert names(q="*:*") == []
    result = cli.invoke(ckan_cli, ["search-index", "check"])
    assert "Packages not indexed = 2 out of 2" in result.output
    result = cli.invoke(ckan_cli, ["search-index", "rebuild"])
    assert not result.exit_code, result.output
    assert names(q="*:*") == ["eins", "zwei"]
    result = cli.invoke(ckan_cli, ["search-index", "check"])
    assert "Packages not indexed = 0 out of 2" in result.output
    result = cli.invoke(ckan_cli, ["search-index", "show", "eins"])
    assert not result.exit_code and "'name': 'eins'" in result.output


def test_rebuild_of_one_dataset(cli, dataset, act):
    dataset(name="einzeln")
    model.Session.execute("DELETE FROM jena_search_doc")
    model.Session.commit()
    result = cli.invoke(ckan_cli, ["search-index", "rebuild", "einzeln"])
    assert not result.exit_code, result.output
    assert names(q="*:*") == ["einzeln"]


def test_invalid_spatial_does_not_block_saving(dataset, act):
    dataset(name="kaputt", extras=[{"key": "spatial", "value": "{not geojson"}])
    assert names(q="name:kaputt") == ["kaputt"]
    assert names(ext_bbox="-180,-90,180,90") == []


def test_reindexing_keeps_facet_value_ids(dataset, act):
    """A search counts facet ids in an array as long as the largest id, so
    writing values that already have ids must not use up new ones (ON
    CONFLICT alone took a sequence number per existing value and write:
    the next new value's id jumped)."""
    def top():
        return model.Session.execute("SELECT max(id) FROM jena_search_facet_value").scalar()

    pkg = dataset(tags=[{"name": "Baum"}, {"name": "Wasser"}])
    before = top()
    for _ in range(5):
        act("package_patch", id=pkg["id"], notes="neu")
        search.rebuild(pkg["id"])
    assert top() == before
    # A value no test has used before (the table of values is kept between tests).
    new = f"Neu{uuid.uuid4().hex[:8]}"
    act("package_patch", id=pkg["id"], tags=[{"name": "Baum"}, {"name": "Wasser"}, {"name": new}])
    assert top() == before + 1
    found = helpers.call_action("package_search", q="name:" + pkg["name"],
                                **{"facet.field": '["tags"]'})
    assert found["count"] == 1
    assert sorted(i["name"] for i in found["search_facets"]["tags"]["items"]) == sorted(["Baum", new, "Wasser"])


@pytest.fixture
def index_writes(monkeypatch):
    """The index documents that reached the table (upserts sent)."""
    from ckanext.jena.pgsearch import store
    sent = []
    original = store.document_row

    def row(doc, **kw):
        sent.append(doc["name"])
        return original(doc, **kw)

    monkeypatch.setattr(store, "document_row", row)
    return sent


def test_a_new_dataset_is_written_to_the_index_once(dataset, act, index_writes):
    # CKAN indexes it twice in the commit that creates it (as new, and as
    # the package of its new tags and resources): one write reaches the table.
    pkg = dataset(name="baeume", title="Bäume", tags=[{"name": "Baum"}],
                  resources=[{"url": "http://daten.example.org/baeume.csv", "format": "CSV"}])
    assert index_writes == ["baeume"]
    assert names(q="Bäume") == ["baeume"]
    assert names(fq="tags:Baum +res_format:CSV") == ["baeume"]
    # The next commit writes again, and a changed document is written.
    act("package_patch", id=pkg["id"], title="Stadtbäume")
    assert index_writes == ["baeume", "baeume"]
    assert names(q="Stadtbäume") == ["baeume"]


def test_a_document_deleted_and_written_again_in_one_commit_is_in_the_index(dataset, index_writes):
    # The same document written, deleted and written again inside one CKAN
    # commit: the last write must reach the table, though the document is
    # the one written before.
    from sqlalchemy import event
    from ckanext.jena.pgsearch import writes
    pkg = dataset(name="pegel", title="Saale-Pegel")
    doc = search.show(pkg["name"])
    conn = search.make_connection()

    def rewrite(session):
        if writes.in_ckan_commit():
            index = search.index.PackageSearchIndex()
            index.index_package(helpers.call_action("package_show", id=pkg["id"]))
            conn.delete(id=doc["index_id"])
            index.index_package(helpers.call_action("package_show", id=pkg["id"]))

    event.listen(model.Session, "before_commit", rewrite)
    try:
        model.Session.add(model.Package.get(pkg["id"]))
        model.Package.get(pkg["id"]).notes = "Pegelstände"
        model.Session.commit()
    finally:
        event.remove(model.Session, "before_commit", rewrite)
    assert index_rows(pkg["id"]) == 1
    assert names(q="Saale") == ["pegel"]
