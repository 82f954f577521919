"""A DCAT-AP record (as ckanext-dcat's parser and our DCAT-AP.de profile
read it) → our dataset schema's fields and the distributions as links.

Controlled values are kept where our vocabularies know them (by URI, id or
label, the portal stores the URI or id); a value outside them is left out of
the field — a portal would refuse it — and named in the dataset's harvest
note, while the record itself stays on the dataset as its documentation file.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from ckanext.jena.vocabularies import vocabulary

# extras of the parser's dict → our field, and its vocabulary (None: free text or URI)
SINGLE = {
    "frequency": ("frequency", "frequencies"),
    "access_rights": ("access_rights", "access-rights"),
    "issued": ("issued", None),
    "modified": ("modified", None),
    "provenance": ("provenance", None),
    "spatial": ("spatial", None),
}
LISTS = {"theme": "data-themes", "language": "languages"}
# Values the profile already puts at the top level under our names.
TOP = ("contributor_id", "political_geocoding_uri", "political_geocoding_level_uri", "maintainer",
       "maintainer_email", "creator", "license_attribution")
NO_LICENCE = "notspecified"


def _extras(parsed: dict[str, Any]) -> dict[str, Any]:
    return {e["key"]: e["value"] for e in parsed.get("extras", [])}


def _json_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    return [str(v) for v in loaded] if isinstance(loaded, list) else [str(loaded)]


class _Flags:
    """Values the record has and the portal's vocabularies do not."""
    def __init__(self):
        self.items: list[str] = []

    def known(self, field: str, vocab: str, value: Any) -> Optional[str]:
        term = vocabulary(vocab).find(value) if value else None
        if value and term is None:
            self.items.append(f"{field}={value}")
        return value if term is not None else None

    def note(self) -> str:
        if not self.items:
            return ""
        return ("Nicht übernommene Werte (nicht im Vokabular des Portals, im DCAT-Datensatz erhalten): "
                + ", ".join(self.items[:10]) + (" …" if len(self.items) > 10 else "") + ".")


def _agents(extras: dict[str, Any], prefix: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    agent = {k: str(extras[f"{prefix}_{k}"]) for k in keys if extras.get(f"{prefix}_{k}")}
    if agent.get("email", "").startswith("mailto:"):
        agent["email"] = agent["email"][len("mailto:"):]
    return [agent] if agent.get("name") else []


def _licence(parsed: dict[str, Any], flags: _Flags) -> str:
    """The dataset's licence: its own, else that of its distributions (DCAT-AP.de puts it there)."""
    for value in [parsed.get("license_id"), parsed.get("license_url")] + \
            [r.get("license") for r in parsed.get("resources", [])]:
        if value and flags.known("license", "licenses", value):
            return vocabulary("licenses").find(value).id
    return NO_LICENCE


def dataset_fields(name: str, parsed: dict[str, Any], uri: str, source_system: str,
                   config: Any) -> tuple[dict[str, Any], str]:
    """(our fields, the German note on what was left out)."""
    extras, flags = _extras(parsed), _Flags()
    fields: dict[str, Any] = {
        "name": name,
        "title": parsed["title"],
        "notes": parsed.get("notes") or f"Übernommen aus dem DCAT-Katalog {source_system} ({uri}).",
        "tag_string": ",".join(t["name"] for t in parsed.get("tags", []) if t.get("name")),
        "license_id": config.licence or _licence(parsed, flags),
        "source_system": source_system,
        "update_method": "harvested",
        "publisher": _agents(extras, "publisher", ("name", "uri", "email", "url")),
        "contact": _agents(extras, "contact", ("name", "email", "url")) or
                   ([config.contact] if config.contact else []),
    }
    for key, (field, vocab) in SINGLE.items():
        value = extras.get(key)
        if vocab:
            value = flags.known(field, vocab, value)
        if value:
            fields[field] = value
    for key, vocab in LISTS.items():
        values = [v for v in _json_list(extras.get(key)) if flags.known(key, vocab, v)]
        if values:
            fields[key] = values
    if extras.get("conforms_to"):
        fields["conforms_to"] = _json_list(extras["conforms_to"])
    if extras.get("temporal_start") or extras.get("temporal_end"):
        fields["temporal_coverage"] = [{k: extras[f"temporal_{k}"] for k in ("start", "end")
                                        if extras.get(f"temporal_{k}")}]
    for key in TOP:
        if parsed.get(key):
            fields[key] = parsed[key]
    level = fields.get("political_geocoding_level_uri")
    if level and not flags.known("political_geocoding_level_uri", "geocoding-levels", level):
        fields.pop("political_geocoding_level_uri")
    return fields, flags.note()


def links(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    """Each distribution as a link resource of the dataset (the files stay at the source)."""
    out, names = [], set()
    for number, res in enumerate(parsed.get("resources", []), start=1):
        url = res.get("download_url") or res.get("access_url") or res.get("url")
        if not url:
            continue
        name = (res.get("name") or f"Distribution {number}").strip()[:200]
        while name in names:  # the publisher names each link; ours are matched by name
            name = f"{name} ({number})"
        names.add(name)
        link: dict[str, Any] = {"name": name, "url": url, "description": res.get("description") or ""}
        fmt = res.get("format")
        term = vocabulary("file-types").find(fmt) if fmt else None
        if term is not None:
            link["format"] = term.id
        elif res.get("mimetype") and vocabulary("file-types").find(res["mimetype"].split("+")[0].split("/")[-1]):
            link["format"] = vocabulary("file-types").find(res["mimetype"].split("+")[0].split("/")[-1]).id
        if res.get("mimetype") and vocabulary("media-types").find(res["mimetype"]):
            link["mimetype"] = res["mimetype"]
        for key in ("download_url", "access_url"):
            if res.get(key):
                link[key] = res[key]
        if res.get("license") and vocabulary("licenses").find(res["license"]):
            link["license"] = vocabulary("licenses").find(res["license"]).id
        if res.get("access_services") or (term is not None and term.id.endswith("_SRVC")):
            link["resource_type"] = "service"
        out.append(link)
    return out
