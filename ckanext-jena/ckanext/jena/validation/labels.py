"""Validation statuses as stewards read them; the error texts are errortext's
(named here too, for the template helpers)."""
import ckan.plugins.toolkit as tk

from .errortext import error_description, error_message, error_title  # noqa: F401


def status_label(status: str) -> str:
    return {"pending": tk._("validation pending"), "valid": tk._("valid"),
            "invalid": tk._("invalid"), "error": tk._("could not be validated"),
            "": tk._("not yet validated")}.get(status or "", status)
