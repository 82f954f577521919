"""Names (URL slugs) from German text: the portal's dataset names from
titles, the harvesters' from layer names and catalogue titles.

German transliteration (ä→ae, ö→oe, ü→ue, ß→ss), not CKAN's, which drops
the umlaut's dots ("Straßenbäume" → "strabenbaume"). Where the callers'
rules differ, a keyword says how; each caller's rule is the one its names
were first made with, so no published dataset is ever renamed (a renamed
dataset is a second one on the portal).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}


def slug(text: str, *, keep: str = "_", fold_accents: bool = True, compat_capitals: bool = True,
         max_length: Optional[int] = None) -> str:
    """Lower-case a-z, 0-9 and `keep`; every other run of characters one "-".

    keep: characters kept as they are; with "-" among them a run of dashes
        stays as it is (only the runs of other characters become one dash).
    fold_accents: other accents lose their marks (é → e), as in CKAN's slug;
        without it they count as other characters (café → caf).
    compat_capitals: the capitals that folding finds in compatibility forms
        (№ → No, ™ → TM, ㎒ → MHz) stay as letters; without it they drop out.
    max_length: cut there, no dash left at either end.
    """
    if not compat_capitals:
        text = text.lower()  # before folding, so what folding brings out in capitals fails the pattern
    text = "".join(GERMAN.get(c, c) for c in text)
    if fold_accents:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    if compat_capitals:
        text = text.lower()
    text = re.sub(f"[^a-z0-9{re.escape(keep)}]+", "-", text).strip("-")
    return text[:max_length].strip("-") if max_length else text
