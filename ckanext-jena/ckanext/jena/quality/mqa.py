"""Metadata quality score modelled on the data.europa.eu MQA.

Same five dimensions, same indicators, same points (405 in all) and rating
bands as the EU portal's Metadata Quality Assessment. Each indicator reads
one DCAT-AP property as ckanext-dcat produces it from our schema; the
mapping is the `reads` text of each indicator below (also shown by
`jena_quality_show`).

Distribution-level indicators score the share of resources that meet them
(a dataset with two resources of which one has a format gets half the
points); a dataset without resources gets none of them. Reachability comes
from the background URL check (`urlcheck.py`): unchecked URLs count as not
(yet) reachable.

Where we differ from the EU service, by necessity:
- "DCAT-AP compliance" is a SHACL validation there; here it checks the
  mandatory DCAT-AP properties (title, description, an access URL per
  distribution). Vocabulary conformance is already enforced by our
  validators, so a dataset that saves passes that part.
- Machine-readable and non-proprietary formats follow the flags in
  schemas/vocabularies/file-types.json (our reading of the MQA lists).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ckanext.jena.vocabularies import vocabulary

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
MAX_POINTS = 405
# Lower bound of each rating band, best first.
RATINGS = (("excellent", 351), ("good", 221), ("sufficient", 121), ("bad", 0))
REACHABLE = range(200, 400)


def rating_for(points: float) -> str:
    for name, lower in RATINGS:
        if points >= lower:
            return name
    return "bad"


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
    if resource.get("download_url"):
        return resource["download_url"]
    if resource.get("url_type") == "upload" and resource.get("url"):
        return resource["url"]
    return None


@dataclass
class Context:
    """What the indicators read besides the dataset: URL check results."""
    url_status: dict[str, Optional[int]] = field(default_factory=dict)

    def reachable(self, url: Optional[str]) -> bool:
        return bool(url) and self.url_status.get(url) in REACHABLE


def _share(pkg: dict, test: Callable[[dict], bool]) -> float:
    resources = pkg.get("resources") or []
    if not resources:
        return 0.0
    return sum(1 for r in resources if test(r)) / len(resources)


def _format_term(resource: dict):
    return vocabulary("file-types").find(resource.get("format") or "")


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    points: int
    reads: str
    label: dict[str, str]
    hint: dict[str, str]
    score: Callable[[dict, Context], float]


def _dataset(test: Callable[[dict], bool]) -> Callable[[dict, Context], float]:
    return lambda pkg, ctx: 1.0 if test(pkg) else 0.0


def _dcat_ap_mandatory(pkg: dict) -> bool:
    resources = pkg.get("resources") or []
    return (_filled(pkg.get("title")) and _filled(pkg.get("notes"))
            and all(access_url(r) for r in resources))


INDICATORS: tuple[Indicator, ...] = (
    # Findability (100)
    Indicator("keywords", "findability", 30, "dcat:keyword ← tags",
              {"de": "Schlagwörter", "en": "Keywords"},
              {"de": "Tragen Sie Schlagwörter ein, unter denen der Datensatz gesucht wird.",
               "en": "Add keywords people would search for."},
              _dataset(lambda p: _filled([t.get("name") for t in p.get("tags") or []]))),
    Indicator("categories", "findability", 30, "dcat:theme ← theme",
              {"de": "Kategorien", "en": "Categories"},
              {"de": "Wählen Sie mindestens eine Kategorie (EU-Datenthema).",
               "en": "Choose at least one category (EU data theme)."},
              _dataset(lambda p: _filled(p.get("theme")))),
    Indicator("spatial", "findability", 20, "dct:spatial ← spatial, political_geocoding_uri",
              {"de": "Räumlicher Bezug", "en": "Spatial coverage"},
              {"de": "Geben Sie den räumlichen Bezug an (Geometrie oder Gebietseinheit).",
               "en": "Give the spatial coverage (geometry or administrative unit)."},
              _dataset(lambda p: _filled(p.get("spatial")) or _filled(p.get("political_geocoding_uri")))),
    Indicator("temporal", "findability", 20, "dct:temporal ← temporal_coverage",
              {"de": "Zeitlicher Bezug", "en": "Temporal coverage"},
              {"de": "Geben Sie den Zeitraum an, den die Daten abdecken.",
               "en": "Give the period the data covers."},
              _dataset(lambda p: any(_filled(t.get("start")) or _filled(t.get("end"))
                                     for t in p.get("temporal_coverage") or []))),
    # Accessibility (100)
    Indicator("access_url_reachable", "accessibility", 50, "dcat:accessURL ← resource access_url or url (HTTP check)",
              {"de": "Zugangs-URL erreichbar", "en": "Access URL reachable"},
              {"de": "Sorgen Sie dafür, dass die URL jeder Ressource erreichbar ist (HTTP 2xx/3xx).",
               "en": "Make every resource URL reachable (HTTP 2xx/3xx)."},
              lambda p, ctx: _share(p, lambda r: ctx.reachable(access_url(r)))),
    Indicator("download_url", "accessibility", 20, "dcat:downloadURL ← resource download_url or uploaded file",
              {"de": "Download-URL", "en": "Download URL"},
              {"de": "Laden Sie die Datei hoch oder geben Sie eine direkte Download-URL an.",
               "en": "Upload the file or give a direct download URL."},
              lambda p, ctx: _share(p, lambda r: bool(download_url(r)))),
    Indicator("download_url_reachable", "accessibility", 30, "dcat:downloadURL (HTTP check)",
              {"de": "Download-URL erreichbar", "en": "Download URL reachable"},
              {"de": "Die Download-URL muss erreichbar sein.",
               "en": "The download URL must be reachable."},
              lambda p, ctx: _share(p, lambda r: ctx.reachable(download_url(r)))),
    # Interoperability (110)
    Indicator("format", "interoperability", 20, "dct:format ← resource format",
              {"de": "Format", "en": "Format"},
              {"de": "Geben Sie für jede Ressource das Format an.",
               "en": "Give the format of every resource."},
              lambda p, ctx: _share(p, lambda r: _filled(r.get("format")))),
    Indicator("media_type", "interoperability", 10, "dcat:mediaType ← resource mimetype",
              {"de": "Medientyp", "en": "Media type"},
              {"de": "Geben Sie für jede Ressource den Medientyp an (z. B. text/csv).",
               "en": "Give the media type of every resource (e.g. text/csv)."},
              lambda p, ctx: _share(p, lambda r: _filled(r.get("mimetype")))),
    Indicator("format_vocabulary", "interoperability", 10, "dct:format / dcat:mediaType from the EU / IANA vocabularies",
              {"de": "Format aus Vokabular", "en": "Format from vocabulary"},
              {"de": "Wählen Sie Format und Medientyp aus den Auswahllisten.",
               "en": "Pick format and media type from the lists."},
              lambda p, ctx: _share(p, lambda r: _format_term(r) is not None
                                    or vocabulary("media-types").find(r.get("mimetype") or "") is not None)),
    Indicator("non_proprietary", "interoperability", 20, "dct:format is an open, non-proprietary format",
              {"de": "Offenes Format", "en": "Non-proprietary format"},
              {"de": "Bieten Sie die Daten (auch) in einem offenen Format an, z. B. CSV statt XLSX.",
               "en": "Offer the data (also) in an open format, e.g. CSV instead of XLSX."},
              lambda p, ctx: _share(p, lambda r: bool(_format_term(r) and _format_term(r).extra.get("non_proprietary")))),
    Indicator("machine_readable", "interoperability", 20, "dct:format is machine-readable",
              {"de": "Maschinenlesbar", "en": "Machine-readable"},
              {"de": "Bieten Sie die Daten maschinenlesbar an (z. B. CSV, JSON, GeoJSON statt PDF).",
               "en": "Offer machine-readable data (e.g. CSV, JSON, GeoJSON instead of PDF)."},
              lambda p, ctx: _share(p, lambda r: bool(_format_term(r) and _format_term(r).extra.get("machine_readable")))),
    Indicator("dcat_ap", "interoperability", 30, "DCAT-AP mandatory properties (title, description, accessURL)",
              {"de": "DCAT-AP-konform", "en": "DCAT-AP compliance"},
              {"de": "Titel, Beschreibung und für jede Ressource eine URL sind Pflicht.",
               "en": "Title, description and a URL for every resource are mandatory."},
              _dataset(_dcat_ap_mandatory)),
    # Reusability (75)
    Indicator("license", "reusability", 20, "dct:license ← resource license or dataset license_id",
              {"de": "Lizenz", "en": "Licence"},
              {"de": "Wählen Sie eine Lizenz.", "en": "Choose a licence."},
              lambda p, ctx: _share(p, lambda r: _filled(_licence(p, r)))),
    Indicator("license_vocabulary", "reusability", 10, "dct:license from the DCAT-AP.de licence vocabulary",
              {"de": "Lizenz aus Vokabular", "en": "Licence from vocabulary"},
              {"de": "Wählen Sie die Lizenz aus der DCAT-AP.de-Liste.",
               "en": "Pick the licence from the DCAT-AP.de list."},
              lambda p, ctx: _share(p, lambda r: _licence(p, r) in vocabulary("licenses"))),
    Indicator("access_rights", "reusability", 10, "dct:accessRights ← access_rights",
              {"de": "Zugriffsrechte", "en": "Access rights"},
              {"de": "Geben Sie die Zugriffsrechte an.", "en": "Give the access rights."},
              _dataset(lambda p: _filled(p.get("access_rights")))),
    Indicator("access_rights_vocabulary", "reusability", 5, "dct:accessRights from the EU vocabulary",
              {"de": "Zugriffsrechte aus Vokabular", "en": "Access rights from vocabulary"},
              {"de": "Wählen Sie die Zugriffsrechte aus der Liste.",
               "en": "Pick the access rights from the list."},
              _dataset(lambda p: (p.get("access_rights") or "") in vocabulary("access-rights"))),
    Indicator("contact_point", "reusability", 20, "dcat:contactPoint ← contact (name or email)",
              {"de": "Kontakt", "en": "Contact point"},
              {"de": "Nennen Sie einen Kontakt mit E-Mail-Adresse.",
               "en": "Name a contact with an email address."},
              _dataset(lambda p: any(_filled(c.get("email")) or _filled(c.get("name"))
                                     for c in p.get("contact") or []))),
    Indicator("publisher", "reusability", 10, "dct:publisher ← publisher, else the organisation",
              {"de": "Veröffentlichende Stelle", "en": "Publisher"},
              {"de": "Geben Sie die veröffentlichende Stelle an.", "en": "Give the publisher."},
              _dataset(lambda p: any(_filled(x.get("name")) for x in p.get("publisher") or [])
                       or _filled(p.get("owner_org")))),
    # Contextuality (20)
    Indicator("rights", "contextuality", 5, "dct:rights ← resource rights",
              {"de": "Rechtehinweis", "en": "Rights"},
              {"de": "Ergänzen Sie bei den Ressourcen einen Rechtehinweis.",
               "en": "Add a rights statement to the resources."},
              lambda p, ctx: _share(p, lambda r: _filled(r.get("rights")))),
    Indicator("byte_size", "contextuality", 5, "dcat:byteSize ← resource size",
              {"de": "Dateigröße", "en": "File size"},
              {"de": "Geben Sie die Dateigröße an (bei hochgeladenen Dateien automatisch).",
               "en": "Give the file size (automatic for uploads)."},
              lambda p, ctx: _share(p, lambda r: _filled(r.get("size")))),
    Indicator("issued", "contextuality", 5, "dct:issued ← resource issued or created",
              {"de": "Veröffentlichungsdatum", "en": "Date of issue"},
              {"de": "Geben Sie an, wann die Ressourcen veröffentlicht wurden.",
               "en": "Give the date the resources were issued."},
              lambda p, ctx: _share(p, lambda r: _filled(r.get("issued") or r.get("created")))),
    Indicator("modified", "contextuality", 5, "dct:modified ← resource modified or metadata_modified",
              {"de": "Änderungsdatum", "en": "Modification date"},
              {"de": "Geben Sie an, wann die Ressourcen zuletzt geändert wurden.",
               "en": "Give the date the resources were last modified."},
              lambda p, ctx: _share(p, lambda r: _filled(r.get("modified") or r.get("metadata_modified")))),
)

assert sum(i.points for i in INDICATORS) == MAX_POINTS


def assess(pkg: dict, context: Optional[Context] = None) -> dict[str, Any]:
    """The score of one dataset dict (as package_show returns it)."""
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
                           "reads": ind.reads, "label": ind.label, "hint": ind.hint})
    total = round(sum(d["points"] for d in dims.values()))
    for d in dims.values():
        d["points"] = round(d["points"], 2)
    return {"score": total, "max": MAX_POINTS, "rating": rating_for(total),
            "dimensions": dims, "indicators": indicators}
