"""A SHACL result as text for the steward, formatted where it is shown.

The message is the shape's own in the reader's language where the profile has one
(GovData's German messages cover nearly every DCAT-AP.de 3.0 shape), else ours from the
constraint and its parameters (English msgids, German in i18n/). `where` and the
property are named the way our form names them ("Ressource „baeume.csv“ › Prüfsumme").
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def _lang() -> str:
    try:
        return (tk.h.lang() or "de")[:2]
    except Exception:  # outside a request (CLI): the portal's language
        return (tk.config.get("ckan.locale_default") or "de")[:2]


# Our form's name for a property (None: the property's own name is clearer).
def _labels() -> dict[str, str]:
    return {
        "dct:title": tk._("Title"), "dct:description": tk._("Description"),
        "dct:publisher": tk._("Publisher"), "dcat:contactPoint": tk._("Contact point"),
        "dct:license": tk._("Licence"), "dct:format": tk._("Format"),
        "dcat:mediaType": tk._("Media type"), "dcat:accessURL": tk._("URL"),
        "dcat:downloadURL": tk._("Download URL"), "spdx:checksum": tk._("Checksum"),
        "spdx:checksumValue": tk._("Checksum value"), "spdx:algorithm": tk._("Checksum algorithm"),
        "dcat:theme": tk._("Categories"), "dct:language": tk._("Language"),
        "dct:accrualPeriodicity": tk._("Update frequency"), "dct:accessRights": tk._("Access rights"),
        "dct:temporal": tk._("Temporal coverage"), "dct:spatial": tk._("Spatial coverage"),
        "dcatde:contributorID": tk._("Contributor ID"),
        "dcatde:politicalGeocodingURI": tk._("Political geocoding"),
        "dcatde:politicalGeocodingLevelURI": tk._("Geocoding level"),
        "dcatde:licenseAttributionByText": tk._("Attribution text"),
        "dcatde:maintainer": tk._("Maintaining body"), "geodcatap:custodian": tk._("Maintaining body"),
        "dcatde:originator": tk._("Originator"), "geodcatap:originator": tk._("Originator"),
        "dct:creator": tk._("Originator"), "dct:issued": tk._("Issued"),
        "dct:modified": tk._("Modified"), "dcat:accessService": tk._("Data service"),
        "vcard:hasEmail": tk._("Email"), "vcard:fn": tk._("Name"), "foaf:name": tk._("Name"),
        "dcat:endpointURL": tk._("Service address"), "dcat:keyword": tk._("Keywords"),
    }


def path_label(path: str) -> str:
    """`Format (dct:format)` for a property our form has, else the property."""
    label = _labels().get(path)
    return f"{label} ({path})" if label else path


def where_text(result: dict[str, Any]) -> str:
    labels = _labels()
    parts = []
    for step in result.get("where") or []:
        kind = step.get("type")
        if kind == "dataset":
            parts.append(tk._("Dataset"))
        elif kind == "resource":
            name = step.get("label") or (step.get("uri") or "").rsplit("/", 1)[-1]
            parts.append(tk._("Resource “{name}”").format(name=name))
        elif kind == "catalog":
            parts.append(tk._("Catalogue"))
        elif kind == "service":
            parts.append(tk._("Data service"))
        elif kind == "property":
            parts.append(labels.get(step["path"], step["path"]))
        elif step.get("uri"):
            parts.append(step["uri"])
    return " › ".join(parts)


def _generated(result: dict[str, Any]) -> str:
    params = result.get("params") or {}
    path = result.get("path") or ""
    component = result.get("component")
    if component == "MinCount":
        return tk._("{path} is missing (at least {n} required).").format(path=path, n=params.get("minCount", 1))
    if component == "MaxCount":
        return tk._("{path} may be given at most {n} times.").format(path=path, n=params.get("maxCount"))
    if component == "NodeKind":
        kind = params.get("nodeKind", "")
        if kind.endswith("Literal"):
            return tk._("{path} must be a text, not a link.").format(path=path)
        return tk._("{path} must be a URI (a link), not a text.").format(path=path)
    if component == "Datatype":
        return tk._("{path} must be of type {datatype}.").format(path=path, datatype=params.get("datatype"))
    if component == "Class":
        return tk._("{path} must refer to a {cls}.").format(path=path, cls=params.get("class"))
    if component == "HasValue":
        return tk._("{path} must be taken from the vocabulary {value}.").format(
            path=path, value=params.get("hasValue"))
    if component == "Pattern":
        return tk._("{path} does not have the required form ({pattern}).").format(
            path=path, pattern=params.get("pattern"))
    return tk._("{path}: the constraint {constraint} is not met.").format(path=path, constraint=component)


def message(result: dict[str, Any], lang: str = "") -> str:
    """The text of one result in the reader's language."""
    lang = lang or _lang()
    own = (result.get("messages") or {}).get(lang)
    return own or _generated(result)


def severity_label(severity: str) -> str:
    return {"violation": tk._("Violation"), "warning": tk._("Warning"), "info": tk._("Note")}.get(
        severity, severity)
