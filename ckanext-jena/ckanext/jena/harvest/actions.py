"""The harvest actions: records in (jena_harvest_run_create), the dashboard's
data out (…_run_list, …_run_show, …_source_list, …_source_show), and run
now (…_run_now, …_trigger_show)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from harvesters import states

from . import alerts, auth, job, schedule, store

TREND = 10  # runs in a source's row trend
PAGE = 20


def _mapping(value: Any, context) -> Any:
    if not isinstance(value, dict):
        raise tk.Invalid(tk._("Must be a mapping"))
    return value


def _list(value: Any, context) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise tk.Invalid(tk._("Must be a list of mappings"))
    return value


def _timestamp(value: Any, context) -> str:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise tk.Invalid(tk._("Must be a date and time in ISO 8601"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).isoformat()


def _run_schema() -> dict[str, list]:
    v = tk.get_validator
    missing, empty, text = v("ignore_missing"), v("not_empty"), v("unicode_safe")
    natural = v("natural_number_validator")
    count = [v("default")(0), natural]
    return {
        "id": [v("default")(""), text], "source": [empty, text, v("name_validator")], "kind": [empty, text],
        "organization": [empty, text], "title": [v("default")(""), text],
        "started": [empty, _timestamp], "finished": [empty, _timestamp],
        "status": [empty, v("one_of")(sorted(states.LABELS))], "trigger": [v("default")("command"),
                                                                          v("one_of")(["command", "portal"])],
        "rows": [missing, natural], "new": count, "removed": count, "changed": count, "repaired": count,
        "warnings": [v("default")({}), _mapping], "message": [v("default")(""), text],
    }


def jena_harvest_run_create(context, data_dict):
    """Store the record of one harvest run of a source (the runner sends it).

    :param id: the runner's id of the record (a record sent twice is stored once)
    :param source: the configured source (sources.yaml)
    :param kind: its kind (tree_register, ogc_service, …)
    :param organization: the organisation it publishes to (name or id); the
        caller must be allowed to create datasets there
    :param started, finished: ISO 8601 times
    :param status: ok, invalid, failed or withdrawn (harvesters/states.py)
    :param trigger: command (cron, an operator) or portal (run now)
    :param rows, new, removed, changed, repaired: counts
    :param warnings: counts by kind of warning
    :param message: what the source or the runner said
    :param datasets: each dataset touched (name, unit, status, message, rows, summary, counts)
    :returns: the stored run, and `alert` (failures, drop, recovered or None)
    """
    tk.check_access("jena_harvest_run_create", context, data_dict)
    # navl flattens lists of mappings into keys of their own: the datasets are checked apart.
    datasets = data_dict.get("datasets") or []
    data, errors = tk.navl_validate({k: v for k, v in data_dict.items() if k != "datasets"}, _run_schema(), context)
    try:
        data["datasets"] = _list(datasets, context)
    except tk.Invalid as e:
        errors["datasets"] = [e.error]
    if errors:
        raise tk.ValidationError(errors)
    org_id = auth.organization_id(data["organization"])
    if org_id is None:
        raise tk.ValidationError({"organization": [tk._("Organization not found")]})
    # An editor elsewhere could otherwise file runs under this source and so
    # own its page (and every run on it) and hide it from its stewards.
    config = schedule.configured().get(data["source"])
    if config is not None and auth.organization_id(config.organization) != org_id:
        raise tk.ValidationError({"organization": [tk._("The source publishes to another organization")]})
    data.update(id=data["id"] or str(uuid.uuid4()), organization_id=org_id, reported_by=context.get("user") or "",
                rows=data.get("rows"))
    sent = None
    try:
        if store.add_run(data):
            sent = alerts.check(store.run(data["id"]))
        if not context.get("defer_commit"):
            model.Session.commit()
    except Exception:
        # A caller in the same process (LocalCKAN) goes on with a usable session.
        model.Session.rollback()
        raise
    return dict(store.run(data["id"]), alert=sent)


def _page(data_dict) -> tuple[int, int]:
    v = tk.get_validator("int_validator")
    try:
        limit = min(max(int(v(data_dict.get("limit", PAGE), {})), 1), 100)
        offset = max(int(v(data_dict.get("offset", 0), {})), 0)
    except (tk.Invalid, TypeError, ValueError):
        raise tk.ValidationError({"limit": [tk._("Invalid integer")]})
    return limit, offset


@tk.side_effect_free
def jena_harvest_run_list(context, data_dict):
    """Runs the user stewards, newest first.

    :param source: only this source's (optional)
    :param limit: at most this many (default 20, at most 100)
    :param offset: skip this many
    :returns: {count, results}
    """
    tk.check_access("jena_harvest_run_list", context, data_dict)
    limit, offset = _page(data_dict)
    count, results = store.runs(data_dict.get("source"), auth.stewarded(context), limit, offset)
    return {"count": count, "results": results}


@tk.side_effect_free
def jena_harvest_run_show(context, data_dict):
    """One run by its id (stewards of its organisation)."""
    return _by_id(context, data_dict, store.run, "jena_harvest_run_show", tk._("Harvest run not found"))


def _by_id(context, data_dict, lookup, action: str, missing: str) -> dict:
    """A record by its id, for those who may see its organisation's records."""
    found = lookup(tk.get_or_bust(data_dict, "id"))
    if found is None:
        raise tk.ObjectNotFound(missing)
    tk.check_access(action, context, {"organization_id": found["organization_id"]})
    return found


def _owner(config, last: dict | None) -> str | None:
    """The source's organisation: the configuration's, else the last report's."""
    if config is not None:
        return auth.organization_id(config.organization)
    return last["organization_id"] if last else None


def _source(context, name: str, last: dict | None, trend: list, configured: dict) -> dict[str, Any]:
    config = configured.get(name)
    org_id = _owner(config, last)
    when = schedule.next_run(name)
    trigger = store.last_trigger(name)
    return {
        "source": name, "title": (last or {}).get("title") or (config and config.title) or name,
        "kind": (last or {}).get("kind") or (config and config.kind), "organization_id": org_id,
        "configured": config is not None, "last_run": last, "trend": trend,
        "schedule": schedule.expression(name), "next_run": when.isoformat() if when else None,
        "alert": store.alert(name), "trigger": trigger,
        "can_run_now": bool(config and job.harvest_folder()) and auth.can_run_now(context, org_id),
    }


@tk.side_effect_free
def jena_harvest_source_list(context, data_dict):
    """The dashboard: every source the user stewards (reported or
    configured) with its last run, row trend, next scheduled run, open
    alert and last run-now trigger."""
    tk.check_access("jena_harvest_source_list", context, data_dict)
    visible = auth.stewarded(context)
    reported = {s["source"]: s for s in store.sources(visible, TREND)}
    configured = schedule.configured()
    result = []
    for name in sorted(set(reported) | set(configured)):
        item = reported.get(name)
        entry = _source(context, name, item and item["last"], item["trend"] if item else [], configured)
        if visible is None or entry["organization_id"] in visible:
            result.append(entry)
    return result


@tk.side_effect_free
def jena_harvest_source_show(context, data_dict):
    """One source with its runs, newest first, paged (limit, offset)."""
    name = tk.get_or_bust(data_dict, "source")
    limit, offset = _page(data_dict)
    configured = schedule.configured()
    latest = store.recent(name, 1)
    if not latest and name not in configured:
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    # Only the owning organisation's runs: another's under the same name stay theirs.
    org_id = _owner(configured.get(name), latest[0] if latest else None)
    history = store.runs(name, [org_id], TREND)[1]
    entry = _source(context, name, history[0] if history else None,
                    [{"started": r["started"], "rows": r["rows"], "status": r["status"]} for r in reversed(history)],
                    configured)
    tk.check_access("jena_harvest_source_show", context, {"organization_id": entry["organization_id"]})
    count, runs = store.runs(name, [org_id], limit, offset)
    return dict(entry, runs={"count": count, "results": runs})


def _busy(trigger: dict | None) -> bool:
    """Is the source's last trigger still queued or running? One not heard of
    for longer than a job may run is taken as lost (a worker killed)."""
    if not trigger or trigger["state"] not in store.ACTIVE:
        return False
    age = dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(trigger["updated"])
    return age.total_seconds() < tk.config.get("ckanext.jena.harvest.job_timeout") + 60


def jena_harvest_run_now(context, data_dict):
    """Start a harvest of a configured source now, as a job in CKAN's queue
    (admins of its organisation and sysadmins). Refused while it or any
    run holding the harvest lock is running.

    :param source: the configured source
    :returns: the trigger (id, state queued, …)
    """
    name = tk.get_or_bust(data_dict, "source")
    config = schedule.configured().get(name)
    if config is None:
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    org_id = auth.organization_id(config.organization)
    tk.check_access("jena_harvest_run_now", context, {"organization_id": org_id})
    out = job.harvest_folder()
    if not out:
        raise tk.ValidationError({"source": [tk._("Run now is not set up on this portal "
                                                  "(ckanext.jena.harvest.out)")]})
    if _busy(store.last_trigger(name)) or job.locked(out):
        raise tk.ValidationError({"source": [tk._("A harvest is running already; wait until it has finished")]})
    user = model.User.get(context.get("user"))
    trigger_id = str(uuid.uuid4())
    store.add_trigger(trigger_id, name, org_id, user.id)
    model.Session.commit()
    try:
        job.enqueue(trigger_id, name)
    except Exception as e:  # Redis away: the trigger must not block the next one
        store.update_trigger(trigger_id, state="failed", message=f"{type(e).__name__}: {e}"[:2000])
        model.Session.commit()
        raise
    return store.trigger(trigger_id)


@tk.side_effect_free
def jena_harvest_trigger_show(context, data_dict):
    """A run-now trigger: state (queued, running, done, failed, locked), progress (done of total units)."""
    return _by_id(context, data_dict, store.trigger, "jena_harvest_trigger_show", tk._("Harvest trigger not found"))


def get_actions():
    return {f.__name__: f for f in (jena_harvest_run_create, jena_harvest_run_list, jena_harvest_run_show,
                                    jena_harvest_source_list, jena_harvest_source_show, jena_harvest_run_now,
                                    jena_harvest_trigger_show)}
