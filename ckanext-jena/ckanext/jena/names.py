"""Dataset names (URL slugs) from German titles.

German transliteration (ä→ae, ö→oe, ü→ue, ß→ss), not CKAN's, which drops
the umlaut's dots ("Straßenbäume" → "strabenbaume"). The browser's slug
preview does the same in assets/form/slug-de.js; the server uses this
wherever it makes a name from a title (a form sent without JavaScript, an
API call without a name).
"""
from __future__ import annotations

import re
import unicodedata

GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
MAX_LENGTH = 100  # CKAN's PACKAGE_NAME_MAX_LENGTH


def name_from_title(title: str) -> str:
    text = "".join(GERMAN.get(c, c) for c in title)
    # Other accents lose their marks (é → e), as in CKAN's slug.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9_]+", "-", text).strip("-")[:MAX_LENGTH].strip("-")
