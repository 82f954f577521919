"""Run harvesters unattended: one lock, one record per run, last good kept.

For every unit (one dataset) of a source, the runner does what is the same
for every kind (harvesters/kinds): a fresh build folder; the kind's
extract → transform; datapackage.json; every table validated against its
Table Schema; the kind's plan → publish.json; the run's facts. Only a valid
package becomes the unit's `current` (an atomic swap, folders.py), so a
failing, invalid or killed run never touches the last good data; then it is
published (publish.py). Every run leaves a record (runs.jsonl) with its
state (states.py), counts and message, as ckanext-harvest keeps jobs.
A kind whose units_at_once(config) is above 1 (ogc_service: layers_at_once)
has that many units built at the same time; keeping, publishing and the
record stay here, one unit after another in their order.
"""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import fcntl
import json
import logging
import os
import sys
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import yaml

from etl import package, validate

from . import folders, publish, report, states
from .faults import crash_point
from .fetch import SourceError
from .kinds import Build, BuildResult, ConfigError, Kind, SourceConfig, Unit, configure, kind_of
from .plan import published_files

log = logging.getLogger(__name__)
DEFAULT_CONFIG = os.path.join(os.path.dirname(__file__), "sources.yaml")
NETWORK = "network"  # the top-level entry of sources.yaml that is not a group of sources
REPORT = "validation-report.json"

__all__ = ["ConfigError", "Locked", "load_config", "run", "build"]


class Locked(Exception):
    pass


def load_config(path: Optional[str] = None) -> dict[str, dict]:
    """The sources of sources.yaml (groups of `name: entry`), each entry
    checked against its kind's configuration; returned as plain dicts (run()
    takes them, or a test's changed copy). `network: {allow: [...]}` is the
    operator's allow-list of internal hosts, added to every source's
    `network_allow`."""
    path = path or DEFAULT_CONFIG
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read the source configuration {path}: {e}")
    network = data.pop(NETWORK, None) or {}
    if not isinstance(network, dict) or set(network) - {"allow"}:
        raise ConfigError(f"{path}: network must be a mapping with the one key allow")
    sources: dict[str, dict] = {}
    for group, entries in data.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: {group} must be a mapping of sources")
        for name, entry in entries.items():
            if name in sources:
                raise ConfigError(f"source {name} is configured twice")
            if not isinstance(entry, dict):
                raise ConfigError(f"source {name}: its entry must be a mapping")
            if network.get("allow"):
                entry = dict(entry, network_allow=list(network["allow"]) + list(entry.get("network_allow") or []))
            configure(name, entry)
            sources[name] = entry
    return sources


def _validate_tables(directory: str, tables: list[str]) -> list[dict[str, Any]]:
    """Every table against its schema in datapackage.json; one report for the package."""
    errors: list[dict[str, Any]] = []
    report: dict[str, Any] = {}
    for name in tables:
        result = validate.validate(directory, name)
        errors += [dict(e, table=name) for e in result["errors"]]
        report[name] = {"valid": result["valid"], "error_count": len(result["errors"]),
                        "parts": result.get("parts", [])}
    folders.write_json(os.path.join(directory, REPORT), {"valid": not errors, "tables": report, "errors": errors})
    return errors


def build(kind: Kind, unit: Unit, work: Build) -> BuildResult:
    """The package of one unit in `work.directory`: the kind's steps, then
    what every kind shares (descriptor, validation, plan)."""
    output = kind.transform(unit, kind.extract(unit, work), work)
    descriptor = package.write_descriptor(
        work.directory, unit.dataset, output.title, work.version, output.licence, output.sources,
        [f.resource_entry(work.directory) for f in output.files], created=output.created,
        licence_title=output.licence_title, extra=output.descriptor)
    errors = _validate_tables(work.directory, [f.resource for f in output.files if f.schema])
    plan = kind.plan(unit, output)
    plan.files = published_files(descriptor, [f.portal_entry() for f in output.files])
    plan.write(work.directory)
    return BuildResult(output.rows, output.warnings, not errors, errors[:20], len(errors),
                       [r["path"] for r in descriptor["resources"]], tuple(output.notices))


def _record(out: str, entry: dict[str, Any]) -> None:
    with open(os.path.join(out, "runs.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


@dataclass
class Built:
    """A unit's build (build_unit): its folder and result, or the error that stopped it."""
    started: dt.datetime
    version: str
    building: Optional[str] = None
    result: Optional[BuildResult] = None
    error: Optional[Exception] = None


def build_unit(kind: Kind, unit: Unit, out: str) -> Built:
    """The unit's package built in a fresh folder; never raises (run_unit
    reports the error). Touches only the unit's own folders, so units of
    one source may be built in parallel (_run_units)."""
    started = dt.datetime.now(dt.timezone.utc)
    built = Built(started, started.strftime("%Y%m%dT%H%M%SZ"))
    base = os.path.join(out, unit.name)
    try:
        folders.recover(base)
        built.building = folders.new_build(base, built.version)
        built.result = build(kind, unit, Build(built.building, built.version, folders.package(base)))
    except Exception as e:
        built.error = e
    return built


def run_unit(kind: Kind, unit: Unit, out: str, ckan=None, token=None, dry_run: bool = False,
             built: Optional[Built] = None) -> dict[str, Any]:
    """Build (unless `built` already is), keep and publish one unit; its run's entry."""
    built = built or build_unit(kind, unit, out)
    version, base = built.version, os.path.join(out, unit.name)
    entry: dict[str, Any] = {"source": unit.name, "dataset": unit.dataset,
                             "started": built.started.isoformat(timespec="seconds")}
    building = built.building
    try:
        if built.error is not None:
            raise built.error
        result = built.result
        entry.update(result.facts())
        verdict = "valid" if result.valid else "invalid"
        if dry_run:
            entry.update(status=states.OK if result.valid else states.INVALID,
                         message=f"dry run: {result.rows} rows, package {verdict}; nothing kept or published")
        elif result.valid:
            crash_point("built")
            folders.swap(base, building)
            building = None  # it is `current` now
            entry.update(status=states.WARNING if result.notices else states.OK,
                         message=f"{result.rows} rows, package valid"
                         + (f"; warning: {'; '.join(result.notices)}" if result.notices else ""))
            if ckan is not None:
                published = publish.publish(ckan, folders.package(base), token,
                                            baseline=folders.package(base, folders.PUBLISHED),
                                            notices=result.notices)
                folders.mark_published(base)
                entry["published"] = published
                entry["message"] += f"; published as {published['dataset']}: {published['summary']}"
        else:
            failed = folders.keep_failed(base, building)
            building = None
            entry.update(status=states.INVALID, message=(
                f"{unit.name}: the package is invalid ({result.error_count} errors, first: "
                f"{result.errors[0]['message'] if result.errors else '-'}); "
                f"the last good package is kept, report in {failed}"))
    except publish.NotOurs as e:  # someone else's dataset: not even its status is ours to write
        entry.update(status=states.FAILED, message=str(e), foreign=True)
    except SourceError as e:
        entry.update(status=states.FAILED, message=str(e))
    except Exception as e:  # one source's bug must not stop the others
        log.exception("source %s crashed", unit.name)
        entry.update(status=states.FAILED, message=f"{unit.name}: {type(e).__name__}: {e}")
    if building:  # a dry run's, or one that failed before it was kept
        folders.discard(building)
    if ckan is not None and entry["status"] not in states.GOOD and not dry_run and not entry.pop("foreign", False):
        try:
            publish.report_failure(ckan, unit.dataset, entry["message"], entry["status"])
        except Exception:
            log.exception("could not show the failure of %s on its dataset", unit.name)
    entry["finished"] = publish.timestamp()
    log.info("source=%s status=%s message=%s", unit.name, entry["status"], entry["message"])
    return entry


def _known_units(out: str, source: str) -> dict[str, str]:
    try:
        with open(os.path.join(out, f"{source}.units.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _run_units(source: str, config: SourceConfig, out: str, ckan, token, dry_run: bool,
               progress=None) -> list[dict[str, Any]]:
    """Every unit (dataset) of one source; units that vanished are withdrawn."""
    kind = kind_of(config)
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
        return [{"source": source, "started": now(), "status": states.FAILED, "message": message,
                 "finished": now()}]
    entries = []
    at_once = min(len(units), max(1, int(getattr(kind, "units_at_once", lambda _: 1)(config))))
    pool = cf.ThreadPoolExecutor(at_once, thread_name_prefix=f"{source}-unit") if at_once > 1 else None
    try:
        # Built `at_once` at a time (a kind that says its units may be), kept and
        # published here one after another in their order, as one at a time.
        builds = [pool.submit(build_unit, kind, unit, out) for unit in units] if pool else None
        for number, unit in enumerate(units, start=1):
            if progress:  # the portal's "run now" shows how far it got
                progress(unit.name, number - 1, len(units))
            entries.append(run_unit(kind, unit, out, ckan, token, dry_run,
                                    builds[number - 1].result() if builds else None))
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    if not kind.many_units:
        return entries
    current = {unit.name: unit.dataset for unit in units}
    if ckan is not None and not dry_run:
        # What the portal holds from this source counts too: a lost output folder
        # must not let a vanished layer stay "ok" for ever.
        try:
            for name in publish.harvested_datasets(ckan, kind.dataset_name(source) + "-", kind.source_system(config)):
                if name not in known.values():
                    known[name] = name
        except Exception:
            log.exception("could not list the datasets of %s on the portal", source)
    live = set(current.values())
    gone = {unit: name for unit, name in known.items() if name not in live}
    for unit in sorted(gone):
        message = f"{unit}: nicht mehr in der Quelle {source} enthalten; zurückgezogen, nicht gelöscht"
        entry = {"source": unit, "started": now(), "status": states.WITHDRAWN, "message": message, "finished": now()}
        if ckan is not None and not dry_run:
            try:
                entry["published"] = {"dataset": gone[unit], "withdrawn": publish.withdraw(ckan, gone[unit], message)}
            except Exception:
                log.exception("could not mark %s as withdrawn", gone[unit])
        log.info("source=%s status=withdrawn message=%s", unit, message)
        entries.append(entry)
    if not dry_run:
        folders.write_json(os.path.join(out, f"{source}.units.json"), current)
    return entries


def _progress(number: int, total: int, name: str) -> None:
    """A progress bar on a terminal; nothing under cron (no TTY)."""
    if not sys.stderr.isatty():
        return
    done = int(20 * (number - 1) / total)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (20 - done)}] {number}/{total} {name} …\n")
    sys.stderr.flush()


def run(names: list[str], sources: Mapping[str, Any], out: str, ckan=None, token=None,
        dry_run: bool = False, progress=None, trigger: str = "command") -> list[dict[str, Any]]:
    """Harvest `names` of `sources` (entries as load_config returns them, or typed configs).
    Publishing, each source's run is also reported to the portal's dashboard
    (report.py; `trigger` says who started it); `progress(unit, done, total)`
    hears of each unit before it starts."""
    configs = {name: configure(name, sources[name]) for name in names}  # every mistake before any work
    os.makedirs(out, exist_ok=True)
    lock = open(os.path.join(out, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise Locked(f"another jena-harvest run holds {out}/.lock")
    try:
        results = []
        for number, name in enumerate(names, start=1):
            _progress(number, len(names), name)
            started = publish.timestamp()
            entries = _run_units(name, configs[name], out, ckan, token, dry_run, progress)
            for entry in entries:
                _record(out, entry)
                results.append(entry)
            if ckan is not None and not dry_run:
                report.send(ckan, out, report.record(name, configs[name], entries, started, trigger))
        return results
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
