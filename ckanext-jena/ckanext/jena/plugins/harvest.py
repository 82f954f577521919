"""jena_harvest: harvests in the portal (issue 17).

The runner (harvesters/runner.py) reports each run of a source through
`jena_harvest_run_create` as the harvesters' editor account; the records
live in our tables (plugin migration jena_harvest). Stewards of an
organisation and sysadmins see its sources on /ernte (/harvest): last run,
status, rows over the last runs, next scheduled run, errors in the source's
words, the datasets; a page per source with its run history. Admins start a
run now (a job in CKAN's queue, the same lock as cron); two failures in a
row or a drop in rows mail the organisation's contact once, and again on
recovery.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.declarations import declare_options
from ckanext.jena.harvest import actions, auth, nav
from ckanext.jena.harvest.views import harvest


@tk.blanket.actions(actions.get_actions)
@tk.blanket.auth_functions(auth.get_auth_functions)
@tk.blanket.blueprints([harvest])
@tk.blanket.helpers({"jena_harvest_nav_visible": nav.nav_visible})
class HarvestPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)

    # IConfigurer: the dashboard's templates and its progress script
    def update_config(self, config):
        tk.add_template_directory(config, "../harvest/templates")
        tk.add_resource("../assets/harvest", "jena_harvest")

    # IConfigDeclaration: ckanext.jena.harvest.* in config_declaration.yaml
    def declare_config_options(self, declaration, key):
        declare_options(declaration, "harvest")
