"""What the portal knows of the harvest configuration: the sources of
sources.yaml (`ckanext.jena.harvest.sources`) and their schedule.

The schedule is the crontab's, mirrored into the portal's config
(`ckanext.jena.harvest.schedule`): one line per source, `SOURCE MIN HOUR DOM
MON DOW`, `*` as the source for every other one; read in the portal's time
zone (ckan.display_timezone), as cron reads the machine's local time.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional

import ckan.plugins.toolkit as tk
import pytz
from croniter import croniter

log = logging.getLogger(__name__)


def _lines() -> dict[str, str]:
    value = tk.config.get("ckanext.jena.harvest.schedule") or ""
    lines = value if isinstance(value, list) else str(value).splitlines()
    found = {}
    for line in lines:
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        source, expression = parts[0], " ".join(parts[1:])
        if croniter.is_valid(expression):
            found[source] = expression
        else:
            log.warning("ckanext.jena.harvest.schedule: %r is no cron expression (source %s)", expression, source)
    return found


def expression(source: str) -> Optional[str]:
    lines = _lines()
    return lines.get(source) or lines.get("*")


def next_run(source: str, now: Optional[dt.datetime] = None) -> Optional[dt.datetime]:
    """The next scheduled run of `source` (aware, in UTC), or None if it has no schedule."""
    cron = expression(source)
    if not cron:
        return None
    try:
        zone = pytz.timezone(tk.config.get("ckan.display_timezone") or "Europe/Berlin")
    except pytz.UnknownTimeZoneError:
        zone = pytz.timezone("Europe/Berlin")
    local = (now or dt.datetime.now(dt.timezone.utc)).astimezone(zone)
    return croniter(cron, local).get_next(dt.datetime).astimezone(dt.timezone.utc)


def configured() -> dict[str, Any]:
    """The sources of sources.yaml as typed configurations; {} when it
    cannot be read here (the dashboard then shows what was reported)."""
    from harvesters import kinds, runner
    path = tk.config.get("ckanext.jena.harvest.sources") or None
    try:
        return {name: kinds.configure(name, entry) for name, entry in runner.load_config(path).items()}
    except runner.ConfigError as e:
        log.warning("the harvest sources cannot be read: %s", e)
        return {}
