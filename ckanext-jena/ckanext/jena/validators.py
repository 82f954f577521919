"""Validators of our scheming schemas (registered by the jena_schema plugin).

Messages are English msgids translated in i18n/ (German for stewards). A
failing validator leaves the submitted value in the form, next to its error.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from shapely.geometry import shape
from shapely.validation import explain_validity

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckanext.scheming.validation import scheming_validator

from ckanext.jena.vocabularies import vocabulary

JENA_EXTENT = ('{"type": "Polygon", "coordinates": [[[11.4842, 50.8535], [11.6996, 50.8535], '
               '[11.6996, 50.9876], [11.4842, 50.9876], [11.4842, 50.8535]]]}')
_ISO_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _as_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            pass
    return [value]


@scheming_validator
def jena_vocabulary(field, schema):
    """The value (or each value) must be a term of the field's vocabulary,
    given by id, URI or label; it is stored as the term's URI (or id)."""
    vocab = vocabulary(field["vocabulary"])
    stored_as = field.get("vocabulary_value", "uri")
    # CKAN fills in a guessed media type itself; an unknown one must not stop
    # a save (the quality score marks it instead).
    strict = field.get("vocabulary_strict", True)

    def validator(key, data, errors, context):
        value = data.get(key)
        if _empty(value):
            return
        is_list = isinstance(value, list) or (isinstance(value, str) and value.startswith("["))
        out = []
        for item in _as_list(value):
            term = vocab.find(item)
            if term is None and not strict:
                return
            if term is None:
                errors[key].append(tk._('"{value}" is not in the vocabulary "{vocabulary}"').format(
                    value=item, vocabulary=vocab.title))
                return
            out.append(getattr(term, stored_as))
        data[key] = out if is_list else out[0]
    return validator


def jena_iso8601(value: Any, context: Any) -> Any:
    if _empty(value) or isinstance(value, (date, datetime)):
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise tk.Invalid(tk._("Enter the date as YYYY-MM-DD (ISO 8601), e.g. 2024-05-31"))
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00")) if len(text) >= 10 else None
    except ValueError:
        raise tk.Invalid(tk._("{value} is not a calendar date").format(value=text))
    return text


def jena_not_before_start(key, data, errors, context):
    """On the `end` subfield of a period: end must not be before start."""
    end = data.get(key)
    start = data.get(key[:-1] + ("start",))
    if _empty(end) or _empty(start) or errors.get(key) or errors.get(key[:-1] + ("start",)):
        return
    # ISO 8601 strings of the same precision compare like dates; pad to days.
    def day(v):
        return str(v)[:10].ljust(10, "0") if len(str(v)) >= 10 else str(v)
    if day(end) < day(start):
        errors[key].append(tk._("The end must not be before the start ({start})").format(start=start))


def jena_geojson(value: Any, context: Any) -> Any:
    if _empty(value):
        return value
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError) as e:
        raise tk.Invalid(tk._("Not a GeoJSON geometry: {error}").format(error=e))
    if geom.is_empty:
        raise tk.Invalid(tk._("The geometry is empty"))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise tk.Invalid(tk._("Coordinates must be longitude and latitude in WGS 84 (EPSG:4326)"))
    if not geom.is_valid:
        raise tk.Invalid(tk._("The geometry is not valid: {reason}").format(reason=explain_validity(geom)))
    return json.dumps(geometry) if not isinstance(value, str) else value


def jena_default_spatial(value: Any, context: Any) -> Any:
    return JENA_EXTENT if _empty(value) else value


def jena_uri(value: Any, context: Any) -> Any:
    if _empty(value):
        return value
    parsed = urlparse(str(value).strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise tk.Invalid(tk._("Enter a full URI starting with http:// or https://"))
    return str(value).strip()


def jena_uri_list(value: Any, context: Any) -> Any:
    if _empty(value):
        return value
    for item in _as_list(value):
        jena_uri(item, context)
    return value


def jena_default_list(*defaults: str):
    def validator(value: Any, context: Any) -> Any:
        return list(defaults) if _empty(value) else value
    return validator


def jena_default_contributor_id(key, data, errors, context):
    """Take the contributor ID from the owning organisation when not given."""
    if not _empty(data.get(key)):
        return
    org = model.Group.get(data.get(("owner_org",)) or "")
    value = org.extras.get("contributor_id") if org else None
    if value:
        data[key] = value


def _restore_stored(key, data, context) -> None:
    """Put back the dataset's stored value of this field (missing if none)."""
    package = context.get("package")
    if package is None and data.get(("id",)):
        package = model.Package.get(data[("id",)])
    stored = package.extras.get(key[-1]) if package is not None else None
    data[key] = stored if stored else missing


def jena_system_owned(key, data, errors, context):
    """Set by the portal (context flag jena_system), shown to stewards but
    never taken from their form or API calls: the stored value stays."""
    if context.get("jena_system"):
        return
    _restore_stored(key, data, context)


def jena_keep_if_missing(key, data, errors, context):
    """A value the harvester sets through the API; the steward's form does
    not send it, and that must not erase it."""
    if not _empty(data.get(key)):
        return
    _restore_stored(key, data, context)


def jena_table_schema(value: Any, context: Any) -> Any:
    if _empty(value):
        return value
    from frictionless import FrictionlessException, Schema
    try:
        descriptor = json.loads(value) if isinstance(value, str) else value
        # frictionless reads a string as a path or URL, and a custom profile
        # ($schema) as a URL to fetch: a steward's form must make it fetch nothing.
        if not isinstance(descriptor, dict):
            raise tk.Invalid(tk._("A Table Schema must be a JSON object with a list of fields"))
        profile = descriptor.get("$schema", descriptor.get("profile"))
        if profile not in (None, "tableschema", "https://datapackage.org/profiles/1.0/tableschema.json",
                           "https://datapackage.org/profiles/2.0/tableschema.json"):
            raise tk.Invalid(tk._("A Table Schema may not name its own profile: {profile}").format(
                profile=str(profile)[:100]))
        Schema.from_descriptor(descriptor)
    except ValueError as e:
        raise tk.Invalid(tk._("The Table Schema is not valid JSON: {error}").format(error=e))
    except FrictionlessException as e:
        raise tk.Invalid(tk._("Not a valid Table Schema: {error}").format(error=e.error.message))
    return json.dumps(descriptor, ensure_ascii=False) if not isinstance(value, str) else value


def all_validators() -> dict[str, Any]:
    return {f.__name__: f for f in (
        jena_vocabulary, jena_iso8601, jena_not_before_start, jena_geojson, jena_default_spatial,
        jena_uri, jena_uri_list, jena_default_list, jena_default_contributor_id, jena_system_owned,
        jena_keep_if_missing,
        jena_table_schema)}
