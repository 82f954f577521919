"""Dataset names (URL slugs) from German titles, by the one rule in
etl/names.py: ä→ae, ö→oe, ü→ue, ß→ss, other accents lose their marks,
`_` kept. The browser's slug preview does the same in
assets/form/slug-de.js; the server uses this wherever it makes a name from
a title (a form sent without JavaScript, an API call without a name).
"""
from __future__ import annotations

from etl.names import slug

MAX_LENGTH = 100  # CKAN's PACKAGE_NAME_MAX_LENGTH


def name_from_title(title: str) -> str:
    return slug(title, max_length=MAX_LENGTH)
