"""Alerts: two failed harvests in a row, or far fewer rows, mail the
organisation's contact once through CKAN's mailer (CKAN's test mail server
catches it), and once more when the source recovers."""
import pytest
from ckan.tests import helpers

from harvesters import runner

from .conftest import CONTACT

# The action runs in a request (the runner calls the API), whose context gives it the translations.
pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context")


def mails_to(mail_server, address):
    return [m for m in mail_server.get_smtp_messages() if address in m[2]]


def subject(message):
    import email
    from email.header import decode_header, make_header
    return str(make_header(decode_header(email.message_from_string(message[3])["Subject"])))


def test_two_failures_in_a_row_mail_the_contact_once_and_the_recovery_once(people, tree_source, tmp_path,
                                                                           mail_server):
    routes, config = tree_source
    good = routes["/jena.csv"]

    def harvest():
        return runner.run(["jena"], config, str(tmp_path), people.portal)[0]

    assert harvest()["status"] == "ok"
    routes["/jena.csv"] = (b"<html><body>Wartungsarbeiten</body></html>", "text/html", 0)
    assert harvest()["status"] == "failed"
    assert mails_to(mail_server, CONTACT) == []  # one failure is no alert
    assert harvest()["status"] == "failed"
    sent = mails_to(mail_server, CONTACT)
    assert len(sent) == 1
    assert "Baumkataster Jena" in subject(sent[0]) and "zweimal" in subject(sent[0])
    assert harvest()["status"] == "failed"  # a third failure: no second mail
    assert len(mails_to(mail_server, CONTACT)) == 1
    source = helpers.call_action("jena_harvest_source_show", {"user": people.steward["name"]}, source="jena")
    assert source["alert"]["reason"] == "failures" and source["alert"]["recipient"] == CONTACT

    routes["/jena.csv"] = good
    assert harvest()["status"] == "ok"
    sent = mails_to(mail_server, CONTACT)
    assert len(sent) == 2 and "wieder" in subject(sent[1])
    assert harvest()["status"] == "ok"
    assert len(mails_to(mail_server, CONTACT)) == 2
    assert helpers.call_action("jena_harvest_source_show", {"user": people.steward["name"]},
                               source="jena")["alert"] is None


@pytest.mark.ckan_config("ckanext.jena.harvest.alert_drop_percent", 20)
def test_a_drop_in_rows_beyond_the_share_mails_once(people, mail_server):
    def report(n, rows):
        return people.portal.action.jena_harvest_run_create(
            id=f"run-{n}", source="jena", kind="tree_register", organization="stadt-jena", title="Baumkataster Jena",
            started=f"2026-12-0{n}T03:30:00+00:00", finished=f"2026-12-0{n}T03:31:00+00:00", status="ok", rows=rows)

    assert report(1, 3000)["alert"] is None
    assert report(2, 2500)["alert"] is None  # 17 % fewer: within the share
    assert report(3, 1900)["alert"] == "drop"  # 24 % fewer than the last good run
    assert report(4, 1900)["alert"] is None  # still low: no second mail
    assert len(mails_to(mail_server, CONTACT)) == 1
    assert report(5, 2450)["alert"] == "recovered"  # back within 20 % of the rows before the drop
    assert len(mails_to(mail_server, CONTACT)) == 2
