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


_DATE_DE = re.compile(r"^\d{1,2}\.\d{1,2}\.(\d{4})$")              # 01.06.1981
_DATE_ISO = re.compile(r"^(\d{4})-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?$")   # 1981-06-01, with a time
_APPROX = re.compile(r"^(?:ca\.?|circa|um|etwa|~)\s*(\d{4})$", re.IGNORECASE)  # ca. 1950
_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:-|–|/|bis)\s*(\d{4})$")     # 1950-1960: its middle
EARLIEST_YEAR = 1600  # older planting years in a city register are typing errors


def parse_year(value, warnings: Optional[Counter] = None, field: str = "", latest: int = 2100) -> Optional[float]:
    """A planting year as registers write it: a year, a German or ISO date,
    "ca. 1950", a range of years (its middle). Unreadable and implausible
    values (before 1600, after `latest`) become None and are counted."""
    if value is None:
        return None
    text = str(value).strip()
    if text == "" or text.lower() in ("k.a.", "n/a", "unbekannt", "-"):
        return None
    year: Optional[float] = None
    for pattern in (_DATE_DE, _DATE_ISO, _APPROX):
        m = pattern.match(text)
        if m:
            year = float(m.group(1))
            if pattern is _APPROX and warnings is not None:
                warnings[f"{field}: approximate year"] += 1
            break
    else:
        m = _YEAR_RANGE.match(text)
        if m:
            year = float((int(m.group(1)) + int(m.group(2))) // 2)
            if warnings is not None:
                warnings[f"{field}: range, middle taken"] += 1
        else:
            number = _plain(text)
            year = number if number is not None and number == int(number) else None
    if year is None:
        if warnings is not None:
            warnings[f"{field}: not a year"] += 1
        return None
    if not EARLIEST_YEAR <= year <= latest:
        if warnings is not None:
            warnings[f"{field}: implausible year"] += 1
        return None
    return year


_MEASURE = re.compile(r"^\s*(.*?)\s*(mm|cm|dm|m)\.?\s*$", re.IGNORECASE)
_METRES = {"mm": 0.001, "cm": 0.01, "dm": 0.1, "m": 1.0}


def parse_measure(value, unit: str, warnings: Optional[Counter] = None, field: str = "") -> Optional[float]:
    """A length in `unit` (m or cm) as registers write it, with or without a
    unit in the cell: "12,5", "12 m", "80 cm", "10-15 m" (a range: its middle)."""
    if value is None or isinstance(value, (int, float)):
        return parse_number(value, warnings, field)
    m = _MEASURE.match(str(value))
    if not m or not m.group(1):
        return parse_number(value, warnings, field)
    number = parse_number(m.group(1), warnings, field)
    if number is None:
        return None
    factor = _METRES[m.group(2).lower()] / _METRES[unit]
    return round(number * factor, 6)
