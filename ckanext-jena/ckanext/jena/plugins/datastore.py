"""jena_datastore: every validated table queryable through CKAN's DataStore,
loaded with the types of its Table Schema.

Needs CKAN's `datastore` plugin (before it in ckan.plugins) and its database
(bin/setup-datastore). The load is a job in CKAN's queue, queued when
validation's `resource_validated` signal says a resource is valid.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.datastore.interfaces import IDatastore

from ckanext.jena import cli as jena_cli
from ckanext.jena.datastore import actions, search, status
from ckanext.jena.datastore.cli import datastore_load
from ckanext.jena.datastore.views import datastore
from ckanext.jena.plugins.blankets import parts


def _status(resource_id: str) -> dict:
    """The load of a resource for its page (never an error on the page)."""
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
        return actions.describe(resource)
    except Exception:
        return {}


def _validated(resource_id: str, status: str = "", **kwargs) -> None:
    """A module-level receiver: blinker holds receivers weakly."""
    if status == "valid":
        from ckanext.jena.datastore.jobs import enqueue_load
        enqueue_load(resource_id)


def _actions() -> dict:
    return dict(actions.get_actions(), datastore_search=search.datastore_search_action)


def _commands() -> list:
    # `ckan jena datastore-load`, in the jena group the base plugin
    # registers (a second group of that name would replace it).
    jena_cli.jena.add_command(datastore_load)
    return [jena_cli.jena]


@parts("datastore", actions=_actions, auth=actions.get_auth_functions, blueprints=[datastore],
       helpers={"jena_datastore_status": _status}, commands=_commands)
class DataStorePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.ISignal)
    p.implements(IDatastore, inherit=True)

    # IConfigurer: the status panel on the resource page
    def update_config(self, config):
        tk.add_template_directory(config, "../datastore/templates")

    # IConfigurable
    def configure(self, config):
        if not p.plugin_loaded("datastore"):
            raise RuntimeError("jena_datastore needs CKAN's datastore plugin: "
                               "list `datastore jena_datastore` in ckan.plugins")

    # ISignal: a valid table is loaded (an unchanged file is skipped by its hash)
    def get_signal_subscriptions(self):
        from ckanext.jena.validation.signals import resource_validated
        return {resource_validated: [_validated]}

    # IDatastore: estimated totals and table order for large match sets
    # (datastore/search.py)
    def datastore_search(self, context, data_dict, fields_types, query_dict):
        return search.datastore_search(context, data_dict, fields_types, query_dict)

    # IResourceController: CKAN's datastore plugin drops the table; the
    # load record goes with it.
    def after_resource_delete(self, context, resources):
        for resource in resources:
            try:
                status.delete(resource["id"])
            except Exception:
                pass
