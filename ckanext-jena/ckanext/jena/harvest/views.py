"""The harvest dashboard: /ernte (English alias /harvest), a page per source
with its paged run history, and the "run now" button."""
from __future__ import annotations

from flask import Blueprint, current_app, g, request

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf
from ckan.lib.pagination import Page

from harvesters import states

from .actions import PAGE

harvest = Blueprint("jena_harvest", __name__)
BAD = set(states.LABELS) - states.GOOD


def _context():
    return {"user": tk.current_user.name if tk.current_user and tk.current_user.is_authenticated else None}


def _organizations(ids) -> dict[str, dict]:
    found = {}
    for org_id in {i for i in ids if i}:
        group = model.Group.get(org_id)
        if group is not None:
            found[org_id] = {"name": group.name, "title": group.display_name}
    return found


def _bars(trend: list[dict]) -> list[dict]:
    """The row trend as bars (height in per cent of the largest)."""
    top = max((t["rows"] or 0 for t in trend), default=0)
    return [dict(t, height=round(100 * (t["rows"] or 0) / top) if top else 0) for t in trend]


def _denied():
    if not _context()["user"]:
        return tk.redirect_to("user.login", came_from=request.full_path)
    return tk.abort(403, tk._("Only stewards of an organisation and sysadmins see the harvests"))


@harvest.route("/ernte", endpoint="dashboard")
@harvest.route("/harvest", endpoint="dashboard_en")
def dashboard():
    try:
        sources = tk.get_action("jena_harvest_source_list")(_context(), {})
    except tk.NotAuthorized:
        return _denied()
    for source in sources:
        source["bars"] = _bars(source["trend"])
    return tk.render("jena/harvest/dashboard.html", {
        "sources": sources, "organizations": _organizations(s["organization_id"] for s in sources),
        "bad_states": BAD})


@harvest.route("/ernte/<source>", endpoint="source")
@harvest.route("/harvest/<source>", endpoint="source_en")
def source(source):
    page = tk.h.get_page_number(request.args)
    try:
        found = tk.get_action("jena_harvest_source_show")(
            _context(), {"source": source, "limit": PAGE, "offset": (page - 1) * PAGE})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Harvest source not found"))
    except tk.NotAuthorized:
        return _denied()
    found["bars"] = _bars(found["trend"])
    pager = Page(collection=found["runs"]["results"], page=page, item_count=found["runs"]["count"],
                 items_per_page=PAGE, presliced_list=True,
                 url=lambda **params: tk.url_for("jena_harvest.source", source=source,
                                                    page=params.get("page")))
    return tk.render("jena/harvest/source.html", {
        "source": found, "page": pager, "organizations": _organizations([found["organization_id"]]),
        "bad_states": BAD})


@harvest.route("/ernte/<source>/jetzt", methods=["POST"], endpoint="run_now")
@harvest.route("/harvest/<source>/run", methods=["POST"], endpoint="run_now_en")
def run_now(source):
    # Checked always, as CKAN's own forms are (ckan.csrf_protection.ignore_extensions).
    if current_app.config.get("WTF_CSRF_ENABLED") and not g.get("_csrf_exempt_view"):
        csrf.protect()
    try:
        tk.get_action("jena_harvest_run_now")(_context(), {"source": source})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Harvest source not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only admins of the source's organisation and sysadmins may start a harvest"))
    except tk.ValidationError as e:
        tk.h.flash_error(" ".join(e.error_dict.get("source") or [str(e)]))
    else:
        tk.h.flash_success(tk._("The harvest has been queued; this page shows its progress."))
    return tk.redirect_to("jena_harvest.source", source=source)
