"""Alerts for stewards: a source that failed twice in a row, or whose row
count fell by more than `ckanext.jena.harvest.alert_drop_percent` against
its last good run, sends one mail to its organisation's contact
(`contact_email` of our organisation schema) through CKAN's mailer; one more
when it recovers. An open alert is a row of jena_harvest_alert, so each
mail goes once however many runs follow."""
from __future__ import annotations

import logging
import urllib.parse
from typing import Any, Optional

import ckan.lib.mailer as mailer
from flask_babel import force_locale
import ckan.plugins.toolkit as tk

from harvesters import states

from . import store

log = logging.getLogger(__name__)
FAILURES, DROP = "failures", "drop"


def _bad(run: dict[str, Any]) -> bool:
    return run["status"] not in states.GOOD


def _last_good_rows(history: list[dict[str, Any]]) -> Optional[int]:
    """Rows of the newest good run before this one."""
    return next((r["rows"] for r in history[1:] if not _bad(r) and r["rows"]), None)


def _dropped(rows: Optional[int], baseline: Optional[int]) -> bool:
    share = tk.config.get("ckanext.jena.harvest.alert_drop_percent") / 100
    return bool(baseline) and rows is not None and rows < baseline * (1 - share)


def _contact(org_id: str) -> tuple[str, str]:
    org = tk.get_action("organization_show")({"ignore_auth": True}, {"id": org_id, "include_datasets": False})
    return org.get("title") or org["name"], (org.get("contact_email") or "").strip()


def _dashboard_url(source: str) -> str:
    # From the site URL: the mail may be written in a job, outside any request.
    return f"{tk.config.get('ckan.site_url').rstrip('/')}/ernte/{urllib.parse.quote(source)}"


def _send(recipient: tuple[str, str], subject: str, body: str) -> bool:
    name, email = recipient
    if not email:
        log.warning("no contact e-mail for %s: the harvest alert %r is not sent", name, subject)
        return False
    try:
        mailer.mail_recipient(name, email, subject, body)
    except mailer.MailerException:
        log.exception("the harvest alert %r to %s could not be sent", subject, email)
        return False
    return True


def check(run: dict[str, Any]) -> Optional[str]:
    """After a new run of its source: open or close its alert (one mail
    each). Returns what was sent: failures, drop, recovered, or None.
    Written in the portal's language: the contact did not make the request."""
    with force_locale(tk.config.get("ckan.locale_default") or "de"):
        return _check(run)


def _check(run: dict[str, Any]) -> Optional[str]:
    source = run["source"]
    history = store.recent(source, 2 + 50)  # this run first
    current = store.alert(source)
    failing = len(history) >= 2 and _bad(history[0]) and _bad(history[1])
    baseline = _last_good_rows(history)
    dropped = not _bad(run) and _dropped(run["rows"], baseline)
    title = run.get("title") or source
    if current is None and (failing or dropped):
        reason = FAILURES if failing else DROP
        recipient = _contact(run["organization_id"])
        if reason == FAILURES:
            subject = tk._("Harvest of {source} failed twice in a row").format(source=title)
            body = tk._("The last two harvests of {source} failed. The source said:\n\n{message}\n\n"
                        "The last good data stays published. Details: {url}").format(
                source=title, message=run["message"], url=_dashboard_url(source))
        else:
            subject = tk._("Harvest of {source}: far fewer rows").format(source=title)
            body = tk._("The harvest of {source} delivered {rows} rows, {before} in the last good run. "
                        "Please check the source. Details: {url}").format(
                source=title, rows=run["rows"], before=baseline, url=_dashboard_url(source))
        _send(recipient, subject, body)
        # Open even if no mail could go: the dashboard shows it, and a later
        # recovery is news either way.
        store.open_alert(source, reason, run["id"], baseline if reason == DROP else None, recipient[1])
        return reason
    if current is not None and not _bad(run) and not failing:
        if current["reason"] == DROP and _dropped(run["rows"], current["baseline_rows"]):
            return None  # still far below the rows before the drop
        recipient = _contact(run["organization_id"])
        _send(recipient, tk._("Harvest of {source} is working again").format(source=title),
              tk._("The harvest of {source} succeeded again ({rows} rows). Details: {url}").format(
                  source=title, rows=run["rows"] if run["rows"] is not None else "-", url=_dashboard_url(source)))
        store.close_alert(source)
        return "recovered"
    return None
