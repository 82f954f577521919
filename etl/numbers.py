"""Numbers as German (and other) registers write them.

"12,5", "1.234,5", "12.5", "10-15" (a range: its middle), "" (unknown). What
cannot be read becomes None and is counted, never a silent zero.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Optional

_RANGE = re.compile(r"^\s*(-?[\d.,]+)\s*(?:-|–|bis)\s*([\d.,]+)\s*$")
_GERMAN_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")


def _plain(text: str) -> Optional[float]:
    if _GERMAN_GROUPED.match(text):
        return float(text.replace(".", "").replace(",", "."))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def parse_number(value, warnings: Optional[Counter] = None, field: str = "") -> Optional[float]:
    """One value; `warnings` counts what was unreadable or a range, per field."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text == "" or text.lower() in ("k.a.", "n/a", "unbekannt", "-"):
        return None
    number = _plain(text)
    if number is not None:
        return number
    m = _RANGE.match(text)
    if m:
        low, high = _plain(m.group(1)), _plain(m.group(2))
        if low is not None and high is not None:
            if warnings is not None:
                warnings[f"{field}: range, middle taken"] += 1
            return (low + high) / 2
    if warnings is not None:
        warnings[f"{field}: not a number"] += 1
    return None


def parse_numbers(values: Iterable, warnings: Optional[Counter] = None, field: str = "") -> list:
    return [parse_number(v, warnings, field) for v in values]
