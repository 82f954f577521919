"""Validators of our scheming schemas (registered by the jena_schema plugin).

Messages are English msgids translated in i18n/ (German for stewards). A
failing validator leaves the submitted value in the form, next to its error.
"""
from __future__ import annotations

import json
import mimetypes
import posixpath
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckanext.scheming.validation import scheming_validator

from ckanext.jena import geojson_check
from ckanext.jena.names import name_from_title
from ckanext.jena.vocabularies import vocabulary

JENA_EXTENT = ('{"type": "Polygon", "coordinates": [[[11.4842, 50.8535], [11.6996, 50.8535], '
               '[11.6996, 50.9876], [11.4842, 50.9876], [11.4842, 50.8535]]]}')
_ISO_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
# A domain of labels with at least one dot and a top-level domain of letters:
# CKAN's email_validator takes "gruen@jena", which no mail reaches.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
                    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# At most this many accepted values are named in a vocabulary error.
_ACCEPTED_SHOWN = 30


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
                ids = [t.id for t in vocab.terms]
                accepted = ", ".join(ids[:_ACCEPTED_SHOWN]) + (", …" if len(ids) > _ACCEPTED_SHOWN else "")
                errors[key].append(tk._(
                    '"{value}" is not in the vocabulary "{vocabulary}"; accepted are: {accepted}'
                ).format(value=item, vocabulary=vocab.title, accepted=accepted))
                return
            out.append(getattr(term, stored_as))
        data[key] = out if is_list else out[0]
    return validator


def jena_iso8601(key, data, errors, context):
    """A date (or time) in ISO 8601. A bad one gets one message and stops the
    field's chain: dcat_date after it would add its English one."""
    value = data.get(key)
    if _empty(value) or isinstance(value, (date, datetime)):
        return
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        errors[key].append(tk._("Enter the date as YYYY-MM-DD (ISO 8601), e.g. 2024-05-31"))
        raise StopOnError
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00")) if len(text) >= 10 else None
    except ValueError:
        errors[key].append(tk._("{value} is not a calendar date").format(value=text))
        raise StopOnError
    data[key] = text


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
        geometry = geojson_check.parse(value)
    except geojson_check.GeometryProblem as e:
        raise tk.Invalid(tk._(e.message).format(**e.args_))
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


def jena_email(value: Any, context: Any) -> Any:
    if _empty(value):
        return value
    text = str(value).strip()
    if not _EMAIL.match(text):
        raise tk.Invalid(tk._("Enter a complete e-mail address with its domain, e.g. gruen@jena.de"))
    return text


def jena_title_required(key, data, errors, context):
    """The title is required: scheming's title preset would take the name
    instead (a dataset "without title"), and the form then blamed the URL."""
    value = data.get(key)
    if _empty(value) or not str(value).strip():
        errors[key].append(tk._("Give the dataset a title"))
        raise StopOnError


def jena_name_from_title(key, data, errors, context):
    """No name given: the server makes it from the title, as the browser's
    slug preview does. Without a title either, the title's error says it."""
    if not _empty(data.get(key)):
        return
    title = data.get(key[:-1] + ("title",))
    if _empty(title) or not str(title).strip():
        raise StopOnError
    data[key] = name_from_title(str(title))


def guess_format(url: str, mimetype: str) -> str | None:
    """The file type of a file name (an upload's, or a link's path), else of
    a media type that belongs to one file type only."""
    types = vocabulary("file-types")
    extension = posixpath.splitext(urlparse(url).path)[1].lstrip(".")
    term = types.find(extension) if extension else None
    if term is None and not mimetype and url:
        mimetype = mimetypes.guess_type(urlparse(url).path)[0] or ""
    if term is None and mimetype:
        matches = [t for t in types.terms if t.extra.get("media_type") == mimetype]
        term = matches[0] if len(matches) == 1 else None
    return term.id if term is not None else None


def jena_guess_format(key, data, errors, context):
    """An empty format is taken from the file name or media type, for the web
    form's uploads as for the API's (CKAN's own guess, if_empty_guess_format,
    is replaced by the schema's validators)."""
    if not _empty(data.get(key)):
        return
    url = data.get(key[:-1] + ("url",))
    mimetype = data.get(key[:-1] + ("mimetype",))
    guessed = guess_format(url if isinstance(url, str) else "",
                            mimetype if isinstance(mimetype, str) else "")
    if guessed:
        data[key] = guessed


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
        jena_keep_if_missing, jena_email, jena_title_required, jena_name_from_title,
        jena_guess_format, jena_table_schema)}
