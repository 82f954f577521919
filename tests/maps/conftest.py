# The DataStore database fixtures of the DataStore tests, for the table preview.
from tests.datastore.conftest import datastore_db, read_url, write_url  # noqa: F401
