"""A Frictionless descriptor published as a file, checked as metadata.

A `datapackage.json` is metadata, not a table: it is checked against the Data
Package profile (frictionless's own, built in) with its resources, schemas and
dialects — and nothing it names is read. Whatever could make frictionless read
or fetch (a custom "profile", a "schema" or "dialect" given as a path or URL)
is reported and taken out before frictionless sees the descriptor; resource
paths must stay inside the package (URLs are allowed and not followed).
"""
from __future__ import annotations

import copy
import json
import os
from typing import Any

from .report import Finding, Report

MAX_BYTES = 5 << 20  # a descriptor larger than this is no descriptor
PACKAGE_PROFILES = (None, "data-package", "tabular-data-package")
RESOURCE_PROFILES = (None, "data-resource", "tabular-data-resource")


def check_file(path: str, encoding: str, max_errors: int) -> Report:
    """A JSON file whose top level is an object: a package descriptor is checked;
    any other object is refused (it is no table, and we follow no descriptor)."""
    if os.path.getsize(path) > MAX_BYTES:
        return Report.failed("not-a-table", "a JSON object, not a table (a list of rows)", format="JSON")
    try:
        with open(path, encoding=encoding) as f:
            descriptor = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        return Report.failed("not-a-table", f"JSON, but not readable: {e}", format="JSON")
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return Report.failed("json-object", "a JSON object, not a table; descriptors other than a data "
                             "package are not followed")
    return check_package(descriptor, max_errors)


def _error(message: str, where: str = "") -> Finding:
    return Finding("descriptor-error", message, field=where or None, title="Descriptor Error",
                   description="The data package descriptor does not follow the Data Package specification.")


def _is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _safe_relative(value: str) -> bool:
    return not (os.path.isabs(value) or value.startswith("~") or "\\" in value or "$" in value or "%" in value
                or ":" in value or ".." in value.split("/"))


def _disarm(descriptor: dict[str, Any]) -> list[Finding]:
    """Take out (and report) what frictionless would read or fetch."""
    found = []
    if descriptor.get("profile") not in PACKAGE_PROFILES:
        found.append(_error(f"custom profile {descriptor.pop('profile')!r} is not followed", "profile"))
    for index, resource in enumerate(descriptor["resources"]):
        if not isinstance(resource, dict):
            continue
        where = f"resources/{index}"
        if resource.get("profile") not in RESOURCE_PROFILES:
            found.append(_error(f"custom profile {resource.pop('profile')!r} is not followed", f"{where}/profile"))
        for key in ("schema", "dialect"):
            if key in resource and not isinstance(resource[key], dict):
                found.append(_error(f"{key} must be embedded; {resource.pop(key)!r} is not followed",
                                    f"{where}/{key}"))
        paths = resource.get("path")
        for value in paths if isinstance(paths, list) else [paths]:
            if isinstance(value, str) and not _is_url(value) and not _safe_relative(value):
                found.append(_error(f"path {value!r} points outside the package", f"{where}/path"))
                resource["path"] = "outside-the-package"
        for key in ("extrapaths",):
            resource.pop(key, None)
    return found


def check_package(descriptor: dict[str, Any], max_errors: int = 1000) -> Report:
    from frictionless import Package
    work = copy.deepcopy(descriptor)
    try:
        Package.metadata_transform(work)  # framework versions' spellings, as from_descriptor does
        found = _disarm(work)
        for error in Package.metadata_validate(work):
            found.append(_error(error.note or error.message))
    except Exception as e:  # a descriptor shaped to break the checker is invalid, not a crash
        found = [_error(f"the descriptor cannot be checked: {type(e).__name__}")]
    resources = [r for r in descriptor.get("resources", []) if isinstance(r, dict)]
    return Report.verdict(found, max_errors, schema_origin="profile",
                          source={"format": "json", "descriptor": "data-package", "resources": len(resources)})
