"""The portal as a WSGI application, for a production server (gunicorn in
bin/run and in docker/): `gunicorn ckanext.jena.wsgi:application`.

The configuration file is $CKAN_INI (bin/run and the container set it),
else var/ckan.ini of this checkout. CKAN's own loader reads it, so its
logging sections apply and the CKAN_* environment variables still override
it, as they do for `ckan run`."""
from __future__ import annotations

import logging.config
import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def config_path() -> str:
    return os.environ.get("CKAN_INI") or os.path.join(ROOT, "var", "ckan.ini")


def load(path: str):
    # The ini's logging sections, as `ckan` applies them, but keeping the
    # loggers that exist already: gunicorn's access and error logs.
    logging.config.fileConfig(path, disable_existing_loggers=False)
    return make_app(CKANConfigLoader(path).get_config())


# Built at import, once per worker process (gunicorn does not preload it:
# see gunicorn_conf.py).
application = load(config_path())
