"""Solr date values and date math (NOW-1YEAR/DAY, 2020-01-01T00:00:00Z+1MONTH).

Range queries on date fields use it; the result is an aware UTC datetime
that reaches SQL as a bound parameter.
"""
from __future__ import annotations

import datetime as dt
import re

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

_UNITS = {
    "YEAR": "years", "YEARS": "years", "MONTH": "months", "MONTHS": "months",
    "DAY": "days", "DAYS": "days", "DATE": "days", "HOUR": "hours", "HOURS": "hours",
    "MINUTE": "minutes", "MINUTES": "minutes", "SECOND": "seconds", "SECONDS": "seconds",
    "MILLI": "microseconds", "MILLIS": "microseconds", "MILLISECOND": "microseconds",
    "MILLISECONDS": "microseconds",
}
_OP = re.compile(r"([+-]\d+|/)([A-Z]+)")


class DateMathError(ValueError):
    pass


def to_millis(value: dt.datetime) -> dt.datetime:
    """Solr keeps dates to the millisecond."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def solr_date(value: dt.datetime) -> str:
    """A UTC datetime as Solr writes it: 2014-06-10T08:24:12.782Z, and
    without a fraction when the milliseconds are 0 (Java's Instant)."""
    v = value.astimezone(dt.timezone.utc)
    out = (f"{v.year:04d}-{v.month:02d}-{v.day:02d}"
           f"T{v.hour:02d}:{v.minute:02d}:{v.second:02d}")
    ms = v.microsecond // 1000
    return out + (f".{ms:03d}Z" if ms else "Z")


def _round_down(value: dt.datetime, unit: str) -> dt.datetime:
    order = ["years", "months", "days", "hours", "minutes", "seconds"]
    if unit not in order:
        raise DateMathError(f"cannot round to {unit}")
    keep = order.index(unit)
    parts = dict(month=1, day=1, hour=0, minute=0, second=0)
    names = ["year", "month", "day", "hour", "minute", "second"]
    repl = {n: parts[n] for n in names[keep + 1:]}
    return value.replace(microsecond=0, **repl)


def parse_date(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """Parse a Solr date expression into an aware UTC datetime."""
    now = now or dt.datetime.now(dt.timezone.utc)
    raw = text.strip()
    if raw.upper().startswith("NOW"):
        base, rest = now, raw[3:]
    else:
        # The anchor ends where the first math operation begins (after "Z").
        m = re.match(r"^(\d{4}-\d{2}-\d{2}(?:T[\d:.]+)?Z?)(.*)$", raw)
        if not m:
            raise DateMathError(f"not a date: {text!r}")
        try:
            base = isoparse(m.group(1).rstrip("Z"))
        except ValueError as e:
            raise DateMathError(f"not a date: {text!r}") from e
        base = base.replace(tzinfo=dt.timezone.utc) if base.tzinfo is None else base
        rest = m.group(2)
    pos = 0
    for op in _OP.finditer(rest.upper()):
        if op.start() != pos:
            break
        unit = _UNITS.get(op.group(2))
        if unit is None:
            raise DateMathError(f"unknown date unit {op.group(2)!r} in {text!r}")
        try:
            if op.group(1) == "/":
                base = _round_down(base, unit)
            elif unit == "microseconds":
                base += dt.timedelta(milliseconds=int(op.group(1)))
            else:
                base += relativedelta(**{unit: int(op.group(1))})
        except (OverflowError, ValueError) as e:
            raise DateMathError(f"date out of range in {text!r}") from e
        pos = op.end()
    if pos != len(rest):
        raise DateMathError(f"cannot read date math {rest[pos:]!r} in {text!r}")
    try:
        return to_millis(base.astimezone(dt.timezone.utc))
    except (OverflowError, ValueError) as e:
        raise DateMathError(f"date out of range in {text!r}") from e
