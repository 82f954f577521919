"""The portal's quality page (/qualitaet): readable without JavaScript."""
from flask import Blueprint

import ckan.plugins.toolkit as tk

quality = Blueprint("jena_quality", __name__)


@quality.route("/qualitaet")
def overview():
    summary = tk.get_action("jena_quality_summary")({}, {})
    total = summary["datasets"] or 0
    bars = [(rating, count, round(100 * count / total) if total else 0)
            for rating, count in summary["ratings"].items()]
    return tk.render("jena/quality_overview.html", {"summary": summary, "bars": bars})
