"""The portal's quality page (/qualitaet), readable without JavaScript, and
the steward's "check links again" button of a dataset's quality panel."""
from flask import Blueprint, current_app, g

import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf

from . import urlcheck

quality = Blueprint("jena_quality", __name__)


@quality.route("/qualitaet")
def overview():
    summary = tk.get_action("jena_quality_summary")({}, {})
    total = summary["datasets"] or 0
    bars = [(rating, count, round(100 * count / total) if total else 0)
            for rating, count in summary["ratings"].items()]
    return tk.render("jena/quality_overview.html", {"summary": summary, "bars": bars})


@quality.route("/dataset/<id>/links-pruefen", methods=["POST"])
def recheck_links(id):
    """Every URL of the dataset checked again at once (a background job)."""
    # CKAN exempts extensions' views from CSRF unless
    # ckan.csrf_protection.ignore_extensions is off: this one always checks
    # (as CKAN does, not for API token logins).
    if current_app.config.get("WTF_CSRF_ENABLED") and not g.get("_csrf_exempt_view"):
        csrf.protect()
    context = {"user": tk.current_user.name if tk.current_user else None}
    try:
        tk.check_access("package_update", context, {"id": id})
        pkg = tk.get_action("package_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to check the links of this dataset"))
    urls = urlcheck.dataset_urls(pkg)
    urlcheck.enqueue(pkg["id"], force=urls)
    tk.h.flash_success(tk.ungettext(
        "The link is being checked again; reload the page in a minute.",
        "The {n} links are being checked again; reload the page in a minute.",
        len(urls)).format(n=len(urls)) if urls else tk._("The dataset has no links to check."))
    return tk.redirect_to(tk.url_for("dataset.read", id=pkg["name"], _anchor="metadata-quality"))
