"""Why a resource could not be validated, as a sentence for stewards.

The report carries a stable `reason` code and its `params` (etl.validation
and the job set them); the sentence is made where it is read, in the
reader's language — never a raw exception name.
"""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk

from .errortext import error_title, schema_problem


def _sentences() -> dict[str, Callable[[dict[str, Any]], str]]:
    _ = tk._
    download = {"connect": _("no connection to the server"), "timeout": _("the server did not answer"),
                "redirects": _("too many redirects"), "protocol": _("the server's answer was broken"),
                "scheme": _("not an http(s) link")}
    return {
        # the file
        "binary": lambda p: _("The file is binary (an image, a PDF, an archive …), not a {format} text file.")
        .format(format=p.get("format", "")),
        "not-a-table": lambda p: _("The file is {format}, but not a table (a list of rows).")
        .format(format=p.get("format", "")),
        "json-object": lambda p: _("The JSON file is an object, not a table (a list of rows). The portal does "
                                   "not follow what such an object names (path, data, schema …)."),
        "not-geojson": lambda p: _("The file is not a GeoJSON FeatureCollection."),
        "format-not-tabular": lambda p: _("Files of format {format} are not tables and are not validated.")
        .format(format=p.get("format") or "–"),
        "unsupported-format": lambda p: _("The portal cannot read {format} files yet.")
        .format(format=p.get("format", "")),
        "unreadable": lambda p: _("The resource's Table Schema is not valid: {problem}")
        .format(problem=schema_problem(p.get("detail") or "")) if p.get("kind") in ("schema-error", "field-error")
        else _("The file could not be read as a table ({problem}).").format(problem=error_title(p.get("kind", ""))),
        "schema-refused": lambda p: _("The resource's Table Schema is not a JSON object."),
        "path-refused": lambda p: _("The data package names a file outside the package."),
        # archives (XLSX and ODS are zip archives)
        "archive-broken": lambda p: _("The file is a damaged zip archive (XLSX and ODS files are zip archives)."),
        "archive-members": lambda p: _("The archive holds {members} files; at most {limit} are read.")
        .format(members=p.get("members"), limit=p.get("limit")),
        "archive-too-large": lambda p: _("The file would unpack to {mb} MB; at most {limit_mb} MB are unpacked "
                                         "for a validation.").format(mb=p.get("mb"), limit_mb=p.get("limit_mb")),
        "archive-ratio": lambda p: _("The file would unpack to {ratio} times its size (at most {limit} times "
                                     "are allowed); it is refused as a possible zip bomb.")
        .format(ratio=p.get("ratio"), limit=p.get("limit")),
        "memory": lambda p: _("Reading the file needed more memory than a validation may use."),
        "deadline": lambda p: _("Reading the file took too long; the validation was stopped."),
        # getting the file
        "upload-missing": lambda p: _("The uploaded file is missing from the storage."),
        "too-large": lambda p: _("The file is larger than the limit of {mb} MB.").format(mb=p.get("mb")),
        "no-file": lambda p: _("There is no file to validate at {url}.").format(url=p.get("url") or "–"),
        "download-http": lambda p: _("The link answers HTTP {status}.").format(status=p.get("status")),
        "download-html": lambda p: _("The link returns a web page (HTML), not the data."),
        "download-refused": lambda p: _("The link points to an address the portal does not fetch (loopback, "
                                        "private or otherwise internal network addresses)."),
        "download-deadline": lambda p: _("The server did not deliver the file within {seconds} seconds.")
        .format(seconds=p.get("seconds")),
        "download-failed": lambda p: _("The file could not be downloaded: {problem}.")
        .format(problem=download.get(p.get("kind", ""), p.get("kind", ""))),
        # the job
        "stopped": lambda p: _("The validation was stopped after {seconds} seconds.")
        .format(seconds=p.get("seconds")),
        "crash": lambda p: _("The validation failed because of an internal error; the operators find the "
                             "details in the worker's log."),
    }


def explain(report: dict[str, Any]) -> str:
    """The sentence for a report without a verdict ('' for the others)."""
    if not report or report.get("status") != "error":
        return ""
    sentence = _sentences().get(report.get("reason") or "")
    if sentence is None:  # a report stored before reasons existed: its message is English, not shown
        return _sentences()["crash"]({})
    return sentence(report.get("params") or {})
