"""Licences as sources write them (a WFS's access constraints, an OGC API
license link's title and href) → our DCAT-AP.de licence ids."""
from __future__ import annotations

import re
from typing import Iterable, Optional

# The first pattern that matches wins.
LICENCES = [
    (r"dl-de/by-2[-.]0|datenlizenz deutschland\W+namensnennung\W+(version )?2\.0", "dl-by-de/2.0"),
    (r"dl-de/by-1[-.]0|datenlizenz deutschland\W+namensnennung\W+(version )?1\.0", "dl-by-de/1.0"),
    (r"dl-de/zero-2[-.]0|datenlizenz deutschland\W+zero", "dl-zero-de/2.0"),
    (r"cc[- ]by[- ]sa[- ]4\.0|creative commons.*weitergabe", "cc-by-sa/4.0"),
    (r"cc[- ]by[- ]3\.0[- ]de|creative commons namensnennung 3\.0 deutschland|by/3\.0/de", "cc-by-de/3.0"),
    (r"cc[- ]by[- ]4\.0|creative commons namensnennung 4\.0|creative commons attribution 4\.0", "cc-by/4.0"),
    (r"cc0|cc[- ]zero|public domain", "cc-zero"),
    (r"odbl|open database license", "odbl"),
]


def recognise_licence(text: Optional[str]) -> Optional[str]:
    low = (text or "").lower()
    return next((lid for pattern, lid in LICENCES if re.search(pattern, low)), None)


def first_recognised(texts: Iterable[Optional[str]]) -> Optional[str]:
    """The licence of the first text that names one we know."""
    return next((lid for text in texts for lid in [recognise_licence(text)] if lid), None)
