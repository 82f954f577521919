"""How dataset and resource pages show values: numbers, dates and
vocabulary terms in the page's language, and which metadata rows are worth
a row at all.

Formatting happens here, once, at the edge (templates call these helpers);
what is stored stays as it is (ISO dates, URIs, floats).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Optional

import babel.dates
import babel.numbers
import ckan.plugins.toolkit as tk
import pytz

from ckanext.jena.vocabularies import vocabulary

DEFAULT_TIMEZONE = "Europe/Berlin"


def _locale() -> str:
    try:
        return tk.h.lang() or tk.config.get("ckan.locale_default") or "de"
    except RuntimeError:  # outside a request (CLI, jobs): the portal's language
        return tk.config.get("ckan.locale_default") or "de"


def _timezone() -> dt.tzinfo:
    # CKAN's own default is UTC; a German portal shows German local time.
    name = tk.config.get("ckan.display_timezone") or DEFAULT_TIMEZONE
    if name == "server":
        name = DEFAULT_TIMEZONE
    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        return pytz.timezone(DEFAULT_TIMEZONE)


# --- numbers ------------------------------------------------------------------

def jena_number(value: Any, digits: Optional[int] = None) -> str:
    """A number as the page's language writes it: 11,4 and 3.361 in German.
    digits: fixed number of decimals (11,40 with 2); default: as many as the
    value has, at most three. Anything that is not a number comes back as is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = float(value) if re.search(r"[.eE]", value) else int(value)
        except ValueError:
            return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if digits is None:
        pattern = None
    else:
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel.numbers.format_decimal(value, format=pattern, locale=_locale(),
                                        decimal_quantization=digits is not None)


# --- dates --------------------------------------------------------------------

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse(value: Any) -> Optional[dt.datetime | dt.date]:
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _DATE_ONLY.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def jena_datetime(value: Any, with_time: Optional[bool] = None) -> str:
    """An ISO date or time as a reader expects it: "30. November 2026" or
    "1. Dezember 2026, 00:15 Uhr" (in the portal's time zone; a time without
    offset is UTC, as CKAN stores its timestamps). with_time: None shows the
    time only when the value has one. What cannot be read comes back as is."""
    parsed = _parse(value)
    if parsed is None:
        return "" if value is None else str(value)
    locale = _locale()
    if not isinstance(parsed, dt.datetime):
        return babel.dates.format_date(parsed, "long", locale=locale)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=pytz.utc)
    local = parsed.astimezone(_timezone())
    date = babel.dates.format_date(local.date(), "long", locale=locale)
    if with_time is False:
        return date
    time = babel.dates.format_time(local, "HH:mm", locale=locale)
    return tk._("{date}, {time}").format(date=date, time=time)


# --- vocabulary terms -----------------------------------------------------------

def _text(label: dict[str, str]) -> str:
    return label.get(_locale()) or label.get("de") or label.get("en") or ""


def jena_term(vocabulary_name: str, value: Any) -> dict[str, str]:
    """{label, uri} of a vocabulary term given by id, URI or label: the label
    in the page's language, the URI as the link target (empty if none)."""
    term = vocabulary(vocabulary_name).find(value)
    if term:
        return {"label": _text(term.label), "uri": term.uri}
    text = "" if value is None else str(value)
    return {"label": text, "uri": text if re.match(r"https?://", text) else ""}


def jena_term_label(vocabulary_name: str, value: Any) -> str:
    """The label of a vocabulary term given by id, URI or label; the value
    itself if the vocabulary does not know it."""
    term = vocabulary(vocabulary_name).find(value)
    return _text(term.label) if term else ("" if value is None else str(value))


# DCAT-AP.de's political geocoding URIs end in a key (Amtlicher
# Gemeindeschlüssel etc.); the portal knows the names of its own area.
_GEOCODING = re.compile(r"/politicalGeocoding/(?P<kind>[A-Za-z]+)/(?P<key>[^/]+)$")
_GEOCODING_KINDS = {
    "municipalityKey": "municipality key",
    "districtKey": "district key",
    "stateKey": "state key",
    "regionalKey": "regional key",
    "governmentDistrictKey": "government district key",
}
_KNOWN_AREAS = {"16053000": "Jena", "160530000000": "Jena", "16": "Thüringen"}


def jena_geocoding_label(uri: Any) -> str:
    """"Jena (Gemeindeschlüssel 16053000)" for a political geocoding URI."""
    if not isinstance(uri, str):
        return ""
    match = _GEOCODING.search(uri.strip())
    if not match:
        return uri
    kind = _GEOCODING_KINDS.get(match["kind"])
    key = match["key"]
    described = f"{tk._(kind)} {key}" if kind else key
    area = _KNOWN_AREAS.get(key)
    return f"{area} ({described})" if area else described


# --- which rows to show ---------------------------------------------------------

def jena_filled(value: Any) -> bool:
    """Whether a metadata value is worth a row: not empty, not a list of
    empty items (a repeating field's blank first entry)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip()) and value.strip() not in ("[]", "{}")
    if isinstance(value, dict):
        return any(jena_filled(v) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return any(jena_filled(v) for v in value)
    return True


# Resource keys outside the schema that a reader can use (API users need the
# id); CKAN's internal bookkeeping (has_views, package_id, url_type,
# position, state, datastore_active, cache_*) is not shown.
_RESOURCE_EXTRA_KEYS = {
    "id": "Resource ID",
    "hash": "Checksum",
}


def jena_resource_extra_rows(res: dict) -> list[tuple[str, str]]:
    """(label, value) rows for what the resource page shows beyond its schema fields."""
    return [(tk._(label), str(res[key])) for key, label in _RESOURCE_EXTRA_KEYS.items()
            if jena_filled(res.get(key))]


def jena_file_size(value: Any) -> str:
    """"3.361 Byte (3,2 KiB)": exact, as the field's label says, and readable."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    exact = tk.ungettext("{n} byte", "{n} bytes", size).format(n=jena_number(size))
    if size < 1024:  # CKAN's readable sizes are binary (KiB)
        return exact
    return f"{exact} ({tk.h.localised_filesize(size)})"


def jena_table_schema_summary(value: Any) -> str:
    """A Table Schema as the names of its columns ("3 Spalten: baum_id,
    gattung, hoehe_m") instead of its JSON text."""
    schema = value
    if isinstance(value, str):
        try:
            schema = json.loads(value)
        except ValueError:
            return value
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list):
        return "" if value is None else str(value)
    names = [str(f.get("name")) for f in fields if isinstance(f, dict) and f.get("name")]
    count = tk.ungettext("{n} column", "{n} columns", len(names)).format(n=jena_number(len(names)))
    return f"{count}: {', '.join(names)}" if names else count


def jena_harvest_sentence(pkg: dict) -> str:
    """The last harvest as a sentence: "Am 1. Dezember 2026, 00:15 Uhr:
    erfolgreich." (the state's label from its vocabulary, not its code)."""
    state = pkg.get("harvest_status")
    if not jena_filled(state):
        return ""
    label = jena_term_label("harvest-states", state)
    if jena_filled(pkg.get("harvest_time")):
        when = jena_datetime(pkg["harvest_time"], with_time=True)
        return tk._("On {when}: {state}.").format(when=when, state=label)
    return tk._("{state}.").format(state=label[:1].upper() + label[1:])


def _dataset_field(key: str) -> Optional[dict]:
    schema = tk.h.scheming_get_dataset_schema("dataset") if "scheming_get_dataset_schema" in tk.h else None
    for field in (schema or {}).get("dataset_fields", []):
        if field.get("field_name") == key:
            return field
    return None


def jena_field_label(key: str) -> str:
    """A dataset field's label from the schema (the activity's changes name
    fields by their key, e.g. positional_accuracy)."""
    field = _dataset_field(key)
    return tk.h.scheming_language_text(field["label"]) if field and field.get("label") else key


def jena_field_value(key: str, value: Any) -> str:
    """A changed value as the dataset page shows it: a term's label, a date
    in German."""
    field = _dataset_field(key) or {}
    if field.get("vocabulary") and isinstance(value, str):
        return jena_term_label(field["vocabulary"], value)
    if "dcat_date" in str(field.get("display_snippet", "")) or field.get("preset") == "dcat_date":
        return jena_datetime(value)
    return "" if value is None else str(value)


_ACTIVITY_TYPES = {
    "new package": "New dataset",
    "changed package": "Changed dataset",
    "deleted package": "Deleted dataset",
    "follow dataset": "Followed the dataset",
    "new resource view": "New view",
    "changed resource view": "Changed view",
    "deleted resource view": "Deleted view",
    "new user": "New user",
    "changed user": "Changed user",
    "follow user": "Followed a user",
    "new organization": "New organization",
    "changed organization": "Changed organization",
    "deleted organization": "Deleted organization",
    "new group": "New group",
    "changed group": "Changed group",
    "deleted group": "Deleted group",
    "follow group": "Followed the group",
}


def jena_activity_type_label(activity_type: str) -> str:
    """The activity filter's options in the page's language (CKAN shows the
    raw type, title-cased)."""
    msgid = _ACTIVITY_TYPES.get(activity_type)
    return tk._(msgid) if msgid else activity_type.title()


def get_helpers() -> dict[str, Any]:
    return {f.__name__: f for f in (
        jena_number, jena_datetime, jena_term, jena_term_label, jena_geocoding_label, jena_filled,
        jena_resource_extra_rows, jena_file_size, jena_table_schema_summary, jena_harvest_sentence,
        jena_activity_type_label, jena_field_label, jena_field_value)}
