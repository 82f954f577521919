"""Whether the header shows the link to /ernte: to sysadmins and to the
stewards (editors, admins) of organisations that have harvest sources;
everyone else would only meet a refusal there."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.common import g

from ckanext.jena.harvest import auth


def nav_visible() -> bool:
    me = tk.current_user
    if not me.is_authenticated:
        return False
    if me.sysadmin:
        return True
    # Once per request: the header is drawn once, but snippets may ask again.
    cached = g.get("jena_harvest_nav")
    if cached is None:
        context = {"user": me.name}
        cached = bool(auth.stewarded(context)) and bool(
            tk.get_action("jena_harvest_source_list")(context, {}))
        g.jena_harvest_nav = cached
    return cached
