"""The states of a harvest run: one vocabulary for the run records
(runs.jsonl), a dataset's `harvest_status` and the dashboard.

Stored and compared as stable codes (ok, warning, invalid, failed, withdrawn); shown
as their German labels. The vocabulary is data in
schemas/vocabularies/harvest-states.json, which the portal's dataset schema
reads too, so the dataset page shows the same labels.
"""
from __future__ import annotations

import json
import os
from typing import Optional

VOCABULARY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "schemas", "vocabularies", "harvest-states.json")

OK = "ok"                # a valid package was built (and published, when publishing)
INVALID = "invalid"      # the package failed its validation; the last good data stays
FAILED = "failed"        # the source could not deliver (down, HTML, renamed column, …) or the run broke
WITHDRAWN = "withdrawn"  # the source no longer has this unit (a layer left the service)
WARNING = "warning"      # valid and published, but implausible in part (a share of unreadable cells): stewards look

with open(VOCABULARY, encoding="utf-8") as _f:
    LABELS: dict[str, dict[str, str]] = {v["id"]: v["label"] for v in json.load(_f)["values"]}
assert set(LABELS) == {OK, INVALID, FAILED, WITHDRAWN, WARNING}, f"{VOCABULARY} and states.py disagree"

# What datasets harvested before the codes were introduced carry.
_LEGACY = {"fehlgeschlagen": FAILED, "zurückgezogen": WITHDRAWN}
# A run that ends in one of these leaves the run (and the dataset) as it was before: news, not an error.
GOOD = frozenset({OK, WITHDRAWN, WARNING})


def code(value: Optional[str]) -> Optional[str]:
    """The code of a stored status, old German values included; None if unknown or empty."""
    if not value:
        return None
    value = value.strip()
    return value if value in LABELS else _LEGACY.get(value.lower())


def label(value: Optional[str], lang: str = "de") -> str:
    """The label of a status (German unless `lang` says otherwise); an unknown value as it is."""
    known = code(value)
    return LABELS[known].get(lang) or LABELS[known]["en"] if known else (value or "")
