"""Run harvesters unattended: one lock, one record per run, last good kept.

Each source builds into a fresh folder; only a valid package replaces the
source's `current` package (atomically, by renaming), so a failing or
invalid run never touches the last good data. Every run leaves a record
(runs.jsonl) with status, counts and message, as ckanext-harvest keeps jobs.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import sys
from typing import Any, Optional

import yaml

from . import gis, publish, sensors, trees
from .fetch import SourceError

log = logging.getLogger(__name__)
DEFAULT_CONFIG = os.path.join(os.path.dirname(__file__), "sources.yaml")
# Each kind is a module with REQUIRED (config keys), units(source, config) →
# [(unit, config)] (one dataset each), dataset_name(unit, config) and
# build(unit, config, directory, version) → facts, writing a valid package
# and its publish.json. A kind whose units come and go (the layers of a
# service) also has MANY_UNITS = True and source_system(config), so that
# vanished units can be withdrawn. A new kind of source is one such module.
KINDS = {"tree_register": trees, "ogc_service": gis, "sensor_feed": sensors}


class ConfigError(Exception):
    pass


class Locked(Exception):
    pass


def load_config(path: Optional[str] = None) -> dict[str, dict]:
    path = path or DEFAULT_CONFIG
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read the source configuration {path}: {e}")
    sources = {}
    for group in data.values():
        for name, config in (group or {}).items():
            if config.get("kind") not in KINDS:
                raise ConfigError(f"source {name}: unknown kind {config.get('kind')!r}")
            for key in KINDS[config["kind"]].REQUIRED:
                if key not in config:
                    raise ConfigError(f"source {name}: {key} is missing")
            sources[name] = config
    return sources


def _record(out: str, entry: dict[str, Any]) -> None:
    with open(os.path.join(out, "runs.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


def run_source(name: str, config: dict, out: str, ckan=None, token=None,
               dry_run: bool = False) -> dict[str, Any]:
    started = dt.datetime.now(dt.timezone.utc)
    version = started.strftime("%Y%m%dT%H%M%SZ")
    base = os.path.join(out, name)
    building = os.path.join(base, f"build-{version}")
    entry: dict[str, Any] = {"source": name, "started": started.isoformat(timespec="seconds")}
    try:
        facts = KINDS[config["kind"]].build(name, config, building, version)
        entry.update(facts)
        if dry_run:
            shutil.rmtree(building, ignore_errors=True)
            entry.update(status="ok" if facts["valid"] else "invalid",
                         message=f"dry run: {facts['rows']} rows, package "
                                 f"{'valid' if facts['valid'] else 'invalid'}; nothing kept or published")
        elif facts["valid"]:
            current = os.path.join(base, "current")
            previous = os.path.join(base, "previous")
            if os.path.exists(current):
                shutil.rmtree(previous, ignore_errors=True)
                os.rename(current, previous)
            os.rename(building, current)
            entry.update(status="ok", message=f"{facts['rows']} rows, package valid")
            if ckan is not None:
                published = publish.publish(ckan, name, config, current, token)
                entry["published"] = published
                entry["message"] += f"; published as {published['dataset']}: {published['summary']}"
        else:
            failed = os.path.join(base, "failed")
            shutil.rmtree(failed, ignore_errors=True)
            os.rename(building, failed)
            entry.update(status="invalid", message=(
                f"{name}: the package is invalid ({facts['error_count']} errors, first: "
                f"{facts['errors'][0]['message'] if facts['errors'] else '-'}); "
                f"the last good package is kept, report in {failed}"))
    except SourceError as e:
        shutil.rmtree(building, ignore_errors=True)
        entry.update(status="failed", message=str(e))
    except Exception as e:  # one source's bug must not stop the others
        log.exception("source %s crashed", name)
        shutil.rmtree(building, ignore_errors=True)
        entry.update(status="failed", message=f"{name}: {type(e).__name__}: {e}")
    if ckan is not None and entry["status"] != "ok" and not dry_run:
        try:
            publish.report_failure(ckan, KINDS[config["kind"]].dataset_name(name, config), entry["message"])
        except Exception:
            log.exception("could not show the failure of %s on its dataset", name)
    entry["finished"] = publish.timestamp()
    log.info("source=%s status=%s message=%s", name, entry["status"], entry["message"])
    return entry


def _known_units(out: str, source: str) -> dict[str, str]:
    try:
        with open(os.path.join(out, f"{source}.units.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _run_units(source: str, config: dict, out: str, ckan, token, dry_run: bool) -> list[dict[str, Any]]:
    """Every unit (dataset) of one source; units that vanished are withdrawn."""
    kind = KINDS[config["kind"]]
    now = publish.timestamp
    known = _known_units(out, source)
    try:
        units = kind.units(source, config)
    except Exception as e:  # the source as a whole is unusable (down, exception report, …)
        message = str(e) if isinstance(e, SourceError) else f"{source}: {type(e).__name__}: {e}"
        log.warning("source=%s status=failed message=%s", source, message)
        if ckan is not None and not dry_run:
            for dataset in known.values():  # each dataset shows why it was not refreshed
                try:
                    publish.report_failure(ckan, dataset, message)
                except Exception:
                    log.exception("could not show the failure on %s", dataset)
        return [{"source": source, "started": now(), "status": "failed", "message": message, "finished": now()}]
    entries = [run_source(unit, unit_config, out, ckan, token, dry_run) for unit, unit_config in units]
    if not getattr(kind, "MANY_UNITS", False):
        return entries
    current = {unit: kind.dataset_name(unit, unit_config) for unit, unit_config in units}
    if ckan is not None and not dry_run:
        # What the portal holds from this source counts too: a lost output folder
        # must not let a vanished layer stay "ok" for ever.
        try:
            for name in publish.harvested_datasets(ckan, kind.dataset_name(source, config) + "-",
                                                   kind.source_system(config)):
                if name not in known.values():
                    known[name] = name
        except Exception:
            log.exception("could not list the datasets of %s on the portal", source)
    live = set(current.values())
    gone = {unit: name for unit, name in known.items() if name not in live}
    for unit in sorted(gone):
        message = f"{unit}: nicht mehr in der Quelle {source} enthalten; zurückgezogen, nicht gelöscht"
        entry = {"source": unit, "started": now(), "status": "withdrawn", "message": message, "finished": now()}
        if ckan is not None and not dry_run:
            try:
                entry["published"] = {"dataset": gone[unit], "withdrawn": publish.withdraw(ckan, gone[unit], message)}
            except Exception:
                log.exception("could not mark %s as withdrawn", gone[unit])
        log.info("source=%s status=withdrawn message=%s", unit, message)
        entries.append(entry)
    if not dry_run:
        with open(os.path.join(out, f"{source}.units.json"), "w", encoding="utf-8") as f:
            json.dump(current, f, ensure_ascii=False, indent=1)
    return entries


def _progress(number: int, total: int, name: str) -> None:
    """A progress bar on a terminal; nothing under cron (no TTY)."""
    if not sys.stderr.isatty():
        return
    done = int(20 * (number - 1) / total)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (20 - done)}] {number}/{total} {name} …\n")
    sys.stderr.flush()


def run(names: list[str], sources: dict[str, dict], out: str, ckan=None, token=None,
        dry_run: bool = False) -> list[dict[str, Any]]:
    os.makedirs(out, exist_ok=True)
    lock = open(os.path.join(out, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise Locked(f"another jena-harvest run holds {out}/.lock")
    try:
        results = []
        for number, name in enumerate(names, start=1):
            _progress(number, len(names), name)
            for entry in _run_units(name, sources[name], out, ckan, token, dry_run):
                _record(out, entry)
                results.append(entry)
        return results
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
