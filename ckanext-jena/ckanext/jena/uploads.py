"""What an uploaded file tells about its resource: format, media type and
size, the same for the web form as for the API (issue 13).

CKAN fills media type and size from an upload only where the keys are
absent, as in an API call; the resource form sends them empty, and so a
form's upload got none ("Format: unbekannt", no byte size).
"""
from __future__ import annotations

import mimetypes

from werkzeug.datastructures import FileStorage

from ckanext.jena.validators import guess_format
from ckanext.jena.vocabularies import vocabulary


def let_ckan_fill_metadata(resource: dict) -> None:
    """The resource form sends every field, media type and size empty; CKAN
    fills them from an upload only when the keys are absent (as in an API
    call), so empty ones are taken out. A new file's size is a fact of the
    file: the edit form's old size goes too."""
    upload = resource.get("upload")
    if not isinstance(upload, FileStorage) or not upload.filename:
        return
    resource.pop("size", None)
    if not str(resource.get("mimetype") or "").strip():
        # The file type's own media type where the name tells it (Python's
        # table calls a .geojson application/json), else CKAN's guess.
        term = vocabulary("file-types").find(guess_format(upload.filename, "") or "")
        if term is not None and term.extra.get("media_type"):
            resource["mimetype"] = term.extra["media_type"]
        else:
            resource.pop("mimetype", None)


def follow_new_file(current: dict, resource: dict) -> None:
    """A new file through the edit form: the form sends back the old file's
    format and media type; where the steward left them as they were, the
    new file's are taken (if its name tells them)."""
    upload = resource.get("upload")
    if not isinstance(upload, FileStorage) or not upload.filename:
        return
    if resource.get("format") == current.get("format"):
        guessed = guess_format(upload.filename, "")
        if guessed:
            resource["format"] = guessed
    if resource.get("mimetype") == current.get("mimetype") and mimetypes.guess_type(upload.filename)[0]:
        resource["mimetype"] = ""
