"""Prints, as shell assignments, what bin/backup and bin/restore need from a
CKAN config: the portal's and the DataStore's database (name, port, owner
as in the URL) and the storage folder. CKAN's own loader reads the file (its
`use = config:` chain included); CKAN_SQLALCHEMY_URL, CKAN_DATASTORE_WRITE_URL
and CKAN_STORAGE_PATH override it, as they do for CKAN itself. Passwords
are not printed: the dumps run as PostgreSQL's superuser."""
import shlex
import sys
import os
from urllib.parse import urlsplit

from ckan.cli import CKANConfigLoader

config = CKANConfigLoader(sys.argv[1]).get_config()


def option(env: str, key: str) -> str:
    return os.environ.get(env) or config.get(key) or ""


def database(prefix: str, url: str) -> None:
    parts = urlsplit(url)
    print(f"{prefix}_DB={shlex.quote(parts.path.lstrip('/'))}")
    print(f"{prefix}_PORT={shlex.quote(str(parts.port or 5432))}")
    print(f"{prefix}_USER={shlex.quote(parts.username or '')}")


database("PORTAL", option("CKAN_SQLALCHEMY_URL", "sqlalchemy.url"))
ds = option("CKAN_DATASTORE_WRITE_URL", "ckan.datastore.write_url")
if ds:
    database("DATASTORE", ds)
else:
    print("DATASTORE_DB=")
print(f"STORAGE={shlex.quote(option('CKAN_STORAGE_PATH', 'ckan.storage_path'))}")
