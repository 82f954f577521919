"""A reindex ends with the planner's statistics of the new index (issue 19):
right after `search-index rebuild` the planner knows how many datasets the
index holds, instead of planning for the empty or much smaller table it last
sampled until autovacuum happens to come (searches were 2-3x slower then),
and with the visibility map set, so that the covering index of the filters
answers facet counts without the heap."""
import pytest

import ckan.model as model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def statistics():
    """Explicit ANALYZEs and VACUUMs of the index table (autovacuum counts
    apart), the planner's row count and all-visible pages and the columns
    it has statistics for, as another session sees them."""
    with model.meta.engine.connect() as conn:
        count = conn.exec_driver_sql(
            "SELECT analyze_count, vacuum_count FROM pg_stat_user_tables "
            "WHERE relname = 'jena_search_doc'").one()
        rows = conn.exec_driver_sql(
            "SELECT reltuples, relallvisible FROM pg_class WHERE relname = 'jena_search_doc'").one()
        columns = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'jena_search_doc'").scalar()
    return count, rows, columns


@pytest.mark.parametrize("options", [[], ["--commit-each"], ["--clear"]])
def test_rebuild_ends_with_statistics_of_the_new_index(cli, options):
    org = factories.Organization()
    for i in range(3):
        factories.Dataset(owner_org=org["id"], name=f"statistik-{i}")
    (analyzed_before, vacuumed_before), _, _ = statistics()
    result = cli.invoke(ckan_cli, ["search-index", "rebuild", "--quiet", *options])
    assert not result.exit_code, result.output
    (analyzed, vacuumed), (rows, all_visible), columns = statistics()
    assert analyzed > analyzed_before
    assert vacuumed > vacuumed_before
    assert rows == 3
    assert all_visible > 0
    assert columns > 0
