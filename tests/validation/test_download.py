"""The validation job's download goes through the portal's one outbound
client: internal addresses are refused unless the operator allows them, a
slow server is cut off at the outbound deadline, and what is no data ends as
"nicht prüfbar" with a German reason (issue 12, finding 3; issue 24).

No module-level allow mark here: the default (nothing internal) is what
these tests are about, and each test that needs loopback says so."""
import contextlib
import http.server
import time

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import helpers

from ..loopback import serve, serving
from ..publishing import create_dataset

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")

CSV = "baumnummer;gattung\n1;Linde\n2;Ahorn\n"
allow_loopback = pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1")


@pytest.fixture
def dataset(admin, org):
    return create_dataset(admin, org, "links", "Links", "Verlinkte Dateien"), admin


@pytest.fixture
def provider(loopback):
    """The data provider, counting what it was asked."""
    routes, base = loopback
    routes.clear()
    asked: list = []

    def route(answer):
        def serve(path):
            asked.append(path)
            return answer
        return serve
    return routes, base, asked, route


def link(dataset, url, fmt="CSV"):
    pkg, admin = dataset
    return helpers.call_action("resource_create", {"user": admin["name"]}, package_id=pkg["id"], url=url,
                               format=fmt, name=url.rsplit("/", 1)[-1])


def validated(res, app):
    Worker().work(burst=True)
    result = helpers.call_action("resource_validation_show", resource_id=res["id"])
    page = " ".join(app.get(f"/dataset/links/resource/{res['id']}/validation").body.split())
    return result, page


def test_a_loopback_link_is_refused_by_default(dataset, provider, app):
    routes, base, asked, route = provider
    routes["/baeume.csv"] = route((CSV.encode(), "text/csv"))
    for url in (base + "/baeume.csv", base.replace("127.0.0.1", "localhost") + "/baeume.csv"):
        result, page = validated(link(dataset, url), app)
        assert result["status"] == "error" and result["reason"] == "download-refused"
        assert "Der Link zeigt auf eine Adresse, die das Portal nicht abruft" in page
    assert asked == []  # not a single request reached the internal server
    assert helpers.call_action("package_show", id="links")["validation_status"] == "error"


@allow_loopback
def test_a_loopback_link_the_operator_allows_is_validated(dataset, provider, app):
    routes, base, asked, route = provider
    routes["/baeume.csv"] = route((CSV.encode(), "text/csv"))
    result, _ = validated(link(dataset, base + "/baeume.csv"), app)
    assert result["status"] == "valid" and result["row_count"] == 2 and "/baeume.csv" in asked


def test_a_redirect_into_the_network_is_refused(dataset, provider, app):
    # The first hop is allowed (that server only); its redirect to another
    # internal server is checked like the first hop and refused.
    routes, base, asked, route = provider
    inner_asked: list = []
    with serve({"/intern.csv": lambda path: inner_asked.append(path) or (CSV.encode(), "text/csv")}) as inner:
        routes["/weiter.csv"] = route((b"", "text/plain", 0, 302, {"Location": inner + "/intern.csv"}))
        port = base.rsplit(":", 1)[1]
        with helpers.changed_config("ckanext.jena.outbound.allow", f"127.0.0.1:{port}"):
            result, page = validated(link(dataset, base + "/weiter.csv"), app)
    assert "/weiter.csv" in asked and inner_asked == []
    assert result["status"] == "error" and result["reason"] == "download-refused"


@contextlib.contextmanager
def trickling_server(seconds):
    """Sends its headers at once, then one row every 0.2 s for `seconds`: never
    silent long enough for a read timeout, only a deadline cuts it off."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(b"baumnummer;gattung\n")
            end = time.monotonic() + seconds
            try:
                while time.monotonic() < end:
                    self.wfile.write(b"1;Linde\n")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass
    with serving(Handler) as base:
        yield base


@allow_loopback
@pytest.mark.ckan_config("ckanext.jena.outbound.deadline", "2")
def test_a_slow_server_is_cut_off_at_the_deadline(dataset, app):
    # The server would send for a minute; the job gives up at its 2 s deadline. The bound
    # only tells "cut off" from "held until the server was done", with room for a busy machine.
    with trickling_server(60) as base:
        res = link(dataset, base + "/langsam.csv")
        started = time.monotonic()
        result, page = validated(res, app)
        assert time.monotonic() - started < 40
    assert result["status"] == "error" and result["reason"] == "download-deadline"
    assert "Der Server hat die Datei nicht innerhalb von 2 Sekunden geliefert" in page


@allow_loopback
@pytest.mark.parametrize("answer,reason,german", [
    ((b"nicht da", "text/plain", 0, 404), "download-http", "Der Link antwortet mit HTTP 404."),
    ((b"verboten", "text/plain", 0, 403), "download-http", "Der Link antwortet mit HTTP 403."),
    ((b"<html><body>Wartung</body></html>", "text/html; charset=utf-8"), "download-html",
     "Der Link liefert eine Webseite (HTML), nicht die Daten."),
    # a portal page sent as text/plain is still a web page
    ((b"<!DOCTYPE html>\n<html><head><title>Anmeldung</title></head></html>", "text/plain"), "download-html",
     "Der Link liefert eine Webseite (HTML), nicht die Daten."),
], ids=["404", "403", "html", "html-as-text"])
def test_what_is_not_the_data_is_reported_in_german(dataset, provider, app, answer, reason, german):
    routes, base, asked, route = provider
    routes["/daten.csv"] = route(answer)
    result, page = validated(link(dataset, base + "/daten.csv"), app)
    assert result["status"] == "error" and result["reason"] == reason
    assert german in page and "nicht prüfbar" in page


def test_a_link_that_is_no_http_url_is_not_fetched(dataset, app):
    result, page = validated(link(dataset, "file:///etc/passwd"), app)
    assert result["status"] == "error" and result["reason"] == "no-file"
    assert "root:" not in page
