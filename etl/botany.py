"""Botanical names of trees split into genus, species and cultivar.

Registers write "Tilia cordata 'Greenspire'", "TILIA CORDATA", "Platanus x
hispanica", "Acer spec." or only a genus. Hybrids keep their "×".
"""
from __future__ import annotations

import re
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
