"""Botanical names of trees split into genus, species and cultivar.

Registers write "Tilia cordata 'Greenspire'", "TILIA CORDATA", "Platanus x
hispanica", "Acer spec." or only a genus. Hybrids keep their "×".
"""
from __future__ import annotations

import csv
import os
import re
from functools import lru_cache
from typing import NamedTuple, Optional

_CULTIVAR = re.compile(r"""['‘’"](.+?)['‘’"]""")
_UNKNOWN_SPECIES = {"spec.", "sp.", "spp.", "species", "spec"}


class BotanicalName(NamedTuple):
    genus: Optional[str]
    species: Optional[str]
    cultivar: Optional[str]


def split_name(name: Optional[str]) -> BotanicalName:
    if not name or not str(name).strip():
        return BotanicalName(None, None, None)
    text = " ".join(str(name).split())
    cultivar = None
    m = _CULTIVAR.search(text)
    if m:
        cultivar = m.group(1).strip()
        text = (text[:m.start()] + text[m.end():]).strip()
    words = text.split(" ")
    genus = words[0].capitalize()
    rest = [w.lower() for w in words[1:]]
    if rest and rest[0] in ("x", "×"):
        species = "× " + rest[1] if len(rest) > 1 else None
        rest = rest[2:]
    else:
        species = rest[0] if rest else None
        rest = rest[1:]
    if species in _UNKNOWN_SPECIES:
        species = None
    if cultivar is None and rest and rest[0] not in ("var.", "subsp."):
        # An unquoted cultivar after the species, as exports without quotes have it.
        cultivar = " ".join(w.capitalize() for w in rest) or None
    return BotanicalName(genus, species, cultivar)


# German names → botanical ones, for registers with German names only
# (schemas/vocabularies/tree-species-de.csv: the common urban trees).
SPECIES_DE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "schemas", "vocabularies", "tree-species-de.csv")


def _key(name: str) -> str:
    """Spellings registers mix: "Winter-Linde", "Winterlinde", "WINTER LINDE", "Rosskastanie"/"Roßkastanie"."""
    return re.sub(r"[\s\-‐.]", "", name.casefold().replace("ß", "ss"))


@lru_cache(maxsize=1)
def _german() -> dict[str, str]:
    with open(SPECIES_DE, encoding="utf-8", newline="") as f:
        return {_key(row["german_name"]): row["botanical_name"] for row in csv.DictReader(f)}


def botanical_from_german(name: Optional[str]) -> Optional[str]:
    """The botanical name of a German tree name; None if unknown (kept German only)."""
    if not name or not name.strip():
        return None
    return _german().get(_key(name))
