"""Load states and reasons as stewards and consumers read them (the record
keeps stable codes; the words are chosen here, in the reader's language)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def status_label(record: dict[str, Any]) -> str:
    state = record.get("status") or "none"
    if state == "loaded":
        return tk._("In the DataStore: {rows} rows").format(rows=_number(record.get("rows")))
    if state == "pending" and record.get("reason") == "validation":
        return tk._("Waiting for validation, then loaded into the DataStore")
    return {"none": tk._("Not in the DataStore"), "pending": tk._("Waiting to be loaded into the DataStore"),
            "loading": tk._("Loading into the DataStore"),
            "failed": tk._("Loading into the DataStore failed")}.get(state, state)


def _number(n: Any) -> str:
    try:
        return tk.h.localised_number(n)  # 3.000 in German
    except Exception:  # outside a request
        return str(n)


def reason_text(record: dict[str, Any]) -> str:
    reason, params = record.get("reason") or "", record.get("params") or {}
    texts = {
        "validation": tk._("Only a file that passes validation is loaded; validation has not finished yet."),
        "not-valid": tk._("The file has not passed validation; only valid files are loaded."),
        "value": tk._("PostgreSQL could not read a value as the type its Table Schema gives: {detail}"),
        "missing": tk._("A required column has an empty value."),
        "duplicate-key": tk._("The primary key has duplicate values."),
        "encoding": tk._("The file contains characters that do not belong to its encoding."),
        "format": tk._("The file does not follow its CSV dialect: {detail}"),
        "invalid": tk._("A row of the file is not valid: it is not loaded."),
        "unreadable": tk._("The file could not be read as a table."),
        "no-schema": tk._("The resource has no Table Schema."),
        "no-file": tk._("There is no file to load."),
        "too-large": tk._("The file is larger than the limit of {mb} MB."),
        "download": tk._("The file could not be downloaded."),
        "not-a-table": tk._("This file is not a table."),
        "busy": tk._("Another load of this table was running; try again."),
        "timeout": tk._("The database stopped the load because it took too long."),
        "stopped": tk._("The load was stopped (it took longer than allowed)."),
        "setup": tk._("The DataStore database is not set up for loading (run bin/setup-datastore)."),
        "crash": tk._("The load failed unexpectedly; the log has the details."),
        "unchanged": tk._("The file has not changed since the last load."),
        "database": tk._("The database refused the load: {detail}"),
        "unsupported": tk._("The Table Schema cannot become a DataStore table: {detail}"),
    }
    text = texts.get(reason, record.get("message") or "")
    values = {"detail": params.get("detail") or record.get("message") or "", "mb": ""}
    values.update({k: v for k, v in params.items() if isinstance(k, str)})
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text
