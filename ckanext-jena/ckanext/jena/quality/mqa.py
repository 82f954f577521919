"""Metadata quality score modelled on the data.europa.eu MQA.

Same five dimensions, same indicators, same points (405 in all, the sum of
the indicators below) and rating bands as the EU portal's Metadata Quality
Assessment. Each indicator reads
one DCAT-AP property as ckanext-dcat produces it from our schema; the
mapping is the `reads` text of each indicator below (also shown by
`jena_quality_show`).

Distribution-level indicators score the share of resources that meet them
(a dataset with two resources of which one has a format gets half the
points); a dataset without resources gets none of them. Resources are
judged as what they are (`role`): data distributions, access services (a
WMS/WFS endpoint: it has an access URL, a format and a licence, but no
download URL or byte size, and its format says nothing about the data's
openness) and documentation (a preview image, a description page), which is
no distribution at all (foaf:page in DCAT-AP) and counts for no indicator.
Reachability comes from the background URL check (`urlcheck.py`) or, for the
portal's own uploads, from the stored file: unchecked URLs count as not (yet)
reachable.

Where we differ from the EU service, by necessity:
- "DCAT-AP compliance" is a SHACL validation there, and here too where the
  jena_dcat plugin runs: the dataset's DCAT-AP.de graph against the official
  shapes (ckanext.jena.dcat.shacl). Until its first check has finished (or
  without that plugin) the mandatory DCAT-AP properties stand in (title,
  description, an access URL per distribution).
- Machine-readable and non-proprietary formats follow the flags in
  schemas/vocabularies/file-types.json (our reading of the MQA lists).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from ckanext.jena.vocabularies import vocabulary

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
# Lower bound of each rating band, best first.
RATINGS = (("excellent", 351), ("good", 221), ("sufficient", 121), ("bad", 0))
REACHABLE = range(200, 400)
# The roles of a resource (schemas/vocabularies/resource-types.json).
DATA, SERVICE, DOCUMENTATION = "data", "service", "documentation"
DISTRIBUTIONS = (DATA, SERVICE)


def _(message: str) -> str:
    """Marks a label for extraction; labels.py translates it when shown."""
    return message


def rating_for(points: float) -> str:
    for name, lower in RATINGS:
        if points >= lower:
            return name
    return "bad"


def role(resource: dict) -> str:
    """data, service or documentation: the steward's (or harvester's)
    resource_type, else a service format of the EU file types (WMS_SRVC,
    WFS_SRVC, …: an endpoint, not a file), else data."""
    given = vocabulary("resource-types").find(resource.get("resource_type") or "")
    if given is not None:
        return given.id
    term = vocabulary("file-types").find(resource.get("format") or "")
    if term is not None and term.id.endswith("_SRVC"):
        return SERVICE
    return DATA


def _licence(p: dict, r: dict) -> str:
    """The resource's or dataset's licence; "notspecified" (a harvested source
    without recognisable terms) counts as none."""
    value = r.get("license") or p.get("license_id") or ""
    return "" if value == "notspecified" else value


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip()) and value.strip() not in ("[]", "{}")
    if isinstance(value, (list, dict)):
        return any(_filled(v) for v in (value.values() if isinstance(value, dict) else value))
    return value is not None


def access_url(resource: dict) -> Optional[str]:
    return resource.get("access_url") or resource.get("url") or None


def download_url(resource: dict) -> Optional[str]:
    if role(resource) != DATA:
        return None  # a service is accessed, not downloaded
    if resource.get("download_url"):
        return resource["download_url"]
    if resource.get("url_type") == "upload" and resource.get("url"):
        return resource["url"]
    return None


@dataclass
class Context:
    """What the indicators read besides the dataset: URL check results, and
    the URLs known to work without a check (the portal's stored uploads)."""
    url_status: dict[str, Optional[int]] = field(default_factory=dict)
    available: frozenset[str] = frozenset()

    def reachable(self, url: Optional[str]) -> bool:
        return bool(url) and (url in self.available or self.url_status.get(url) in REACHABLE)


def _share(test: Callable[[dict, dict, Context], bool],
           roles: Iterable[str] = DISTRIBUTIONS) -> Callable[[dict, Context], float]:
    """A distribution-level indicator: the share of the resources of the
    given roles that pass; none of them, no points."""
    roles = tuple(roles)

    def score(pkg: dict, ctx: Context) -> float:
        judged = [r for r in pkg.get("resources") or [] if role(r) in roles]
        if not judged:
            return 0.0
        return sum(1 for r in judged if test(pkg, r, ctx)) / len(judged)
    return score


def _format_term(resource: dict):
    return vocabulary("file-types").find(resource.get("format") or "")


def _format_flag(flag: str) -> Callable[[dict, dict, Context], bool]:
    return lambda p, r, ctx: bool(_format_term(r) and _format_term(r).extra.get(flag))


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    points: int
    reads: str
    label: str   # English msgid, translated where shown (labels.py)
    hint: str
    score: Callable[[dict, Context], float]


def _dataset(test: Callable[[dict], bool]) -> Callable[[dict, Context], float]:
    return lambda pkg, ctx: 1.0 if test(pkg) else 0.0


def _dcat_ap_mandatory(pkg: dict) -> bool:
    distributions = [r for r in pkg.get("resources") or [] if role(r) in DISTRIBUTIONS]
    return (_filled(pkg.get("title")) and _filled(pkg.get("notes"))
            and all(access_url(r) for r in distributions))


def _dcat_ap_compliant(pkg: dict) -> bool:
    """The SHACL verdict of the dataset's last finished check, as the MQA has it."""
    import ckan.plugins as p
    if pkg.get("id") and p.plugin_loaded("jena_dcat"):
        from ckanext.jena.dcat.shacl import compliance
        verdict = compliance(pkg["id"])
        if verdict is not None:
            return bool(verdict)
    return _dcat_ap_mandatory(pkg)


INDICATORS: tuple[Indicator, ...] = (
    # Findability (100)
    Indicator("keywords", "findability", 30, "dcat:keyword ← tags",
              _("Keywords"), _("Add keywords people would search for."),
              _dataset(lambda p: _filled([t.get("name") for t in p.get("tags") or []]))),
    Indicator("categories", "findability", 30, "dcat:theme ← theme",
              _("Categories"), _("Choose at least one category (EU data theme)."),
              _dataset(lambda p: _filled(p.get("theme")))),
    Indicator("spatial", "findability", 20, "dct:spatial ← spatial, political_geocoding_uri",
              _("Spatial coverage"), _("Give the spatial coverage (geometry or administrative unit)."),
              _dataset(lambda p: _filled(p.get("spatial")) or _filled(p.get("political_geocoding_uri")))),
    Indicator("temporal", "findability", 20, "dct:temporal ← temporal_coverage",
              _("Temporal coverage"), _("Give the period the data covers."),
              _dataset(lambda p: any(_filled(t.get("start")) or _filled(t.get("end"))
                                     for t in p.get("temporal_coverage") or []))),
    # Accessibility (100)
    Indicator("access_url_reachable", "accessibility", 50,
              "dcat:accessURL ← access_url or url of data and service resources (HTTP check)",
              _("Access URL reachable"), _("Make every resource URL reachable (HTTP 2xx/3xx)."),
              _share(lambda p, r, ctx: ctx.reachable(access_url(r)))),
    Indicator("download_url", "accessibility", 20,
              "dcat:downloadURL ← download_url or uploaded file of data resources",
              _("Download URL"), _("Upload the file or give a direct download URL."),
              _share(lambda p, r, ctx: bool(download_url(r)), [DATA])),
    Indicator("download_url_reachable", "accessibility", 30, "dcat:downloadURL (HTTP check)",
              _("Download URL reachable"), _("The download URL must be reachable."),
              _share(lambda p, r, ctx: ctx.reachable(download_url(r)), [DATA])),
    # Interoperability (110)
    Indicator("format", "interoperability", 20, "dct:format ← resource format",
              _("Format"), _("Give the format of every resource."),
              _share(lambda p, r, ctx: _filled(r.get("format")))),
    Indicator("media_type", "interoperability", 10, "dcat:mediaType ← resource mimetype",
              _("Media type"), _("Give the media type of every resource (e.g. text/csv)."),
              _share(lambda p, r, ctx: _filled(r.get("mimetype")))),
    Indicator("format_vocabulary", "interoperability", 10,
              "dct:format / dcat:mediaType from the EU / IANA vocabularies",
              _("Format from vocabulary"), _("Pick format and media type from the lists."),
              _share(lambda p, r, ctx: _format_term(r) is not None
                     or vocabulary("media-types").find(r.get("mimetype") or "") is not None)),
    Indicator("non_proprietary", "interoperability", 20,
              "dct:format of data resources is an open, non-proprietary format",
              _("Non-proprietary format"),
              _("Offer the data (also) in an open format, e.g. CSV instead of XLSX."),
              _share(_format_flag("non_proprietary"), [DATA])),
    Indicator("machine_readable", "interoperability", 20,
              "dct:format of data resources is machine-readable",
              _("Machine-readable"),
              _("Offer machine-readable data (e.g. CSV, JSON, GeoJSON instead of PDF)."),
              _share(_format_flag("machine_readable"), [DATA])),
    Indicator("dcat_ap", "interoperability", 30,
              "SHACL: DCAT-AP 3.0.de shapes (jena_dcat); before its first check the mandatory properties",
              _("DCAT-AP compliance"),
              _("Title, description and a URL for every resource are mandatory."),
              _dataset(_dcat_ap_compliant)),
    # Reusability (75)
    Indicator("license", "reusability", 20, "dct:license ← resource license or dataset license_id",
              _("Licence"), _("Choose a licence."),
              _share(lambda p, r, ctx: _filled(_licence(p, r)))),
    Indicator("license_vocabulary", "reusability", 10,
              "dct:license from the DCAT-AP.de licence vocabulary",
              _("Licence from vocabulary"), _("Pick the licence from the DCAT-AP.de list."),
              _share(lambda p, r, ctx: _licence(p, r) in vocabulary("licenses"))),
    Indicator("access_rights", "reusability", 10, "dct:accessRights ← access_rights",
              _("Access rights"), _("Give the access rights."),
              _dataset(lambda p: _filled(p.get("access_rights")))),
    Indicator("access_rights_vocabulary", "reusability", 5, "dct:accessRights from the EU vocabulary",
              _("Access rights from vocabulary"), _("Pick the access rights from the list."),
              _dataset(lambda p: (p.get("access_rights") or "") in vocabulary("access-rights"))),
    Indicator("contact_point", "reusability", 20, "dcat:contactPoint ← contact (name or email)",
              _("Contact point"), _("Name a contact with an email address."),
              _dataset(lambda p: any(_filled(c.get("email")) or _filled(c.get("name"))
                                     for c in p.get("contact") or []))),
    Indicator("publisher", "reusability", 10, "dct:publisher ← publisher, else the organisation",
              _("Publisher"), _("Give the publisher."),
              _dataset(lambda p: any(_filled(x.get("name")) for x in p.get("publisher") or [])
                       or _filled(p.get("owner_org")))),
    # Contextuality (20)
    Indicator("rights", "contextuality", 5, "dct:rights ← resource rights",
              _("Rights"), _("Add a rights statement to the resources."),
              _share(lambda p, r, ctx: _filled(r.get("rights")))),
    Indicator("byte_size", "contextuality", 5, "dcat:byteSize ← size of data resources",
              _("File size"), _("Give the file size (automatic for uploads)."),
              _share(lambda p, r, ctx: _filled(r.get("size")), [DATA])),
    Indicator("issued", "contextuality", 5, "dct:issued ← resource issued or created",
              _("Date of issue"), _("Give the date the resources were issued."),
              _share(lambda p, r, ctx: _filled(r.get("issued") or r.get("created")))),
    Indicator("modified", "contextuality", 5, "dct:modified ← resource modified or metadata_modified",
              _("Modification date"), _("Give the date the resources were last modified."),
              _share(lambda p, r, ctx: _filled(r.get("modified") or r.get("metadata_modified")))),
)

MAX_POINTS = sum(i.points for i in INDICATORS)
BY_ID = {i.id: i for i in INDICATORS}


def assess(pkg: dict, context: Optional[Context] = None) -> dict[str, Any]:
    """The score of one dataset dict (as package_show returns it): numbers
    only; labels.describe adds the texts in the reader's languages."""
    context = context or Context()
    indicators = []
    dims = {d: {"points": 0.0, "max": 0} for d in DIMENSIONS}
    for ind in INDICATORS:
        share = max(0.0, min(1.0, ind.score(pkg, context)))
        points = round(ind.points * share, 2)
        dims[ind.dimension]["points"] += points
        dims[ind.dimension]["max"] += ind.points
        indicators.append({"id": ind.id, "dimension": ind.dimension, "points": points,
                           "max": ind.points, "met": share >= 1.0, "share": round(share, 4),
                           "reads": ind.reads})
    total = round(sum(d["points"] for d in dims.values()))
    for d in dims.values():
        d["points"] = round(d["points"], 2)
    return {"score": total, "max": MAX_POINTS, "rating": rating_for(total),
            "dimensions": dims, "indicators": indicators}
