"""The configuration of the DataStore tests, as the portal's config has it
(bin/setup-datastore prints the lines)."""
import pytest

PLUGINS = ("jena jena_pgsearch jena_schema jena_quality jena_validation datastore jena_datastore "
           "datatables_view activity dcat scheming_datasets scheming_organizations")

DATASTORE = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.datastore.default_fts_lang", "jena_german"),
    pytest.mark.ckan_config("ckan.datastore.default_fts_index_method", "gin"),
    pytest.mark.ckan_config("ckan.datastore.default_fts_index_field_types", ""),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),
    pytest.mark.ckan_config("ckan.views.default_views", "datatables_view"),
    pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1"),
    pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker", "datastore_db"),
]
